"""Input files -> validated records -> batched idempotent writes, with a ledger per load."""

"""The neutral kernel every room may import: named errors, the query-runner protocol,
batching and host helpers. It imports no other room of cibgraph."""

// name: load_runs
// title: Recent loads and their ledger
// category: provenance
// description: >
//   The load ledger, newest run first: one row per file loaded, with rows read,
//   written and rejected. balanced is false when read differs from written plus
//   rejected, which the ledger promises never happens: report it as a bug. A run
//   with no files is listed too (one that stopped early).
// parameters:
//   runs: {default: 10, description: "how many of the most recent runs to show"}
//   limit: {default: 200, description: "maximum rows (files)"}
// revision: 2

MATCH (run:LoadRun)
WITH run
ORDER BY run.started_at DESC
LIMIT $runs
// A run with no files yet (crashed early) still gets a row.
OPTIONAL MATCH (run)-[:READ]->(file:LoadFile)
RETURN run.id AS run_id, run.status AS status, file.status AS file_status, run.started_at AS started_at,
       run.finished_at AS finished_at, file.kind AS kind, file.path AS path,
       file.read AS read, file.written AS written, file.rejected AS rejected,
       file.sha256 AS sha256, file.rejects_path AS rejects_path,
       file.read = file.written + file.rejected AS balanced
ORDER BY started_at DESC, path
LIMIT $limit

"""A bulk load (``cib load --bulk``): same validation, ledger and rejects, written by
``neo4j-admin database import full`` into an empty database.

The incremental loader (``loaders/load.py``) runs unchanged against ``CsvSink``, a
``QueryRunner`` that turns each ``UNWIND $rows`` batch into rows of the importer's
CSV files instead of sending it to Neo4j: so validation, rejects files, batching and
ledger counts are literally the incremental path's. Then the server is stopped, the
importer writes a new store, the server starts, the schema is applied and the ledger
is written to the graph.

The CSVs hold what the statements in ``loaders/statements.py`` would have written:
the same labels (``:Actor`` with ``key`` on accounts and pages, ``:Admin`` on page
admins), properties (identifiers only as their keyed hash), ``stub`` flags and
minimal stub nodes for referenced-but-unloaded actors, posts and organisations.
Rows whose identity was already seen (a post id twice, the same admin pair twice)
or whose properties the CSV header does not hold (``--keep-extra`` columns) are set
aside and replayed through the incremental statements after the import, so the
result equals an incremental load of the same files, row order included.
"""

from cibgraph.loaders.bulk.importer import (
    BulkImportFailed,
    BulkLoad,
    DatabaseNotEmpty,
    bulk_load,
    require_empty,
)
from cibgraph.loaders.bulk.sink import CsvSink

__all__ = [
    "BulkImportFailed",
    "BulkLoad",
    "CsvSink",
    "DatabaseNotEmpty",
    "bulk_load",
    "require_empty",
]

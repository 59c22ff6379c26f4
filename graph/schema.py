"""Every uniqueness constraint and index the data model needs, as data.

Constraints come before any load: MERGE on an id is only safe (no duplicates under
concurrent loads) and fast (index-backed) when the id is unique-constrained.
"""

from __future__ import annotations

from dataclasses import dataclass

from cibgraph.core.runner import QueryRunner, Row


@dataclass(frozen=True)
class SchemaItem:
    name: str
    kind: str  # "constraint", "index" or "relationship_index"
    label: str
    properties: tuple[str, ...]

    @property
    def statement(self) -> str:
        # Names, labels and properties are compile-time constants from SCHEMA, never input.
        props = ", ".join(f"n.{p}" for p in self.properties)
        if self.kind == "constraint":
            target = props if len(self.properties) == 1 else f"({props})"
            return (
                f"CREATE CONSTRAINT {self.name} IF NOT EXISTS "
                f"FOR (n:{self.label}) REQUIRE {target} IS UNIQUE"
            )
        if self.kind == "relationship_index":
            rel_props = ", ".join(f"r.{p}" for p in self.properties)
            return (
                f"CREATE INDEX {self.name} IF NOT EXISTS "
                f"FOR ()-[r:{self.label}]-() ON ({rel_props})"
            )
        return f"CREATE INDEX {self.name} IF NOT EXISTS FOR (n:{self.label}) ON ({props})"


def _unique(label: str, prop: str) -> SchemaItem:
    return SchemaItem(f"{label.lower()}_{prop}_unique", "constraint", label, (prop,))


def _index(label: str, *props: str) -> SchemaItem:
    return SchemaItem(f"{label.lower()}_{'_'.join(props)}_index", "index", label, props)


SCHEMA: tuple[SchemaItem, ...] = (
    # Evidence
    _unique("Account", "id"),
    _unique("Page", "id"),
    # Accounts and pages share one id space in signals and networks ("account:42").
    _unique("Actor", "key"),
    _unique("Organization", "id"),
    _unique("Post", "id"),
    _unique("Url", "url"),
    _unique("Hashtag", "tag"),
    _unique("Ad", "id"),
    _unique("Identifier", "id"),
    # Handles an account had (Bluesky identity events), met by every account that had one.
    _unique("Handle", "handle"),
    # Provenance and detection output
    _unique("LoadRun", "id"),
    _unique("LoadFile", "id"),
    _unique("DetectionRun", "id"),
    _unique("Network", "id"),
    # Lookups the signal queries and analysts rely on
    _index("Post", "created_at"),
    _index("Post", "text_hash"),
    _index("Post", "image_hash"),
    # Near-duplicate text clusters (graph/pairs/text_clusters.py), cleared and set per run.
    _index("Post", "text_cluster"),
    # Near-equal image hashes (graph/pairs/image_clusters.py), cleared and set per run.
    _index("Post", "image_cluster"),
    _index("Account", "created_at"),
    _index("Page", "created_at"),
    _index("Network", "run_id"),
    _index("Network", "flagged"),
    # Each detection run projects and explains only its own coordination edges.
    SchemaItem(
        "coordinated_with_run_id_index", "relationship_index", "COORDINATED_WITH", ("run_id",)
    ),
)


SCHEMA_STATEMENTS = frozenset(item.statement for item in SCHEMA)


def apply_schema(runner: QueryRunner, wait_seconds: int = 300) -> list[str]:
    """Create what is missing (idempotent) and wait for indexes; return the names created."""
    before = {row["name"] for row in existing(runner)}
    # The plain indexes in one transaction first: the server fills them in the
    # background while each constraint (which fills its own index before it returns)
    # is created. On an imported scale-100 store this took 54.9 s where one statement
    # at a time took 85.4 s (README: Performance, "Scale 100").
    runner.write_all([(item.statement, {}) for item in SCHEMA if item.kind != "constraint"])
    for item in SCHEMA:
        if item.kind == "constraint":
            runner.auto(item.statement)
    runner.auto("CALL db.awaitIndexes($seconds)", {"seconds": wait_seconds})
    return [item.name for item in SCHEMA if item.name not in before]


def existing(runner: QueryRunner) -> list[Row]:
    constraints = runner.read(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
        "RETURN name, 'constraint' AS kind, type, labelsOrTypes AS labels, properties, "
        "'ONLINE' AS state"
    )
    indexes = runner.read(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state, owningConstraint "
        "WHERE owningConstraint IS NULL AND type <> 'LOOKUP' "
        "RETURN name, 'index' AS kind, type, labelsOrTypes AS labels, properties, state"
    )
    return sorted(constraints + indexes, key=lambda r: (r["kind"], r["name"]))

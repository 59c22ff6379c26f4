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

from __future__ import annotations

import csv
import json
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from cibgraph.core.batches import chunked
from cibgraph.core.errors import CibError, UsageError
from cibgraph.core.runner import Params, Row
from cibgraph.graph.connection import Database
from cibgraph.graph.schema import apply_schema
from cibgraph.graph.server import admin, process
from cibgraph.graph.server.instance import load_settings
from cibgraph.graph.server.paths import InstancePaths, instance_paths
from cibgraph.loaders.contract import CONTRACT, FieldType
from cibgraph.loaders.discover import LoadPlan
from cibgraph.loaders.ledger import LedgerStore, LoadLedger
from cibgraph.loaders.load import LoadOptions, LoadProgress, load
from cibgraph.loaders.statements import STATEMENTS

PhaseCallback = Callable[[str], None]
_NAME_OF = {cypher: name for name, cypher in STATEMENTS.items()}
_IMPORT_TYPE = {
    FieldType.TIMESTAMP: "datetime",
    FieldType.INT: "long",
    FieldType.FLOAT: "double",
    FieldType.CONFIDENCE: "double",
    FieldType.BOOL: "boolean",
}


class DatabaseNotEmpty(CibError):
    """A bulk import writes a new store, so it needs an empty database."""

    exit_code = 2


class BulkImportFailed(CibError):
    """neo4j-admin could not import the CSVs; the database was left empty."""

    exit_code = 1


# -- CSV columns -----------------------------------------------------------------------


def _contract_columns(kind: str, *names: str) -> tuple[tuple[str, str], ...]:
    spec = CONTRACT[kind]
    return tuple((n, _IMPORT_TYPE.get(spec.column(n).type, "string")) for n in names)


ACCOUNT = _contract_columns(
    "accounts", "platform", "handle", "display_name", "created_at", "followers", "country",
    "verified",
)  # fmt: skip
PAGE = _contract_columns(
    "pages", "platform", "name", "category", "created_at", "followers", "country"
)
ORGANIZATION = _contract_columns("organizations", "name", "kind", "country")
AD = _contract_columns("ads", "spend", "currency", "started_at", "ended_at", "paid_for_by")
# Contract posts, plus what the peer layouts add (loaders/peers.py).
POST = (
    *_contract_columns("posts", "created_at", "text"),
    ("text_hash", "string"),
    ("image_hash", "string"),
    ("domain", "string"),
    ("surrogate_id", "boolean"),
    ("reply_to_id", "string"),
)
ADMINISTERS = _contract_columns("page_admins", "role", "since")
AFFILIATED_WITH = _contract_columns("affiliations", "source", "confidence", "evidence", "disclosed")
USES = _contract_columns("identifiers", "first_seen", "last_seen")


def _fits(kind: str, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "long":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "double":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "datetime":
        return isinstance(value, datetime) and value.tzinfo is not None
    return isinstance(value, str)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _cells(columns: Sequence[tuple[str, str]], props: dict[str, Any]) -> list[str] | None:
    """The props as CSV cells in column order; None if a key or a type does not fit."""
    known = {name for name, _ in columns}
    if any(key not in known for key in props):
        return None
    cells = []
    for name, kind in columns:
        value = props.get(name)
        if value is not None and not _fits(kind, value):
            return None
        cells.append(_cell(value))
    return cells


def _header(columns: Sequence[tuple[str, str]]) -> list[str]:
    return [name if kind == "string" else f"{name}:{kind}" for name, kind in columns]


class _CsvFile:
    """One importer input file, written as rows arrive."""

    def __init__(
        self, path: Path, header: Sequence[str] | None, kind: str, labels: tuple[str, ...]
    ) -> None:
        self.path = path
        self.kind = kind  # "nodes", "relationships", or "spool" (rewritten before import)
        self.labels = labels
        self._handle: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._handle, lineterminator="\n")
        if header is not None:
            self._writer.writerow(header)
        self.rows = 0
        self.multiline = False

    def write(self, cells: list[str]) -> None:
        if not self.multiline and any("\n" in c or "\r" in c for c in cells):
            self.multiline = True
        self._writer.writerow(cells)
        self.rows += 1

    def close(self) -> None:
        self._handle.close()


# -- the sink --------------------------------------------------------------------------


@dataclass
class _Actors:
    """Accounts or pages: full rows (spooled), references, admins."""

    label: str
    prefix: str
    columns: tuple[tuple[str, str], ...]
    full: set[str] = field(default_factory=set)
    stubs: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> author props
    admins: set[str] = field(default_factory=set)


class CsvSink:
    """A ``QueryRunner`` that writes the loader's batches as neo4j-admin import CSVs.

    Reads answer nothing, schema and ledger writes are ignored (the ledger is written
    to the graph after the import); ``write_all`` receives the ``UNWIND $rows``
    statements of ``loaders/statements.py`` and routes each row to CSV or, when the
    CSV cannot express it exactly, to the replay spool.
    """

    database = "neo4j"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, _CsvFile] = {}
        self.actors = {
            "Account": _Actors("Account", "account", ACCOUNT),
            "Page": _Actors("Page", "page", PAGE),
        }
        self._owned: set[Any] = set()  # identities whose first row has been taken
        self._posts: set[str] = set()  # posts written as full nodes
        self._post_refs: set[str] = set()
        self._orgs: set[str] = set()
        self._org_refs: set[str] = set()
        self._urls: set[str] = set()
        self._tags: set[str] = set()
        self._identifiers: dict[str, tuple[str, str]] = {}
        self._replay_authors: set[tuple[str, str]] = set()
        self._spool: IO[bytes] = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
        self.replayed = 0
        self._claimed = False
        self._handlers: dict[str, Callable[[str, dict[str, Any]], bool | None]] = {
            "organizations": self._organization,
            "accounts": self._actor,
            "pages": self._actor,
            "page_admins": self._page_admin,
            "affiliations_account": self._affiliation,
            "affiliations_page": self._affiliation,
            "posts_by_account": self._post,
            "posts_by_page": self._post,
            "shares_by_account": self._post,
            "account_references": self._reference,
            "ads": self._ad,
            "identifiers": self._identifier,
        }

    # QueryRunner ----------------------------------------------------------------------

    def read(
        self, query: str, params: Params | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        return []

    def write(
        self, query: str, params: Params | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        return []

    def auto(self, query: str, params: Params | None = None) -> list[Row]:
        return []

    def write_all(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        results: list[list[Row]] = []
        for query, params in statements:
            name = _NAME_OF.get(query)
            if name is None:
                raise UsageError("The bulk sink received a statement it does not know.")
            rows: list[dict[str, Any]] = params["rows"]
            created = sum(1 for row in rows if self._take(name, row))
            results.append([{"written": len(rows), "created": created}])
        return results

    # routing --------------------------------------------------------------------------

    def _take(self, name: str, row: dict[str, Any]) -> bool:
        """Route one row; True when it created its node or relationship."""
        self._claimed = False
        outcome = self._handlers[name](name, row)
        if outcome is None:  # set aside: replayed through Cypher after the import
            pickle.dump((name, row), self._spool)
            self.replayed += 1
            return self._claimed
        return outcome

    def _file(self, name: str, header: Sequence[str] | None, kind: str, *labels: str) -> _CsvFile:
        found = self._files.get(name)
        if found is None:
            path = self.folder / f"{name}.csv"
            found = self._files[name] = _CsvFile(path, header, kind, labels)
        return found

    def _node(self, name: str, header: Sequence[str], *labels: str) -> _CsvFile:
        return self._file(name, header, "nodes", *labels)

    def _rel(self, name: str, rel_type: str, header: Sequence[str]) -> _CsvFile:
        return self._file(name, header, "relationships", rel_type)

    def _claim(self, identity: tuple[str, ...]) -> bool:
        """True the first time an identity (a node or relationship) is seen."""
        if identity in self._owned:
            return False
        self._owned.add(identity)
        self._claimed = True
        return True

    def _ref_actor(self, label: str, actor_id: str, props: dict[str, Any] | None = None) -> None:
        actors = self.actors[label]
        if actor_id in actors.full:
            return
        merged = actors.stubs.setdefault(actor_id, {})
        if props:
            merged.update(props)

    def _ref_org(self, org_id: str) -> None:
        if org_id not in self._orgs:
            self._org_refs.add(org_id)

    def _organization(self, name: str, row: dict[str, Any]) -> bool | None:
        org_id = row["id"]
        cells = _cells(ORGANIZATION, row["props"])
        if not self._claim(("Organization", org_id)) or cells is None:
            return None
        created = org_id not in self._org_refs
        self._orgs.add(org_id)
        header = ["id:ID(Organization)", *_header(ORGANIZATION), "stub:boolean"]
        self._node("Organization", header, "Organization").write([org_id, *cells, "false"])
        if row["parent_id"] is not None:
            self._ref_org(row["parent_id"])
            rel = [":START_ID(Organization)", ":END_ID(Organization)"]
            self._rel("PART_OF", "PART_OF", rel).write([org_id, row["parent_id"]])
        return created

    def _actor(self, name: str, row: dict[str, Any]) -> bool | None:
        actors = self.actors["Account" if name == "accounts" else "Page"]
        cells = _cells(actors.columns, row["props"])
        if not self._claim((actors.label, row["id"])) or cells is None:
            return None
        created = row["id"] not in actors.stubs
        actors.full.add(row["id"])
        spool = self._file(f"{actors.label}_full", None, "spool")  # rewritten in finish()
        spool.write([row["id"], f"{actors.prefix}:{row['id']}", *cells, "false"])
        return created

    def _reference(self, name: str, row: dict[str, Any]) -> bool:
        actors = self.actors["Account"]
        created = row["id"] not in actors.full and row["id"] not in actors.stubs
        self._ref_actor("Account", row["id"])
        return created

    def _page_admin(self, name: str, row: dict[str, Any]) -> bool | None:
        page, account = row["page_id"], row["account_id"]
        cells = _cells(ADMINISTERS, row["props"])
        if not self._claim(("ADMINISTERS", account, page)) or cells is None:
            return None
        self._ref_actor("Page", page)
        self._ref_actor("Account", account)
        self.actors["Account"].admins.add(account)
        header = [":START_ID(Account)", ":END_ID(Page)", *_header(ADMINISTERS)]
        self._rel("ADMINISTERS", "ADMINISTERS", header).write([account, page, *cells])
        return True

    def _affiliation(self, name: str, row: dict[str, Any]) -> bool | None:
        label = "Account" if name.endswith("account") else "Page"
        subject, org = row["subject_id"], row["org_id"]
        cells = _cells(AFFILIATED_WITH, row["props"])
        if not self._claim(("AFFILIATED_WITH", label, subject, org)) or cells is None:
            return None
        self._ref_actor(label, subject)
        self._ref_org(org)
        header = [f":START_ID({label})", ":END_ID(Organization)", *_header(AFFILIATED_WITH)]
        rel = self._rel(f"AFFILIATED_WITH_{label}", "AFFILIATED_WITH", header)
        rel.write([subject, org, *cells])
        return True

    def _post(self, name: str, row: dict[str, Any]) -> bool | None:
        post_id, author = row["id"], row["author_id"]
        label = "Page" if name == "posts_by_page" else "Account"
        cells = _cells(POST, row["props"])
        author_props: dict[str, Any] = row["author_props"]
        if author_props and (
            author in self.actors[label].full or (label, author) in self._replay_authors
        ):
            cells = None  # SET author += props on a full actor: only Cypher can merge that
        if not self._claim(("Post", post_id)) or cells is None:
            if author_props:
                self._replay_authors.add((label, author))
            return None
        created = post_id not in self._post_refs
        self._posts.add(post_id)
        header = ["id:ID(Post)", *_header(POST), "stub:boolean"]
        self._node("Post", header, "Post").write([post_id, *cells, "false"])
        self._ref_actor(label, author, author_props)
        posted = [f":START_ID({label})", ":END_ID(Post)"]
        self._rel(f"POSTED_{label}", "POSTED", posted).write([author, post_id])
        for url in dict.fromkeys(row["urls"]):
            self._urls.add(url)
            links = [":START_ID(Post)", ":END_ID(Url)"]
            self._rel("LINKS_TO", "LINKS_TO", links).write([post_id, url])
        for tag in dict.fromkeys(row["hashtags"]):
            self._tags.add(tag)
            self._rel("TAGS", "TAGS", [":START_ID(Post)", ":END_ID(Hashtag)"]).write([post_id, tag])
        shared = row["shared_post_id"]
        if shared is not None:
            if shared not in self._posts:
                self._post_refs.add(shared)
            shares = [":START_ID(Post)", ":END_ID(Post)"]
            self._rel("SHARES", "SHARES", shares).write([post_id, shared])
        return created

    def _ad(self, name: str, row: dict[str, Any]) -> bool | None:
        cells = _cells(AD, row["props"])
        if not self._claim(("Ad", row["id"])) or cells is None:
            return None
        self._node("Ad", ["id:ID(Ad)", *_header(AD)], "Ad").write([row["id"], *cells])
        self._ref_actor("Page", row["page_id"])
        ran = [":START_ID(Page)", ":END_ID(Ad)"]
        self._rel("RAN_AD", "RAN_AD", ran).write([row["page_id"], row["id"]])
        return True

    def _identifier(self, name: str, row: dict[str, Any]) -> bool | None:
        account, node_id = row["account_id"], row["id"]
        cells = _cells(USES, row["props"])
        if not self._claim(("USES", account, node_id)) or cells is None:
            return None
        self._identifiers.setdefault(node_id, (row["kind"], row["hash"]))
        self._ref_actor("Account", account)
        header = [":START_ID(Account)", ":END_ID(Identifier)", *_header(USES)]
        self._rel("USES", "USES", header).write([account, node_id, *cells])
        return True

    # finishing ------------------------------------------------------------------------

    def _write_actors(self, actors: _Actors) -> None:
        """Full rows from the spool, then stubs; labels last, now that admins are known."""
        header = [f"id:ID({actors.label})", "key", *_header(actors.columns), "stub:boolean"]
        out = self._node(actors.label, [*header, ":LABEL"])  # labels per row

        def labels(actor_id: str) -> str:
            admin_label = ";Admin" if actor_id in actors.admins else ""
            return f"{actors.label};Actor{admin_label}"

        spool = self._files.pop(f"{actors.label}_full", None)
        if spool is not None:
            spool.close()
            with spool.path.open(encoding="utf-8", newline="") as handle:
                for cells in csv.reader(handle):
                    out.write([*cells, labels(cells[0])])
            spool.path.unlink()
        blank = [""] * len(actors.columns)
        for actor_id, props in actors.stubs.items():
            if actor_id in actors.full:
                continue
            cells = (_cells(actors.columns, props) if props else blank) or blank
            if props and cells is blank:  # author props the header lacks: set them by replay
                extra = {"label": actors.label, "id": actor_id, "props": props}
                pickle.dump(("author_props", extra), self._spool)
                self.replayed += 1
            out.write([actor_id, f"{actors.prefix}:{actor_id}", *cells, "true", labels(actor_id)])

    def finish(self) -> list[admin.ImportSource]:
        """Write the nodes known only at the end; return the importer's inputs."""
        for actors in self.actors.values():
            self._write_actors(actors)
        stub = "stub:boolean"
        for org in sorted(self._org_refs - self._orgs):
            self._node("Organization_stubs", ["id:ID(Organization)", stub], "Organization").write(
                [org, "true"]
            )
        for post in self._post_refs - self._posts:
            self._node("Post_stubs", ["id:ID(Post)", stub], "Post").write([post, "true"])
        for url in self._urls:
            self._node("Url", ["url:ID(Url)"], "Url").write([url])
        for tag in self._tags:
            self._node("Hashtag", ["tag:ID(Hashtag)"], "Hashtag").write([tag])
        identifier = self._node("Identifier", ["id:ID(Identifier)", "kind", "hash"], "Identifier")
        for node_id, (kind, digest) in self._identifiers.items():
            identifier.write([node_id, kind, digest])
        for f in self._files.values():
            f.close()
        return [
            admin.ImportSource(f.kind, (f.path,), f.labels)
            for f in self._files.values()
            if f.rows and f.kind != "spool"
        ]

    def multiline_files(self) -> list[Path]:
        return [f.path for f in self._files.values() if f.multiline and f.rows]

    def replays(self) -> Iterator[tuple[str, dict[str, Any]]]:
        self._spool.seek(0)
        while True:
            try:
                # Our own temporary file, written by this process a moment ago.
                yield pickle.load(self._spool)  # noqa: S301
            except EOFError:
                return

    def close(self) -> None:
        self._spool.close()
        for f in self._files.values():
            f.close()


# -- the bulk load ---------------------------------------------------------------------


AUTHOR_PROPS = {
    "Account": "MATCH (n:Account {id: $id}) SET n += $props",
    "Page": "MATCH (n:Page {id: $id}) SET n += $props",
}


@dataclass
class BulkLoad:
    ledger: LoadLedger
    timings: dict[str, float] = field(default_factory=dict)
    nodes: int = 0
    relationships: int = 0
    replayed: int = 0
    folder: Path | None = None


def _require_local(db: Database, paths: InstancePaths) -> None:
    settings = load_settings(paths)
    rest = db.settings.uri.split("://", 1)[-1].rstrip("/")
    if rest not in {f"{h}:{settings.bolt_port}" for h in ("127.0.0.1", "localhost", "[::1]")}:
        raise UsageError(
            f"--bulk writes the local server's store directly; {db.settings.uri} is not "
            f"the local server in {paths.root}.",
            "run without --bulk for a remote server, or set CIBGRAPH_HOME to the instance",
        )


def require_empty(db: Database) -> None:
    rows = db.read("MATCH (n) RETURN count(n) AS nodes")
    nodes = int(rows[0]["nodes"]) if rows else 0
    if nodes:
        raise DatabaseNotEmpty(
            f"The database holds {nodes:,} nodes; a bulk import replaces the whole store, "
            "so it only loads into an empty database.",
            "load without --bulk to add to it, or empty it first with `cib db reset --yes`",
        )


class _Clock:
    def __init__(self, on_phase: PhaseCallback | None) -> None:
        self.timings: dict[str, float] = {}
        self.on_phase = on_phase
        self._name: str | None = None
        self._started = 0.0

    def phase(self, name: str) -> None:
        self.stop()
        if self.on_phase is not None:
            self.on_phase(name)
        self._name, self._started = name, time.perf_counter()

    def stop(self) -> None:
        if self._name is not None:
            self.timings[self._name] = round(time.perf_counter() - self._started, 3)
            self._name = None


def _replay(db: Database, sink: CsvSink, batch_size: int) -> None:
    for batch in chunked(sink.replays(), batch_size):
        statements: list[tuple[str, Params]] = []
        for name, row in batch:
            if name == "author_props":
                params = {"id": row["id"], "props": row["props"]}
                statements.append((AUTHOR_PROPS[row["label"]], params))
            else:
                statements.append((STATEMENTS[name], {"rows": [row]}))
        db.write_all(statements)


def _save_ledger(db: Database, ledger: LoadLedger, result: BulkLoad) -> None:
    store = LedgerStore(db, Path(ledger.rejects_dir))
    store.start_run(ledger)
    for entry in ledger.files:
        store.save_file(ledger, entry)
    store.finish_run(ledger)
    bulk = {
        "timings": result.timings,
        "nodes": result.nodes,
        "relationships": result.relationships,
        "replayed": result.replayed,
    }
    db.write(
        "MATCH (r:LoadRun {id: $id}) SET r.mode = 'bulk', r.bulk = $bulk",
        {"id": ledger.id, "bulk": json.dumps(bulk)},
    )
    path = Path(ledger.rejects_dir) / "ledger.json"
    document = json.loads(path.read_text())
    document.update({"mode": "bulk", "bulk": bulk})
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")


def _restart_empty(paths: InstancePaths, db: Database) -> None:
    admin.wipe_store(paths)
    process.start(paths)
    db.read("RETURN 1")  # a managed read: drops the pool's connections to the old server
    apply_schema(db)


def bulk_load(
    db: Database | None,
    plan: LoadPlan,
    options: LoadOptions | None = None,
    progress: LoadProgress | None = None,
    on_phase: PhaseCallback | None = None,
    *,
    paths: InstancePaths | None = None,
    keep_files: bool = False,
) -> BulkLoad:
    """Validate ``plan`` into import CSVs, import them into the empty local database.

    Raises ``DatabaseNotEmpty`` before touching anything when the database holds nodes,
    and ``UsageError`` when ``db`` is not the local server of ``paths``.
    """
    options = (options or LoadOptions()).checked()
    if options.dry_run:  # nothing is written either way: the incremental dry run
        return BulkLoad(load(None, plan, options, progress))
    if db is None:
        raise UsageError("A load that writes needs a database connection.")
    paths = paths or instance_paths()
    _require_local(db, paths)
    require_empty(db)
    clock = _Clock(on_phase)
    paths.work.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bulk-", dir=paths.work))
    sink = CsvSink(folder)
    result = BulkLoad(LoadLedger("", 0, "", False, ""), folder=folder)
    try:
        clock.phase("validate")
        ledger = load(sink, plan, options, progress)
        result.ledger = ledger
        clock.phase("write_csv")
        sources = sink.finish()
        result.replayed = sink.replayed
        if sources:
            clock.phase("stop")
            process.stop(paths)
            clock.phase("import")
            try:
                imported = admin.import_full(
                    paths,
                    sources,
                    folder / "import.report",
                    multiline_files=sink.multiline_files(),
                )
            except CibError as exc:
                (folder / "import.log").write_text(str(exc.message))
                clock.phase("recover")
                _restart_empty(paths, db)
                _fail(ledger, f"neo4j-admin import failed: {exc.message.splitlines()[0]}")
                clock.stop()
                result.timings = clock.timings
                _save_ledger(db, ledger, result)
                raise BulkImportFailed(
                    exc.message, f"the CSVs and import.report are kept in {folder}"
                ) from None
            (folder / "import.log").write_text(imported.output)
            result.nodes, result.relationships = imported.nodes, imported.relationships
            clock.phase("start")
            process.start(paths)
            db.read("RETURN 1")  # a managed read: drops the pool's connections to the old server
        clock.phase("schema")
        apply_schema(db)
        if sink.replayed:
            clock.phase("replay")
            _replay(db, sink, options.batch_size)
        clock.phase("ledger")
        clock.stop()
        result.timings = clock.timings
        _save_ledger(db, ledger, result)
    finally:
        sink.close()
    if not keep_files:
        shutil.rmtree(folder, ignore_errors=True)
        result.folder = None
    return result


def _fail(ledger: LoadLedger, error: str) -> None:
    ledger.status, ledger.error = "failed", error
    for entry in ledger.files:
        entry.written = entry.created = 0
        if entry.status == "complete":
            entry.status, entry.error = "failed", error

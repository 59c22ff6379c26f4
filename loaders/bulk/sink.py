"""``CsvSink``: the incremental loader's batches, written as neo4j-admin import CSVs.

Rows the CSVs cannot express exactly (an identity seen twice, properties the header
does not hold) are spooled and replayed through the incremental statements after the
import, so the result equals an incremental load of the same files.
"""

from __future__ import annotations

import csv
import pickle
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cibgraph.core.errors import UsageError
from cibgraph.core.runner import Params, Row
from cibgraph.graph.schema import SCHEMA_STATEMENTS
from cibgraph.graph.server import admin
from cibgraph.loaders.bulk.columns import (
    ACCOUNT,
    AD,
    ADMINISTERS,
    AFFILIATED_WITH,
    ORGANIZATION,
    PAGE,
    POST,
    USES,
    CsvFile,
    cells_of,
    header_of,
)
from cibgraph.loaders.bulk.id_set import CompactIds
from cibgraph.loaders.bulk.post_files import PostFiles
from cibgraph.loaders.ledger import PROGRESS
from cibgraph.loaders.statements import STATEMENTS

_NAME_OF = {cypher: name for name, cypher in STATEMENTS.items()}
# Headers built once: a post's row goes to up to five files (bench/load.py, bulk).
_POST_HEADER = ["id:ID(Post)", *header_of(POST), "stub:boolean"]
_POSTED = {label: [f":START_ID({label})", ":END_ID(Post)"] for label in ("Account", "Page")}
_LINKS = [":START_ID(Post)", ":END_ID(Url)"]
_TAGS = [":START_ID(Post)", ":END_ID(Hashtag)"]
_SHARES = [":START_ID(Post)", ":END_ID(Post)"]


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
        self._files: dict[str, CsvFile] = {}
        self.actors = {
            "Account": _Actors("Account", "account", ACCOUNT),
            "Page": _Actors("Page", "page", PAGE),
        }
        self._owned: set[Any] = set()  # identities whose first row has been taken
        # Post ids whose first row has been taken; those of them that went to the replay
        # spool, not to CSV. One set of every post id, not two, and a compact one
        # (id_set.py: 12.2M posts at scale 100).
        self.post_claims = CompactIds()
        self._posts_replayed: set[str] = set()
        self.post_files: PostFiles | None = None  # column-built posts (post_files.py)
        self.column_rows = 0  # rows written by the column path (tests count them)
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
            # The ledger is written to the graph after the import, the schema built then.
            if query == PROGRESS or query in SCHEMA_STATEMENTS:
                results.append([])
                continue
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
        handler = self._handlers.get(name)
        # Statements with no CSV form (deletions, handle history, forwards) are replayed.
        outcome = None if handler is None else handler(name, row)
        if outcome is None:  # set aside: replayed through Cypher after the import
            pickle.dump((name, row), self._spool)
            self.replayed += 1
            return self._claimed
        return outcome

    def _file(self, name: str, header: Sequence[str] | None, kind: str, *labels: str) -> CsvFile:
        found = self._files.get(name)
        if found is None:
            path = self.folder / f"{name}.csv"
            found = self._files[name] = CsvFile(path, header, kind, labels)
        return found

    def _node(self, name: str, header: Sequence[str], *labels: str) -> CsvFile:
        return self._file(name, header, "nodes", *labels)

    def _rel(self, name: str, rel_type: str, header: Sequence[str]) -> CsvFile:
        return self._file(name, header, "relationships", rel_type)

    def _claim(self, identity: tuple[str, ...]) -> bool:
        """True the first time an identity (a node or relationship) is seen."""
        if identity in self._owned:
            return False
        self._owned.add(identity)
        self._claimed = True
        return True

    def _claim_post(self, post_id: str) -> bool:
        """``_claim`` for posts, in a set the column path shares (post_files.py)."""
        if not self.post_claims.claim(post_id):
            return False
        self._claimed = True
        return True

    def post_written(self, post_id: str) -> bool:
        """Written to CSV as a full node (not a stub, not only replayed)."""
        return post_id in self.post_claims and post_id not in self._posts_replayed

    def posts_unwritten(self, post_ids: list[str]) -> set[str]:
        """Those of ``post_ids`` that ``post_written`` is False for, asked at once."""
        written = self.post_claims.which(post_ids)
        return {
            post
            for post, known in zip(post_ids, written.tolist(), strict=True)
            if not known or post in self._posts_replayed
        }

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
        cells = cells_of(ORGANIZATION, row["props"])
        if not self._claim(("Organization", org_id)) or cells is None:
            return None
        created = org_id not in self._org_refs
        self._orgs.add(org_id)
        header = ["id:ID(Organization)", *header_of(ORGANIZATION), "stub:boolean"]
        self._node("Organization", header, "Organization").write([org_id, *cells, "false"])
        if row["parent_id"] is not None:
            self._ref_org(row["parent_id"])
            rel = [":START_ID(Organization)", ":END_ID(Organization)"]
            self._rel("PART_OF", "PART_OF", rel).write([org_id, row["parent_id"]])
        return created

    def _actor(self, name: str, row: dict[str, Any]) -> bool | None:
        actors = self.actors["Account" if name == "accounts" else "Page"]
        cells = cells_of(actors.columns, row["props"])
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
        cells = cells_of(ADMINISTERS, row["props"])
        if not self._claim(("ADMINISTERS", account, page)) or cells is None:
            return None
        self._ref_actor("Page", page)
        self._ref_actor("Account", account)
        self.actors["Account"].admins.add(account)
        header = [":START_ID(Account)", ":END_ID(Page)", *header_of(ADMINISTERS)]
        self._rel("ADMINISTERS", "ADMINISTERS", header).write([account, page, *cells])
        return True

    def _affiliation(self, name: str, row: dict[str, Any]) -> bool | None:
        label = "Account" if name.endswith("account") else "Page"
        subject, org = row["subject_id"], row["org_id"]
        cells = cells_of(AFFILIATED_WITH, row["props"])
        if not self._claim(("AFFILIATED_WITH", label, subject, org)) or cells is None:
            return None
        self._ref_actor(label, subject)
        self._ref_org(org)
        header = [f":START_ID({label})", ":END_ID(Organization)", *header_of(AFFILIATED_WITH)]
        rel = self._rel(f"AFFILIATED_WITH_{label}", "AFFILIATED_WITH", header)
        rel.write([subject, org, *cells])
        return True

    def _post(self, name: str, row: dict[str, Any]) -> bool | None:
        post_id, author = row["id"], row["author_id"]
        label = "Page" if name == "posts_by_page" else "Account"
        cells = cells_of(POST, row["props"])
        author_props: dict[str, Any] = row["author_props"]
        if author_props and (
            author in self.actors[label].full or (label, author) in self._replay_authors
        ):
            cells = None  # SET author += props on a full actor: only Cypher can merge that
        claimed = self._claim_post(post_id)
        if not claimed or cells is None:
            if claimed:
                self._posts_replayed.add(post_id)
            if author_props:
                self._replay_authors.add((label, author))
            return None
        created = post_id not in self._post_refs
        self._node("Post", _POST_HEADER, "Post").write([post_id, *cells, "false"])
        if author_props or author not in self.actors[label].stubs:
            self._ref_actor(label, author, author_props)
        self._rel(f"POSTED_{label}", "POSTED", _POSTED[label]).write([author, post_id])
        urls, tags = row["urls"], row["hashtags"]
        if urls:
            for url in dict.fromkeys(urls):
                self._urls.add(url)
                self._rel("LINKS_TO", "LINKS_TO", _LINKS).write([post_id, url])
        if tags:
            for tag in dict.fromkeys(tags):
                self._tags.add(tag)
                self._rel("TAGS", "TAGS", _TAGS).write([post_id, tag])
        shared = row["shared_post_id"]
        if shared is not None:
            if not self.post_written(shared):
                self._post_refs.add(shared)
            self._rel("SHARES", "SHARES", _SHARES).write([post_id, shared])
        return created

    def _ad(self, name: str, row: dict[str, Any]) -> bool | None:
        cells = cells_of(AD, row["props"])
        if not self._claim(("Ad", row["id"])) or cells is None:
            return None
        self._node("Ad", ["id:ID(Ad)", *header_of(AD)], "Ad").write([row["id"], *cells])
        self._ref_actor("Page", row["page_id"])
        ran = [":START_ID(Page)", ":END_ID(Ad)"]
        self._rel("RAN_AD", "RAN_AD", ran).write([row["page_id"], row["id"]])
        return True

    def _identifier(self, name: str, row: dict[str, Any]) -> bool | None:
        account, node_id = row["account_id"], row["id"]
        cells = cells_of(USES, row["props"])
        if not self._claim(("USES", account, node_id)) or cells is None:
            return None
        self._identifiers.setdefault(node_id, (row["kind"], row["hash"]))
        self._ref_actor("Account", account)
        header = [":START_ID(Account)", ":END_ID(Identifier)", *header_of(USES)]
        self._rel("USES", "USES", header).write([account, node_id, *cells])
        return True

    # finishing ------------------------------------------------------------------------

    def _write_actors(self, actors: _Actors) -> None:
        """Full rows from the spool, then stubs; labels last, now that admins are known."""
        header = [f"id:ID({actors.label})", "key", *header_of(actors.columns), "stub:boolean"]
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
            cells = (cells_of(actors.columns, props) if props else blank) or blank
            if props and cells is blank:  # author props the header lacks: set them by replay
                extra = {"label": actors.label, "id": actor_id, "props": props}
                pickle.dump(("author_props", extra), self._spool)
                self.replayed += 1
            out.write([actor_id, f"{actors.prefix}:{actor_id}", *cells, "true", labels(actor_id)])

    def finish(self) -> list[admin.ImportSource]:
        """Write the nodes known only at the end; return the importer's inputs."""
        if self.post_files is not None:
            self.post_files.flush()  # their authors, URLs and hashtags are written below
        for actors in self.actors.values():
            self._write_actors(actors)
        stub = "stub:boolean"
        for org in sorted(self._org_refs - self._orgs):
            self._node("Organization_stubs", ["id:ID(Organization)", stub], "Organization").write(
                [org, "true"]
            )
        refs = list(self._post_refs)
        unwritten = self.posts_unwritten(refs)
        for post in [p for p in refs if p in unwritten]:
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
        columns = self.post_files.sources() if self.post_files is not None else []
        return [
            admin.ImportSource(f.kind, (f.path,), f.labels)
            for f in self._files.values()
            if f.rows and f.kind != "spool"
        ] + columns

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
        if self.post_files is not None:
            self.post_files.close()
        for f in self._files.values():
            f.close()

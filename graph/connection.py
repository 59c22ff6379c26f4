"""Opening Neo4j through the official driver, with errors turned into named exceptions."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import neo4j
from neo4j import exceptions as neo

try:
    from neo4j.warnings import PreviewWarning
except ImportError:  # the 5.x driver line keeps it at the top level (moved in 6.0)
    from neo4j import PreviewWarning  # type: ignore[attr-defined,no-redef,unused-ignore]

from cibgraph.core.errors import AuthFailed, ConnectionFailed, InsufficientMemory, QueryFailed
from cibgraph.core.runner import Params, Row
from cibgraph.graph.settings import ConnectionSettings

# A query outgrew the transaction memory pool: a transient error to the driver, but only
# a larger heap (or a smaller query) helps.
MEMORY_POOL_FULL = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


@contextmanager
def _translated(settings: ConnectionSettings) -> Iterator[None]:
    """Map driver errors to ours; never let the password or parameters into a message."""
    try:
        yield
    except neo.AuthError:
        raise AuthFailed(
            f"Neo4j at {settings.uri} refused the credentials for user '{settings.user}'.",
            "check --user/--password or NEO4J_USERNAME/NEO4J_PASSWORD; "
            "for the local server `cib db password` shows the right one",
        ) from None
    except (neo.ServiceUnavailable, neo.SessionExpired, OSError) as exc:
        local_hint = (
            "start it with `cib db start`" if settings.is_local else "check --uri / NEO4J_URI"
        )
        raise ConnectionFailed(
            f"Cannot reach Neo4j at {settings.uri} ({type(exc).__name__}).", local_hint
        ) from None
    except neo.ClientError as exc:
        if exc.code == "Neo.ClientError.Security.AuthenticationRateLimit":
            raise AuthFailed(
                f"Neo4j at {settings.uri} is refusing logins for '{settings.user}' for a few "
                "seconds after repeated wrong passwords.",
                "wait a few seconds, then retry with the right password",
            ) from None
        raise QueryFailed(f"Neo4j rejected the query: {exc.message}", exc.code) from None
    except neo.DatabaseError as exc:
        raise QueryFailed(f"Neo4j failed to run the query: {exc.message}", exc.code) from None
    except neo.TransientError as exc:
        if exc.code == MEMORY_POOL_FULL:
            raise InsufficientMemory(
                "Neo4j stopped the query: it needed more memory than the server lets one "
                "transaction use.",
                "give the server a larger heap (`cib db install --heap 12g`, then restart); "
                "the transaction pool is dbms.memory.transaction.total.max, 70 % of the heap",
            ) from None
        raise QueryFailed(f"Neo4j could not run the query now: {exc.message}", exc.code) from None


# Public for the GDS client (graph/gds/client.py), which runs on this module's driver.
translated = _translated


class Database:
    """An open connection to one database; implements ``QueryRunner``."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self.database = settings.database
        config: dict[str, Any] = {"user_agent": "cibgraph"}
        # Tests set this so deprecated or suspicious Cypher fails loudly.
        severity = os.environ.get("CIBGRAPH_WARN_NOTIFICATIONS")
        if severity:
            config["warn_notification_severity"] = severity
        with _translated(settings), warnings.catch_warnings():
            # Notification warnings are a "preview" driver feature; the preview notice
            # itself is noise, the notifications it enables are the point.
            warnings.simplefilter("ignore", PreviewWarning)
            self.driver = neo4j.GraphDatabase.driver(
                settings.uri, auth=(settings.user, settings.password), **config
            )

    def verify(self) -> None:
        with _translated(self.settings):
            self.driver.verify_connectivity()
            # verify_connectivity does not always authenticate; verify_authentication
            # answers False (it does not raise) for bad credentials.
            if not self.driver.verify_authentication():
                raise neo.AuthError("credentials refused")

    def _run(
        self, access: str, query: str, params: Params | None, timeout: float | None
    ) -> list[Row]:
        @neo4j.unit_of_work(timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return [record.data() for record in tx.run(query, dict(params or {}))]

        with _translated(self.settings), self.driver.session(database=self.database) as session:
            if access == "read":
                return session.execute_read(work)
            return session.execute_write(work)

    def read(
        self, query: str, params: Params | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        return self._run("read", query, params, timeout)

    def write(
        self, query: str, params: Params | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        return self._run("write", query, params, timeout)

    def write_all(self, statements: Sequence[tuple[str, Params]]) -> list[list[Row]]:
        def work(tx: neo4j.ManagedTransaction) -> list[list[Row]]:
            return [
                [record.data() for record in tx.run(query, dict(params))]
                for query, params in statements
            ]

        with _translated(self.settings), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def auto(self, query: str, params: Params | None = None) -> list[Row]:
        with _translated(self.settings), self.driver.session(database=self.database) as session:
            return [record.data() for record in session.run(query, dict(params or {}))]

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_database(settings: ConnectionSettings, verify: bool = True) -> Database:
    db = Database(settings)
    if verify:
        try:
            db.verify()
        except Exception:
            db.close()
            raise
    return db

"""Driver errors become named cibgraph errors with a hint, and never carry the password."""

from __future__ import annotations

import pytest
from neo4j import exceptions as neo

from cibgraph.core.errors import InsufficientMemory, QueryFailed
from cibgraph.graph.connection import MEMORY_POOL_FULL, _translated
from cibgraph.graph.settings import ConnectionSettings

SETTINGS = ConnectionSettings("bolt://127.0.0.1:7687", "neo4j", "s3cret-pw", "neo4j")


def server_error(code: str, message: str) -> neo.Neo4jError:
    # The driver's own constructor for errors the server sends (the public
    # ``hydrate`` is deprecated); picks the subclass from the code.
    return neo.Neo4jError._hydrate_neo4j(code=code, message=message)


def test_a_full_transaction_memory_pool_is_insufficient_memory_with_a_heap_hint() -> None:
    error = server_error(
        MEMORY_POOL_FULL,
        "The allocation of an extra 2.0 MiB would use more than the limit 6.3 GiB. "
        "dbms.memory.transaction.total.max threshold reached",
    )
    assert isinstance(error, neo.TransientError)
    with pytest.raises(InsufficientMemory) as info, _translated(SETTINGS):
        raise error
    assert info.value.exit_code == 3
    assert info.value.hint is not None and "--heap" in info.value.hint
    assert "s3cret-pw" not in f"{info.value.message} {info.value.hint}"


def test_other_transient_errors_are_query_failures_with_their_code() -> None:
    code = "Neo.TransientError.Transaction.DeadlockDetected"
    with pytest.raises(QueryFailed) as info, _translated(SETTINGS):
        raise server_error(code, "deadlock between two loads")
    assert not isinstance(info.value, InsufficientMemory)
    assert info.value.hint == code and "deadlock" in info.value.message

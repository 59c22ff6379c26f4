"""read_ahead: the same items in the same order, errors where they happened, no leak."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator

import pytest

from cibgraph.core.batches import read_ahead


def test_items_come_in_order_and_all() -> None:
    assert list(read_ahead(iter(range(1000)), depth=3)) == list(range(1000))
    assert list(read_ahead([])) == []


def test_items_are_made_on_another_thread() -> None:
    names = list(read_ahead(threading.current_thread().name for _ in range(3)))
    assert names == ["read-ahead"] * 3


def test_the_workers_error_arrives_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("bad block")

    seen = []
    with pytest.raises(ValueError, match="bad block"):
        for item in read_ahead(items()):
            seen.append(item)
    assert seen == [1, 2]


def test_stopping_early_closes_the_source_and_the_worker() -> None:
    closed = threading.Event()
    made: list[int] = []

    def items() -> Iterator[int]:
        try:
            for n in range(10_000):
                made.append(n)
                yield n
        finally:
            closed.set()

    ahead = read_ahead(items(), depth=2)
    assert next(ahead) == 0
    assert isinstance(ahead, Generator)
    ahead.close()
    assert closed.is_set()  # closed before close() returned: the file is shut
    assert len(made) <= 4  # never more than depth (+ the one being offered) ahead
    assert not [t for t in threading.enumerate() if t.name == "read-ahead" and t.is_alive()]

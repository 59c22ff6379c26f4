"""Lazy iteration: a chunker that never holds more than one batch, and a read-ahead
that computes the next few items on a worker thread while the caller uses this one."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    if size < 1:
        raise ValueError("batch size must be at least 1")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


_END = object()
_POLL_SECONDS = 0.1


def _offer(slots: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    """Put ``item`` once there is room; False if the consumer went away first."""
    while not stop.is_set():
        try:
            slots.put(item, timeout=_POLL_SECONDS)
            return True
        except queue.Full:
            continue
    return False


def read_ahead(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """``items`` in order, produced by a worker thread up to ``depth`` items ahead.

    Worth it where producing an item mostly runs outside the GIL (Arrow kernels, file
    reads, DuckDB) while the caller's use of it is Python: the two then share the
    cores. The worker's exception is raised here, where its item would have been; when
    the caller stops early (or is interrupted), the worker stops and ``items`` is closed
    on its own thread before this generator returns.
    """
    slots: queue.Queue[Any] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def work() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not _offer(slots, (item, None), stop):
                    return
            _offer(slots, (_END, None), stop)
        except BaseException as exc:  # handed to the consumer, who raises it
            _offer(slots, (_END, exc), stop)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=work, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, problem = slots.get()
            if problem is not None:
                raise problem
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        worker.join()

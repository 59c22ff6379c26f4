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


def read_ahead(items: Iterable[T], depth: int = 2, per_handoff: int = 1) -> Iterator[T]:
    """``items`` in order, produced by a worker thread up to ``depth`` handoffs ahead.

    Worth it where producing an item runs outside the GIL (Arrow kernels, file reads,
    DuckDB) or while the caller waits on the network: the two then share the cores.
    ``per_handoff`` items pass at a time (a queue's handoff costs microseconds; a row
    costs less). The worker's exception is raised here after every item made before
    it; when the caller stops early (or is interrupted), the worker stops and ``items``
    is closed on its own thread before this generator returns.
    """
    slots: queue.Queue[Any] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()
    size = max(1, per_handoff)

    def work() -> None:
        iterator = iter(items)
        batch: list[T] = []
        try:
            for item in iterator:
                batch.append(item)
                if len(batch) == size:
                    if not _offer(slots, (batch, None), stop):
                        return
                    batch = []
            _offer(slots, (batch, _END), stop)
        except BaseException as exc:  # handed to the consumer, who raises it
            _offer(slots, (batch, exc), stop)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=work, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            batch, last = slots.get()
            yield from batch
            if last is _END:
                return
            if last is not None:
                raise last
    finally:
        stop.set()
        worker.join()

"""Ctrl-C during a load stops it between two batches, never inside one.

A KeyboardInterrupt raised while the driver is halfway through sending a batch leaves
that connection with half a message on it: the next statement on it (the failed run's
own ledger record) was seen to be refused as garbage ("Expected MAP but got STRUCT").
So the first Ctrl-C only asks to stop; the load stops at the next batch boundary, where
every committed batch is counted. A second Ctrl-C stops it at once.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType


class BatchBoundary:
    """Within ``with``: SIGINT is held until ``check()`` (a second one is not)."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: object = None
        self._installed = False

    def __enter__(self) -> BatchBoundary:
        # Only Python's own handler is replaced: an ignored SIGINT stays ignored, and a
        # caller's handler is theirs. Signals reach the main thread only.
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self) -> None:
        """Raise the held Ctrl-C, if there was one; call between batches."""
        if self.requested:
            raise KeyboardInterrupt

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self._installed = False

"""How long-running exports and reports say how far they got, without printing.

The library calls a ``Progress``; the CLI passes one that draws a bar on stderr (or
nothing, for pipes and ``--quiet``). Library code never prints.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, description: str, total: int | None = None) -> None:
        """A new step begins; ``total`` units of work if known."""
        ...

    def advance(self, amount: int = 1) -> None:
        """``amount`` units of the current step are done."""
        ...


class NoProgress:
    def stage(self, description: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

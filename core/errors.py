"""Named exceptions raised by the library.

Only the CLI turns these into a message, a hint and an exit code; library code
raises them and never prints. Messages must never contain secrets.
"""

from __future__ import annotations


class CibError(Exception):
    """Base class: a failure the user can act on."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(CibError):
    """The command was asked for something it cannot do as given."""

    exit_code = 2


class ConnectionFailed(CibError):
    """Neo4j could not be reached at the configured address."""

    exit_code = 2


class AuthFailed(CibError):
    """Neo4j refused the credentials."""

    exit_code = 2


class MissingPassword(CibError):
    """No password was given and no local server password exists."""

    exit_code = 2


class ToolMissing(CibError):
    """Java or Maven is missing or too old."""

    exit_code = 3


class InstallFailed(CibError):
    """Assembling the local server from Maven Central failed."""

    exit_code = 3


class NotInstalled(CibError):
    """The local server has not been installed yet."""

    exit_code = 3


class CacheCorrupted(CibError):
    """The cached server build is incomplete or altered."""

    exit_code = 3


class PortInUse(CibError):
    """Another process holds a port the local server needs."""

    exit_code = 3


class ServerStartFailed(CibError):
    """The local server did not become ready."""

    exit_code = 3

    def __init__(self, message: str, hint: str | None = None, log_tail: str = "") -> None:
        super().__init__(message, hint)
        self.log_tail = log_tail


class ServerNotRunning(CibError):
    """An operation needs the local server running, and it is not."""

    exit_code = 3


class QueryFailed(CibError):
    """Neo4j rejected or aborted a query."""

    exit_code = 4


class GdsError(QueryFailed):
    """A Graph Data Science procedure failed or answered something unusable."""


class EmptyProjection(CibError):
    """A projection query matched no rows, so GDS created no graph."""


class InsufficientMemory(CibError):
    """Work that will not fit (or did not fit) its memory: a GDS estimate over the
    server's heap, the server's transaction pool, the pair engine's limit."""

    exit_code = 3


class OutputExists(UsageError):
    """An export or report would overwrite files that are already there."""

    def __init__(self, paths: list[str], hint: str | None = None) -> None:
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        super().__init__(
            f"Not overwriting {shown}.",
            hint or "pass --force to overwrite, or choose another --out folder",
        )
        self.paths = paths


class UnsafeOutputPath(UsageError):
    """A file name would land outside the chosen output folder (or is not a known name)."""


class RunNotReady(UsageError):
    """The detection run asked for is still running or failed, so it has nothing to show."""

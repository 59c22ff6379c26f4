"""What a user may type for a network: the full id, or the short forms.

Network ids are ``<run id>:n0001``: exact, but 40 characters that no one types. The
short form ``n0001`` is that network of the newest complete run; ``RUN:n0001`` names the
run (its full id, or ``latest``). Anything else that names an account or page gets a
hint at the actor forms instead of a bare "no network".
"""

from __future__ import annotations

import re

from cibgraph.core.errors import UsageError
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.runs import resolve_run

SHORT = re.compile(r"n\d{1,6}")
_ACTOR = "MATCH (a:Actor) WHERE a.key = $ref OR a.id = $ref RETURN a.key AS key LIMIT 3"
_EXISTS = "MATCH (n:Network {id: $id}) RETURN n.id AS id"


def _padded(short: str) -> str:
    return f"n{int(short[1:]):04d}"


def resolve_network(runner: QueryRunner, ref: str) -> str:
    """The full network id for ``ref``; a UsageError with a hint when there is none."""
    ref = ref.strip()
    run_part, _, net_part = ref.rpartition(":")
    if SHORT.fullmatch(ref):
        network_id = f"{resolve_run(runner).id}:{_padded(ref)}"
    elif run_part and SHORT.fullmatch(net_part) and run_part.lower() == "latest":
        network_id = f"{resolve_run(runner).id}:{_padded(net_part)}"
    elif run_part and SHORT.fullmatch(net_part):
        network_id = f"{run_part}:{_padded(net_part)}"
    else:
        network_id = ref
    if runner.read(_EXISTS, {"id": network_id}):
        return network_id
    raise _not_found(runner, ref, network_id)


def _not_found(runner: QueryRunner, ref: str, network_id: str) -> UsageError:
    actors = [row["key"] for row in runner.read(_ACTOR, {"ref": ref})]
    if actors:
        key = actors[0]
        return UsageError(
            f"No network {ref!r}: it is the {' and the '.join(actors)}, an actor.",
            f"for what links two actors: cib explain {key} OTHER_KEY; around one actor: "
            f"cib query run actor_neighbourhood --param actor_key={key}; networks are "
            "n0001 (newest run) or RUN:n0001 (`cib networks list`)",
        )
    if ref.startswith(("account:", "page:")) or (":" not in ref and not SHORT.fullmatch(ref)):
        return UsageError(
            f"No network {ref!r}, and no account or page by that id.",
            "a network is n0001 (newest complete run) or RUN:n0001 (`cib networks list`); "
            "actors are 'account:ID' or 'page:ID', two of them for `cib explain`",
        )
    shown = ref if ref == network_id else f"{ref} ({network_id})"
    return UsageError(f"No network {shown}.", "`cib networks list` shows a run's networks")

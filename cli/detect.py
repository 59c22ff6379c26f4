"""`cib detect`: find candidate networks, score them, attribute them, record the run."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from cibgraph.cli.common import JsonOpt, QuietOpt, err, out, print_json, with_database
from cibgraph.cli.evidence_view import short_id
from cibgraph.cli.next_steps import after_detection, next_line
from cibgraph.cli.verdicts import TIER_CAPTION, tier_label
from cibgraph.core.display import terminal_safe
from cibgraph.core.errors import UsageError
from cibgraph.graph.connection import Database
from cibgraph.graph.detect.params import ALGORITHMS, ENGINES, DetectParams
from cibgraph.graph.detect.pipeline import DetectionResult, detect
from cibgraph.graph.gds.session import GdsSessionConfig

_DEFAULTS = DetectParams()


def _window(value: str) -> int | None:
    if value == "auto":
        return None
    try:
        return int(value)
    except ValueError:
        raise UsageError(
            f"--window must be a number of seconds or 'auto', not {value!r}."
        ) from None


def _result_json(result: DetectionResult) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "window": result.params.window,
        "window_source": result.window_source,
        "params": result.params.to_dict(),
        "timings": result.timings,
        "counts": result.counts,
        "engine": result.engine,
        "networks": [
            {
                "id": n.id,
                "rank": n.rank,
                "size": len(n.members),
                "accounts": n.summary.accounts if n.summary else None,
                "pages": n.summary.pages if n.summary else None,
                "score": n.score.score if n.score else None,
                "coordination": n.score.coordination if n.score else None,
                "inauthenticity": n.score.inauthenticity if n.score else None,
                "coverage": n.score.coverage if n.score else None,
                "unknown_cues": list(n.score.unknown) if n.score else [],
                "tier": n.tier,
                "flagged": n.flagged,
                "top_organization": n.attribution[0].name if n.attribution else None,
            }
            for n in result.networks
        ],
    }


def _table(result: DetectionResult, show: int) -> Table:
    # Short network ids (n0001; the title names the run) keep the table in 80 columns.
    table = Table(
        title=f"Run {result.run_id}: {len(result.networks)} candidate networks, "
        f"{len(result.flagged)} flagged",
    )
    numeric = ("rank", "size", "accounts", "pages", "score", "coord.", "inauth.", "coverage")
    for name in ("rank", "network", "size", "accounts", "pages", "score", "coord."):
        table.add_column(name, justify="right" if name in numeric else "left", no_wrap=True)
    for name in ("inauth.", "coverage", "tier"):
        table.add_column(name, justify="right" if name in numeric else "left")
    table.add_column("attributed to", ratio=1)
    for n in result.networks[:show]:
        assert n.score is not None and n.summary is not None
        # A share under 5 % is a member or two, not who runs the network.
        top = n.attribution[0] if n.attribution and n.attribution[0].share >= 0.05 else None
        table.add_row(
            short_id(n.id),
            str(len(n.members)),
            str(n.summary.accounts),
            str(n.summary.pages),
            f"{n.score.score:.2f}",
            f"{n.score.coordination:.2f}",
            f"{n.score.inauthenticity:.2f}",
            f"{n.score.coverage:.0%}",
            tier_label(n.tier, n.flagged),
            Text(terminal_safe(f"{top.name} ({top.share:.0%})")) if top else "",
        )
    return table


def _session_config(
    wanted: bool, memory: str | None, cloud_location: str | None, ttl: int | None
) -> GdsSessionConfig | None:
    if not wanted:
        if memory or cloud_location or ttl is not None:
            raise UsageError("The --gds-session-* options need --gds-session.")
        return None
    # Credentials only from the environment: a secret on the command line shows in `ps`.
    return GdsSessionConfig.resolve(
        os.environ, memory=memory, cloud_location=cloud_location, ttl_minutes=ttl
    )


@with_database
def detect_command(
    db: Database,
    window: Annotated[
        str,
        typer.Option(
            "--window",
            help="Co-share window in seconds, or 'auto' to estimate it from the data "
            "(CooRnet's method; the choice is recorded).",
        ),
    ] = "auto",
    algorithm: Annotated[
        str, typer.Option("--algorithm", help=f"Community detection: {', '.join(ALGORITHMS)}.")
    ] = _DEFAULTS.algorithm,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (Leiden).")] = _DEFAULTS.seed,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency", help="GDS threads, 1-4; results are reproducible at a fixed value."
        ),
    ] = _DEFAULTS.concurrency,
    min_weight: Annotated[
        int, typer.Option("--min-weight", help="Minimum distinct objects two actors must co-share.")
    ] = _DEFAULTS.min_weight,
    max_object_shares: Annotated[
        int,
        typer.Option(
            "--max-object-shares", help="Objects shared more often are viral and ignored."
        ),
    ] = _DEFAULTS.max_object_shares,
    slow_window: Annotated[
        int,
        typer.Option(
            "--slow-window",
            help="Second, slow co-share pass over rare objects, in seconds (0 = off).",
        ),
    ] = _DEFAULTS.slow_window,
    slow_min_weight: Annotated[
        int,
        typer.Option("--slow-min-weight", help="Minimum rare objects co-shared in the slow pass."),
    ] = _DEFAULTS.slow_min_weight,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help=f"Where co-share pairs are computed: {', '.join(ENGINES)} (DuckDB embedded "
            "by default; Spark past one machine; cypher inside the server, for small data).",
        ),
    ] = _DEFAULTS.engine,
    engine_memory: Annotated[
        str,
        typer.Option(
            "--engine-memory",
            help="Memory budget of the pair engine, e.g. 2GB: the DuckDB process stays "
            "within it (DuckDB itself gets 70% and spills to disk beyond that); Spark's "
            "driver memory.",
        ),
    ] = _DEFAULTS.engine_memory,
    spark_master: Annotated[
        str,
        typer.Option(
            "--spark-master",
            help="Spark master URL for --engine spark: local[*], spark://HOST:7077, yarn.",
        ),
    ] = _DEFAULTS.spark_master,
    image_max_distance: Annotated[
        int,
        typer.Option(
            "--image-max-distance",
            help="Image hashes of 16 hex digits (64-bit pHash) at most this many bits "
            "apart are one image for co_image; 0 = equal hashes only.",
        ),
    ] = _DEFAULTS.image_max_distance,
    max_accounts_per_identifier: Annotated[
        int,
        typer.Option(
            "--max-accounts-per-identifier", help="Identifiers used by more accounts are ignored."
        ),
    ] = _DEFAULTS.max_accounts_per_identifier,
    min_size: Annotated[
        int, typer.Option("--min-size", help="Smallest candidate network.")
    ] = _DEFAULTS.min_network_size,
    threshold: Annotated[
        float,
        typer.Option("--threshold", help="Score at or above which a network is flagged (0-1)."),
    ] = _DEFAULTS.threshold,
    show: Annotated[int, typer.Option("--show", help="How many networks to list.")] = 15,
    gds_session: Annotated[
        bool,
        typer.Option(
            "--gds-session",
            help="Run the community step on an Aura GDS Session (for a coordination graph "
            "larger than the database server); Aura API credentials from "
            "AURA_API_CLIENT_ID / AURA_API_CLIENT_SECRET. README, GDS Sessions.",
        ),
    ] = False,
    gds_session_memory: Annotated[
        str | None,
        typer.Option(
            "--gds-session-memory",
            help="GDS Session size (e.g. 16GB), or 'auto' for Aura's estimate "
            "(env CIB_GDS_SESSION_MEMORY; default auto).",
        ),
    ] = None,
    gds_session_cloud_location: Annotated[
        str | None,
        typer.Option(
            "--gds-session-cloud-location",
            help="provider/region for the session when the database is not on Aura "
            "(e.g. gcp/europe-west1; env CIB_GDS_SESSION_CLOUD_LOCATION).",
        ),
    ] = None,
    gds_session_ttl: Annotated[
        int | None,
        typer.Option(
            "--gds-session-ttl",
            help="Minutes Aura keeps an idle session (deleted when the run ends) "
            "(env CIB_GDS_SESSION_TTL_MINUTES; default 60).",
        ),
    ] = None,
    json_: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Detect candidate networks of coordinated inauthentic behaviour.

    Builds a weighted actor-actor coordination graph from the signal queries
    (co-sharing within a window, shared admins, shared identifiers), finds
    communities with GDS, scores each on coordination AND inauthenticity (over the
    cues that have data), gives each a verdict tier (inauthentic = flagged, not
    assessable, disclosed, weak), ranks them by strength of evidence, attributes
    them to organisations, and records everything as a DetectionRun.

    Examples:

      cib detect

      cib detect --window 60 --algorithm wcc --json

      cib detect --gds-session --gds-session-memory 32GB
      cib detect --engine spark --spark-master spark://head:7077 --engine-memory 8GB
    """
    session = _session_config(
        gds_session, gds_session_memory, gds_session_cloud_location, gds_session_ttl
    )
    params = DetectParams(
        window=_window(window),
        min_weight=min_weight,
        max_object_shares=max_object_shares,
        slow_window=slow_window,
        slow_min_weight=slow_min_weight,
        engine=engine,
        engine_memory=engine_memory,
        spark_master=spark_master,
        image_max_distance=image_max_distance,
        max_accounts_per_identifier=max_accounts_per_identifier,
        algorithm=algorithm,
        seed=seed,
        concurrency=concurrency,
        min_network_size=min_size,
        threshold=threshold,
    )
    show_progress = not quiet and err.is_terminal
    if show_progress:
        with err.status("Detecting") as status:
            result = detect(
                db,
                params,
                on_stage=lambda stage: status.update(f"Detecting: {stage}"),
                gds_session=session,
            )
    else:
        result = detect(db, params, gds_session=session)
    if json_:
        print_json(_result_json(result))
        return
    if not quiet:
        out.print(_table(result, show))
        # Wrapped at the terminal width (a table caption would not be, with soft wrap).
        out.print(TIER_CAPTION, soft_wrap=False, highlight=False)
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
        err.print(f"window {result.params.window}s ({result.window_source}); {stages}")
        err.print(next_line(after_detection(result)), markup=False, highlight=False)

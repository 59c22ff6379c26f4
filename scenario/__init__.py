"""The seeded demo scenario: organic crowd, planted CIB networks and honest decoys.

``generate(out_dir, scale, seed)`` writes the data contract's files and a
``truth.csv``; see ``generate.py`` for how the parts fit together.
"""

from cibgraph.scenario.generate import (
    FileSummary,
    GenerationSummary,
    GroupSummary,
    Progress,
    build_scenario,
    check_scale,
    generate,
)

__all__ = [
    "FileSummary",
    "GenerationSummary",
    "GroupSummary",
    "Progress",
    "build_scenario",
    "check_scale",
    "generate",
]

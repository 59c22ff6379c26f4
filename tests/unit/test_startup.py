"""`cib` starts without the libraries only some commands need.

Every command, `cib --help` included, pays for what `cibgraph.cli.main` imports.
datasketch (with scipy; near-duplicate texts) and matplotlib/networkx (the report's
pictures) serve one stage each and cost 1.5 s of the start-up between them: they are
imported where they are used. (graphdatascience stays eager: the GDS Sessions options
are built from its types when the CLI is.)
"""

from __future__ import annotations

import json
import subprocess
import sys

LAZY = ("datasketch", "matplotlib", "networkx", "scipy")


def test_the_cli_imports_no_library_that_one_stage_needs() -> None:
    probe = (
        "import json, sys; import cibgraph.cli.main; "
        f"print(json.dumps(sorted(m for m in {LAZY!r} if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_the_probe_sees_a_library_once_it_is_imported() -> None:
    probe = "import sys; import cibgraph.graph.report.charts; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"

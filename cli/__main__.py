"""`python -m cibgraph.cli` is `cib`."""

from cibgraph.cli.main import main

main()

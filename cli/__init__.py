"""The `cib` command line: a thin face over graph/, loaders/ and queries/."""

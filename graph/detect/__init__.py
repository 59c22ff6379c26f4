"""Detection runs: signals -> coordination graph -> GDS communities -> scores -> networks."""

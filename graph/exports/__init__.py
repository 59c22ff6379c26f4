"""Turning query results into files: plain values, safe CSV (and later JSON, GraphML, GEXF)."""

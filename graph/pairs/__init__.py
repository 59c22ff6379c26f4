"""Pair signals on a columnar engine: shares out of Neo4j, pairs computed, edges back.

The co-share signal is a windowed self-join over (object, actor, time): a columnar
engine with a memory limit spills it to disk, where one Neo4j transaction has to hold
it whole. `shares` streams the share table to Parquet, `definition` holds the one SQL
definition of the signal (co_share.sql) and renders it per engine, `duck` and `spark`
run it.
"""

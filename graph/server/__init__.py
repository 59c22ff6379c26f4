"""The local Neo4j server: assembled from Maven Central, run from a per-user folder."""

"""The Neo4j side of cibgraph: settings and driver, schema, the local server, detection."""

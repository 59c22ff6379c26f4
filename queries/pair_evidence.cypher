// name: pair_evidence
// title: What links two actors
// category: network
// description: >
//   Every piece of evidence between two accounts or pages: the objects (URLs,
//   reshared posts, identical texts) both shared, with the gap between their shares
//   in seconds; pages run by both or one run by the other; identifiers they share (as
//   hash prefixes); and the organisations each is affiliated with.
// parameters:
//   a: {default: "account:1", description: "first actor, 'account:ID' or 'page:ID'"}
//   b: {default: "account:2", description: "second actor"}
//   limit: {default: 50, description: "maximum rows per section"}
// revision: 1

MATCH (x:Actor {key: $a}), (y:Actor {key: $b})
CALL (x, y) {
  MATCH (x)-[:POSTED]->(p:Post)-[:LINKS_TO]->(u:Url)<-[:LINKS_TO]-(q:Post)<-[:POSTED]-(y)
  RETURN 'co-shared url' AS section, u.url AS item,
         abs(p.created_at.epochSeconds - q.created_at.epochSeconds) AS gap_seconds,
         p.created_at AS first_at
  ORDER BY gap_seconds
  LIMIT $limit
UNION ALL
  MATCH (x)-[:POSTED]->(p:Post)-[:SHARES]->(o:Post)<-[:SHARES]-(q:Post)<-[:POSTED]-(y)
  RETURN 'co-reshared post' AS section, o.id AS item,
         abs(p.created_at.epochSeconds - q.created_at.epochSeconds) AS gap_seconds,
         p.created_at AS first_at
  ORDER BY gap_seconds
  LIMIT $limit
UNION ALL
  MATCH (x)-[:POSTED]->(p:Post), (y)-[:POSTED]->(q:Post)
  WHERE p.text_hash IS NOT NULL AND p.text_hash = q.text_hash
  RETURN 'identical text' AS section, left(p.text, 80) AS item,
         abs(p.created_at.epochSeconds - q.created_at.epochSeconds) AS gap_seconds,
         p.created_at AS first_at
  ORDER BY gap_seconds
  LIMIT $limit
UNION ALL
  MATCH (x)-[:ADMINISTERS|ADMINISTERS]-(page:Actor)
  WHERE page = y OR EXISTS { (y)-[:ADMINISTERS]-(page) }
  RETURN 'admin link' AS section, page.key AS item, null AS gap_seconds, null AS first_at
  LIMIT $limit
UNION ALL
  MATCH (x)-[:USES]->(i:Identifier)<-[:USES]-(y)
  RETURN 'shared identifier' AS section, i.kind + ':' + left(i.hash, 12) AS item,
         null AS gap_seconds, null AS first_at
  LIMIT $limit
UNION ALL
  MATCH (actor:Actor)-[r:AFFILIATED_WITH]->(org:Organization)
  WHERE actor IN [x, y]
  RETURN 'affiliation' AS section, actor.key + ' -> ' + org.name + ' (' + coalesce(r.source, '?') + ')' AS item,
         null AS gap_seconds, null AS first_at
  LIMIT $limit
}
RETURN section, item, gap_seconds, first_at

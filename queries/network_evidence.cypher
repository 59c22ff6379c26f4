// name: network_evidence
// title: "A candidate network's strongest evidence: what was measured"
// category: network
// description: >
//   The evidence inside one network, section by section: the strongest coordination
//   edges (with co-shared objects and the fastest gap in seconds), the pages that
//   share admins, the identifiers its accounts share (as hash prefixes), and the
//   organisations behind it with the share of members.
// parameters:
//   network_id: {default: "", description: "network id (see networks_overview)"}
//   limit: {default: 20, description: "maximum rows per section"}
// revision: 3

MATCH (network:Network {id: $network_id})
CALL (network) {
  MATCH (a:Actor)-[:MEMBER_OF]->(network)<-[:MEMBER_OF]-(b:Actor)
  MATCH (a)-[e:COORDINATED_WITH {run_id: network.run_id}]->(b)
  RETURN 'coordination' AS section, a.key AS subject, b.key AS object,
         {weight: e.weight, co_share: e.co_share, slow_co_share: e.slow_co_share,
          shared_admin: e.shared_admin, shared_identifier: e.shared_identifier,
          objects: e.co_share_objects, slow_objects: e.slow_co_share_objects,
          fastest_gap_s: e.min_gap, sample: e.sample_objects} AS detail
  ORDER BY e.weight DESC
  LIMIT $limit
UNION ALL
  MATCH (admin:Account)-[:ADMINISTERS]->(page:Page)-[:MEMBER_OF]->(network)
  WITH admin, collect(page.key) AS pages
  WHERE size(pages) >= 2
  RETURN 'shared admin' AS section, admin.key AS subject, toString(size(pages)) + ' pages' AS object,
         {pages: pages[..10]} AS detail
  ORDER BY size(pages) DESC
  LIMIT $limit
UNION ALL
  MATCH (a:Account)-[:MEMBER_OF]->(network)
  MATCH (a)-[:USES]->(i:Identifier)
  WITH i, collect(a.key) AS accounts
  WHERE size(accounts) >= 2
  RETURN 'shared identifier' AS section, i.kind + ':' + left(i.hash, 12) AS subject,
         toString(size(accounts)) + ' accounts' AS object, {accounts: accounts[..10]} AS detail
  ORDER BY size(accounts) DESC
  LIMIT $limit
UNION ALL
  MATCH (network)-[r:ATTRIBUTED_TO]->(org:Organization)
  RETURN 'attribution' AS section, org.name AS subject, coalesce(org.kind, '') AS object,
         {share: r.share, members: r.members, sources: r.sources, disclosed: r.disclosed} AS detail
  ORDER BY r.share DESC
  LIMIT $limit
}
RETURN section, subject, object, detail

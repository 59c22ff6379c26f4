// name: pages_by_organization
// title: Pages run for an organisation
// category: exploration
// description: >
//   Pages tied to an organisation or to any organisation up to three PART_OF levels
//   below it: pages affiliated directly, and pages administered by affiliated
//   accounts. One row per page, with how it is tied (via), the affiliated admins and
//   up to three evidence paths.
// parameters:
//   org_id: {default: "1", description: "the organisation's id (org_id in organizations.csv)"}
//   limit: {default: 100, description: "maximum pages"}
// revision: 1

MATCH (org:Organization {id: $org_id})
CALL (org) {
  MATCH path = (page:Page)-[:AFFILIATED_WITH]->(:Organization)-[:PART_OF*0..3]->(org)
  RETURN page, 'page affiliated' AS via, null AS admin, path
UNION ALL
  MATCH path = (page:Page)<-[:ADMINISTERS]-(admin:Account)-[:AFFILIATED_WITH]->(:Organization)-[:PART_OF*0..3]->(org)
  RETURN page, 'admin affiliated' AS via, admin, path
}
WITH page, collect(DISTINCT via) AS via, collect(DISTINCT admin.id) AS admins, collect(path) AS paths
RETURN page.id AS page_id, page.name AS name, page.followers AS followers, via, admins,
       paths[..3] AS evidence
ORDER BY coalesce(followers, 0) DESC, page_id
LIMIT $limit

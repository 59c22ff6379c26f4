// name: shared_admins
// title: Pages run by the same admin accounts
// category: signal
// description: >
//   Pairs of pages administered by at least `min_shared` of the same accounts, with
//   the admins they share. Shared admins are how one operator runs many "independent"
//   pages; whether that is concealment depends on whether the pages say who runs
//   them (see `disclosed`: both pages have a disclosed affiliation - the `disclosed`
//   column, or else a disclosure source such as page transparency; README, contract).
// parameters:
//   min_shared: {default: 1, description: "minimum number of shared admins"}
//   limit: {default: 500, description: "maximum page pairs"}
// revision: 2

MATCH (p1:Page)<-[:ADMINISTERS]-(admin:Account)-[:ADMINISTERS]->(p2:Page)
WHERE p1.id < p2.id
WITH p1, p2, collect(DISTINCT admin.key) AS admins
WHERE size(admins) >= $min_shared
RETURN p1.key AS a, p2.key AS b, size(admins) AS shared, admins[..10] AS admins,
       all(page IN [p1, p2] WHERE EXISTS {
         MATCH (page)-[r:AFFILIATED_WITH]->(:Organization)
         WHERE coalesce(r.disclosed,
                        trim(apoc.text.replace(toLower(coalesce(r.source, '')), '[\\s_-]+', ' '))
                        IN ['self disclosed', 'disclosed', 'page transparency', 'official website', 'verified label', 'state media label', 'paid for by disclaimer', 'imprint', 'public statement'])
       }) AS disclosed
ORDER BY shared DESC, a, b
LIMIT $limit

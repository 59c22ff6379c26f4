// name: shared_identifiers
// title: Accounts that use the same devices, phones, IPs or emails
// category: signal
// description: >
//   Pairs of accounts that use at least `min_shared` of the same identifiers
//   (stored only as keyed hashes). An identifier used by more than
//   `max_accounts_per_identifier` accounts is shared infrastructure - a public IP,
//   an office network - and is ignored, as fraud analysts do.
// parameters:
//   min_shared: {default: 1, description: "minimum number of shared identifiers"}
//   max_accounts_per_identifier: {default: 10, description: "ignore identifiers used by more accounts than this"}
//   limit: {default: 1000, description: "maximum account pairs"}
// revision: 1

MATCH (i:Identifier)
WITH i, COUNT { (i)<-[:USES]-(:Account) } AS users
WHERE 2 <= users <= $max_accounts_per_identifier
MATCH (a1:Account)-[:USES]->(i)<-[:USES]-(a2:Account)
WHERE a1.id < a2.id
WITH a1, a2, collect(i.kind) AS kinds, collect(left(i.hash, 12)) AS hashes
WHERE size(kinds) >= $min_shared
RETURN a1.key AS a, a2.key AS b, size(kinds) AS shared, kinds, hashes
ORDER BY shared DESC, a, b
LIMIT $limit

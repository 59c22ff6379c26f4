// name: network_members
// title: A network's members and the coordination between them
// category: network
// description: >
//   The members of one network (accounts, pages, admins) and the coordination edges
//   of its run between them, as paths to draw in Browser. Each edge carries its
//   weight and each signal's part of it (co_share, slow_co_share, shared_admin,
//   shared_identifier). `tier` is the network's verdict tier (a candidate for review:
//   coordinated_inauthentic, coordinated_unassessable, coordinated_disclosed or weak).
// parameters:
//   network_id: {default: "", description: "network id, e.g. run-...:n0001 (see networks_overview)"}
//   limit: {default: 300, description: "maximum edges drawn"}
// revision: 3

MATCH (network:Network {id: $network_id})
MATCH (a:Actor)-[:MEMBER_OF]->(network)
MATCH path = (a)-[edge:COORDINATED_WITH {run_id: network.run_id}]->(b:Actor)-[:MEMBER_OF]->(network)
RETURN path, edge.weight AS weight, network.tier AS tier
ORDER BY weight DESC
LIMIT $limit

// name: actor_neighbourhood
// title: Everything around one account or page
// category: exploration
// description: >
//   The evidence next to one actor, as paths to read in Browser: the pages an
//   account administers or the accounts administering a page, the organisations
//   it (or a page's admins) is affiliated with up the PART_OF chain, the accounts
//   sharing an identifier with it, and the other actors that posted the URLs it
//   posts most. Start here when a network member needs explaining.
// parameters:
//   actor_key: {default: "account:1", description: "the actor, as 'account:ID' or 'page:ID'"}
//   limit: {default: 25, description: "maximum paths per section (and per co-posted URL)"}
//   top_urls: {default: 5, description: "how many of the actor's most-posted URLs to expand"}
//   max_identifier_accounts: {default: 25, description: "skip identifiers used by more accounts than this (shared wifi, office IPs)"}
// revision: 1

MATCH (actor:Actor {key: $actor_key})
CALL (actor) {
  // Account -> the pages it runs; page <- the accounts running it.
  MATCH path = (actor)-[:ADMINISTERS]-(:Actor)
  RETURN 'administers' AS section, path
  LIMIT $limit
UNION ALL
  // Up to the top of the organisation chain (or four hops), not every prefix of it.
  MATCH path = (actor)-[:AFFILIATED_WITH]->(:Organization)-[:PART_OF*0..3]->(top:Organization)
  WHERE length(path) = 4 OR NOT EXISTS { (top)-[:PART_OF]->(:Organization) }
  RETURN 'affiliation' AS section, path
  LIMIT $limit
UNION ALL
  // A page's operators are its admins: their affiliations say who runs the page.
  MATCH path = (actor)<-[:ADMINISTERS]-(:Account)-[:AFFILIATED_WITH]->(:Organization)
  RETURN 'admin affiliation' AS section, path
  LIMIT $limit
UNION ALL
  // A heavily shared identifier (a public IP) links strangers; its degree is a cheap count.
  MATCH (actor)-[:USES]->(identifier:Identifier)
  WHERE COUNT { (identifier)<-[:USES]-() } <= $max_identifier_accounts
  MATCH path = (actor)-[:USES]->(identifier)<-[:USES]-(other:Account)
  WHERE other <> actor
  RETURN 'shared identifier' AS section, path
  LIMIT $limit
UNION ALL
  MATCH (actor)-[:POSTED]->(:Post)-[:LINKS_TO]->(url:Url)
  WHERE COUNT { (url)<-[:LINKS_TO]-() } > 1
  WITH actor, url, count(*) AS posts
  ORDER BY posts DESC, url.url
  LIMIT $top_urls
  // Per URL and capped: a viral URL must not expand into all of its posters.
  CALL (actor, url) {
    MATCH path = (actor)-[:POSTED]->(:Post)-[:LINKS_TO]->(url)<-[:LINKS_TO]-(:Post)<-[:POSTED]-(other:Actor)
    WHERE other <> actor
    RETURN path
    LIMIT $limit
  }
  RETURN 'co-posted url' AS section, path
}
RETURN section, path

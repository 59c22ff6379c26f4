// name: identical_text
// title: The same text posted by many actors
// category: signal
// description: >
//   Texts (compared by fingerprint: case, punctuation and links ignored) posted by
//   at least `min_actors` different accounts or pages, with how fast they appeared:
//   copy-paste campaigns post the same words within minutes. `span_seconds` is the
//   time from the first to the last post.
// parameters:
//   min_actors: {default: 3, description: "minimum distinct actors posting the text"}
//   limit: {default: 100, description: "maximum texts"}
// revision: 1

MATCH (a:Actor)-[:POSTED]->(p:Post)
WHERE p.text_hash IS NOT NULL
WITH p.text_hash AS fingerprint, collect(DISTINCT a.key) AS actors,
     min(p.created_at) AS first, max(p.created_at) AS last, count(p) AS posts,
     collect(p.text)[0] AS example
WHERE size(actors) >= $min_actors
RETURN fingerprint, left(example, 200) AS example, size(actors) AS actors_count, posts,
       first, last, duration.inSeconds(first, last).seconds AS span_seconds, actors[..20] AS actors
ORDER BY actors_count DESC, span_seconds
LIMIT $limit

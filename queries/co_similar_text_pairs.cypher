// name: co_similar_text_pairs
// title: Actors who posted near-copies of one text within seconds of each other
// category: signal
// description: >
//   Pairs of actors that posted near-duplicate texts - two different texts of one
//   cluster (`Post.text_cluster`: MinHash LSH over word shingles, set by the last
//   detection run, graph/pairs/text_clusters.py; README, "Near-duplicate texts") -
//   within `window` seconds of each other, on at least `min_weight` distinct clusters.
//   Two posts of a cluster meet only when their texts differ (`text_hash`): identical
//   copies are co_share_pairs' texts, never counted here again. The same time-ordered
//   window per object as co_share_pairs; clusters posted more than `max_object_shares`
//   times are a meme or a common phrase and are skipped; the rest count by rarity in
//   `score` (2 sharers count 1, n sharers log2(3)/log2(1+n)). The object key is
//   `similar:` and the cluster id (its smallest text hash). Detection computes the same
//   pairs on DuckDB or Spark (graph/pairs/co_share.sql over the `similar` share rows;
//   a test proves the pairs equal, every column). `urls`, `reshares`, `texts` are
//   always 0 here.
// parameters:
//   window: {default: 60, description: "seconds between two posts of the same cluster"}
//   min_weight: {default: 2, description: "minimum number of distinct clusters co-posted"}
//   max_object_shares: {default: 500, description: "skip clusters posted more often than this (memes)"}
//   limit: {default: 1000, description: "maximum pairs, strongest first"}
//   exclude_within: {default: -1, description: "skip clusters the pair co-posted within this many seconds (-1 = none)"}
// revision: 1
// references: ["https://github.com/nicolarighetti/CooRTweet", "https://github.com/VIGINUM-FR/D3lta"]

CALL () {
  MATCH (p:Post)
  WHERE p.text_cluster IS NOT NULL
  WITH p.text_cluster AS cluster, count(*) AS shares
  WHERE 2 <= shares <= $max_object_shares
  CALL (cluster) {
    MATCH (p:Post {text_cluster: cluster})<-[:POSTED]-(a:Actor)
    WITH a.key AS actor, p.created_at.epochSeconds AS t, p.text_hash AS variant
    ORDER BY t, actor
    RETURN collect(actor) AS actors, collect(t) AS times, collect(variant) AS variants
  }
  RETURN 'similar:' + cluster AS object, actors, times, variants
}
WITH object, actors, times, variants, size(apoc.coll.toSet(actors)) AS sharers
WHERE sharers >= 2
// Pairs are found and deduplicated object by object inside one subquery, so the
// server holds one object's pairs at a time, not every (object, pair) of the data set:
// at scale 100 the flat form outgrew the transaction memory pool.
CALL (actors, times, variants) {
  // The window of share i ends at the last share j with times[j] <= times[i] + window.
  // Sorting the share times together with the window ends finds every j in one sort
  // (an end event's position = i + j + 1), so no share is compared with shares
  // outside its window, however many times the object was shared.
  CALL (times) {
    UNWIND range(0, size(times) - 1) AS i
    UNWIND [[times[i], 0, i], [times[i] + $window, 1, i]] AS event
    WITH event
    ORDER BY event[0], event[1], event[2]
    WITH collect(event) AS events
    UNWIND range(0, size(events) - 1) AS position
    WITH events[position] AS event, position
    WHERE event[1] = 1
    RETURN event[2] AS i, position - event[2] - 1 AS last
  }
  WITH actors, times, variants, i, last
  WHERE last > i
  UNWIND range(i + 1, last) AS j
  // Different texts only: identical copies meet in co_share_pairs' texts.
  WITH actors[i] AS x, actors[j] AS y, times[j] - times[i] AS gap,
       variants[i] <> variants[j] AS different
  WHERE x <> y AND different
  WITH CASE WHEN x < y THEN x ELSE y END AS a,
       CASE WHEN x < y THEN y ELSE x END AS b,
       gap
  RETURN a, b, min(gap) AS gap
}
WITH object, sharers, a, b, gap
WHERE gap > $exclude_within
// Ordered before the aggregation, so each pair's sample is its tightest objects.
ORDER BY gap, object
WITH a, b,
     count(*) AS weight,
     sum(log(3.0) / log(1.0 + sharers)) AS score,
     min(gap) AS min_gap,
     sum(CASE WHEN object STARTS WITH 'url:' THEN 1 ELSE 0 END) AS urls,
     sum(CASE WHEN object STARTS WITH 'post:' THEN 1 ELSE 0 END) AS reshares,
     sum(CASE WHEN object STARTS WITH 'text:' THEN 1 ELSE 0 END) AS texts,
     collect(object)[..5] AS sample_objects
WHERE weight >= $min_weight
RETURN a, b, weight, round(score, 3) AS score, min_gap, urls, reshares, texts, sample_objects
ORDER BY score DESC, weight DESC, a, b
LIMIT $limit

// name: co_image_pairs
// title: Actors who posted the same image within seconds of each other
// category: signal
// description: >
//   Pairs of actors that posted the same image - posts with the same `image_hash`
//   (a perceptual hash, the posts file's `image_hash` column; CooRTweet's `phash_id`),
//   or with hashes of one near-equal group (`Post.image_cluster`: 64-bit hashes a few
//   bits apart, set by the last detection run, graph/pairs/image_clusters.py; README,
//   "Near-equal images") - within `window` seconds of each other, on at least
//   `min_weight` distinct images. The same time-ordered window per object as
//   co_share_pairs; images posted more than `max_object_shares` times are viral and
//   skipped; the rest count by rarity in `score` (2 sharers count 1, n sharers
//   log2(3)/log2(1+n)). The object key is `image:` and the group id (its smallest
//   hash), or the hash of an image in no group. Detection computes the same pairs on
//   DuckDB or Spark (graph/pairs/co_share.sql over the `image` share rows; a test
//   proves the pairs equal, every column). `urls`, `reshares`, `texts` are always 0
//   here.
// parameters:
//   window: {default: 60, description: "seconds between two posts of the same image"}
//   min_weight: {default: 2, description: "minimum number of distinct images co-posted"}
//   max_object_shares: {default: 1000, description: "skip images posted more often than this (viral)"}
//   limit: {default: 1000, description: "maximum pairs, strongest first"}
//   exclude_within: {default: -1, description: "skip images the pair co-posted within this many seconds (-1 = none)"}
// revision: 2
// references: ["https://github.com/nicolarighetti/CooRTweet"]

CALL () {
  MATCH (p:Post)
  WHERE p.image_hash IS NOT NULL
  WITH coalesce(p.image_cluster, p.image_hash) AS image, count(*) AS shares
  WHERE 2 <= shares <= $max_object_shares
  CALL (image) {
    // A group's posts by its index, an ungrouped image's by the hash's.
    CALL (image) {
      MATCH (p:Post {image_cluster: image}) RETURN p
      UNION
      MATCH (p:Post {image_hash: image}) WHERE p.image_cluster IS NULL RETURN p
    }
    MATCH (p)<-[:POSTED]-(a:Actor)
    WITH a.key AS actor, p.created_at.epochSeconds AS t
    ORDER BY t, actor
    RETURN collect(actor) AS actors, collect(t) AS times
  }
  RETURN 'image:' + image AS object, actors, times
}
WITH object, actors, times, size(apoc.coll.toSet(actors)) AS sharers
WHERE sharers >= 2
// Pairs are found and deduplicated object by object inside one subquery, so the
// server holds one object's pairs at a time, not every (object, pair) of the data set:
// at scale 100 the flat form outgrew the transaction memory pool.
CALL (actors, times) {
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
  WITH actors, times, i, last
  WHERE last > i
  UNWIND range(i + 1, last) AS j
  WITH actors[i] AS x, actors[j] AS y, times[j] - times[i] AS gap
  WHERE x <> y
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

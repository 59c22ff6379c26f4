// name: window_estimate
// title: The co-share window the data suggests (CooRnet's estimate)
// category: signal
// description: >
//   Picks the co-share window from the data, as CooRnet does: rank shared objects
//   (URLs, reshared posts, identical texts) by how fast their second share follows
//   the first, keep the quickest `q` share of objects, and take the median time
//   those objects need to reach `p` of their shares (at least their second share,
//   so two-share objects do not pull the estimate to zero). `cib detect --window auto`
//   runs this and records the answer; a window under one second is refused, not used.
// parameters:
//   q: {default: 0.1, description: "fraction of fastest objects to keep"}
//   p: {default: 0.5, description: "fraction of an object's shares to reach"}
//   max_object_shares: {default: 1000, description: "skip objects shared more often than this (viral)"}
// unbounded: true
// revision: 1
// references: ["https://github.com/fabiogiglietto/CooRnet"]

CALL () {
  MATCH (o:Url)
  WITH o, COUNT { (o)<-[:LINKS_TO]-(:Post) } AS shares
  WHERE 2 <= shares <= $max_object_shares
  CALL (o) {
    MATCH (o)<-[:LINKS_TO]-(p:Post)
    WITH p.created_at.epochSeconds AS t ORDER BY t
    RETURN collect(t) AS times
  }
  RETURN times
UNION ALL
  MATCH (o:Post)
  WITH o, COUNT { (o)<-[:SHARES]-(:Post) } AS shares
  WHERE 2 <= shares <= $max_object_shares
  CALL (o) {
    MATCH (o)<-[:SHARES]-(p:Post)
    WITH p.created_at.epochSeconds AS t ORDER BY t
    RETURN collect(t) AS times
  }
  RETURN times
UNION ALL
  MATCH (p:Post)
  WHERE p.text_hash IS NOT NULL
  WITH p.text_hash AS text, count(*) AS shares
  WHERE 2 <= shares <= $max_object_shares
  CALL (text) {
    MATCH (p:Post {text_hash: text})
    WITH p.created_at.epochSeconds AS t ORDER BY t
    RETURN collect(t) AS times
  }
  RETURN times
}
WITH times[1] - times[0] AS first_gap,
     times[CASE WHEN toInteger(ceil($p * size(times))) < 2 THEN 1
                ELSE toInteger(ceil($p * size(times))) - 1 END] - times[0] AS to_reach_p
WITH collect([first_gap, to_reach_p]) AS objects, percentileDisc(first_gap, $q) AS cutoff
UNWIND objects AS object
WITH object, cutoff, size(objects) AS shared_objects
WHERE object[0] <= cutoff
RETURN percentileCont(object[1], 0.5) AS window,
       count(*) AS fast_objects,
       shared_objects,
       cutoff AS fastest_second_share

-- co_share: the co-share pair signal, written once for every engine.
--
-- The same definition as queries/co_share_pairs.cypher (a test proves the pairs equal,
-- every column): two actors co-share an object when they shared it within :window
-- seconds of each other; a pair's weight is the number of distinct objects co-shared.
-- Written in DuckDB's dialect; graph/pairs/definition.py transpiles it with SQLGlot
-- for Spark, and binds the :parameters as literals (integers only).
--
-- Input: a table `shares` (actor, object, kind, t, variant) - one row per (post, object),
-- with actor NULL for a post without an author (it counts as a share, never as a sharer).
-- `variant` is NULL except for near-duplicate text clusters, where it is the post's text
-- hash: two shares of a cluster meet only with different texts (identical texts are
-- co_text's, graph/pairs/text_clusters.py).
-- Actors and objects are numbered in their key order first, so every join, sort and
-- group below runs on integers, and the order of the numbers is the order of the keys
-- (the smaller actor of a pair, the sample objects' order).
WITH objects AS (
    -- Viral objects are skipped by their number of shares, rare ones weigh more.
    SELECT object, MIN(kind) AS kind, COUNT(actor) AS authored, COUNT(DISTINCT actor) AS sharers
    FROM shares
    GROUP BY object
    HAVING COUNT(*) BETWEEN 2 AND :max_object_shares AND COUNT(DISTINCT actor) >= 2
),
object_ids AS (
    -- `start`: the first global position of the object's shares (positions run in
    -- object order, then time order within an object).
    SELECT
        object,
        kind,
        sharers,
        -- The object's rarity weight in fixed point (10^-12): a pair's score is a sum
        -- of these, and a sum of integers is the same in every order, where a float
        -- sum in a parallel aggregate differed in the last bits from run to run (7 of
        -- 332,278 pairs at scale 10), enough to tip ROUND(score, 3) now and then.
        CAST(ROUND(1e12 * LN(3.0) / LN(1.0 + sharers)) AS BIGINT) AS rarity,
        ROW_NUMBER() OVER (ORDER BY object) AS oid,
        CAST(SUM(authored) OVER (ORDER BY object ROWS UNBOUNDED PRECEDING) AS BIGINT)
            - authored + 1 AS start
    FROM objects
),
actor_ids AS (
    SELECT actor, ROW_NUMBER() OVER (ORDER BY actor) AS aid
    FROM (SELECT DISTINCT actor FROM shares WHERE actor IS NOT NULL) AS actors
),
ranked AS (
    -- Each share's global position g, and g_end, the position of the last share of the
    -- same object at most :window seconds later: the count of the object's shares up to
    -- :window seconds after this one (a RANGE frame), counted from the object's start.
    SELECT
        o.oid,
        a.aid,
        s.t,
        s.variant AS v,
        o.start + ROW_NUMBER() OVER (PARTITION BY o.oid ORDER BY s.t, a.aid) - 1 AS g,
        o.start - 1
            + COUNT(*) OVER (
                PARTITION BY o.oid ORDER BY s.t
                RANGE BETWEEN UNBOUNDED PRECEDING AND :window FOLLOWING
            ) AS g_end
    FROM shares AS s
    JOIN object_ids AS o ON s.object = o.object
    JOIN actor_ids AS a ON s.actor = a.actor
),
followers AS (
    -- Sort-based window: share g meets only positions g+1..g_end, an equi-join on the
    -- position, so the cost follows the pairs inside the window, never the square of
    -- an object's shares. The series is unnested in the select list (Spark: EXPLODE):
    -- as a lateral join, DuckDB decorrelated it into a grouping and a second join back
    -- (12 % of the statement at scale 10).
    SELECT w.oid, w.aid AS x, w.t, w.v, UNNEST(GENERATE_SERIES(w.g + 1, w.g_end)) AS j
    FROM ranked AS w
    WHERE w.g_end > w.g
),
object_pairs AS (
    SELECT f.oid, LEAST(f.x, r.aid) AS a, GREATEST(f.x, r.aid) AS b, MIN(r.t - f.t) AS gap
    FROM followers AS f
    JOIN ranked AS r ON r.g = f.j
    WHERE f.x <> r.aid AND (f.v IS NULL OR r.v IS NULL OR f.v <> r.v)
    GROUP BY f.oid, LEAST(f.x, r.aid), GREATEST(f.x, r.aid)
),
counted AS (
    -- A slow pass skips the objects its pair co-shared within the fast window
    -- (:exclude_within; -1 = none), so the two passes count disjoint objects.
    SELECT p.a, p.b, p.gap, p.oid, o.kind, o.rarity
    FROM object_pairs AS p
    JOIN object_ids AS o ON o.oid = p.oid
    WHERE p.gap > :exclude_within
),
pairs AS (
    -- Sample objects: the pair's five tightest (smallest gap, then object number),
    -- as the five smallest of gap * 2^40 + oid (CoShareParams bounds the window below
    -- 2^23 s, and a run holds fewer than 2^40 objects): one aggregate, where ranking
    -- every pair's objects with a window function cost the most of the whole query.
    SELECT
        a,
        b,
        COUNT(*) AS weight,
        SUM(rarity) AS rarity,
        MIN(gap) AS min_gap,
        SUM(CASE WHEN kind = 'url' THEN 1 ELSE 0 END) AS urls,
        SUM(CASE WHEN kind = 'post' THEN 1 ELSE 0 END) AS reshares,
        SUM(CASE WHEN kind = 'text' THEN 1 ELSE 0 END) AS texts,
        ARRAY_SLICE(ARRAY_SORT(ARRAY_AGG(gap * 1099511627776 + oid)), 1, 5) AS tightest
    FROM counted
    GROUP BY a, b
    HAVING COUNT(*) >= :min_weight
),
sampled AS (
    SELECT
        a,
        b,
        weight,
        rarity,
        min_gap,
        urls,
        reshares,
        texts,
        -- Guarded: Spark in ANSI mode (Spark 4's default) raises on an index past the end.
        tightest[1] % 1099511627776 AS s1,
        CASE WHEN ARRAY_LENGTH(tightest) >= 2 THEN tightest[2] % 1099511627776 END AS s2,
        CASE WHEN ARRAY_LENGTH(tightest) >= 3 THEN tightest[3] % 1099511627776 END AS s3,
        CASE WHEN ARRAY_LENGTH(tightest) >= 4 THEN tightest[4] % 1099511627776 END AS s4,
        CASE WHEN ARRAY_LENGTH(tightest) >= 5 THEN tightest[5] % 1099511627776 END AS s5
    FROM pairs
)
SELECT
    xa.actor AS a,
    xb.actor AS b,
    p.weight,
    ROUND(p.rarity / 1e12, 3) AS score,
    p.min_gap,
    p.urls,
    p.reshares,
    p.texts,
    o1.object AS sample_1,
    o2.object AS sample_2,
    o3.object AS sample_3,
    o4.object AS sample_4,
    o5.object AS sample_5
FROM sampled AS p
JOIN actor_ids AS xa ON xa.aid = p.a
JOIN actor_ids AS xb ON xb.aid = p.b
LEFT JOIN object_ids AS o1 ON o1.oid = p.s1
LEFT JOIN object_ids AS o2 ON o2.oid = p.s2
LEFT JOIN object_ids AS o3 ON o3.oid = p.s3
LEFT JOIN object_ids AS o4 ON o4.oid = p.s4
LEFT JOIN object_ids AS o5 ON o5.oid = p.s5

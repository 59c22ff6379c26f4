-- co_share: the co-share pair signal, written once for every engine.
--
-- The same definition as queries/co_share_pairs.cypher (a test proves the pairs equal,
-- every column): two actors co-share an object when they shared it within :window
-- seconds of each other; a pair's weight is the number of distinct objects co-shared.
-- Written in DuckDB's dialect; graph/pairs/definition.py transpiles it with SQLGlot
-- for Spark, and binds the :parameters as literals (integers only).
--
-- Input: a table `shares` (actor, object, kind, t) - one row per (post, object), with
-- actor NULL for a post without an author (it counts as a share, never as a sharer).
WITH objects AS (
    -- Viral objects are skipped by their number of shares, rare ones weigh more.
    SELECT object, COUNT(*) AS shares, COUNT(DISTINCT actor) AS sharers
    FROM shares
    GROUP BY object
    HAVING COUNT(*) BETWEEN 2 AND :max_object_shares AND COUNT(DISTINCT actor) >= 2
),
ranked AS (
    -- Each share's position i in its object's time order, and `last`, the position of
    -- the last share at most :window seconds later: the shares before it in time
    -- (RANK - 1) plus those from its own second to :window seconds on (a RANGE frame).
    SELECT
        s.object,
        s.kind,
        o.sharers,
        s.actor,
        s.t,
        ROW_NUMBER() OVER (PARTITION BY s.object ORDER BY s.t, s.actor) AS i,
        RANK() OVER (PARTITION BY s.object ORDER BY s.t) - 1
            + COUNT(*) OVER (
                PARTITION BY s.object ORDER BY s.t
                RANGE BETWEEN CURRENT ROW AND :window FOLLOWING
            ) AS last
    FROM shares AS s
    JOIN objects AS o ON s.object = o.object
    WHERE s.actor IS NOT NULL
),
followers AS (
    -- Sort-based window: share i meets only positions i+1..last, an equi-join on
    -- (object, position), so the cost follows the pairs inside the window, never
    -- the square of an object's shares.
    SELECT w.object, w.kind, w.sharers, w.actor AS x, w.t, j
    FROM ranked AS w
    CROSS JOIN UNNEST(GENERATE_SERIES(w.i + 1, w.last)) AS g(j)
    WHERE w.last > w.i
),
object_pairs AS (
    SELECT
        f.object,
        f.kind,
        f.sharers,
        LEAST(f.x, r.actor) AS a,
        GREATEST(f.x, r.actor) AS b,
        MIN(r.t - f.t) AS gap
    FROM followers AS f
    JOIN ranked AS r ON r.object = f.object AND r.i = f.j
    WHERE f.x <> r.actor
    GROUP BY f.object, f.kind, f.sharers, LEAST(f.x, r.actor), GREATEST(f.x, r.actor)
),
counted AS (
    -- A slow pass skips the objects its pair co-shared within the fast window
    -- (:exclude_within; -1 = none), so the two passes count disjoint objects.
    -- Sample objects: the pair's five tightest (smallest gap, then object key).
    SELECT
        *,
        ROW_NUMBER() OVER (PARTITION BY a, b ORDER BY gap, object) AS nth
    FROM object_pairs
    WHERE gap > :exclude_within
)
SELECT
    a,
    b,
    COUNT(*) AS weight,
    ROUND(SUM(LN(3.0) / LN(1.0 + sharers)), 3) AS score,
    MIN(gap) AS min_gap,
    SUM(CASE WHEN kind = 'url' THEN 1 ELSE 0 END) AS urls,
    SUM(CASE WHEN kind = 'post' THEN 1 ELSE 0 END) AS reshares,
    SUM(CASE WHEN kind = 'text' THEN 1 ELSE 0 END) AS texts,
    MAX(CASE WHEN nth = 1 THEN object END) AS sample_1,
    MAX(CASE WHEN nth = 2 THEN object END) AS sample_2,
    MAX(CASE WHEN nth = 3 THEN object END) AS sample_3,
    MAX(CASE WHEN nth = 4 THEN object END) AS sample_4,
    MAX(CASE WHEN nth = 5 THEN object END) AS sample_5
FROM counted
GROUP BY a, b
HAVING COUNT(*) >= :min_weight

// name: networks_overview
// title: The candidate networks of a detection run, strongest first
// category: network
// description: >
//   Every candidate network of a run, strongest evidence first, with its verdict
//   tier (coordinated_inauthentic = flagged, coordinated_unassessable = no account
//   metadata to judge authenticity, coordinated_disclosed, weak), its scores, the
//   coverage of its inauthenticity cues (share of cue weight with data; unknown cues
//   are not counted as 0), size, pages and accounts, and the organisations it is
//   attributed to. Candidates for review, not findings. An empty `run_id` means the
//   newest complete run. Start here, then open a network with `network_members` and
//   `network_evidence`.
// parameters:
//   run_id: {default: "", description: "detection run id; empty for the newest complete run"}
//   flagged_only: {default: false, description: "only networks flagged as CIB"}
//   limit: {default: 50, description: "maximum networks"}
// revision: 2

MATCH (run:DetectionRun)
WHERE ($run_id = '' AND run.status = 'complete') OR run.id = $run_id
WITH run ORDER BY run.started_at DESC LIMIT 1
MATCH (network:Network)-[:DETECTED_IN]->(run)
WHERE NOT $flagged_only OR network.flagged
OPTIONAL MATCH (network)-[attributed:ATTRIBUTED_TO]->(org:Organization)
WITH run, network, org, attributed
ORDER BY attributed.share DESC
WITH run, network, collect(org.name + ' (' + toString(round(100 * attributed.share)) + '%)')[..3] AS attributed_to
RETURN run.id AS run_id, network.id AS network, network.rank AS rank,
       coalesce(network.tier, '') AS tier, network.flagged AS flagged,
       network.score AS score, network.coordination_score AS coordination,
       network.inauthenticity_score AS inauthenticity, network.coverage AS coverage,
       network.unknown_cues AS unknown_cues, network.size AS size,
       network.accounts AS accounts, network.pages AS pages, network.admins AS admins,
       network.followers_total AS followers, network.ad_spend_usd AS ad_spend_usd, attributed_to
ORDER BY rank
LIMIT $limit

// name: creation_bursts
// title: Accounts created in bursts
// category: signal
// description: >
//   Time bins of `bin_hours` in which unusually many accounts were created: at
//   least `min_accounts`, and at least `min_ratio` times the median of all bins that
//   saw any creation. Fake accounts are made in batches; a burst alone proves
//   nothing (a product launch does it too), so detection uses it only as one
//   inauthenticity cue of a network's members.
// parameters:
//   bin_hours: {default: 24, description: "width of a time bin in hours"}
//   min_accounts: {default: 20, description: "minimum accounts created in the bin"}
//   min_ratio: {default: 5.0, description: "minimum ratio to the median bin"}
//   limit: {default: 100, description: "maximum bins, biggest first"}
// revision: 1

MATCH (a:Account)
WHERE a.created_at IS NOT NULL
WITH a.created_at.epochSeconds / ($bin_hours * 3600) AS bin, collect(a.key) AS accounts
WITH collect({bin: bin, accounts: accounts, n: size(accounts)}) AS bins,
     percentileCont(size(accounts), 0.5) AS median
UNWIND bins AS b
WITH b, median
WHERE b.n >= $min_accounts AND b.n >= $min_ratio * median
RETURN datetime({epochSeconds: b.bin * $bin_hours * 3600}) AS bin_start,
       b.n AS accounts_created, median AS median_per_bin,
       round(b.n / median, 1) AS ratio, b.accounts[..20] AS sample_accounts
ORDER BY accounts_created DESC
LIMIT $limit

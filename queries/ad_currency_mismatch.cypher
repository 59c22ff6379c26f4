// name: ad_currency_mismatch
// title: Ads paid in a currency that does not match the page's country
// category: signal
// description: >
//   Pages whose ads were paid in a currency other than their country's, or with
//   no disclosed payer: the platform's own reports flag "ads paid from elsewhere"
//   as a sign of concealed operators. `currencies` maps a country code to its
//   currency; pages of countries not in the map are compared on the payer only.
// parameters:
//   currencies: {default: {IN: INR, GB: GBP, US: USD, AE: AED, BD: BDT, PK: PKR, LK: LKR, NP: NPR, DE: EUR, FR: EUR, RU: RUB, CA: CAD, AU: AUD, SG: SGD}, description: "country code -> local currency"}
//   limit: {default: 200, description: "maximum pages"}
// revision: 1

MATCH (page:Page)-[:RAN_AD]->(ad:Ad)
WITH page, ad, $currencies[page.country] AS local
WITH page,
     sum(CASE WHEN local IS NOT NULL AND ad.currency IS NOT NULL AND ad.currency <> local
              THEN coalesce(ad.spend, 0.0) ELSE 0.0 END) AS foreign_spend,
     sum(CASE WHEN ad.paid_for_by IS NULL OR trim(ad.paid_for_by) = '' THEN 1 ELSE 0 END) AS undisclosed_ads,
     count(ad) AS ads,
     collect(DISTINCT ad.currency) AS currencies_used,
     local
WHERE foreign_spend > 0 OR undisclosed_ads > 0
RETURN page.key AS page, page.name AS name, page.country AS country, local AS local_currency,
       currencies_used, ads, undisclosed_ads, round(foreign_spend, 2) AS foreign_spend
ORDER BY foreign_spend DESC, undisclosed_ads DESC, page
LIMIT $limit

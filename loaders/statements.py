"""The write statement for each kind of record: one ``UNWIND $rows`` per batch.

Every statement MERGEs on ids under uniqueness constraints, so re-loading the same
rows changes nothing. Labels and relationship types are written into these constant
strings, never taken from input; values only ever arrive as parameters. Each
statement returns ``written`` and ``created`` (rows whose node or relationship did
not exist before this row), which the ledger records.

Actors referenced before they are loaded (a post by an unknown account) are created
as minimal nodes with ``stub = true``; the accounts or pages file later fills them in
and sets ``stub = false``.
"""

from __future__ import annotations

_ACCOUNT_STUB = "ON CREATE SET {v}:Actor, {v}.key = 'account:' + {id}, {v}.stub = true"
_PAGE_STUB = "ON CREATE SET {v}:Actor, {v}.key = 'page:' + {id}, {v}.stub = true"
_COUNTS = "RETURN count(*) AS written, sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created"


def _actor(label: str, var: str, id_expr: str) -> str:
    stub = (_ACCOUNT_STUB if label == "Account" else _PAGE_STUB).format(v=var, id=id_expr)
    return f"MERGE ({var}:{label} {{id: {id_expr}}}) {stub}"


def _actor_rows(label: str, prefix: str) -> str:
    return f"""
UNWIND $rows AS row
OPTIONAL MATCH (seen:{label} {{id: row.id}})
WITH row, seen IS NULL AS is_new
MERGE (n:{label} {{id: row.id}})
ON CREATE SET n:Actor, n.key = '{prefix}:' + row.id
SET n += row.props, n.stub = false
{_COUNTS}"""


ORGANIZATIONS = f"""
UNWIND $rows AS row
OPTIONAL MATCH (seen:Organization {{id: row.id}})
WITH row, seen IS NULL AS is_new
MERGE (o:Organization {{id: row.id}})
SET o += row.props, o.stub = false
FOREACH (pid IN CASE WHEN row.parent_id IS NULL THEN [] ELSE [row.parent_id] END |
  MERGE (parent:Organization {{id: pid}}) ON CREATE SET parent.stub = true
  MERGE (o)-[:PART_OF]->(parent))
{_COUNTS}"""

PAGE_ADMINS = f"""
UNWIND $rows AS row
{_actor("Page", "p", "row.page_id")}
{_actor("Account", "a", "row.account_id")}
SET a:Admin
WITH row, p, a
OPTIONAL MATCH (a)-[seen:ADMINISTERS]->(p)
WITH row, p, a, seen IS NULL AS is_new
MERGE (a)-[r:ADMINISTERS]->(p)
SET r += row.props
{_COUNTS}"""


def _affiliations(label: str) -> str:
    return f"""
UNWIND $rows AS row
{_actor(label, "s", "row.subject_id")}
MERGE (o:Organization {{id: row.org_id}}) ON CREATE SET o.stub = true
WITH row, s, o
OPTIONAL MATCH (s)-[seen:AFFILIATED_WITH]->(o)
WITH row, s, o, seen IS NULL AS is_new
MERGE (s)-[r:AFFILIATED_WITH]->(o)
SET r += row.props
{_COUNTS}"""


_REPLACE_POST_RELATIONSHIPS = """
CALL (p, author) {
  OPTIONAL MATCH (other)-[old:POSTED]->(p) WHERE other <> author
  DELETE old
}
CALL (p, row) {
  OPTIONAL MATCH (p)-[old:LINKS_TO|TAGS|SHARES]->(target)
  WITH old, target
  WHERE old IS NOT NULL
    AND NOT (type(old) = 'LINKS_TO' AND target.url IN row.urls)
    AND NOT (type(old) = 'TAGS' AND target.tag IN row.hashtags)
    AND NOT (type(old) = 'SHARES' AND target.id = row.shared_post_id)
  DELETE old
}"""


def _posts(label: str, replace: bool) -> str:
    # Contract posts rows are whole posts: on a re-load with different content the
    # last row wins, so relationships the new row no longer names are removed
    # (cheap: a new post has none). Peer "shares" rows are one object each, and
    # several rows of one post add up, so nothing is removed there.
    replace_block = _REPLACE_POST_RELATIONSHIPS if replace else ""
    return f"""
UNWIND $rows AS row
OPTIONAL MATCH (seen:Post {{id: row.id}})
WITH row, seen IS NULL AS is_new
MERGE (p:Post {{id: row.id}})
SET p += row.props, p.stub = false
{_actor(label, "author", "row.author_id")}
SET author += row.author_props
WITH row, p, author, is_new
{replace_block}
MERGE (author)-[:POSTED]->(p)
FOREACH (u IN row.urls | MERGE (url:Url {{url: u}}) MERGE (p)-[:LINKS_TO]->(url))
FOREACH (t IN row.hashtags | MERGE (h:Hashtag {{tag: t}}) MERGE (p)-[:TAGS]->(h))
FOREACH (sid IN CASE WHEN row.shared_post_id IS NULL THEN [] ELSE [row.shared_post_id] END |
  MERGE (s:Post {{id: sid}}) ON CREATE SET s.stub = true
  MERGE (p)-[:SHARES]->(s))
{_COUNTS}"""


ACCOUNT_REFERENCES = f"""
UNWIND $rows AS row
OPTIONAL MATCH (seen:Account {{id: row.id}})
WITH row, seen IS NULL AS is_new
{_actor("Account", "a", "row.id")}
{_COUNTS}"""

ADS = f"""
UNWIND $rows AS row
OPTIONAL MATCH (seen:Ad {{id: row.id}})
WITH row, seen IS NULL AS is_new
MERGE (ad:Ad {{id: row.id}})
SET ad += row.props
{_actor("Page", "p", "row.page_id")}
WITH row, ad, p, is_new
CALL (ad, p) {{
  OPTIONAL MATCH (other)-[old:RAN_AD]->(ad) WHERE other <> p
  DELETE old
}}
MERGE (p)-[:RAN_AD]->(ad)
{_COUNTS}"""

IDENTIFIERS = f"""
UNWIND $rows AS row
MERGE (i:Identifier {{id: row.id}}) ON CREATE SET i.kind = row.kind, i.hash = row.hash
{_actor("Account", "a", "row.account_id")}
WITH row, i, a
OPTIONAL MATCH (a)-[seen:USES]->(i)
WITH row, i, a, seen IS NULL AS is_new
MERGE (a)-[u:USES]->(i)
SET u += row.props
{_COUNTS}"""

STATEMENTS: dict[str, str] = {
    "organizations": ORGANIZATIONS,
    "accounts": _actor_rows("Account", "account"),
    "pages": _actor_rows("Page", "page"),
    "page_admins": PAGE_ADMINS,
    "affiliations_account": _affiliations("Account"),
    "affiliations_page": _affiliations("Page"),
    "posts_by_account": _posts("Account", replace=True),
    "posts_by_page": _posts("Page", replace=True),
    "shares_by_account": _posts("Account", replace=False),
    "account_references": ACCOUNT_REFERENCES,
    "ads": ADS,
    "identifiers": IDENTIFIERS,
}

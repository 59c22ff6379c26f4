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


def _posts(label: str, replace: bool, forward: bool = False) -> str:
    # Contract posts rows are whole posts: on a re-load with different content the
    # last row wins, so relationships the new row no longer names are removed
    # (cheap: a new post has none). Peer "shares" rows are one object each, and
    # several rows of one post add up, so nothing is removed there.
    replace_block = _REPLACE_POST_RELATIONSHIPS if replace else ""
    extra = _FORWARD_ORIGINS if forward else ""
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
{extra}{_COUNTS}"""


# A Telegram forward: the post, plus the origin actor (when resolved) as the author of
# the origin post it shares. The origin's label is fixed per statement, never input.
def _forward_origin(label: str, prefix: str) -> str:
    is_page = "true" if label == "Page" else "false"
    return f"""FOREACH (oid IN CASE WHEN row.origin_id IS NOT NULL
    AND row.origin_is_page = {is_page}
    AND row.shared_post_id IS NOT NULL THEN [row.origin_id] ELSE [] END |
  MERGE (o:{label} {{id: oid}}) ON CREATE SET o:Actor, o.key = '{prefix}:' + oid, o.stub = true
  MERGE (origin:Post {{id: row.shared_post_id}})
  MERGE (o)-[:POSTED]->(origin))
"""


_FORWARD_ORIGINS = _forward_origin("Account", "account") + _forward_origin("Page", "page")

# Bluesky: a deletion is a fact about a post (when it went), kept on the post itself,
# which exists as a stub when its creation is not in the data.
POST_DELETIONS = f"""
UNWIND $rows AS row
OPTIONAL MATCH (seen:Post {{id: row.id}})
WITH row, seen IS NULL AS is_new
MERGE (p:Post {{id: row.id}})
ON CREATE SET p.stub = true
SET p.deleted_at = row.deleted_at
{_actor("Account", "a", "row.author_id")}
SET a += row.author_props
MERGE (a)-[:POSTED]->(p)
{_COUNTS}"""

# Bluesky: a handle history is many (time, handle) facts per account, and one handle
# may pass between accounts, so each handle is a node met by every account that had
# it; the account keeps the latest as `handle`.
HANDLE_CHANGES = f"""
UNWIND $rows AS row
OPTIONAL MATCH (:Account {{id: row.account_id}})-[seen:HAD_HANDLE {{at: row.at}}]->
  (:Handle {{handle: row.handle}})
WITH row, seen IS NULL AS is_new
{_actor("Account", "a", "row.account_id")}
SET a += row.author_props
MERGE (h:Handle {{handle: row.handle}})
MERGE (a)-[:HAD_HANDLE {{at: row.at}}]->(h)
WITH row, a, is_new, a.handle_at IS NULL OR row.at >= a.handle_at AS latest
SET a.handle = CASE WHEN latest THEN row.handle ELSE a.handle END,
    a.handle_at = CASE WHEN latest THEN row.at ELSE a.handle_at END
{_COUNTS}"""

# Bluesky: an account's hosting status (deactivated, takendown, ...), latest wins.
ACCOUNT_STATUS = f"""
UNWIND $rows AS row
OPTIONAL MATCH (seen:Account {{id: row.account_id}})
WITH row, seen IS NULL AS is_new
{_actor("Account", "a", "row.account_id")}
SET a += row.author_props
WITH row, a, is_new, a.status_at IS NULL OR row.at >= a.status_at AS latest
SET a.active = CASE WHEN latest THEN row.active ELSE a.active END,
    a.status = CASE WHEN latest THEN row.status ELSE a.status END,
    a.status_at = CASE WHEN latest THEN row.at ELSE a.status_at END
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
    "forwards_by_account": _posts("Account", replace=True, forward=True),
    "forwards_by_page": _posts("Page", replace=True, forward=True),
    "post_deletions": POST_DELETIONS,
    "handle_changes": HANDLE_CHANGES,
    "account_status": ACCOUNT_STATUS,
    "account_references": ACCOUNT_REFERENCES,
    "ads": ADS,
    "identifiers": IDENTIFIERS,
}

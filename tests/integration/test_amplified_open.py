"""Never accuse the open: a boosted actor that discloses itself or is verified never joins.

Four members of a flagged network reshare, three times each, the posts of four actors
nobody else reshares: a page that says nothing, a page whose tie to its organisation is
public (Page Transparency), a page whose tie names a public source but whose
``disclosed`` column says false (the column wins), and a verified account. Only the
two pages that are not open join as amplified; the other two are spared and counted.
"""

from __future__ import annotations

import pytest

from cibgraph.graph.connection import Database
from cibgraph.graph.detect.amplified import ROLE, attach_amplified, find_amplified
from cibgraph.graph.detect.networks import CandidateNetwork
from tests.conftest import wipe

pytestmark = pytest.mark.integration

MEMBERS = [f"account:m{i}" for i in range(1, 5)]

GRAPH = """
UNWIND $members AS key
MERGE (:Actor:Account {key: key, id: substring(key, 8)})
WITH count(*) AS made
CREATE (org:Organization {id: 'org:news', name: 'A newspaper'})
CREATE (hidden:Actor:Page {key: 'page:hidden', id: 'hidden'})
CREATE (open:Actor:Page {key: 'page:open', id: 'open'})
CREATE (told:Actor:Page {key: 'page:told', id: 'told'})
CREATE (star:Actor:Account {key: 'account:star', id: 'star', verified: true})
CREATE (open)-[:AFFILIATED_WITH {source: 'Page Transparency'}]->(org)
CREATE (told)-[:AFFILIATED_WITH {source: 'page transparency', disclosed: false}]->(org)
WITH [hidden, open, told, star] AS boosted
UNWIND boosted AS actor
UNWIND range(1, 3) AS n
CREATE (actor)-[:POSTED]->(original:Post {id: actor.key + ':' + n})
WITH original
MATCH (m:Account) WHERE m.key IN $members
CREATE (m)-[:POSTED]->(:Post {id: original.id + ':by:' + m.key})-[:SHARES]->(original)
"""


def test_open_actors_are_spared_as_amplified_assets(db: Database) -> None:
    wipe(db)
    db.write(GRAPH, {"members": MEMBERS})
    network = CandidateNetwork(members=list(MEMBERS), roles={}, flagged=True)
    found = find_amplified(db, [network])
    assert [a.key for a in found.amplified] == ["page:hidden", "page:told"]
    assert all(a.from_members == a.reshares == 12 for a in found.amplified)
    assert found.spared == ["account:star", "page:open"]
    assert attach_amplified(db, [network]) == (2, 2)
    assert network.roles == {"page:hidden": ROLE, "page:told": ROLE}
    assert "page:open" not in network.members and "account:star" not in network.members
    # An unflagged network pulls in nothing, open or not.
    quiet = CandidateNetwork(members=list(MEMBERS), roles={}, flagged=False)
    assert find_amplified(db, [quiet]).amplified == []
    wipe(db)

"""Neo4j Browser opens with its connect form filled in as `cib browser` says (issue 19.14).

Browser 5.x reads `dbms` (the connect URL, user name inside) and `db` from its URL
(Browser manual, "Browser URL parameters"); the password never goes into a URL.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from cibgraph.graph.server.instance import InstanceSettings, browser_link


def test_the_local_link_names_bolt_user_and_database() -> None:
    settings = InstanceSettings(bolt_port=7730, http_port=7731)
    url = settings.browser_login_url
    assert url == (
        "http://127.0.0.1:7731/browser/?dbms=bolt://neo4j@127.0.0.1:7730&db=neo4j"
        "&preselectAuthMethod=NATIVE"
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "dbms": ["bolt://neo4j@127.0.0.1:7730"],
        "db": ["neo4j"],
        "preselectAuthMethod": ["NATIVE"],
    }


def test_a_remote_server_keeps_its_scheme_user_and_database() -> None:
    url = browser_link("https://db.example/browser/", "neo4j+s://db.example:7687", "ana", "cib")
    assert parse_qs(urlsplit(url).query) == {
        "dbms": ["neo4j+s://ana@db.example:7687"],
        "db": ["cib"],
        "preselectAuthMethod": ["NATIVE"],
    }


def test_no_password_in_the_link() -> None:
    url = browser_link("http://127.0.0.1:7474/browser/", "bolt://neo4j:secret@127.0.0.1:7687")
    assert "secret" not in url

"""One canonical form per link, so the same article shared with per-post tracking meets.

``canonical_url`` is a pure function of the URL text (already checked to be an absolute
http(s) URL by ``values.parse_url``): the same link shared twice must become the same
Url node, whatever campaign tags, click ids or cosmetic differences each copy carries.
The rules, in order (README, "Canonical URLs"):

1. scheme and host lower-cased; the fragment dropped (a browser never sends it);
2. the default port dropped (``:80`` for http, ``:443`` for https);
3. tracking parameters removed: every name in ``TRACKING_PARAMETERS``, and every name
   starting with one of ``TRACKING_PREFIXES`` (case-insensitive); the other parameters
   keep their order and their exact text (a site may give ``?id=`` meaning);
4. one trailing-slash rule: an empty path is ``/``; any other path loses its trailing
   slashes (``/a/b/`` and ``/a/b`` are one article on nearly every site).

The URL as given stays on the post (``url_given``) when it differs from the canonical.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

# Campaign tags and click ids set by ad platforms, mail tools and share buttons: they
# say who clicked where, never which page. Measured on the toolkit's test collection,
# these split one article into up to dozens of Url nodes.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",  # Facebook click id
        "gclid",  # Google Ads click id
        "dclid",  # Google Display click id
        "gbraid",  # Google Ads (iOS)
        "wbraid",  # Google Ads (iOS web-to-app)
        "msclkid",  # Microsoft Ads click id
        "yclid",  # Yandex click id
        "twclid",  # X/Twitter click id
        "ttclid",  # TikTok click id
        "li_fat_id",  # LinkedIn click id
        "igshid",  # Instagram share id
        "igsh",  # Instagram share id (newer)
        "mc_cid",  # Mailchimp campaign id
        "mc_eid",  # Mailchimp subscriber id
        "_hsenc",  # HubSpot
        "_hsmi",  # HubSpot
        "mkt_tok",  # Marketo
        "ref_src",  # X/Twitter share source
        "ref_url",  # X/Twitter share source
        "s_cid",  # Adobe campaign id
        "cmpid",  # campaign id (news sites)
        "ocid",  # Microsoft/MSN campaign id
        "si",  # YouTube/Spotify share id
        "spm",  # Alibaba share tracking
        "_ga",  # Google Analytics cross-domain linker
        "_gl",  # Google Analytics linker
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def _query(query: str) -> str:
    # Split by hand, not parse_qsl: the kept parameters stay byte for byte as given
    # (no re-encoding of %-escapes, `+` or empty values).
    kept = [part for part in query.split("&") if part and not _tracking(part.split("=", 1)[0])]
    return "&".join(kept)


def _netloc(scheme: str, netloc: str) -> str:
    netloc = netloc.lower()
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.rpartition(":")
    # "[::1]" has colons of its own: a port follows the closing bracket only.
    if colon and "]" not in port and port == _DEFAULT_PORTS.get(scheme):
        hostport = host
    return f"{userinfo}{at}{hostport}"


def canonical_url(text: str) -> str:
    """The canonical form of an absolute http(s) URL (module docstring: the rules)."""
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    path = parts.path
    # All trailing slashes, so the form is idempotent ("/a//" and "/a/" are "/a").
    path = path.rstrip("/") or "/"
    query = _query(parts.query)
    return f"{scheme}://{_netloc(scheme, parts.netloc)}{path}{'?' + query if query else ''}"


def keep_given_url(row: dict[str, Any], canonical: str | None, given: Any) -> None:
    """Keep the post's URL as given (``url_given``) when canonicalising changed it."""
    if canonical is None or not isinstance(given, str):
        return
    text = given.strip()
    if text != canonical:
        row["props"]["url_given"] = text

"""Hashes: a keyed hash for personal identifiers, a plain one for post texts.

Identifier values (phones, emails, IPs, devices, payment instruments) are personal
data. Only HMAC-SHA256(secret, kind:normalised value) reaches the database, so two
accounts with the same phone still meet at the same node while the phone number
itself is never stored; without the per-installation secret the hash cannot be
reversed by enumerating phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import unicodedata

from cibgraph.graph.server.instance import read_hash_secret
from cibgraph.graph.server.paths import instance_paths
from cibgraph.loaders.values import BadValue

ENV_SECRET = "CIBGRAPH_HASH_SECRET"  # noqa: S105 - the variable's name
_URLS = re.compile(r"https?://\S+")
_NON_WORD = re.compile(r"[^\w]+")


def load_secret() -> bytes:
    """The hashing secret: CIBGRAPH_HASH_SECRET (hex) for remote servers, else the local one."""
    env = os.environ.get(ENV_SECRET)
    if env:
        try:
            secret = bytes.fromhex(env.strip())
        except ValueError:
            raise BadValue(f"{ENV_SECRET} must be hex") from None
        if len(secret) < 16:
            raise BadValue(f"{ENV_SECRET} must hold at least 16 bytes")
        return secret
    return read_hash_secret(instance_paths())


def normalise_identifier(kind: str, value: str) -> str:
    text = value.strip()
    if not text:
        raise BadValue("empty identifier value")
    if kind == "ip":
        try:
            return ipaddress.ip_address(text).compressed
        except ValueError:
            raise BadValue("not an IP address") from None
    if kind == "phone":
        digits = re.sub(r"[^\d]", "", text)
        if len(digits) < 5:
            raise BadValue("phone number has fewer than 5 digits")
        return ("+" if text.startswith(("+", "00")) else "") + digits.removeprefix("00")
    if kind == "email":
        if "@" not in text:
            raise BadValue("not an email address")
        return text.lower()
    return text.lower()


class IdentifierHasher:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def __repr__(self) -> str:  # never show the secret
        return "IdentifierHasher(<secret>)"

    def hash(self, kind: str, value: str) -> str:
        normalised = normalise_identifier(kind, value)
        return hmac.new(self._secret, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def text_hash(text: str) -> str | None:
    """Fingerprint for identical-text detection: case, accents, URLs, punctuation ignored.

    Returns None for texts too short to be evidence of copying.
    """
    # NFKC leaves ASCII unchanged; skipping it there is bench/formats.py's cheapest win.
    folded = (text if text.isascii() else unicodedata.normalize("NFKC", text)).casefold()
    folded = _URLS.sub(" ", folded)
    words = _NON_WORD.sub(" ", folded).split()
    if len(words) < 4:
        return None
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:32]

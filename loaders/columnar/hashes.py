"""``fingerprints.text_hash`` of a column of texts, without a Python call per text.

For printable ASCII (``\\x20``-``\\x7e``, no tab or line break) the steps of ``text_hash``
are plain regular-expression rewrites that Arrow's engine (RE2) performs the same way:
there ``casefold`` is ``lower``, ``\\S`` is "not a space" and ``\\w`` is ``[a-z0-9_]``
once lowered, and ``split()`` + ``" ".join`` is collapsing runs of non-word characters
into one space and trimming it. The SHA-256 is DuckDB's. Every other text (accents,
other scripts, tabs) goes through ``text_hash`` itself, once per distinct text.
tests/unit/test_column_bulk.py checks both against ``text_hash`` on the fuzz's texts.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cibgraph.loaders.fingerprints import text_hash

_PRINTABLE = r"^[\x20-\x7e]*$"
_URLS = r"https?://[^ ]+"
_NON_WORD = r"[^a-z0-9_]+"
_MIN_WORDS = 4  # text_hash: fewer words are no evidence of copying


_DUCK: list[duckdb.DuckDBPyConnection] = []  # one in-memory connection per process


def _sha256_prefixes(texts: pa.Array) -> pa.Array:
    if not _DUCK:
        connection = duckdb.connect()
        connection.execute("SET threads = 1")  # the loader's other work keeps a core busy
        _DUCK.append(connection)
    cursor = _DUCK[0].cursor()  # a cursor per call: safe should two loads share a process
    try:
        cursor.register("texts", pa.table({"t": texts}))
        relation = cursor.sql("SELECT substr(sha256(t), 1, 32) AS h FROM texts")
        assert relation is not None  # a SELECT always has a result
        result = relation.to_arrow_table()
    finally:
        cursor.close()
    return result.column("h").combine_chunks().cast(pa.string())


def _by_python(texts: pa.Array) -> pa.Array:
    encoded = pc.dictionary_encode(texts)
    digests = [text_hash(text) for text in encoded.dictionary.to_pylist()]
    return pc.take(pa.array(digests, pa.string()), encoded.indices)


def text_hashes(texts: pa.Array) -> pa.Array:
    """``text_hash`` of each text (null stays null)."""
    if len(texts) == 0:
        return pa.array([], pa.string())
    printable = pc.fill_null(pc.match_substring_regex(texts, _PRINTABLE), False)
    folded = pc.ascii_lower(pc.if_else(printable, texts, pa.scalar(None, pa.string())))
    folded = pc.replace_substring_regex(folded, _URLS, " ")
    folded = pc.replace_substring_regex(folded, _NON_WORD, " ")
    folded = pc.utf8_trim(folded, " ")
    words = pc.add(pc.count_substring(folded, " "), 1)
    enough = pc.and_(pc.invert(pc.equal(folded, "")), pc.greater_equal(words, _MIN_WORDS))
    enough = pc.fill_null(enough, False)
    hashed = _sha256_prefixes(pc.if_else(enough, folded, pa.scalar(None, pa.string())))
    others = pc.and_(pc.invert(printable), pc.is_valid(texts))
    if pc.any(others).as_py():
        rest = _by_python(pc.if_else(others, texts, pa.scalar(None, pa.string())))
        hashed = pc.if_else(others, rest, hashed)
    return hashed

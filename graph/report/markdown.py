"""The report as Markdown, with its PNGs beside it (``![caption](network-0001.png)``).

Markdown renderers pass raw HTML through and turn bare URLs into links, and names are
attacker-controlled, so every piece of text is escaped: Markdown punctuation gets a
backslash, ``<``, ``>`` and ``&`` become entities, and table cells also escape ``|``
and flatten newlines. The ``://`` of a URL in the evidence gets an escaped colon, which
stops the common autolinkers: the report shows links, it does not make them clickable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cibgraph.core.display import mark_bidi
from cibgraph.graph.report.document import Block, Code, Heading, Image, Paragraph, Table

# Characters that make inline markup (emphasis, code, links, raw HTML, tables, strikethrough).
_INLINE = re.compile(r"([\\`*_{}\[\]<>&|~])")
# What makes a block when it starts a line: headings, lists, quotes, setext underlines.
_BLOCK_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def md_escape(text: str) -> str:
    """Text that renders literally in Markdown: no markup, no raw HTML, no new blocks.

    Whitespace (newlines included) is flattened so data can never start a block of its
    own; then inline punctuation gets a backslash, and so does a block marker at the start.
    """
    # Bidi controls become visible markers first: they could reorder what a name shows.
    text = _INLINE.sub(r"\\\1", " ".join(mark_bidi(text).split()))
    match = _BLOCK_START.match(text)
    if match:
        marker = match.group(1)
        text = marker[:-1] + "\\" + marker[-1] + text[len(marker) :]
    # A scheme's ':' or a leading "www." is what autolinkers look for; escaping it stops them.
    return text.replace("://", "\\://").replace("www.", "www\\.")


def _cell(text: str) -> str:
    return md_escape(text) or " "


def _table(block: Table) -> str:
    lines = []
    if block.caption:
        lines.append(f"**{md_escape(block.caption)}**")
        lines.append("")
    header = [_cell(h) for h in block.header]
    lines.append("| " + " | ".join(header) + " |")
    lines.append(
        "| "
        + " | ".join("---:" if i in block.numeric else "---" for i in range(len(header)))
        + " |"
    )
    for row in block.rows:
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)


def _code(block: Code) -> str:
    # A fence longer than any backtick run inside, so data cannot close it early.
    longest = max((len(m) for m in re.findall(r"`+", block.text)), default=0)
    fence = "`" * max(3, longest + 1)
    caption = f"{md_escape(block.caption)}\n\n" if block.caption else ""
    return f"{caption}{fence}\n{mark_bidi(block.text)}\n{fence}"


def render_markdown(blocks: Sequence[Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {md_escape(block.text)}")
        elif isinstance(block, Paragraph):
            parts.append(md_escape(block.text))
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Image):
            # The name comes from the report's fixed pattern; the caption is escaped.
            parts.append(f"![{md_escape(block.caption)}]({block.name})")
            parts.append(f"*{md_escape(block.caption)}*")
        else:
            parts.append(_code(block))
    return "\n\n".join(parts) + "\n"

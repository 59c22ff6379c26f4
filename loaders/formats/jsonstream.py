"""Reading one large JSON document piece by piece, with memory bounded by one piece.

Telegram Desktop's ``result.json`` is one document (a chat, or every chat of an
account), not lines. This reader walks its containers and decodes each element of
an array on its own, so a channel of a million messages is never held at once. The
export is pretty-printed: elements whose closing brace stands on a line of its own,
indented as the opening one, are cut there a run at a time and read by orjson (where it
reads them as json would: ``sources.orjson_agrees``); every other element, and a run
orjson refuses, by the standard library's C decoder, which finds each end itself.
An element that does not decode (broken syntax, nesting deeper than the decoder's
recursion limit, a 5,000-digit number) is skipped by a bracket scan and handed back
with its problem, so one bad message is rejected and the rest of the file is read;
only a document that ends early, or whose outer structure is not what was expected,
stops the file.
"""

from __future__ import annotations

import json
import re
from typing import IO, Any

import orjson

from cibgraph.loaders.sources import FileProblem, orjson_agrees

CHUNK = 1 << 20
# Read on before decoding when less than this is left: a value cut by the buffer's end
# fails to decode, and the decoder's error counts the lines of the whole buffer first.
AHEAD = 1 << 16
RUN = 256  # pretty-printed elements cut and decoded together at most
# One message larger than this is not a message: the file is refused, not the memory.
MAX_ELEMENT = 64 << 20
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\r\n]*")
_BLANK = " \t\r\n"
# Strings as whole tokens (escapes included), a lone quote (a string not ended yet),
# brackets and commas: enough to find where a value ends without decoding it.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|"|[\[\]{},]')


class Problem:
    """An element that could not be decoded: its text and why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class JsonStream:
    def __init__(self, text: IO[str], name: str) -> None:
        self.text = text
        self.name = name
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.consumed = 0  # characters dropped from the front of buf
        # Where (in characters from the document's start) a run orjson refused ends:
        # the elements before it are json's.
        self.slow_until = 0

    # buffer -------------------------------------------------------------------------

    def _fill(self) -> bool:
        if self.eof:
            return False
        if self.pos > CHUNK:
            self.consumed += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        chunk = self.text.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _read_ahead(self) -> None:
        """Reads on when fewer than ``AHEAD`` characters are left past the cursor."""
        if not self.eof and len(self.buf) - self.pos < AHEAD:
            self._fill()

    def _fail(self, what: str) -> FileProblem:
        return FileProblem(
            f"{self.name}: {what} at character {self.consumed + self.pos:,}; "
            "the rest of the file was not read"
        )

    def peek(self) -> str:
        """The next character that is not white space ('' at the end of the document)."""
        if self.pos < len(self.buf) and self.buf[self.pos] not in _BLANK:
            return self.buf[self.pos]  # the common case, with no regular expression
        while True:
            match = _SPACE.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise self._fail(f"expected {char!r}, found {shown}")
        self.pos += 1

    # values ---------------------------------------------------------------------------

    def _scan_end(self, start: int) -> int | None:
        """Where the value at ``start`` ends, or None when the buffer ends first."""
        depth = 0
        for match in _TOKENS.finditer(self.buf, start):
            char = match.group()[0]
            if char == '"':
                if len(match.group()) == 1:
                    return None  # a string that has not ended in the buffer
            elif char in "[{":
                depth += 1
            elif char in "]}":
                if depth == 0:
                    return match.start()
                depth -= 1
                if depth == 0:
                    return match.end()
            elif depth == 0:  # a comma between elements
                return match.start()
        return None

    def _pretty_run(self) -> list[tuple[Any, str, None]] | None:
        """The pretty-printed objects from the cursor on, each ``(value, text, None)``,
        or None. A cut is sure: a newline cannot stand inside a JSON string, and orjson
        reads each text whole as one value or refuses it."""
        if self.peek() != "{":
            return None
        self._read_ahead()
        buf, start = self.buf, self.pos
        if self.consumed + start < self.slow_until:
            return None
        line = buf.rfind("\n", 0, start) + 1
        indent = buf[line:start]
        if line == 0 or indent.strip(" \t"):
            return None  # not on a line of its own: compact JSON
        closer, joint = "\n" + indent + "}", ",\n" + indent + "{"
        texts: list[str] = []
        at = end = start
        while len(texts) < RUN:
            found = buf.find(closer, at)
            if found < 0:
                break  # past the buffer: the decoder reads on
            end = found + len(closer)
            texts.append(buf[at:end])
            if not buf.startswith(joint, end):
                break
            at = end + len(joint) - 1
        if not texts:
            return None
        try:
            if orjson_agrees(buf[start:end].encode("utf-8")):
                run = [(orjson.loads(text), text, None) for text in texts]
                self.pos = end
                return run
        except ValueError:  # orjson.JSONDecodeError, UnicodeEncodeError (a lone surrogate)
            pass
        self.slow_until = self.consumed + end
        return None

    def value(self) -> tuple[Any, str, Problem | None]:
        """Decode the value at the cursor: (value, its text, None) or (None, text, problem)."""
        if not self.peek():
            raise self._fail("the document ended early")
        self._read_ahead()
        start = self.pos
        while True:
            problem: Problem | None = None
            try:
                value, end = _DECODER.raw_decode(self.buf, start)
            except json.JSONDecodeError as exc:
                problem, value, end = Problem(f"invalid JSON: {exc.msg}"), None, -1
            except RecursionError:
                problem, value, end = Problem("nested too deeply"), None, -1
            except ValueError as exc:  # a number past the int conversion limit
                problem, value, end = Problem(f"unreadable value: {exc}"[:120]), None, -1
            if problem is None and (end < len(self.buf) or self.eof):
                break
            if problem is not None:
                scanned = self._scan_end(start)
                if scanned is not None and (scanned < len(self.buf) or self.eof):
                    end = scanned
                    break
            # The value may go on past the buffer (a number at its very end, too).
            if len(self.buf) - start > MAX_ELEMENT:
                raise self._fail(f"one value larger than {MAX_ELEMENT >> 20} MB")
            if not self._fill():
                if problem is None:
                    break
                raise self._fail("the document ended inside a value")
            start = self.pos  # _fill may have moved the buffer
        text = self.buf[start:end]
        self.pos = end
        if problem is None and end <= start:
            problem = Problem("empty value")
        return value, text, problem

    def key(self) -> str:
        if self.peek() != '"':
            raise self._fail("expected an object key")
        value, _, problem = self.value()
        if problem is not None or not isinstance(value, str):
            raise self._fail("unreadable object key")
        self.expect(":")
        return value

    def members(self) -> Any:
        """Iterate an object's keys; the caller reads or skips each value."""
        self.expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            yield self.key()
            following = self.peek()
            if following == ",":
                self.pos += 1
                continue
            if following == "}":
                self.pos += 1
                return
            raise self._fail("expected ',' or '}' in an object")

    def elements(self) -> Any:
        """Iterate an array's elements as (value, text, problem), one at a time."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            run = self._pretty_run()
            if run is None:
                yield self.value()
            else:
                yield from run
            following = self.peek()
            if following == ",":
                self.pos += 1
                continue
            if following == "]":
                self.pos += 1
                return
            raise self._fail("expected ',' or ']' in an array")

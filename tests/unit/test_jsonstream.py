"""The streaming JSON reader's two ways through an array (loaders/formats/jsonstream.py):
pretty-printed elements cut a run at a time and read by orjson, everything else by the
standard library's decoder one element at a time. Whatever the layout, the elements,
their texts and their problems are the decoder's own."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest

from cibgraph.loaders.formats import jsonstream
from cibgraph.loaders.formats.jsonstream import JsonStream


def _pretty(value: Any) -> str:
    """An element as Telegram Desktop writes one: one space a level, two for an element."""
    return "\n".join("  " + line for line in json.dumps(value, indent=1).split("\n"))


def _document(elements: list[str]) -> str:
    return '{\n "name": "C",\n "messages": [\n' + ",\n".join(elements) + "\n ]\n}\n"


# Texts orjson refuses or reads otherwise, written in the export's layout: each must be
# the decoder's, and the clean elements around them still read in runs.
AWKWARD = [
    '  {\n   "id": 2,\n   "big": 123456789012345678901234\n  }',  # past 64 bits
    '  {\n   "id": 3,\n   "neg": -1234567890123456789\n  }',  # 19 digits, negative
    '  {\n   "id": 4,\n   "x": NaN,\n   "y": Infinity\n  }',
    '  {\n   "id": 5,\n   "text": "lone \\ud800 escape"\n  }',
    '  {\n   "id": 6,\n   "text": tru\n  }',  # broken
    '  {\n   "id": 7,\n   "deep": ' + "[" * 3000 + "]" * 3000 + "\n  }",
    '  {\n   "id": 9,\n   "inner": {\n  },\n   "b": 1\n  }',  # misindented: cut wrongly
    '  "a string"',
    '  {"id": 10, "compact": true}',
]


# orjson reads these as json does: they stay in their run.
ALIKE = [
    '  {\n   "id": 8,\n   "a": 1,\n   "a": 2\n  }',  # a repeated key: the last wins
    '  {\n   "id": 11,\n   "n": -0,\n   "f": -0.0,\n   "e": 1e-7,\n'
    '   "id19": 1234567890123456789\n  }',
]


def _elements(text: str, **patch: int) -> tuple[list[tuple[str, str, str | None]], int]:
    """(value as repr, text, problem) of every message, and how many the decoder read."""
    decoded = [0]
    real = jsonstream._DECODER

    class Counting:
        def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
            decoded[0] += 1
            return real.raw_decode(s, idx)

    out = []
    with pytest.MonkeyPatch.context() as mp:
        for name, value in patch.items():
            mp.setattr(jsonstream, name, value)
        mp.setattr(jsonstream, "_DECODER", Counting())
        stream = JsonStream(io.StringIO(text), "result.json")
        for key in stream.members():
            if key != "messages":
                stream.value()
                continue
            for value, shown, problem in stream.elements():
                out.append((_shown(value), shown, None if problem is None else problem.reason))
    return out, decoded[0]


def _shown(value: Any) -> str:
    # repr tells 10**23 from 1e23 and -0.0 from 0; NaN is not equal to itself.
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return repr(value)


def _clean(i: int) -> str:
    return _pretty(
        {
            "id": i,
            "type": "message",
            "date_unixtime": str(1_704_110_400 + i),
            "text": [f"Привет नमस्ते {i} ", {"type": "hashtag", "text": "#Resign"}],
            "text_entities": [{"type": "plain", "text": f"x{i}"}],
        }
    )


def test_clean_pretty_messages_are_read_in_runs_as_the_decoder_reads_them() -> None:
    text = _document([_clean(i) for i in range(600)])
    fast, decoded = _elements(text)
    slow, decoded_slow = _elements(text, RUN=0)
    assert fast == slow and len(fast) == 600
    # Only the keys and the chat's name are the decoder's: every message is orjson's.
    assert decoded_slow - decoded == 600 and decoded == 3
    assert json.loads(fast[0][1]) == json.loads(_clean(0))  # its text is the element's


@pytest.mark.parametrize("position", [0, 1, 299, 599])
def test_an_awkward_element_anywhere_gives_the_decoders_values_and_problems(
    position: int,
) -> None:
    for awkward in AWKWARD:
        elements = [_clean(i) for i in range(600)]
        elements.insert(position, awkward)
        text = _document(elements)
        fast, decoded = _elements(text)
        slow, _ = _elements(text, RUN=0)
        assert fast == slow, awkward[:40]
        # The run holding the awkward element is the decoder's, and only that run.
        assert 3 < decoded <= 3 + 2 * jsonstream.RUN, awkward[:40]
    for alike in ALIKE:
        elements = [_clean(i) for i in range(600)]
        elements.insert(position, alike)
        fast, decoded = _elements(_document(elements))
        assert fast == _elements(_document(elements), RUN=0)[0] and decoded == 3
    problems = [p for _, _, p in _elements(_document(AWKWARD))[0] if p]
    assert any(p.startswith("invalid JSON") for p in problems)
    assert "nested too deeply" in problems


def test_runs_across_buffer_refills_are_the_decoders() -> None:
    elements = [_clean(i) for i in range(400)]
    elements[123] = AWKWARD[0]
    text = _document(elements)
    # Small buffers: runs end at the buffer's end and elements straddle refills.
    fast, decoded = _elements(text, CHUNK=3000, AHEAD=700, RUN=16)
    slow, _ = _elements(text, CHUNK=3000, AHEAD=700, RUN=0)
    reference, _ = _elements(text, RUN=0)
    assert fast == slow == reference and len(fast) == 400
    assert decoded < 100  # most still in runs

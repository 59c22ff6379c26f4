"""A news syndicate disclosed only through Page Transparency: the case that once came
out first, score 1.00, "concealed operators", flagged (issue 15).

Twenty-five pages carry the same syndicated stories within minutes. Each page states
its owner in the platform's Page Transparency panel (``source`` = ``page
transparency``, confidence 1.0, evidence "disclosed owner", no ``disclosed`` column);
its admins are the syndicate's own staff, known from a staff list, and say nothing on
their own profiles. The pages are disclosed by their source, and the staff are
disclosed through the pages they run (graph/detect/disclosure.py): none of it is CIB.
"""

from __future__ import annotations

from collections.abc import Iterator

from cibgraph.scenario.decoys import MediaGroup
from cibgraph.scenario.ids import account_id, page_id
from cibgraph.scenario.model import Row
from cibgraph.scenario.money import confidence


class Syndicate(MediaGroup):
    prefix = "syndicate"
    first_name = "Harbourline News Syndicate"
    first_size = (25, 3)

    def affiliations(self) -> Iterator[Row]:
        for number in self.pages:
            yield (
                page_id(number),
                "page",
                self.org_id,
                "page transparency",
                confidence(1.0),
                "disclosed owner",
                "",
            )
        for person in self.people:
            yield (
                account_id(person.number),
                "account",
                self.org_id,
                "staff list",
                confidence(0.9),
                f"Listed as an editor on {self.org_name}'s staff page",
                "",
            )

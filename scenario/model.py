"""The shapes every part of the scenario shares: rows, posts, groups, posters."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from cibgraph.scenario.identifiers import IdentifierValues
from cibgraph.scenario.ids import AdIds, PostIds
from cibgraph.scenario.text import HandleRegistry, slug

Row = tuple[str, ...]
# (created_at as epoch seconds, the posts.csv row): groups yield posts in time order
# so every group's stream can be merged into one time-ordered file.
Post = tuple[int, Row]


@dataclass
class Shared:
    """Allocators every group draws from, so ids and values stay unique overall."""

    post_ids: PostIds
    ad_ids: AdIds
    identifier_values: IdentifierValues
    handles: HandleRegistry = field(default_factory=HandleRegistry)
    org_ids: set[str] = field(default_factory=set)

    def org_id(self, name: str) -> str:
        """``org_<slug>`` for a name, suffixed when two organisations share a name."""
        base = "org_" + "_".join(slug(name).split("-"))
        candidate, n = base, 1
        while candidate in self.org_ids:
            n += 1
            candidate = f"{base}_{n}"
        self.org_ids.add(candidate)
        return candidate


class Group:
    """One part of the scenario: the organic crowd, a planted network or a decoy.

    A group says how many accounts and pages it needs; the roster then hands it their
    numbers (``bind``), interleaved with everyone else's. Rows come out per file.
    """

    name: str = ""
    label: str = ""  # truth.csv network_label; empty for organic actors and decoys
    kind: str = "organic"  # organic | planted | decoy

    def __init__(self, shared: Shared, accounts_needed: int, pages_needed: int) -> None:
        self.shared = shared
        self.accounts_needed = accounts_needed
        self.pages_needed = pages_needed
        self.accounts: array[int] = array("q")
        self.pages: array[int] = array("q")

    def bind(self, accounts: array[int], pages: array[int]) -> None:
        self.accounts = accounts
        self.pages = pages

    def organizations(self) -> Iterator[Row]:
        return iter(())

    def account_row(self, position: int) -> Row:
        raise NotImplementedError

    def page_row(self, position: int) -> Row:
        raise NotImplementedError

    def page_admins(self) -> Iterator[Row]:
        return iter(())

    def affiliations(self) -> Iterator[Row]:
        return iter(())

    def ads(self) -> Iterator[Row]:
        return iter(())

    def identifiers(self) -> Iterator[Row]:
        return iter(())

    def add_posters(self, population: PostingPopulation) -> None:
        """Enter this group's actors into the everyday (background) posting crowd."""

    def posts(self) -> Iterator[Post]:
        """This group's own posts (campaigns, schedules), in time order."""
        return iter(())

    def expected_posts(self) -> int:
        """Roughly how many rows ``posts`` will give, for progress bars only."""
        return 0


class PostingPopulation:
    """Who posts everyday content, how often, and since when.

    Compact arrays rather than objects: at scale 100 this holds a million accounts.
    """

    def __init__(self) -> None:
        self.account_numbers: array[int] = array("q")
        self.account_created: array[int] = array("q")
        self._account_weights: array[float] = array("d")
        self.page_numbers: array[int] = array("q")
        self.page_created: array[int] = array("q")
        self._page_weights: array[float] = array("d")
        self.account_cumulative: array[float] = array("d")
        self.page_cumulative: array[float] = array("d")

    def add_account(self, number: int, created: int, weight: float) -> None:
        self.account_numbers.append(number)
        self.account_created.append(created)
        self._account_weights.append(weight)

    def add_page(self, number: int, created: int, weight: float) -> None:
        self.page_numbers.append(number)
        self.page_created.append(created)
        self._page_weights.append(weight)

    def freeze(self) -> None:
        """Turn weights into cumulative sums for ``bisect`` sampling."""
        self.account_cumulative = array("d", accumulate(self._account_weights))
        self.page_cumulative = array("d", accumulate(self._page_weights))
        self._account_weights = array("d")
        self._page_weights = array("d")

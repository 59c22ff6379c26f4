"""Behavioural cues: what members' own posts say, with no account metadata at all.

Behaviour-only data (CooRTweet's shares tables, the German and Russian sets) carries
who shared what and when, nothing about the accounts. These cues read only that, so
a network of such data still gets measured evidence, each cue with its numbers:

- ``near_simultaneous``: of the member shares that follow another member's share of
  the same object within the window, the share that come within ``FAST_SECONDS`` of
  the object's first share in the network. Reacting in seconds, again and again, is
  the mark of automation or of a command channel (Luceri et al. 2024, "fast
  retweets"; Pacheco et al. 2021, co-retweets within seconds).
- ``coordinated_posts``: the mean, over members, of the share of their posts that
  another member co-shared within the day. Ordinary people mix coordination with
  their own lives; assets of an operation mostly push (Meta's Online Operations
  Kill Chain: "amplification" assets with little organic activity).
- ``shared_rhythm``: how far the members' pooled time-of-day profile departs from
  everyone's (total variation distance, UTC hours). Operations run on shifts and
  schedules (Pacheco et al. 2021, synchronised activity; the Kill Chain's
  "operational security" notes on working hours). Measured only from
  ``MIN_RHYTHM_POSTS`` posts on; below that the profile is noise, and the cue is
  unknown.
- ``many_sources``: 1 - the share of the co-shared links and reshares that come from
  the network's single most common source (a link's site; a reshared post's author).
  CooRnet reports each component's top domains because the most common coordinated
  link sharers on Facebook were the pages of one outlet pushing its own site
  (Giglietto et al. 2020, Italian elections), and fans reshare their one idol; a
  campaign pushes many sites and many openers in concert. Unknown below
  ``MIN_SOURCED_OBJECTS`` objects with a known source (anonymised URLs without a
  domain, reshares of posts not in the data).

A cue that cannot be measured (no co-shared object, too few posts) is ``None``:
unknown, never 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cibgraph.core.batches import chunked
from cibgraph.core.runner import QueryRunner

FAST_SECONDS = 10
COORDINATED_WITHIN = 86_400
MIN_RHYTHM_POSTS = 200
MIN_SOURCED_OBJECTS = 5
HOURS = 24

MEMBER_POSTS = """
UNWIND $keys AS key
MATCH (a:Actor {key: key})
RETURN key,
       [(a)-[:POSTED]->(p:Post) | p.created_at.epochSeconds] AS times,
       [(a)-[:POSTED]->(p:Post)-[:LINKS_TO]->(u:Url)
        | [p.id, p.created_at.epochSeconds, 'url:' + u.url, p.domain]]
       + [(a)-[:POSTED]->(p:Post)-[:SHARES]->(o:Post)
          | [p.id, p.created_at.epochSeconds, 'post:' + o.id,
             head([(o)<-[:POSTED]-(author:Actor) | author.key])]]
       + [(a)-[:POSTED]->(p:Post) WHERE p.text_hash IS NOT NULL
          | [p.id, p.created_at.epochSeconds, 'text:' + p.text_hash, null]] AS shares
"""

# Everyone's posts by UTC hour: the background the network's rhythm is compared with.
ALL_HOURS = """
MATCH (p:Post)
RETURN p.created_at.hour AS hour, count(*) AS posts
"""


@dataclass(frozen=True)
class MemberPosts:
    key: str
    times: tuple[int, ...]
    shares: tuple[tuple[str, int, str], ...]  # (post id, epoch seconds, object)
    # object -> its source: a link's site, a reshared post's author (when known).
    sources: dict[str, str] = field(default_factory=dict)


def source_of(obj: str, hint: object) -> str | None:
    """A link's site (the loaded domain, else the URL's host without www.), a reshared
    post's author key; None for texts and unknown sources."""
    if hint:
        return str(hint).lower()
    if obj.startswith("url:http"):
        host = urlsplit(obj[4:]).hostname or ""
        return host.removeprefix("www.") or None
    return None


@dataclass(frozen=True)
class Behaviour:
    """The behavioural cues of one network (None = unknown) and their evidence."""

    near_simultaneous: float | None
    coordinated_posts: float | None
    shared_rhythm: float | None
    many_sources: float | None
    follows: int  # member shares following another member's within the window
    fast_follows: int  # ... of them within FAST_SECONDS of the first
    posts: int
    coordinated: int  # member posts another member co-shared within the day
    peak_hours: tuple[int, ...]  # the network's busiest UTC hours, busiest first
    sourced_objects: int = 0  # co-shared objects with a known source
    top_source: str | None = None
    top_source_share: float | None = None

    def cues(self) -> dict[str, float | None]:
        return {
            "near_simultaneous": self.near_simultaneous,
            "coordinated_posts": self.coordinated_posts,
            "shared_rhythm": self.shared_rhythm,
            "many_sources": self.many_sources,
        }

    def evidence(self) -> dict[str, object]:
        return {
            "follows": self.follows,
            "fast_follows": self.fast_follows,
            "fast_seconds": FAST_SECONDS,
            "posts": self.posts,
            "coordinated_posts": self.coordinated,
            "peak_hours_utc": list(self.peak_hours),
            "sourced_objects": self.sourced_objects,
            "top_source": self.top_source,
            "top_source_share": self.top_source_share,
        }


def member_posts(
    runner: QueryRunner, keys: Iterable[str], batch_size: int = 2000
) -> dict[str, MemberPosts]:
    posts: dict[str, MemberPosts] = {}
    for batch in chunked(sorted(set(keys)), batch_size):
        for row in runner.read(MEMBER_POSTS, {"keys": batch}):
            shares = [s for s in row["shares"] if s[1] is not None]
            sources = {}
            for share in shares:
                source = source_of(str(share[2]), share[3] if len(share) > 3 else None)
                if source is not None:
                    sources[str(share[2])] = source
            posts[row["key"]] = MemberPosts(
                row["key"],
                tuple(int(t) for t in row["times"] if t is not None),
                tuple((str(s[0]), int(s[1]), str(s[2])) for s in shares),
                sources,
            )
    return posts


def background_hours(runner: QueryRunner) -> list[float]:
    counts = [0.0] * HOURS
    for row in runner.read(ALL_HOURS):
        if row["hour"] is not None:
            counts[int(row["hour"])] += float(row["posts"])
    return _normalised(counts)


def _normalised(counts: Sequence[float]) -> list[float]:
    total = sum(counts)
    return [c / total for c in counts] if total else [0.0] * len(counts)


def _hour(epoch_seconds: int) -> int:
    return (epoch_seconds // 3600) % HOURS


def behaviour(
    members: Sequence[str],
    posts: Mapping[str, MemberPosts],
    window: int,
    background: Sequence[float],
) -> Behaviour:
    """The behavioural cues of the network ``members`` from their posts."""
    by_object: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    sources: dict[str, str] = {}
    for key in members:
        mine = posts.get(key)
        if mine is None:
            continue
        sources.update(mine.sources)
        for post_id, at, obj in mine.shares:
            by_object[obj].append((at, key, post_id))
    follows = fast = 0
    coordinated: set[tuple[str, str]] = set()
    per_source: Counter[str] = Counter()
    for obj, shares in by_object.items():
        if len({key for _, key, _ in shares}) < 2:
            continue
        if obj in sources:
            per_source[sources[obj]] += 1
        shares.sort()
        first_at, first_key, _ = shares[0]
        for i, (at, key, post_id) in enumerate(shares):
            # Co-shared within the day by another member, before or after.
            if any(
                abs(other_at - at) <= COORDINATED_WITHIN and other_key != key
                for other_at, other_key, _ in shares[max(0, i - 50) : i + 50]
            ):
                coordinated.add((key, post_id))
            if i == 0 or key == first_key:
                continue
            gap = at - first_at
            if gap <= window:
                follows += 1
                fast += gap <= FAST_SECONDS
    per_member: list[float] = []
    hours = [0.0] * HOURS
    total_posts = 0
    own: dict[str, int] = defaultdict(int)
    for key, _ in coordinated:
        own[key] += 1
    for key in members:
        times = posts[key].times if key in posts else ()
        if not times:
            continue
        total_posts += len(times)
        per_member.append(min(1.0, own[key] / len(times)))
        for t in times:
            hours[_hour(t)] += 1
    rhythm = None
    if total_posts >= MIN_RHYTHM_POSTS and any(background):
        profile = _normalised(hours)
        rhythm = 0.5 * sum(abs(a - b) for a, b in zip(profile, background, strict=True))
    peaks = tuple(sorted(range(HOURS), key=lambda h: (-hours[h], h))[:3]) if total_posts else ()
    sourced = sum(per_source.values())
    top = min(per_source.items(), key=lambda item: (-item[1], item[0])) if per_source else None
    top_share = top[1] / sourced if top and sourced >= MIN_SOURCED_OBJECTS else None
    return Behaviour(
        near_simultaneous=round(fast / follows, 4) if follows else None,
        coordinated_posts=round(sum(per_member) / len(per_member), 4) if per_member else None,
        shared_rhythm=None if rhythm is None else round(rhythm, 4),
        many_sources=None if top_share is None else round(1.0 - top_share, 4),
        follows=follows,
        fast_follows=fast,
        posts=total_posts,
        coordinated=len(coordinated),
        peak_hours=peaks,
        sourced_objects=sourced,
        top_source=top[0] if top and top_share is not None else None,
        top_source_share=None if top_share is None else round(top_share, 4),
    )

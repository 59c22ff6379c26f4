"""Paraphrased templates: one message, each copy with its own words and emoji.

What copypasta operators do so that no two copies are identical (exact-text matching
never meets them) while most of the words stay the same: a template's ``[a|b|c]``
slots are chosen anew for every copy and one to three emoji are dropped between the
words. Near-duplicate clustering (graph/pairs/text_clusters.py) still puts the copies
in one cluster. The authentic look-alike (``GREETINGS``, a festival's greetings that
hundreds of people send at midnight) is written the same way.
"""

from __future__ import annotations

import random
import re

from cibgraph.scenario import names as n

# Operators' templates, in three parts: a campaign's message is one opening, one claim
# and one call to action, so campaigns rarely share more than one part (a cluster is one
# campaign, not every campaign of a network). ``{slot}`` is filled once per campaign
# (the same in every copy), ``[a|b|c]`` once per copy.
OPENINGS: tuple[str, ...] = (
    "[Wake up|Open your eyes|Listen] {city}!",
    "[Proud|Happy|Blessed] to see {leader} [working|fighting|standing] for {topic} in {city}.",
    "[Big|Huge|Historic] day for {city}, [finally|at last|today] {topic} gets the attention it "
    "[deserves|needs].",
    "[Shameful|Disgusting|Unbelievable] what is happening with {topic} in {city}.",
    "[Every|Each] [citizen|voter|family] of {city} [must|should|needs to] read this about {topic}.",
    "[Nobody|No one|Not one channel] will show you [this|the truth] about {topic} in {city}.",
)
CLAIMS: tuple[str, ...] = (
    "[Only|Nobody but|Just] {leader} [can|will|is able to] bring [jobs|work|employment] here, "
    "the [others|rest|opposition] have [failed|cheated|betrayed] us for [years|decades].",
    "The [media|press|channels] is [hiding|burying|ignoring] the [truth|facts|reality] and "
    "[nobody|no one] is asking [questions|why].",
    "[They|The old parties|Those people] [looted|stole|wasted] the money meant for {topic} and "
    "now they [want|ask for|beg for] your vote [again|once more].",
    "In five years {leader} [did|delivered|achieved] more for {topic} than [anyone|they] did in "
    "[fifty|seventy] years.",
    "The [opposition|other side|old guard] [lied|made promises|fooled us] about {topic} "
    "[every time|again and again|for decades].",
    "[Our|This] [movement|wave|support] for {leader} is [growing|unstoppable|everywhere] and "
    "they are [scared|afraid|panicking].",
)
CALLS: tuple[str, ...] = (
    "[Vote|Stand|Choose] for change this time and tell your [family|friends|neighbours].",
    "[Share|Forward|Spread] this before it is [deleted|removed|taken down].",
    "Do not [forget|forgive|let them fool you] on polling day.",
    "[Send|Pass|Forward] this to [ten|twenty|all your] [people|friends|groups] today.",
    "Remember this when you [vote|go to the booth|cast your vote].",
    "[Join|Support|Stand with] us and [spread|share] the [word|message|truth].",
)


def template(rng: random.Random) -> str:
    """A campaign's template: one opening, one claim, one call to action."""
    return " ".join((rng.choice(OPENINGS), rng.choice(CLAIMS), rng.choice(CALLS)))


# Authentic greetings (scenario/lookalikes.py): the same construction, sent by
# unrelated people to their own friends.
GREETINGS: tuple[str, ...] = (
    "[Wishing|Sending] you and your [family|loved ones|dear ones] a very [happy|joyful|blessed] "
    "{festival}, may this [festival|day|season] bring [peace|happiness|joy] and [prosperity|"
    "success|good health] to your home",
    "[Happy|Warm wishes on] {festival} to [all my friends|everyone|all of you]! May the "
    "[light|spirit|blessings] of this [day|festival] fill your [life|home|heart] with [love|"
    "joy|happiness] and [laughter|peace|hope]",
)

EMOJI: tuple[str, ...] = ("🙏", "🇮🇳", "🔥", "💯", "👉", "✅", "❤️", "😡", "👏", "🪔", "✨", "🎉")

_CHOICE = re.compile(r"\[([^\]]+)\]")


def fix(rng: random.Random, template: str) -> str:
    """The campaign's fixed slots filled (``{leader}``, ``{city}``, ``{topic}``, ...)."""
    values = {
        "leader": rng.choice(n.LEADERS),
        "city": rng.choice(n.CITIES),
        "topic": rng.choice(n.TOPICS),
        "festival": rng.choice(n.FESTIVALS),
    }
    return template.format(**values)


def paraphrase(rng: random.Random, fixed: str) -> str:
    """One copy of ``fixed``: every ``[a|b|c]`` chosen, one to three emoji inserted."""
    words = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), fixed).split(" ")
    for _ in range(rng.randint(1, 3)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(EMOJI))
    return " ".join(words)

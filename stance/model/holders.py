"""Who holds each stance cue of a sentence: the reading the actor view and the cue rules share.

A cue is held by the agent after "by", else an actor right before it ("Pyongyang has
denied", "U.S. threats"), else the reported speaker ("..., X said"), else the first actor of
its clause; cues nobody holds are the writer's (AUTHOR). Around that:

- a place in a leading dateline ("SEOUL, Dec 20 (Reuters) - ") holds nothing;
- a negated cue ("did not blame") is held by nobody;
- an accusation that is the object of a denial ("rejected the accusation") is not the
  denier's; one that is someone's ("the White House's charge") stays theirs;
- a refusal to comment makes its holder `silent`;
- coordinated subjects ("London and Washington have ...") hold what either holds;
- the owner of a finding ("Washington's finding", "the U.S. decision to blame") holds an
  accusation, whoever backs or doubts it.

Only the standard library: `stance predict TEXT` runs this for every sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from stance.model.lexicon import LEXICON, OPPOSE, STANCE_CUES, SUPPORT

_POLARITY = {c: LEXICON[c][0] for c in STANCE_CUES}
_AGENT = re.compile(r"\s+(?:made\s+|issued\s+|levelled\s+)?by\s+(?:the\s+)?")
# What may stand between an actor and the cue it holds: a possessive and auxiliaries
# ("Washington's assessment", "Pyongyang has again denied"); an opening quote may not (the cue
# is then quoted speech, held by whoever speaks it).
# Adverbs too ("have formally pinned", "publicly blamed").
_GAP = re.compile(
    r"(?:['’]s)?(?:\s+(?:has|have|had|was|were|is|are|also|again|\w+ly|on\s+\w+day))*\s*$"
)
# "Washington's finding", "the U.S. decision to blame", "American evidence": the actor whose
# finding it is makes the accusation, whoever reports, backs or rejects it (the guidelines:
# "failed to offer proof of its claims" -> the claimant supports).
_OWN_FINDING = re.compile(
    r"(?:['’]s)?\s+(?:[\w-]+\s+)?(?:findings?|assessments?|determination|judg(?:e)?ments?|"
    r"verdict|evidence|case against|decision to (?:blame|accuse|attribute|name|sanction|"
    r"impose|expel|indict|punish|retaliate))\b",
    re.I,
)
# What joins coordinated actors ("London and Washington", "Britain, Canada and Australia"):
# they hold what either holds as the subject of one verb.
_AND = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)$")
_CLAUSE = ":;—"  # what ends a clause
_CLAUSE_MARK = re.compile(f"[{_CLAUSE}]")
# A wire dateline opening the sentence: "SEOUL, Dec 20 (Reuters) - ", "MOSCOW (AP) — ",
# "PYONGYANG, Dec 21 (KCNA) -- ". A place named there is where the story was filed, never a
# party to the accusation: it holds no cue and speaks for no one.
_DATELINE = re.compile(
    r"\s*[A-Z][A-Z.'’-]{2,}(?: [A-Z][A-Z.'’-]+){0,2}"  # the place, in capitals
    r"(?:,\s*[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,2}){0,2}"  # its region or country
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*(?:\([^)]{1,40}\))?\s*(?:--|-|–|—)\s+"
)
# A stance cue right after a negation ("did not blame", "has never denied", "stopped short of
# accusing") is not taken: the actor is not holding that position in this sentence.
_NEGATED = re.compile(
    r"(?:\bnot(?! only| just| merely)|n't|\bnever|\bno longer|\bstopped short of|"
    r"\brefrained from|\bavoided)"
    r"\s+(?:\w+\s+)?$",
    re.I,
)


class Holding(NamedTuple):
    cat: str  # the stance cue's category (stance.model.lexicon)
    holder: str | None  # the actor holding it; None: the writer
    end: int  # where the cue ends (a target follows within 30 characters)


class Reading(NamedTuple):
    cut: int  # where a leading dateline ends (0: none)
    first: str | None  # the first actor after it
    speakers: set[str]  # actors next to a speech cue ("X said", "said X")
    silent: set[str]  # actors holding a refusal to comment
    holds: list[Holding]


def read_holders(
    text: str, every: list[tuple[int, int, str]], cues: list[tuple[str, int, int]]
) -> Reading:
    """Who holds what in `text`, given its actor mentions (start, end, actor) in text order
    and its cues (category, start, end) in text order."""
    # Mentions in a leading dateline (before `cut`) take no part in who holds what.
    date = _DATELINE.match(text) if text[:1].isupper() or text[:1].isspace() else None
    cut = date.end() if date else 0
    ordered = [m for m in every if m[0] >= cut]
    # The scan's mentions do not overlap and come in text order, so their starts and ends
    # both ascend: "which mentions lie near this cue" is a bisection, not a pass over all
    # of them (a long text without sentence ends is one sentence with many mentions).
    starts = [ms for ms, _, _ in ordered]
    ends = [me for _, me, _ in ordered]
    speakers: set[str] = set()
    speaker = None
    for cat, s, e in cues:
        if cat == "speech":
            near_end = range(bisect_left(ends, s - 40), bisect_right(ends, s))
            near_start = range(bisect_left(starts, e), bisect_right(starts, e + 25))
            for k in sorted({*near_end, *near_start}):
                who = ordered[k][2]
                speakers.add(who)
                speaker = speaker or who
    # Where each clause ends (`_CLAUSE`), ascending.
    clause_ends = _clause_marks(text)
    first = ordered[0][2] if ordered else None
    holds: list[Holding] = []
    silent: set[str] = set()
    denied_to = -(10**9)  # where the last denial or dispute ends ("rejected the| charge")
    partners = _coordinated(text, ordered, cues, clause_ends)
    for cat, s, e in cues:
        silence = cat == "no_comment"
        if cat not in _POLARITY and not silence:
            continue
        if not silence and _negated(text, max(0, s - 30), s):
            continue  # "did not blame": no position held
        holder = None
        agent = _AGENT.match(text, e)
        if agent:
            k = bisect_left(starts, agent.end())
            if k < len(starts) and starts[k] == agent.end():
                holder = ordered[k][2]
        # "X failed to offer proof", "X has not presented evidence" dispute X's claim: X
        # is its target, not its holder.
        failing = cat == "dispute_evidence" and text[s : s + 4].lower().startswith(
            ("fail", "not ", "neve", "n't")
        )
        # "rejected the accusation": an accusation that is the object of a denial is not
        # the denier's; only an explicit holder ("the White House's charge") holds it.
        objected = _POLARITY.get(cat) == SUPPORT and 0 <= s - denied_to <= 25
        if not silence and _POLARITY[cat] == OPPOSE:
            denied_to = e
        if holder is None and not failing:
            # The last actor ending at most 25 characters before the cue.
            k = bisect_right(ends, s) - 1
            if k >= 0 and s - ends[k] <= 25 and _GAP.match(text[ends[k] : s]):
                holder = ordered[k][2]
        if holder is None and speaker is not None and not objected:
            holder = speaker
        if holder is None and not failing and not objected:
            # The first actor of the cue's clause ("Sony hack update: Russia calls ...").
            c = bisect_left(clause_ends, s) - 1
            k = bisect_left(starts, clause_ends[c] + 1 if c >= 0 else 0)
            if k < len(starts) and starts[k] < s:
                holder = ordered[k][2]
        if silence:
            if holder is not None:
                silent.add(holder)
            continue
        holds.append(Holding(cat, holder, e))
        for partner in partners.get(holder, ()) if holder else ():
            holds.append(Holding(cat, partner, e))
    # "Russia's own assessment is that North Korea had nothing to do with it": a finding
    # that a denial or a dispute follows is no accusation.
    opposed = [cs for cat, cs, _ in cues if _POLARITY.get(cat) == OPPOSE]
    for _, me, w in ordered:
        k = bisect_left(opposed, me)
        if _OWN_FINDING.match(text, me) and not (k < len(opposed) and opposed[k] <= me + 100):
            holds.append(Holding("accuse", w, me))
    return Reading(cut, first, speakers, silent, holds)


# A coordination longer than this is an enumeration ("Britain, France, ... and Japan met"),
# not the subject of one verb; it also bounds the work on a text that lists hundreds.
_MAX_COORDINATED = 6


def _clause_marks(text: str) -> list[int]:
    """Where each clause ends, ascending. Most sentences have no mark: three substring tests
    cost less than starting the regex."""
    if ":" in text or ";" in text or "—" in text:  # _CLAUSE spelled out (a loop costs more)
        return [m.start() for m in _CLAUSE_MARK.finditer(text)]
    return []


# The substring tests above and below spell out _CLAUSE and _NEGATED's words for speed; a
# change to either must change them too.
assert _CLAUSE == ":;—" and _NEGATED.pattern.startswith(
    r"(?:\bnot(?! only| just| merely)|n't|\bnever|\bno longer|\bstopped short of|"
    r"\brefrained from|\bavoided)"
)


def _negated(text: str, start: int, end: int) -> bool:
    """`_NEGATED` ends at `end`, searching from `start`."""
    window = text[start:end]
    if window.isascii():  # else case-blind matching may fold other letters: regex only
        low = window.lower()
        # Each alternative of _NEGATED holds one of these ("not" and "no longer": "no"):
        # most windows have none, and the regex, tried at every position, is spared.
        if not (
            "no" in low
            or "n't" in low
            or "never" in low
            or "stopped" in low
            or "refrained" in low
            or "avoided" in low
        ):
            return False
    return _NEGATED.search(text, start, end) is not None


def _coordinated(
    text: str,
    ordered: list[tuple[int, int, str]],
    cues: list[tuple[str, int, int]],
    clause_marks: list[int],
) -> dict[str, set[str]]:
    """Actor -> the other actors of its coordination ("London and Washington"): runs of
    mentions joined only by commas and "and" that open their clause, so no stance cue comes
    before them in it ("The FBI accused North Korea, and Russia rejected ..." joins nothing)."""
    stance_ends = [e for cat, _, e in cues if cat in _POLARITY]
    runs: list[list[tuple[int, str]]] = []
    for k, (s, _, a) in enumerate(ordered):
        if k and _AND.fullmatch(text, ordered[k - 1][1], s):
            runs[-1].append((s, a))
        else:
            runs.append([(s, a)])
    out: dict[str, set[str]] = {}
    for run in runs:
        if not 1 < len(run) <= _MAX_COORDINATED:
            continue
        first = run[0][0]
        c = bisect_left(clause_marks, first) - 1
        opens = clause_marks[c] if c >= 0 else -1
        k = bisect_right(stance_ends, first) - 1
        if k >= 0 and stance_ends[k] > opens:
            continue  # a stance cue before it in its clause: an object, not a subject
        members = {a for _, a in run}
        for a in members:
            out.setdefault(a, set()).update(members - {a})
    return out

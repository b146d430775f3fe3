"""Finding the lexicon's cues in text (stance.model.lexicon holds the words themselves).

One regex alternation tried at every position is the reference; matching dispatches on each
word's first letters instead, with the same precedence, because it runs once per sentence on
the prediction path.
"""

from __future__ import annotations

import re

from stance.model.lexicon import CATEGORIES, LEXICON, NEUTRAL, OPPOSE, STANCE_CUES, SUPPORT

# The lexicon's names, for the modules that find cues and read their labels together.
__all__ = ["CATEGORIES", "LEXICON", "NEUTRAL", "OPPOSE", "STANCE_CUES", "SUPPORT", "find_cues"]


def _closed(p: str) -> str:
    # Stems end in \w*; whole words get a closing boundary ("not" must not match "nothing").
    return p + ("" if p.endswith("\\w*") else r"\b")


def _alternation(items: list[tuple[str, str]]) -> re.Pattern[str]:
    """One regex over (category, pattern) items, each category a named group, in order."""
    groups: dict[str, list[str]] = {}
    for cat, p in items:
        groups.setdefault(cat, []).append(_closed(p))
    body = "|".join(f"(?P<{cat}>" + "|".join(ps) + ")" for cat, ps in groups.items())
    return re.compile(rf"\b(?:{body})", re.IGNORECASE)


_ALL = [(cat, p) for cat, (_, pats) in LEXICON.items() for p in pats]
_RANK = {cat: i for i, cat in enumerate(CATEGORIES)}
# The reference: one alternation, tried at every position. Correct but slow (~100 us a
# sentence), so matching dispatches on each word's first letter to a small regex instead and
# keeps the same precedence (the earlier category wins at a position, as in the alternation).
_REFERENCE = _alternation(_ALL)


def _first_letters(p: str) -> set[str] | None:
    r"""Letters a pattern can start with: its first letter, or those of each alternative of a
    leading (?:a|b|c) group; None when any letter can start it (\w+n't)."""
    if p[0].isalpha():
        return {p[0].lower()}
    group = _leading_group(p)
    if group is not None and all(a and a[0].isalpha() for a in group[0]):
        return {a[0].lower() for a in group[0]}
    return None


def _leading_group(p: str) -> tuple[list[str], str] | None:
    """The alternatives of a leading (?:a|b|c) group and what follows the group; None when
    the pattern does not start with one."""
    if not p.startswith("(?:"):
        return None
    depth, cur = 0, ""
    alts: list[str] = []
    for k, ch in enumerate(p[3:], start=3):
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return [*alts, cur], p[k + 1 :]
            depth -= 1
        if ch == "|" and depth == 0:
            alts.append(cur)
            cur = ""
        else:
            cur += ch
    return None


_STARTS = [(cat, p, _first_letters(p)) for cat, p in _ALL]
_BY_LETTER = {
    c: _alternation([(cat, p) for cat, p, first in _STARTS if first and c in first])
    for c in set().union(*(first for _, _, first in _STARTS if first))
}
_ANY_START = _alternation([(cat, p) for cat, p, first in _STARTS if first is None])
_ANY_HINTS = ("n't",)  # the only pattern of that kind: skip it unless the text has a hint
_WORD_START = re.compile(r"\b\w")


def _lead_letters(p: str) -> set[str] | None:
    """The first two or three letters every match of a pattern starts with (a set: one per
    alternative of a leading (?:a|b) group); None when not even two are certain."""

    def lead(a: str) -> str | None:
        n = 0
        while n < 3 and a[n : n + 1].isalpha() and a[n + 1 : n + 2] not in _QUANTIFIERS:
            n += 1
        return a[:n].lower() if n >= 2 else None

    if p[0].isalpha():
        two = lead(p)
        return None if two is None else {two}
    group = _leading_group(p)
    if group is not None:
        leads = [lead(a) for a in group[0]]
        if group[1][:1] not in _QUANTIFIERS and all(leads):
            return set(leads)  # type: ignore[arg-type]
    return None


_QUANTIFIERS = ("?", "*", "+", "{")


def _candidates() -> re.Pattern[str]:
    """Word starts where some lettered pattern may match, from each pattern's first letters
    (only its first when the next are not certain): a superset, found in one regex pass, so
    most words are never tried against their letter's patterns."""
    rests: dict[str, set[str] | None] = {c: set() for c in _BY_LETTER}
    for _, p, first in _STARTS:
        if not first:
            continue
        leads = _lead_letters(p)
        for c in first:
            known = rests[c]
            if leads is None or known is None:
                rests[c] = None
            else:
                known.update(t[1:] for t in leads if t[0] == c)
    alts = [
        re.escape(c) if more is None else re.escape(c) + "(?:" + "|".join(sorted(more)) + ")"
        for c, more in sorted(rests.items())
    ]
    return re.compile(r"\b(?=" + "|".join(alts) + ")")


_CANDIDATE = _candidates()


def find_cues(text: str) -> list[tuple[str, int, int]]:
    """(category, start, end) of every cue in `text`, left to right, non-overlapping."""
    low = text.lower()
    if len(low) != len(text):  # lower() changed a length: offsets would drift
        return [(m.lastgroup or "", m.start(), m.end()) for m in _REFERENCE.finditer(text)]
    out: list[tuple[str, int, int]] = []
    after = 0
    any_start = _ANY_START if any(h in low for h in _ANY_HINTS) else None
    # Lower-cased ASCII holds no character that the patterns' letters match case-blind
    # (as "s" matches "ſ"), so only the candidates need trying (with their letter's
    # patterns: no other can match there); else every word start.
    if any_start is None and low.isascii():
        for w in _CANDIDATE.finditer(low):
            i = w.start()
            if i >= after:
                m = _BY_LETTER[low[i]].match(low, i)
                if m:
                    out.append((m.lastgroup or "", m.start(), m.end()))
                    after = m.end()
        return out
    for w in _WORD_START.finditer(low):
        i = w.start()
        if i < after:
            continue
        best = None
        for rx in (_BY_LETTER.get(low[i]), any_start):
            m = rx.match(low, i) if rx is not None else None
            if m and (best is None or _RANK[m.lastgroup or ""] < _RANK[best.lastgroup or ""]):
                best = m
        if best is not None:
            out.append((best.lastgroup or "", best.start(), best.end()))
            after = best.end()
    return out

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


_QUANTIFIERS = ("?", "*", "+", "{")
_LEAD = 6  # at most this many characters of a pattern's start go into the candidate scan
_BOUNDARY = r"\b"  # in a lead: the pattern ends there, on a word boundary


def _literal_start(p: str) -> tuple[str, bool]:
    """The literal characters (lower-cased) that every match of `p` starts with, up to
    _LEAD of them; and whether they are all of `p`. A character stops it when it is special
    to the regex or a quantifier follows it."""
    out, i = "", 0
    while len(out) < _LEAD and i < len(p):
        ch, step = p[i], 1
        if ch == "\\":
            if p[i + 1 : i + 2] not in (".", "-", "'"):
                break  # a class (\w, \s, \b ...)
            ch, step = p[i + 1], 2
        elif not (ch.isascii() and (ch.isalnum() or ch in " '-,")):
            break
        if p[i + step : i + step + 1] in _QUANTIFIERS:
            break  # optional or repeated: not certain
        out += ch.lower()
        i += step
    return out, i == len(p)


def _leads(p: str) -> set[str] | None:
    """What every match of `p` starts with: a set of literal starts (one per alternative of
    a leading (?:a|b) group), ending in _BOUNDARY where that is all of the pattern (it is
    matched closed, `_closed`); None when not even the first letter is certain."""

    def lead(alt: str, rest: str) -> str:
        start, whole = _literal_start(alt)
        if whole and len(start) < _LEAD:  # the alternative is literal: go on after the group
            more, all_of_it = _literal_start(rest) if rest[:1] not in _QUANTIFIERS else ("", False)
            start = (start + more)[:_LEAD]
            if all_of_it and len(start) < _LEAD:
                start += _BOUNDARY
        return start

    if "|" in _top_level(p):
        return None
    group = _leading_group(p)
    if group is None:
        leads = {lead(p, "")}
    elif group[1][:1] in _QUANTIFIERS:
        return None  # an optional group: a match may start after it
    else:
        leads = {lead(a, group[1]) for a in group[0]}
    return None if "" in leads or any(x.startswith(_BOUNDARY) for x in leads) else leads


def _top_level(p: str) -> str:
    """`p` without its groups: what is left says whether it has a top-level alternation."""
    depth, out, escaped = 0, "", False
    for ch in p:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            out += ch
    return out


def _trie(leads: set[str]) -> str:
    """One regex for a set of literal starts, as a trie: each character is tried once per
    position however many starts share it (a start that another extends covers it)."""
    tree: dict[str, dict] = {}
    for start in leads:
        closed = start.endswith(_BOUNDARY)
        node = tree
        for ch in [*(start[: -len(_BOUNDARY)] if closed else start), *([_BOUNDARY] * closed)]:
            node = node.setdefault(ch, {})
        node[""] = {}  # a start ends here

    def emit(node: dict) -> str:
        if "" in node:
            return ""  # this start is enough: whatever extends it matches it too
        alts = [(k if k == _BOUNDARY else re.escape(k)) + emit(v) for k, v in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(tree)


def _candidates() -> re.Pattern[str]:
    """Word starts where some lettered pattern may match, from each pattern's literal start
    (`_leads`; its first letter when that is all that is certain): a superset, found in one
    regex pass, so most words are never tried against their letter's patterns."""
    starts: set[str] = set()
    for _, p, first in _STARTS:
        if not first:
            continue
        leads = _leads(p)
        starts.update(first if leads is None else leads)
    return re.compile(r"\b(?=" + _trie(starts) + ")")


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

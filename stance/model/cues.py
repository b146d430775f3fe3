"""Stance-cue lexicons: the words by which news reports accusations, denials and doubts.

Each category maps to a fine `response` tag of the guidelines (docs/guidelines.md) and, through
it, to a coarse label; CAMEO / PETRARCH verb classes are the model (112 accuse, 13x threaten,
163 sanction, 016 deny, 111 criticise, 018 empathise). The patterns are stems, so inflections
match ("accus" -> accuses, accused, accusation). They feed the model as features and the
rule-based cue baseline as rules.
"""

from __future__ import annotations

import re
from typing import Final

from stance.core.schema import LABELS

SUPPORT, OPPOSE, NEUTRAL = LABELS

# category -> (coarse label the cue points to, patterns)
LEXICON: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "accuse": (
        SUPPORT,
        (
            r"accus\w*",
            r"blam\w*",
            r"attribut\w*",
            r"responsib\w*",
            r"conclu(?:de|ded|des|sion)\w*",
            r"pinpoint\w*",
            r"culprit",
            r"(?:was|were|is|are) behind",
            r"carried out",
            r"orchestrat\w*",
            r"perpetrat\w*",
            r"implicat\w*",
            r"allegations?",
            r"indict\w*",
            r"charg(?:e|ed|es|ing)",
            r"point(?:s|ed)? (?:the finger )?at",
            r"linked (?:it )?to",
            r"tied (?:it )?to",
            r"state[- ]sponsored",
            r"at the behest",
            r"named \w+ as",
            r"identif(?:y|ied|ies) \w+ as",
            r"high confidence",
            r"evidence (?:shows|showed|points)",
            # "pinned the attack on", "pin the blame on": the accuser fixes it on the accused.
            r"pin(?:s|ned|ning)? (?:the )?(?:\w+ )?(?:attack|blame|hack|breach|intrusion|responsibility|it) on",
            r"accountable",
        ),
    ),
    "retaliate": (
        SUPPORT,
        (
            r"sanction\w*",
            r"retaliat\w*",
            r"revenge",
            r"proportional\w*",
            r"take action",
            r"punish\w*",
            r"consequences",
            r"expel\w*",
            r"counter-?measures?",
            r"hit back",
            r"pay a price",
            r"vow(?:s|ed)? to respond",
            r"respond(?:ed)? (?:in kind|forcefully)",
            r"threat(?:s|en|ens|ened)?",
            r"measures against",
            r"indictments?",
        ),
    ),
    "endorse": (
        SUPPORT,
        (
            r"agree[ds]? with",
            r"concur\w*",
            r"echo(?:ed|es)",
            # "backed Washington's finding", "supported the U.S. decision to blame", "welcomed
            # the American findings": a third party endorsing the accuser's conclusion.
            r"(?:back|support|welcom|endors|shar)(?:e|s|es|ed|ing)? (?:the |its |their |this )?(?:[\w.-]+(?:['’]s)? ){0,2}(?:finding|assessment|conclusion|attribution|decision|statement|position|determination|judgement|judgment|move|sanctions|indictment|response)s?",
            r"st(?:and|ands|anding|ood) (?:firmly |squarely |fully )?behind",
            r"join(?:s|ed|ing)? (?:\w+ ){0,3}in (?:blaming|condemning|attributing|accusing|denouncing|naming)",
            r"join(?:s|ed)? (?:the )?(?:us|u\.s\.|britain|allies)",
            r"confirm(?:s|ed)? (?:the )?(?:finding|assessment|attribution)",
            r"stand(?:s)? (?:with|by) (?:the )?(?:us|u\.s\.|allies|washington|london)",
            r"also blamed",
            r"supported the (?:finding|assessment|attribution)",
            r"in solidarity with (?:the )?(?:us|u\.s\.|victims)",
        ),
    ),
    "deny": (
        OPPOSE,
        (
            r"den(?:y|ied|ies|ying|ial)",
            r"reject\w*",
            r"refut\w*",
            r"dismiss\w*",
            r"no hand in",
            r"not involved",
            r"no involvement",
            r"nothing to do with",
            r"not responsible",
            r"(?:played|plays|had|has|have) no (?:part|role|hand|involvement)",
            # Dismissals in reported speech: "shrugged off suggestions", "brushed aside".
            r"shrug(?:s|ged|ging)? off",
            r"brush(?:es|ed|ing)? (?:off|aside)",
            r"laugh(?:s|ed|ing)? off",
            r"rebu(?:t|ts|tted|tting|ff|ffs|ffed|ffing)\b",
            r"scoff(?:s|ed|ing)? at",
            r"str(?:ike|ikes|uck|iking) back at",
            r"no (?:connection|link)s? (?:to|with)",
            r"(?:cooked|trumped)[- ]up",
            r"concoct\w*",
            r"hoax\w*",
            r"innocen\w*",
            r"baseless",
            r"groundless",
            r"fabricat\w*",
            r"absurd\w*",
            r"slander\w*",
            r"smear\w*",
            r"unfounded",
            r"nonsense",
            r"ridiculous",
            r"false(?:hood)?s?",
            r"lies?\b",
            r"made[- ]up",
            r"invent(?:ed|ion)",
            r"disinformation",
            r"farce",
            r"fiction",
        ),
    ),
    "dispute_evidence": (
        OPPOSE,
        (
            r"no (?:proof|evidence)",
            # "has not presented any evidence", "never produced proof": said by another.
            r"(?:not|never|n't) (?:yet )?(?:\w+ )?(?:show|present|produc|provid|shar|releas|offer|give|gave|given)\w* (?:\w+ ){0,2}(?:proof|evidence)",
            r"demand(?:s|ed|ing)? (?:\w+ ){0,2}(?:proof|evidence)",
            r"without (?:any )?(?:proof|evidence)",
            r"lack of (?:proof|evidence)",
            r"fail(?:ed|s)? to (?:offer|provide|show|present|produce)",
            r"(?:show|present|produce|provide|share|release) (?:the |any |its |their |real |hard |concrete )?(?:proof|evidence)",
            r"unconvinc\w*",
            r"insufficient",
            r"thin evidence",
            r"circumstantial",
            r"doubt\w*",
            r"skeptic\w*",
            r"sceptic\w*",
            r"question(?:s|ed|ing)? (?:the |its |their )?(?:[\w.-]+(?:['’]s)? ){0,2}(?:evidence|finding|attribution|claim|conclusion|assessment)s?",
            r"premature",
            r"speculat\w*",
            r"unproven",
            r"not (?:been )?(?:proven|proved)",
            r"prove it",
        ),
    ),
    "call_for_investigation": (
        OPPOSE,
        (
            r"joint investigation",
            r"joint (?:probe|inquiry)",
            r"independent (?:investigation|probe|inquiry)",
            r"international (?:investigation|probe|inquiry)",
            r"investigate (?:together|jointly)",
            r"(?:call(?:s|ed)? for|demand(?:s|ed)?|propos(?:e|es|ed)) an? (?:\w+ )?(?:investigation|probe|inquiry)",
        ),
    ),
    "criticize_response": (
        OPPOSE,
        (
            r"counter-?productive",
            r"dangerous",
            r"escalat\w*",
            r"provocat\w*",
            r"irresponsib\w*",
            r"reckless",
            r"hysteri\w*",
            r"politically motivated",
            r"witch[- ]hunt",
            r"warmonger\w*",
            r"criticis\w*",
            r"criticiz\w*",
            r"condemn(?:s|ed)? (?:the )?(?:threats|sanctions|accusations?|allegations?)",
            r"paranoi\w*",
            r"russophob\w*",
            r"cold war mentality",
            r"smear campaign",
            r"jump(?:s|ed|ing)? to conclusions",
            r"rush(?:es|ed|ing)? to (?:judgment|judgement|conclusions|blame)",
            r"hasty",
            r"scapegoat\w*",
            r"propaganda",
            r"mock(?:s|ed|ing|ery)?",
        ),
    ),
    "sympathize": (
        OPPOSE,
        (
            # No particular states, and no "solidarity with" / "support for": said of the
            # victim they back the accusation, said of the accused they dispute it, which a
            # lexicon cannot tell (both measured worse in grouped CV and on validation).
            # Whom a cue concerns is the actor features' business (holder, target, role).
            r"understandable",
            r"sympath\w*",
            r"sided with",
            r"stood by",
        ),
    ),
    "praise_attack": (OPPOSE, (r"righteous deed", r"prais\w*", r"hail(?:s|ed)?", r"applaud\w*")),
    # Refusals to comment and silence: the actor is named but takes no position, whatever
    # accusation words follow ("has kept quiet about the charge"). Before the negation
    # category, so "did not comment" is one refusal, not a negation.
    "no_comment": (
        NEUTRAL,
        (
            r"declin(?:e|es|ed|ing) to (?:comment|respond|elaborate|confirm|discuss|say)",
            r"refus(?:e|es|ed|ing) to (?:comment|respond|elaborate|discuss)",
            r"(?:did|does|do|would|could|has|have|had) not (?:immediately |yet )?(?:comment|respond|reply|return)\w*",
            r"(?:did|does|do|would|could|has|have|had)n't (?:immediately |yet )?(?:comment|respond|reply|return)\w*",
            r"no (?:immediate |official )?(?:comment|response|reaction)",
            r"(?:kept|keep|keeps|keeping|remained|remain|remains|stayed|stays|stay|was|were|has been|have been) (?:\w+ )?(?:quiet|silent|tight-lipped|mum)",
            r"silence",
            r"(?:could|can)(?: not|not|n't) be reached",
            r"not (?:immediately )?available for comment",
            r"requests? for comment",
            r"neither confirm(?:s|ed)? nor den(?:y|ies|ied)",
        ),
    ),
    "hedge": (
        NEUTRAL,
        (
            r"reportedly",
            r"allegedly",
            r"alleged",
            r"suspected",
            r"said to be",
            r"may have",
            r"might have",
            r"could have",
            r"rumou?r\w*",
            r"according to",
            r"unconfirmed",
            r"if true",
            r"claim(?:s|ed)? (?:that|to)",
            r"purported\w*",
        ),
    ),
    "speech": (
        NEUTRAL,
        (
            r"said",
            r"says",
            r"told",
            r"stated",
            r"added",
            r"statement",
            r"spokes(?:man|woman|person)",
            r"announced",
            r"wrote",
            r"tweeted",
            r"briefing",
        ),
    ),
    "negation": (NEUTRAL, (r"not", r"no", r"never", r"\w+n't", r"neither", r"nor", r"without")),
}
CATEGORIES: Final = tuple(LEXICON)
STANCE_CUES: Final = tuple(c for c, (label, _) in LEXICON.items() if label != NEUTRAL)


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

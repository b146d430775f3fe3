"""Rule-based sentence segmentation that returns character spans.

News needs three things general-purpose splitters get wrong: abbreviations and dotted acronyms
("U.S.", "U.N. Ambassador"), quotations that run over several sentences (the quote is kept
whole, so the speaker stays with the words), and attribution after a quote
(`"... a mistake." Obama said.` is one sentence, as is `"Why?" he asked.`).
"""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"[.!?…]+[\"'”’)\]»]*(?=\s|$)")
_LAST_WORD = re.compile(r"[^\s\"“‘(\[]+$")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]*([\w’'-]+)")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}")
_INITIAL = re.compile(r"[A-Z]\.")

# Abbreviations that (almost) never end a sentence: a capital after them is a name.
_NONFINAL = frozenset(
    """mr mrs ms messrs dr prof gen lt col maj sgt capt cmdr adm sen rep gov pres amb
    rev fr st mt ft no nos vol fig art sec ch p pp vs v cf approx dept est
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# Abbreviations that may end a sentence; they do only when a typical sentence opener follows.
_FINAL_CAPABLE = frozenset("inc corp co ltd plc jr sr bros etc al".split())
_OPENERS = frozenset(
    """The A An It Its He She His Her They Their Them We Our I In On At As After Before When
    While If But And Or So Yet Still This That These Those There Then However Meanwhile Moreover
    Also Earlier Later Last Next Some Many Most Much No Not One Two Both Each Such What Who Why
    How Officials Analysts Experts""".split()
)
_SAID = (
    "said|says|added|adds|told|tells|stated|wrote|writes|asked|asks|argued|noted|insisted|"
    "declared|warned|claimed|explained|replied|tweeted|announced|continued|concluded"
)
# `"..." Lukashevich said.` / `"..." Russian Foreign Ministry spokesman Alexander said.`
_ATTRIBUTION = re.compile(rf"(?:[A-Z][\w.'’-]*\s+){{1,6}}(?:{_SAID})\b")


def _inside_quote(segment: str) -> bool:
    """True while a double quotation opened in `segment` is still open."""
    if segment.count('"') % 2:
        return True
    return segment.count("“") > segment.count("”")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end], stripped of surrounding white space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    while start < end and text[start].isspace():
        start += 1
    seg = start
    for m in _CANDIDATE.finditer(text, start, end):
        nxt = m.end()
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt >= end:
            break  # the paragraph's end closes the last sentence below
        c = text[nxt]
        if not (c.isupper() or c.isdigit() or c in "\"'“‘([«"):
            continue
        if _inside_quote(text[seg : m.end()]):
            continue
        punct = m.group()
        if punct[0] == "." and not punct.startswith(".."):
            w = _LAST_WORD.search(text, seg, m.start() + 1)
            word = w.group() if w else ""
            base = word.rstrip(".").lower()
            if base in _NONFINAL or _INITIAL.fullmatch(word):
                continue
            if _ACRONYM.fullmatch(word) or base in _FINAL_CAPABLE:
                nw = _NEXT_WORD.match(text, nxt)
                if not nw or nw.group(1) not in _OPENERS:
                    continue
        if any(q in punct for q in '"”') and _ATTRIBUTION.match(text, nxt):
            continue
        spans.append((seg, m.end()))
        seg = nxt
    if seg < end:
        tail = text[seg:end].rstrip()
        if tail:
            spans.append((seg, seg + len(tail)))
    return [(s, e) for s, e in spans if text[s:e].strip()]

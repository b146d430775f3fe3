"""From a document's raw text to clean paragraphs: what is article text and what is not.

The stored document text is the input after character normalisation only; paragraphs are
spans into it, and everything dropped (navigation, captions, photo credits, the date line) is
recorded with its span and reason, so every decision can be audited against the source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from stance.core.schema import KIND_BODY, KIND_TITLE, Dropped

# Space-like characters become a plain space (same length, so offsets stay put); invisible
# characters that only break words (zero-width joiners, soft hyphens, BOMs) are removed.
_SPACES = {c: " " for c in (0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, 0x0009, 0x000B, 0x000C)}
_SPACES.update({c: " " for c in range(0x2000, 0x200B)})
_INVISIBLE = {c: None for c in (0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}
# Control characters (ESC, BEL, NUL, ...) are never text: stored, they could drive a terminal
# that later prints a sentence. Tab and newline are handled above and below.
_CONTROLS = {c: None for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0))}
_TRANSLATE = {**_CONTROLS, **_SPACES, **_INVISIBLE, 0x2028: "\n", 0x2029: "\n", 0x0085: "\n"}
_ASCII_SLOW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\t]")


def normalize(text: str) -> str:
    """NFC, Unix newlines, space-like characters as spaces, invisible characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # the common case: skip the slow per-character passes
        return text.translate(_TRANSLATE) if _ASCII_SLOW.search(text) else text
    return unicodedata.normalize("NFC", text).translate(_TRANSLATE)


_CLOSERS = "\"'”’)]»"
_TERMINAL = ".!?…:"
_PUNCT_ONLY = re.compile(r"[\W_]*", re.UNICODE)
_BULLET = re.compile(r"^(?:[-–—*•·>|]\s+)")

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# A line that is only a publication date (and time): "December 26, 2014 | 1:00am".
_DATE_LINE = re.compile(
    rf"""(?:(?:Published|Updated|Posted|Last\ updated)\s*(?:on)?\s*:?\s*)?
    (?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?
    (?P<date>(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}
        |\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}
        |\d{{4}}-\d{{2}}-\d{{2}})
    (?:\s*(?:[|•·,/-]|at)?\s*(?P<time>\d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\.?)?)(?:\s*[A-Z]{{2,4}})?)?
    """,
    re.VERBOSE | re.IGNORECASE,
)
# "MOSCOW —", "SEOUL, South Korea (Reuters) -": a dateline before the first body sentence.
_DATELINE_PREFIX = re.compile(
    r"(?P<place>[A-Z][A-Z.'-]*(?:[ -][A-Z][A-Z.'-]*)*(?:,\s+[A-Z][\w. ]{1,30}?)?)"
    r"(?:\s*\((?:[A-Z][\w.]*\s?){1,3}\))?\s*(?:—|–|--|-)\s+(?=\S)"
)
# Photo credits that sites glue to the end of a caption ("Kim Jong-UnReuters/KCNA").
_CREDITS = (
    "Reuters|AP|AFP|Getty|Getty Images|Wikipedia|Wikimedia Commons|Wikimedia|KCNA|EPA|"
    "Yonhap|Bloomberg|Xinhua|TASS|Shutterstock|Flickr|Corbis|Alamy|PA|Sputnik|RIA Novosti|"
    "Kyodo|AAP|Handout|File Photo|Supplied"
)
_GLUED_CREDIT = re.compile(
    rf"""(?:(?<=[a-z0-9"”’')\]])|\s[|/–—-]\s*|\s*\()
    (?:(?:{_CREDITS})(?:\s*/\s*[A-Z][\w .]*)*|[A-Z][\w.]*(?:\s*/\s*[A-Z][\w.]*)+)\)?$""",
    re.VERBOSE,
)
_CREDIT_MARKER = re.compile(
    r"\b(?:Photo(?:graph)?|Image|Picture|Credit|Caption)s?\s*(?:by|:|/)", re.I
)
# What extractors let through from inside an article's container: paywall teasers and meters,
# subscription pleas, cookie notices, "read more" and "RELATED:" links and the wire services'
# copyright and credit lines. Matched only in short paragraphs (30 words at most, as captions):
# a call to action at the start, a legal line anywhere, a credit line only when it is all
# credits ("Reporting by Jack Kim; Editing by Tim Kelly"): names are capitalised, so "Reporting
# by the agency showed ..." is a sentence.
_NAME = r"(?-i:[A-Z][\w'’.-]*)"
_NAMES = rf"{_NAME}(?:(?:\ |,\ |\ and\ ){_NAME})*(?:\ in\ {_NAME}(?:\ {_NAME})*)?"
_CREDIT = rf"(?:additional\ )?(?:reporting|editing|writing)\ by\ {_NAMES}"
_PROMO = re.compile(
    rf"""^(?:support\ (?:local|independent|quality|our)\ journalism|subscribe|sign\ (?:up|in)\b|
    log\ ?in\b|already\ a\ (?:subscriber|member)|become\ a\ (?:subscriber|member)|
    continue\ reading|keep\ reading|read\ (?:more|next|also)\b|advertisement|sponsored\ content|
    (?:related|see\ also)\s*:|
    you\ have\ read\ \d+\ (?:of|out\ of)\ \d+\ free\ (?:articles|stories)\b|
    we\ use\ cookies|this\ (?:site|website)\ uses\ cookies|share\ (?:this|on|via)\b|follow\ us\b|
    click\ here|listen\ to\ this|you\ may\ also\ like|
    get\ (?:unlimited\ |full\ |digital\ )+access|
    this\ (?:article|story|content)\ is\ (?:only\ )?(?:for|available\ to)\ (?:subscribers|members))
    |^{_CREDIT}(?:\s*[;,]\s*{_CREDIT})*\.?$
    |\ball\ rights\ reserved\b
    |\bmay\ not\ be\ (?:published|reproduced|redistributed|republished)""",
    re.VERBOSE | re.IGNORECASE,
)

# A byline: "By Jane Reporter", "BY JANE REPORTER, REUTERS", "By Jane Reporter and Tom Writer,
# Senior Correspondents | December 27, 2014, 5:30 pm EST". Read piece by piece (`is_byline`),
# each piece matched whole by a regex with no nested repetition: a byline regex over the whole
# line backtracks exponentially on a long run of capitals.
_BYLINE_START = re.compile(r"(?:By|BY|by)\s+")
_BYLINE_PIECES = re.compile(r"\s*[|•·,/–—]\s*|\s+-\s+")  # not "-" within a name (Jong-Un)
_PERSON_NAME = re.compile(r"(?:[A-Z][\w'’.-]*)(?:\s+(?:de|van|von|der|bin|al|[A-Z][\w'’.-]*)){0,3}")
_PLACE = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}")
_ROLE = re.compile(
    r"(?:(?:staff|senior|chief|special|foreign|political|diplomatic|security|technology)\s+){0,2}"
    r"(?:reporter|correspondent|writer|editor|journalist|analyst|contributor)s?",
    re.I,
)
_DATE_PIECE = re.compile(
    rf"""(?:(?:updated|published|posted)\s+(?:on\s+)?)?
    (?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\s+)?
    (?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:\s+\d{{4}})?|\d{{1,2}}\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?
       |\d{{4}}(?:-\d{{2}}-\d{{2}})?)?
    (?:\s*(?:at\s+)?\d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{{2,4}})?)?""",
    re.VERBOSE | re.IGNORECASE,
)
_OUTLET = re.compile(r"[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*){0,2}")


def is_date_line(line: str) -> bool:
    """Whether a paragraph is only a publication date (and time), as `clean` reads one."""
    return _DATE_LINE.fullmatch(line) is not None


def is_byline(line: str) -> bool:
    """Whether a paragraph is a byline: "By", one to three people's names (of one to four
    words, "and" between them, "in Place" after them), then pieces that are each a role, a
    date, a time or an outlet of one to three capitalised words. A sentence ends as one does
    or has a lower-case word or a longer run of capitals in some piece, so "By Friday, the
    United States had imposed sanctions" and "BY FRIDAY THE US HAD IMPOSED SANCTIONS" stay."""
    start = _BYLINE_START.match(line)
    if start is None or _ends_sentence(line.rstrip()):
        return False
    names, *rest = _BYLINE_PIECES.split(line[start.end() :].strip())
    people, _, place = names.partition(" in ")
    if place and not _PLACE.fullmatch(place):
        return False
    persons = re.split(r"\s+(?:and|&)\s+", people)
    if not 1 <= len(persons) <= 3 or not all(_PERSON_NAME.fullmatch(p) for p in persons):
        return False
    return all(
        (_ROLE.fullmatch(piece) or _DATE_PIECE.fullmatch(piece) or _OUTLET.fullmatch(piece))
        and piece
        for piece in rest
    )


@dataclass(frozen=True)
class Block:
    """A paragraph kept as article text: a span of the stored document text."""

    start: int
    end: int
    kind: str


@dataclass
class CleanDocument:
    text: str
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    date: str | None = None
    time: str | None = None
    dateline: str | None = None
    dropped: list[Dropped] = field(default_factory=list)


def _lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines, stripped of surrounding spaces."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        else:
            spans.append((pos, pos))  # blank line: a paragraph break
        pos += len(line) + 1
    return spans


def _ends_sentence(s: str) -> bool:
    s = s.rstrip(_CLOSERS)
    return bool(s) and s[-1] in _TERMINAL


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Lines joined into paragraphs where plain text was hard-wrapped mid-sentence."""
    paras: list[tuple[int, int]] = []
    joinable = False
    for start, end in _lines(text):
        if start == end:
            joinable = False
            continue
        first = text[start]
        if joinable and paras and (first.islower() or first.isdigit()):
            paras[-1] = (paras[-1][0], end)
        else:
            paras.append((start, end))
        joinable = not _ends_sentence(text[start:end])
    return paras


def _parse_date(m: re.Match[str]) -> tuple[str | None, str | None]:
    raw = re.sub(r"[.,]", "", m.group("date"))
    raw = re.sub(r"\bSept\b", "Sep", raw)
    date = None
    for fmt in ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"):
        try:
            date = datetime.strptime(raw, fmt).date().isoformat()
            break
        except ValueError:
            continue
    time = None
    if m.group("time"):
        t = m.group("time").lower().replace(".", "").replace(" ", "")
        t = t[:-2] + ":" + t[-2:] if ":" not in t and t[-2:].isdigit() else t
        for fmt in ("%I:%M%p", "%H:%M"):
            try:
                time = datetime.strptime(t, fmt).strftime("%H:%M")
                break
            except ValueError:
                continue
    return date, time


def _caption_or_boilerplate(s: str) -> str | None:
    """Why a non-title paragraph is not article text, or None if it is."""
    if _PUNCT_ONLY.fullmatch(s):
        return "boilerplate"
    body = _BULLET.sub("", s)
    words = len(body.split())
    if words > 30:
        return None  # captions and menus are short; skip the regexes on long paragraphs
    ends = _ends_sentence(body)
    if _PROMO.search(body):
        return "boilerplate"
    if is_byline(body):
        return "byline"
    if not ends and _GLUED_CREDIT.search(body):
        return "caption"
    if _CREDIT_MARKER.search(body):
        return "caption"
    if not ends and words < 8:
        # Menus, "Trending", "Recommended", share buttons, section heads.
        return "boilerplate"
    return None


def _looks_like_title(s: str) -> bool:
    words = len(s.split())
    return 0 < words <= 30 and not (s.rstrip(_CLOSERS).endswith(".") and words > 12)


def clean(raw: str) -> CleanDocument:
    """Normalise a document and decide, paragraph by paragraph, what is article text.

    The first paragraph is the headline when it looks like one (short, no closing full stop);
    readers put a source's own title (HTML <title>, a JSONL field) first for that reason.
    """
    text = normalize(raw)
    doc = CleanDocument(text=text)
    have_title = False
    seen_body = False
    for start, end in _paragraphs(text):
        s = text[start:end]
        if doc.date is None and (m := _DATE_LINE.fullmatch(s)):
            doc.date, doc.time = _parse_date(m)
            doc.dropped.append(Dropped(start=start, end=end, reason="date"))
            continue
        if not have_title and not _PUNCT_ONLY.fullmatch(s):
            have_title = True
            if _looks_like_title(s) and not _GLUED_CREDIT.search(s):
                doc.title = s
                doc.blocks.append(Block(start, end, KIND_TITLE))
                continue
        reason = _caption_or_boilerplate(s)
        if reason:
            doc.dropped.append(Dropped(start=start, end=end, reason=reason))
            continue
        if not seen_body and (m := _DATELINE_PREFIX.match(s)) and len(m.group("place")) <= 40:
            doc.dateline = m.group("place").strip()
            doc.dropped.append(Dropped(start=start, end=start + m.end(), reason="dateline"))
            start += m.end()
        seen_body = True
        doc.blocks.append(Block(start, end, KIND_BODY))
    return doc

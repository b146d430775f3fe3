"""HTML pages to article text and source metadata: trafilatura first, the built-in extractor
as its fallback, and which one made the text recorded with it.

Real news pages carry navigation, cookie banners, share bars, related-article lists, comment
threads and paywall teasers around a few paragraphs of article. trafilatura finds the article
among them, with the title, date, author, URL and site name; the built-in extractor
(stance.corpus.builtin_html) only skips furniture it recognises by tag and class name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

from stance.core.errors import InputError
from stance.core.schema import EXTRACTOR_BUILTIN, EXTRACTOR_TRAFILATURA, HTML_EXTRACTORS
from stance.corpus.builtin_html import builtin_extract


@dataclass(frozen=True)
class Page:
    text: str  # one paragraph per line, the headline first
    extractor: str
    title: str | None = None
    date: str | None = None
    author: str | None = None
    url: str | None = None
    site: str | None = None


def _one_line(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


@cache
def _quiet() -> None:
    # trafilatura and its helpers log a warning for every page they find no text in; with no
    # handler configured Python prints those to stderr, between the progress bar and the
    # summary. The outcome is in the report instead (the `builtin` extractor, `empty` skips).
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).addHandler(logging.NullHandler())
        logging.getLogger(name).propagate = False


def _trafilatura(html: str, url: str | None) -> Page | None:
    import trafilatura

    _quiet()
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            # Precision over recall: a paywall teaser or a "subscribe" line inside the article
            # container would become a sentence; a lost paragraph only costs some candidates.
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            # The publication date from the page's markup, not a guess from dates in the text.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # a crash on one hostile page means "no text here", not a stopped run
        return None
    if doc is None:
        return None
    lines = [" ".join(line.split()) for line in str(getattr(doc, "text", "") or "").split("\n")]
    text = "\n".join(line for line in lines if line)
    if not text:
        return None
    title = _one_line(getattr(doc, "title", None))
    if title and not text.startswith(title):
        text = title + "\n" + text  # the headline stays a sentence (stance.corpus.clean)
    return Page(
        text,
        EXTRACTOR_TRAFILATURA,
        title=title,
        date=_one_line(getattr(doc, "date", None)),
        author=_one_line(getattr(doc, "author", None)),
        url=_one_line(getattr(doc, "url", None)),
        site=_one_line(getattr(doc, "sitename", None)),
    )


def extract_page(html: str, extractor: str = EXTRACTOR_TRAFILATURA, url: str | None = None) -> Page:
    """The article in an HTML page. `url` (from a crawl) helps trafilatura resolve metadata."""
    if extractor not in HTML_EXTRACTORS:
        raise InputError(
            f"--html-extractor {extractor}: unknown extractor (use {' or '.join(HTML_EXTRACTORS)})"
        )
    if extractor == EXTRACTOR_TRAFILATURA and (page := _trafilatura(html, url)) is not None:
        return page
    b = builtin_extract(html)
    return Page(
        b.text,
        EXTRACTOR_BUILTIN,
        title=_one_line(b.title),
        date=_one_line(b.date),
        author=_one_line(b.author),
        url=_one_line(b.url),
        site=_one_line(b.site),
    )

"""The built-in HTML extractor: block structure kept, page furniture skipped by tag and class.

The fallback behind trafilatura (stance.corpus.pages): it needs nothing but the standard
library, and it always returns what is outside the furniture, where trafilatura may return
nothing at all for a tiny page or a table layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from stance.corpus.clean import is_date_line


class _TextExtractor(HTMLParser):
    """Article text from HTML: block elements become lines, page furniture is skipped."""

    _SKIP = {
        "script",
        "style",
        "noscript",
        "nav",
        "header",
        "footer",
        "aside",
        "figure",
        "figcaption",
        "form",
        "button",
        "iframe",
        "svg",
        "template",
        "select",
        "menu",
    }
    _BLOCK = {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "tr",
        "table",
        "section",
        "article",
        "main",
        "pre",
        "dd",
        "dt",
        "hr",
    }
    _FURNITURE = re.compile(
        r"caption|credit|share|social|related|newsletter|advert|promo|trending|recommend|"
        r"breadcrumb|menu|navbar|footer|comment|subscribe|cookie|consent|gdpr|paywall|skip-link|"
        r"most-read|most-viewed|popular|sidebar|widget|alert-bar",
        re.I,
    )
    _VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "source", "wbr"}
    # HTML's implied end tags: an open <p> ends at the next block, an <li> at the next <li>
    # (within its list), and so on. Without them an unclosed <li> in a share box would keep
    # the skipped region open over the whole article.
    _CLOSES_P = {
        "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "ul",
    }  # fmt: skip
    _IMPLIED = {
        "li": ({"li"}, {"ul", "ol", "menu"}),
        "dt": ({"dt", "dd"}, {"dl"}),
        "dd": ({"dt", "dd"}, {"dl"}),
        "tr": ({"tr", "td", "th"}, {"table", "tbody", "thead", "tfoot"}),
        "td": ({"td", "th"}, {"tr", "table"}),
        "th": ({"td", "th"}, {"tr", "table"}),
        "option": ({"option"}, {"select", "datalist"}),
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []  # open elements: tag, started a skipped region
        self.title: str | None = None
        self.h1: str | None = None
        self.h1_at: int | None = None  # where in `parts` the first unskipped <h1> starts
        self.date: str | None = None
        self.url: str | None = None
        self.site: str | None = None
        self.author: str | None = None
        self._in_title = False
        self._in_h1 = False
        self._h1_parts: list[str] = []
        self._title_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("property", a.get("name", "")) in (
            "article:published_time",
            "datePublished",
            "date",
            "pubdate",
        ):
            self.date = self.date or a.get("content") or None
        if tag == "time" and a.get("datetime") and not self.date:
            self.date = a["datetime"]
        if tag == "meta":
            self._meta(a.get("property", a.get("name", "")), a.get("content") or None)
        if tag == "link" and a.get("rel") == "canonical" and a.get("href"):
            self.url = self.url or a["href"]
        if tag in self._VOID:
            if tag in self._BLOCK and not self.skip_depth:
                self.parts.append("\n")
            return
        self._close_implied(tag)
        skip = tag in self._SKIP or bool(
            self._FURNITURE.search(a.get("class", "") + " " + a.get("id", ""))
        )
        self.stack.append((tag, skip))
        if skip:
            self.skip_depth += 1
        if tag == "title":
            self._in_title = True
        if tag == "h1" and self.h1 is None:
            self._in_h1 = True
        if tag == "h1" and self.h1_at is None and not self.skip_depth:
            self.h1_at = len(self.parts)
        if tag in self._BLOCK and not self.skip_depth:
            self.parts.append("\n")

    def _meta(self, key: str, content: str | None) -> None:
        if key == "og:url":
            self.url = self.url or content
        elif key == "og:site_name":
            self.site = self.site or content
        elif key in ("author", "article:author"):
            self.author = self.author or content

    def handle_endtag(self, tag: str) -> None:
        if tag in self._VOID:
            return
        if tag == "title":
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split()) or None
        if tag == "h1" and self._in_h1:
            self._in_h1 = False
            self.h1 = " ".join("".join(self._h1_parts).split()) or None
        if any(open_tag == tag for open_tag, _ in self.stack):
            # Elements left open inside this one end with it.
            while self.stack:
                if self._pop() == tag:
                    break
        if tag in self._BLOCK and not self.skip_depth:
            self.parts.append("\n")

    def _pop(self) -> str:
        tag, skip = self.stack.pop()
        if skip:
            self.skip_depth -= 1
        return tag

    def _close_implied(self, tag: str) -> None:
        if tag in self._CLOSES_P:
            self._close_open({"p"}, set())
        if tag in self._IMPLIED:
            self._close_open(*self._IMPLIED[tag])

    def _close_open(self, targets: set[str], scope: set[str]) -> None:
        """Close the innermost open element in `targets`, unless a `scope` element is nearer."""
        for i in range(len(self.stack) - 1, -1, -1):
            open_tag = self.stack[i][0]
            if open_tag in scope:
                return
            if open_tag in targets:
                while len(self.stack) > i:
                    self._pop()
                return

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
            return
        if self._in_h1:
            self._h1_parts.append(data)
        if not self.skip_depth:
            # Inside a block, source line breaks are only layout.
            self.parts.append(re.sub(r"\s*\n\s*", " ", data))


@dataclass(frozen=True)
class BuiltinPage:
    text: str
    title: str | None
    date: str | None
    url: str | None
    site: str | None
    author: str | None


def builtin_extract(html: str) -> BuiltinPage:
    """Article text and metadata from HTML, one paragraph per line."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    cut = parser.h1_at or 0  # the parts from the first <h1> on start on a new line
    before, after = (
        [" ".join(line.split()) for line in "".join(parts).split("\n")]
        for parts in (parser.parts[:cut], parser.parts[cut:])
    )
    if cut and all(_top_bar(line) for line in before):
        # A site's name, slogan or section links above the headline, outside <nav>: they
        # would be taken for the headline. A date line there is the page's date: kept.
        before = [line for line in before if is_date_line(line)]
    text = "\n".join(line for line in before + after if line)
    title = _headline(parser.title, parser.site)
    if parser.h1 is None and title and not text.startswith(title):
        text = title + "\n" + text  # the headline stays a sentence
    return BuiltinPage(text, title, parser.date, parser.url, parser.site, parser.author)


_SENTENCE_END = (".", "!", "?", "…", ":", ";", "。", "！", "？", '"', "”", "’", "'", ")")


def _top_bar(line: str) -> bool:
    """Whether a line above the headline can be page furniture: empty, or short (under eight
    words) and not ending as a sentence does. Any other line means the <h1> is no headline
    of the whole page (a section heading in the article), and nothing is cut."""
    return not line or (
        len(line.split()) < 8 and not line.endswith(_SENTENCE_END) and len(line) < 200
    )


# "Headline | Site", "Headline - Site", "Headline — Site": the site's name is not the headline.
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—]{2,40}$")


def _headline(title: str | None, site: str | None) -> str | None:
    if not title:
        return None
    m = _SITE_SUFFIX.search(title)
    if m and (site is None or site.casefold() in m.group().casefold()):
        head = title[: m.start()]
        if len(head.split()) >= 3:
            return head
    return title

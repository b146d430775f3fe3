"""What every reader produces: raw documents (or a reason one was skipped), and their bounds.

Readers (plain text, HTML pages, WARC crawls, JSONL and Parquet dumps) share these types, so
`stance ingest` treats a document the same way whatever file it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from stance.core.errors import InputError
from stance.core.schema import EXTRACTOR_TRAFILATURA

DOC_ID = re.compile(r"[^\w.-]+")
# How a message says an input can be left out; IngestReport drops it once --skip-invalid is on.
SKIP_HINT = " (--skip-invalid skips it)"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?!\d)")


def sha(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def iso_day(value: str | None) -> str | None:
    """The YYYY-MM-DD day at the start of a date or ISO timestamp; None when there is none.

    Every reader's date (page metadata, a WARC-Date, a dump's date field) goes through here, so
    a value that is not a real day ("2014-13-45", "yesterday") is dropped the same way for all:
    stored, it would surface later as a bad claim date blamed on data/claims.yaml.
    """
    if not value or not _DAY.match(value):
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def hostname(url: str | None) -> str | None:
    """The site of a URL (`www.` dropped), or None when it has none."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


@dataclass(frozen=True)
class RawDocument:
    doc_id: str
    path: str
    text: str
    sha256: str
    date: str | None = None
    claim: str | None = None  # a JSONL record's own claim, instead of --claim
    labels: dict[str, str] | None = None  # constructed documents: actor -> stance, by the writer
    responses: dict[str, str] | None = None  # and actor -> fine response tag
    extractor: str | None = None  # which HTML extractor made `text`; None for text inputs
    url: str | None = None
    site: str | None = None
    author: str | None = None
    fetched: str | None = None  # WARC-Date: when a crawler fetched the page
    # A crawl holds index pages, galleries and videos besides articles: a record with no
    # article text is skipped and counted, where a file named on the command line is an error.
    crawled: bool = False


@dataclass(frozen=True)
class Skip:
    """An input record that is not ingested, and why (stance.core.schema.SKIP_REASONS)."""

    reason: str
    where: str
    detail: str = ""


@dataclass(frozen=True)
class BadDate:
    """The document just read was kept without a date: its source gave one that is not a real
    day (`iso_day`), such as "12/27/2014" in a dump's date field. Counted in the report."""

    where: str
    value: str


@dataclass(frozen=True)
class Limits:
    """What one input document may cost (params.yaml: ingest). A news article is a few KB;
    these bounds stop one hostile or broken file from taking gigabytes and minutes."""

    max_document_bytes: int = 5_000_000
    max_line_chars: int = 100_000

    def check_text(self, where: str, text: str) -> None:
        if len(text) > self.max_document_bytes:
            raise InputError(
                f"{where}: a document of {len(text):,} characters is over "
                f"ingest.max_document_bytes ({self.max_document_bytes:,}); split it or raise the "
                f"limit in params.yaml"
            )
        for lineno, line in enumerate(text.split("\n"), 1):
            if len(line) > self.max_line_chars:
                raise InputError(
                    f"{where}: line {lineno} has {len(line):,} characters, over "
                    f"ingest.max_line_chars ({self.max_line_chars:,}): not article text; raise the "
                    f"limit in params.yaml if it is"
                )

    def too_big(self, where: str, size: int) -> InputError:
        return InputError(
            f"{where}: {size:,} bytes is over ingest.max_document_bytes "
            f"({self.max_document_bytes:,}); split it or raise the limit in params.yaml"
        )


@dataclass(frozen=True)
class Fields:
    """Which fields (JSONL) or columns (Parquet) of a dump hold what: large dumps name them
    their own way (`body`, `article_id`, `published`, `link`)."""

    text: str = "text"
    id: str = "id"
    date: str = "date"
    url: str = "url"
    title: str = "title"


@dataclass(frozen=True)
class ReadOptions:
    encoding: str = "utf-8"
    fields: Fields = Fields()
    limits: Limits = Limits()
    html_extractor: str = EXTRACTOR_TRAFILATURA
    # A bad record inside a crawl (over a limit, undecodable) is skipped and reported instead of
    # stopping the run: one broken page must not cost a crawl of a million.
    skip_invalid: bool = False
    # Told how many bytes of the input were consumed, as they are: the progress bar of a large
    # WARC file moves while it streams.
    on_bytes: Callable[[int], None] | None = field(default=None, compare=False)

"""WARC and WARC.gz crawls: HTML responses with status 200 become documents, streamed.

A crawl file may hold gigabytes: records are read one at a time with warcio, and of each only
its payload, up to ingest.max_document_bytes, is ever in memory. Requests, metadata, non-HTML
responses and error pages are counted as skipped, never read. The URL comes from the
record's WARC-Target-URI; the date is the page's own publication date where the extractor
finds one, else the day of the record's WARC-Date (when the page was fetched).
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stance.core.errors import InputError
from stance.core.files import open_binary
from stance.corpus.pages import extract_page
from stance.corpus.raw import (
    DOC_ID,
    SKIP_HINT,
    RawDocument,
    ReadOptions,
    Skip,
    hostname,
    sha,
)

HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)
_CHUNK = 1 << 16
_PREVIEW = 40  # bytes of a file that is not a WARC shown in the error


def warc_stem(path: Path) -> str:
    """crawl.warc.gz -> crawl: the prefix of its documents' ids."""
    name = path.name
    for suffix in (".warc.gz", ".warc"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return DOC_ID.sub("_", name)


def _charset(content_type: str, head: bytes) -> str:
    declared = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
    if declared:
        return declared.group(1)
    meta = _CHARSET.search(head[:4096])
    return meta.group(1).decode("ascii") if meta else "utf-8"


def _decode(data: bytes, charset: str) -> str:
    # Pages declare their charset wrongly often enough that a strict decode would lose real
    # articles to one stray byte: undecodable bytes become U+FFFD instead.
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _corrupt(path: Path, offset: int, why: str) -> InputError:
    # warcio quotes the bytes it could not parse: a corrupt file's bytes, printed raw, are
    # mojibake at best and terminal control sequences at worst.
    why = why if why.isprintable() else ascii(why)[1:-1]
    return InputError(
        f"{path}: not a readable WARC file ({why}, near byte {offset:,}); check the download "
        f"with `gzip -t`{SKIP_HINT}"
    )


def _preview(path: Path, offset: int) -> str:
    """The first bytes at `offset` (decompressed when gzipped), escaped, for a message."""
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            gzipped = fh.read(2) == b"\x1f\x8b"
            fh.seek(offset)
            data = gzip.GzipFile(fileobj=fh).read(_PREVIEW) if gzipped else fh.read(_PREVIEW)
    except (OSError, EOFError, zlib.error):
        return ""
    return f"; it starts {data!r}" if data else ""


def _read_payload(record: Any, where: str, opts: ReadOptions) -> bytes:
    """The HTTP payload (de-chunked, decompressed), refused past ingest.max_document_bytes."""
    limit = opts.limits.max_document_bytes
    try:
        data = record.content_stream().read(limit + 1)
    except (zlib.error, OSError, ValueError, EOFError) as exc:
        raise InputError(f"{where}: cannot decode the HTTP payload ({exc})") from None
    if len(data) > limit:
        raise InputError(
            f"{where}: a payload of more than {limit:,} bytes is over ingest.max_document_bytes; "
            f"raise the limit in params.yaml if it is an article"
        )
    return data


def _drain(record: Any) -> bool:
    """Read what is left of the record; False when the file ended inside it (truncated)."""
    raw = record.raw_stream
    while raw.read(_CHUNK):
        pass
    return getattr(raw, "limit", 0) <= 0


def _response(
    record: Any, n: int, offset: int, path: Path, stem: str, opts: ReadOptions
) -> RawDocument | Skip:
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI") or None
    where = f"{path}@{offset} ({url or 'no URL'})"
    http = record.http_headers
    content_type = (http.get_header("Content-Type") or "") if http else ""
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return Skip("not_html", where, content_type or "no Content-Type")
    status = http.get_statuscode() if http else None
    if status != "200":
        return Skip("status", where, f"HTTP {status}")
    data = _read_payload(record, where, opts)
    page = extract_page(_decode(data, _charset(content_type, data)), opts.html_extractor, url=url)
    opts.limits.check_text(where, page.text)
    fetched = headers.get_header("WARC-Date") or None
    date = page.date or (fetched[:10] if fetched else None)
    return RawDocument(
        doc_id=f"{stem}-{n:06d}",
        path=f"{path}@{offset}",
        text=page.text,
        sha256=sha(data),
        date=date,
        extractor=page.extractor,
        url=url,
        site=page.site or hostname(url),
        author=page.author,
        fetched=fetched,
        crawled=True,
    )


def warc_documents(path: Path, opts: ReadOptions) -> Iterator[RawDocument | Skip]:
    """Documents of a WARC file, in record order; ids are `<stem>-<record number>` and paths
    `<file>@<byte offset>` (`warcio extract <file> <offset>` shows the record).

    A broken file is an error naming the byte where it breaks. With --skip-invalid, a file
    that breaks after whole records (a download cut short, as crawl files often are) keeps
    them, and the rest of the file is one `invalid` skip. A record is given out only once the
    next one has been read: warcio finds a wrong Content-Length only as it moves on, and the
    record before such a break is not whole. A file broken from its first record is left out
    whole."""
    held: RawDocument | Skip | None = None
    records = documents = 0
    try:
        for item in _records(path, opts):
            if held is not None:
                yield held
                records += 1
                documents += isinstance(held, RawDocument)
            held = item
    except InputError as exc:
        if not (opts.skip_invalid and records):
            raise
        kept = f"; the {documents:,} documents of the {records:,} whole records before it are kept"
        yield Skip("invalid", str(path), str(exc).removesuffix(SKIP_HINT) + kept)
        return
    if held is not None:  # the file ended cleanly after it
        yield held


def _records(path: Path, opts: ReadOptions) -> Iterator[RawDocument | Skip]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    stem = warc_stem(path)
    size = path.stat().st_size if path.is_file() else 0
    with open_binary(path) as fh:
        records = ArchiveIterator(fh)
        # warcio writes a warning to stderr for a record not followed by a blank line (a
        # wrong Content-Length); counted in err_count, it becomes one error naming the record.
        records.INC_RECORD = ""
        offset = done = 0
        try:
            for n, record in enumerate(records):
                # The record's start, read before its payload: get_record_offset() would read
                # the record to its end first, leaving no payload to read.
                offset = records.offset
                if record.format != "warc":
                    raise _corrupt(path, offset, "no WARC record header")
                item: RawDocument | Skip
                if record.rec_type != "response":
                    item = Skip("not_response", f"{path}@{offset}", record.rec_type)
                else:
                    try:
                        item = _response(record, n, offset, path, stem, opts)
                    except InputError as exc:
                        if not opts.skip_invalid:
                            raise
                        item = Skip("invalid", f"{path}@{offset}", str(exc))
                if not _drain(record):
                    raise _corrupt(path, offset, "the file ends inside a record: truncated")
                if records.err_count:
                    raise _corrupt(path, offset, "a record's Content-Length does not match")
                yield item
                if opts.on_bytes is not None:
                    opts.on_bytes(fh.tell() - done)
                    done = fh.tell()
        except ArchiveLoadFailed as exc:
            why = str(exc).splitlines()[0][:120]
            if why.startswith("Unknown archive format"):  # followed by the bytes it found
                why = "no WARC record header" + _preview(path, offset)
            raise _corrupt(path, offset, why) from None
        # warcio's parser meets a malformed record with any of these (a record without a
        # target URI is an AttributeError); each means the same to the user: a broken file.
        except (zlib.error, EOFError, OSError, ValueError, AttributeError, IndexError) as exc:
            raise _corrupt(path, offset, f"{type(exc).__name__}: {exc}"[:120]) from None
        finally:
            # All of the file counts as read, broken or not: a bar never stops short.
            if opts.on_bytes is not None:
                opts.on_bytes(size - done)
        if records.err_count:
            raise _corrupt(path, offset, "a record's Content-Length does not match")
        if size and getattr(records, "offset", size) < size:
            raise _corrupt(path, records.offset, "the file ends inside a record: truncated")

"""Input files to raw documents: the format follows the file name.

Plain text (.txt, .text) and HTML pages (.html, .htm) are one document each; JSONL (.jsonl)
and Parquet (.parquet) dumps one per line or row (stance.corpus.dumps); WARC crawls (.warc,
.warc.gz) one per HTML response (stance.corpus.warc). Documents are yielded as they are read,
with a `Skip` for each record that becomes none, so a large input streams.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from stance.core.errors import InputError
from stance.core.files import read_text
from stance.corpus.dumps import jsonl_documents, parquet_documents
from stance.corpus.pages import extract_page
from stance.corpus.raw import DOC_ID, Fields, Limits, RawDocument, ReadOptions, Skip, sha
from stance.corpus.warc import warc_documents

__all__ = ["Limits", "RawDocument", "ReadOptions", "Skip", "expand_paths", "read_documents"]

SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".parquet": "parquet",
    ".warc": "warc",
    ".warc.gz": "warc",
}


def file_kind(path: Path) -> str | None:
    """text, html, jsonl, parquet or warc; None for a file type ingest does not read."""
    name = path.name.lower()
    if name.endswith(".warc.gz"):
        return "warc"
    return SUFFIXES.get(path.suffix.lower())


def _unsupported(path: Path) -> InputError:
    return InputError(
        f"{path}: unsupported file type {path.suffix or '(none)'!r} "
        f"(expected {', '.join(sorted(SUFFIXES))})"
    )


def _page_documents(path: Path, kind: str, opts: ReadOptions) -> Iterator[RawDocument]:
    """A .txt or .html file: one document, refused before reading when over the size limit."""
    size = path.stat().st_size if path.is_file() else 0
    if size > opts.limits.max_document_bytes:
        raise opts.limits.too_big(str(path), size)
    raw = read_text(path, opts.encoding)
    if not raw.strip():
        raise InputError(f"{path}: file is empty")
    doc_id = DOC_ID.sub("_", path.stem)
    if kind == "text":
        yield RawDocument(doc_id, str(path), raw, sha(raw))
        return
    page = extract_page(raw, opts.html_extractor)
    yield RawDocument(
        doc_id,
        str(path),
        page.text,
        sha(raw),
        date=page.date,
        extractor=page.extractor,
        url=page.url,
        site=page.site,
        author=page.author,
    )


def iter_documents(path: Path, opts: ReadOptions | None = None) -> Iterator[RawDocument | Skip]:
    """The documents of one input file, in file order, each within `opts.limits`."""
    opts = opts or ReadOptions()
    kind = file_kind(path)
    if kind is None:
        raise _unsupported(path)
    items: Iterator[RawDocument | Skip]
    if kind == "warc":
        items = warc_documents(path, opts)  # checks its own records, one by one
    elif kind == "jsonl":
        items = jsonl_documents(path, opts)
    elif kind == "parquet":
        items = parquet_documents(path, opts)
    else:
        items = _page_documents(path, kind, opts)
    for item in items:
        if isinstance(item, RawDocument) and kind != "warc":
            opts.limits.check_text(item.path, item.text)
        yield item


def text_of_file(path: Path) -> str:
    """A text file's text; a saved web page's article text, as ingest extracts it (its menus,
    banners and markup are not sentences). For `stance predict --text-file`."""
    if file_kind(path) != "html":
        return read_text(path)
    return "\n\n".join(d.text for d in iter_documents(path) if isinstance(d, RawDocument))


def read_documents(
    path: Path, encoding: str = "utf-8", text_field: str = "text", limits: Limits | None = None
) -> list[RawDocument]:
    """The documents of one input file as a list (for small inputs; ingest streams)."""
    opts = ReadOptions(encoding=encoding, fields=Fields(text=text_field), limits=limits or Limits())
    return [d for d in iter_documents(path, opts) if isinstance(d, RawDocument)]


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named directly, and the supported files under named directories, sorted."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and file_kind(f) is not None and not f.name.startswith(".")
            )
            if not found:
                raise InputError(f"{p}: no {', '.join(sorted(SUFFIXES))} files in this directory")
            files += found
        elif p.exists():
            files.append(p)
        else:
            raise InputError(f"{p}: no such file or directory")
    return files

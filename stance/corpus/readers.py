"""Input formats: plain text, HTML and JSONL (one article per line), to raw documents."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from stance.core.errors import InputError
from stance.core.files import read_text
from stance.core.tables import parse_jsonl

SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
_DOC_ID = re.compile(r"[^\w.-]+")


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


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        r"breadcrumb|menu|navbar|footer|comment|subscribe|cookie",
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
        self.date: str | None = None
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
        if tag in self._BLOCK and not self.skip_depth:
            self.parts.append("\n")

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


def _html_document(doc_id: str, path: Path, raw: str) -> RawDocument:
    parser = _TextExtractor()
    parser.feed(raw)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(line for line in lines if line)
    if parser.h1 is None and parser.title:
        text = parser.title + "\n" + text  # the headline stays a sentence
    return RawDocument(doc_id, str(path), text, _sha(raw), date=parser.date)


def _jsonl_documents(
    path: Path, lines: list[str], text_field: str, limits: Limits
) -> Iterator[RawDocument]:
    for lineno, obj in parse_jsonl(lines, str(path)):
        line = lines[lineno - 1]
        text = obj.get(text_field)
        if not isinstance(text, str) or not text.strip():
            raise InputError(
                f"{path}:{lineno}: no text in field {text_field!r} "
                "(choose the field with --text-field)"
            )
        title = obj.get("title") if isinstance(obj.get("title"), str) else None
        if title and not text.lstrip().startswith(title.strip()):
            text = title.strip() + "\n" + text
        key = str(obj.get("id", lineno))
        doc_id = f"{path.stem}-{_DOC_ID.sub('_', key)}"
        date = obj.get("date") if isinstance(obj.get("date"), str) else None
        claim = obj.get("claim")
        labels, responses = obj.get("labels"), obj.get("responses")
        for name, value in (("claim", claim), ("labels", labels), ("responses", responses)):
            ok = value is None or (
                isinstance(value, str)
                if name == "claim"
                else (isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))
            )
            if not ok:
                raise InputError(f"{path}:{lineno}: {name!r} has the wrong type")
        yield RawDocument(
            doc_id,
            f"{path}:{lineno}",
            text,
            _sha(line),
            date=date,
            claim=claim,
            labels=labels,
            responses=responses,
        )


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


def _read_lines(path: Path, encoding: str, limit: int) -> list[str]:
    """The lines of a JSONL file, each read with a bound, so one huge line is refused before
    it is in memory."""
    lines: list[str] = []
    try:
        with path.open(encoding=encoding, newline="") as fh:
            while line := fh.readline(limit + 1):
                if len(line) > limit and not line.endswith("\n"):
                    raise InputError(
                        f"{path}:{len(lines) + 1}: a line of more than {limit:,} characters is "
                        f"over ingest.max_document_bytes; split it or raise the limit in "
                        f"params.yaml"
                    )
                lines.append(line.rstrip("\r\n"))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid {encoding} (offset {exc.start} of line {len(lines) + 1}); "
            f"convert it to UTF-8 or pass its encoding, e.g. --encoding cp1252"
        ) from None
    except LookupError:
        raise InputError(f"--encoding {encoding}: unknown encoding name") from None
    return lines


def read_documents(
    path: Path, encoding: str = "utf-8", text_field: str = "text", limits: Limits = Limits()
) -> list[RawDocument]:
    """The raw documents in one input file; the format follows the file suffix."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r} "
            f"(expected {', '.join(sorted(SUFFIXES))})"
        )
    doc_id = _DOC_ID.sub("_", path.stem)
    if kind == "jsonl":
        if not path.is_file():
            read_text(path, encoding)  # the same error as for any other unreadable file
        lines = _read_lines(path, encoding, limits.max_document_bytes)
        if not any(line.strip() for line in lines):
            raise InputError(f"{path}: file is empty")
        docs = list(_jsonl_documents(path, lines, text_field, limits))
    else:
        size = path.stat().st_size if path.is_file() else 0
        if size > limits.max_document_bytes:
            raise InputError(
                f"{path}: {size:,} bytes is over ingest.max_document_bytes "
                f"({limits.max_document_bytes:,}); split it or raise the limit in params.yaml"
            )
        raw = read_text(path, encoding)
        if not raw.strip():
            raise InputError(f"{path}: file is empty")
        if kind == "html":
            docs = [_html_document(doc_id, path, raw)]
        else:
            docs = [RawDocument(doc_id, str(path), raw, _sha(raw))]
    for doc in docs:
        limits.check_text(doc.path, doc.text)
    return docs


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named directly, and the supported files under named directories, sorted."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith(".")
            )
            if not found:
                raise InputError(f"{p}: no {', '.join(sorted(SUFFIXES))} files in this directory")
            files += found
        elif p.exists():
            files.append(p)
        else:
            raise InputError(f"{p}: no such file or directory")
    return files

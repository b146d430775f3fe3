"""Article dumps, one article per JSONL line or Parquet row, read as a stream.

Dumps name their fields their own way; --text-field, --id-field, --date-field and
--url-field (stance.corpus.raw.Fields) say which is which. A line or row is read only with a
bound (ingest.max_document_bytes), so a dump of any size costs the memory of its documents.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from stance.core.errors import InputError
from stance.core.files import read_text
from stance.core.paths import PATHS
from stance.core.tables import iter_batches, parquet_columns, parse_jsonl
from stance.corpus.raw import DOC_ID, Fields, RawDocument, ReadOptions, hostname, sha

_BATCH = 1000
# The fields a dump may lack: by default a record without one gets the line number as its id
# and no date or URL. A field the user named with its option is meant to be there, and a
# misspelt name must not quietly give every document a made-up id and no date.
_OPTIONAL = (("--id-field", "id"), ("--date-field", "date"), ("--url-field", "url"))


def named_fields(fields: Fields) -> list[tuple[str, str]]:
    """(option, field) of each optional field given a name other than its default."""
    default = Fields()
    return [
        (option, getattr(fields, attr))
        for option, attr in _OPTIONAL
        if getattr(fields, attr) != getattr(default, attr)
    ]


def row_path(path: Path, row: int) -> str:
    """A dump record's `path`: the file and its line (JSONL) or row (Parquet), from 1."""
    return f"{path}:{row}"


def dump_row(where: str) -> tuple[str, int] | None:
    """(file, row) of a dump record's `path`; None for a document that is not a dump record."""
    file, _, row = where.rpartition(":")
    if not row.isdigit() or not file.lower().endswith((".jsonl", ".parquet")):
        return None
    return file, int(row)


def _value(v: Any) -> Any:
    """A Parquet cell as a plain Python value: NaN and NaT are missing, timestamps ISO text."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "isoformat"):
        try:
            return v.isoformat()
        except ValueError:  # NaT
            return None
    if hasattr(v, "item"):  # a NumPy scalar
        return v.item()
    return v


def _kind(value: Any) -> str:
    """What a JSON or Parquet value is, in the words of a message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def row_document(
    path: Path, where: str, key: str, obj: dict[str, Any], fields: Fields, digest: str
) -> RawDocument:
    """One dump record as a document; `key` stands in for a missing id (the line number)."""
    for option, name in named_fields(fields):
        if name not in obj:
            raise InputError(
                f"{where}: no field {name!r}, named by {option}; add it to this record or "
                f"leave {option} out"
            )
    text = obj.get(fields.text)
    if text is not None and not isinstance(text, str):
        raise InputError(
            f"{where}: field {fields.text!r} holds {_kind(text)}, not text "
            f"(choose the field with --text-field)"
        )
    if not isinstance(text, str) or not text.strip():
        raise InputError(
            f"{where}: no text in field {fields.text!r} (choose the field with --text-field)"
        )
    title = obj.get(fields.title) if isinstance(obj.get(fields.title), str) else None
    if title and not text.lstrip().startswith(title.strip()):
        text = title.strip() + "\n" + text
    ident = obj.get(fields.id)
    doc_id = f"{path.stem}-{DOC_ID.sub('_', key if ident is None else str(ident))}"
    date = obj.get(fields.date)
    url = obj.get(fields.url) if isinstance(obj.get(fields.url), str) else None
    claim = obj.get("claim")
    labels, responses = obj.get("labels"), obj.get("responses")
    for name, value in (("claim", claim), ("labels", labels), ("responses", responses)):
        ok = value is None or (
            isinstance(value, str)
            if name == "claim"
            else (isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))
        )
        if not ok:
            raise InputError(f"{where}: {name!r} has the wrong type")
    return RawDocument(
        doc_id,
        where,
        text,
        digest,
        date=date if isinstance(date, str) else None,
        claim=claim,
        labels=labels,
        responses=responses,
        url=url,
        site=hostname(url),
    )


def _lines(path: Path, encoding: str, limit: int) -> Iterator[str]:
    """The lines of a text file, each read with a bound, so one huge line is refused before
    it is in memory."""
    if not path.is_file():
        read_text(path, encoding)  # the same error as for any other unreadable file
    n = 0
    try:
        with path.open(encoding=encoding, newline="") as fh:
            while line := fh.readline(limit + 1):
                n += 1
                if len(line) > limit and not line.endswith("\n"):
                    raise InputError(
                        f"{path}:{n}: a line of more than {limit:,} characters is "
                        f"over ingest.max_document_bytes; split it or raise the limit in "
                        f"{PATHS.params}"
                    )
                yield line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid {encoding} (offset {exc.start} of line {n + 1}); "
            f"convert it to UTF-8 or pass its encoding, e.g. --encoding cp1252"
        ) from None
    except LookupError:
        raise InputError(f"--encoding {encoding}: unknown encoding name") from None


def jsonl_documents(path: Path, opts: ReadOptions) -> Iterator[RawDocument]:
    lines: list[str] = []  # the current line only: parse_jsonl numbers them, we hash them

    def numbered(source: Iterable[str]) -> Iterator[str]:
        for line in source:
            lines[:] = [line]
            yield line

    found = False
    for lineno, obj in parse_jsonl(
        numbered(_lines(path, opts.encoding, opts.limits.max_document_bytes)), str(path)
    ):
        found = True
        where = row_path(path, lineno)
        yield row_document(path, where, str(lineno), obj, opts.fields, sha(lines[0]))
    if not found:
        raise InputError(f"{path}: file is empty")


def parquet_documents(path: Path, opts: ReadOptions) -> Iterator[RawDocument]:
    """Rows of a Parquet dump; only the mapped columns are read. Rows are numbered from 1."""
    f = opts.fields
    names = parquet_columns(path)
    if f.text not in names:
        raise InputError(
            f"{path}: no column {f.text!r} (columns: {', '.join(names[:20]) or 'none'}); "
            f"choose the text column with --text-field"
        )
    for option, name in named_fields(f):
        if name not in names:
            near = difflib.get_close_matches(name, names, n=1)
            hint = f"; nearest: {near[0]}" if near else ""
            raise InputError(
                f"{option} {name}: {path} has no such column "
                f"(columns: {', '.join(names[:20]) or 'none'}{hint})"
            )
    wanted = [f.text, f.id, f.date, f.url, f.title, "claim", "labels", "responses"]
    columns = [c for c in dict.fromkeys(wanted) if c in names]
    n = 0
    for frame in iter_batches(path, _BATCH, columns=columns):
        for row in frame.to_dict(orient="records"):
            n += 1
            obj = {k: _value(v) for k, v in row.items()}
            where = row_path(path, n)
            digest = sha(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str))
            yield row_document(path, where, str(n), obj, f, digest)
    if not n:
        raise InputError(f"{path}: file is empty")

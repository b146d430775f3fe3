"""Tables in and out: JSON lines, CSV and Parquet, for every command.

One place decides how a suffix maps to a format, how a bad line is reported (file and line
number) and how large inputs stream (JSONL line by line, CSV in chunks, Parquet by record
batch), so every command reads and writes tables the same way. Outputs are written through
stance.core.files.atomic_writer: a failure never leaves a half-written table behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from stance.core.errors import InputError
from stance.core.files import atomic_writer, check_regular

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def table_format(path: Path, option: str | None = None) -> str:
    """`jsonl`, `csv` or `parquet` from the file suffix; an error naming the option otherwise."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        where = f"{option} {path}" if option else str(path)
        raise InputError(
            f"{where}: unsupported table type {path.suffix or '(none)'!r} "
            f"(use .jsonl, .csv or .parquet)"
        )
    return fmt


# --- JSON lines -----------------------------------------------------------------------------------


def dumps_jsonl(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def parse_jsonl(lines: Iterable[str], where: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a bad line is an error naming it."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}:{lineno}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise InputError(f"{where}:{lineno}: JSON nested too deeply") from None
        if not isinstance(obj, dict):
            raise InputError(f"{where}:{lineno}: expected a JSON object per line")
        yield lineno, obj


def read_jsonl(path: Path, where: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a JSONL file, streaming; a bad line names file and line."""
    check_regular(path, where)
    try:
        fh = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{where or path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{where or path}: is a directory, expected a file") from None
    with fh:
        try:
            for _, obj in parse_jsonl(fh, where or str(path)):
                yield obj
        except UnicodeDecodeError:
            raise InputError(f"{where or path}: not valid UTF-8") from None


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records atomically as JSON lines; returns the number written."""
    n = 0
    with atomic_writer(path) as fh:
        for record in records:
            fh.write(dumps_jsonl(record))
            n += 1
    return n


# --- any table ------------------------------------------------------------------------------------


def read_table(path: Path, option: str | None = None) -> Any:
    """A JSONL / CSV / Parquet table as a DataFrame, with clear errors."""
    import pandas as pd

    fmt = table_format(path, option)
    where = f"{option} {path}" if option else str(path)
    if not path.exists():
        raise InputError(f"{where}: no such file")
    check_regular(path, where)
    try:
        if fmt == "jsonl":
            return pd.DataFrame(list(read_jsonl(path, where)))
        if fmt == "csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        return pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: cannot read as {fmt} ({str(exc).splitlines()[0]})") from None


def count_rows(path: Path) -> int | None:
    """The row count when it is known without reading the table (Parquet metadata)."""
    if table_format(path) == "parquet" and path.is_file():
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except (ValueError, OSError):
            return None  # reading it will say what is wrong, with the file's name
    return None


def parquet_columns(path: Path, option: str | None = None) -> list[str]:
    """The column names of a Parquet file, from its metadata (no rows read)."""
    import pyarrow.parquet as pq

    where = f"{option} {path}" if option else str(path)
    try:
        return list(pq.ParquetFile(path).schema_arrow.names)
    except FileNotFoundError:
        raise InputError(f"{where}: no such file") from None
    except (ValueError, OSError) as exc:
        raise InputError(f"{where}: cannot read as parquet ({str(exc).splitlines()[0]})") from None


def iter_batches(
    path: Path,
    batch_size: int,
    option: str | None = None,
    columns: list[str] | None = None,
    row_groups: list[int] | None = None,
) -> Iterator[Any]:
    """DataFrames of at most `batch_size` rows: memory follows the batch, not the file.
    `columns` reads only those of a Parquet file (a dump's other columns may be large);
    `row_groups` only those row groups of it (a Part of a large file)."""
    import pandas as pd

    fmt = table_format(path, option)
    where = f"{option} {path}" if option else str(path)
    if not path.exists():
        raise InputError(f"{where}: no such file")
    if path.is_dir():
        raise InputError(f"{where}: is a directory, expected a file")
    check_regular(path, where)
    try:
        if fmt == "csv":
            yield from pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=batch_size)
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            batches = pq.ParquetFile(path).iter_batches(
                batch_size=batch_size, columns=columns, row_groups=row_groups
            )
            for batch in batches:
                yield batch.to_pandas()
        else:
            rows: list[dict[str, Any]] = []
            for row in read_jsonl(path, where):
                rows.append(row)
                if len(rows) == batch_size:
                    yield pd.DataFrame(rows)
                    rows = []
            if rows:
                yield pd.DataFrame(rows)
    except (ValueError, OSError) as exc:  # pyarrow's and pandas' parse errors derive from these
        raise InputError(f"{where}: cannot read as {fmt} ({str(exc).splitlines()[0]})") from None


# --- partitioned tables ---------------------------------------------------------------------------

GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Part:
    """A unit of work: a table file, or some row groups of a Parquet file. `first_row` is the
    part's first row in its file (0-based), so errors give the row number within the file."""

    path: Path
    first_row: int = 0
    rows: int | None = None
    row_groups: tuple[int, ...] | None = None  # None: the whole file

    def __str__(self) -> str:
        if self.row_groups is None:
            return str(self.path)
        return f"{self.path} (rows {self.first_row + 1}-{self.first_row + (self.rows or 0)})"


def is_partitioned(path: Path) -> bool:
    """A folder of table files, or a glob: what `table_parts` splits into several files."""
    return path.is_dir() or bool(GLOB_CHARS & set(str(path)))


def table_files(path: Path, option: str | None = None) -> list[Path]:
    """The table files of an input: the file itself, the .parquet/.jsonl/.csv files under a
    folder (hidden and `_`-prefixed ones, such as `_SUCCESS` or `_metadata`, left out), or the
    files a glob matches; sorted, so every run takes the parts in one order."""
    import glob

    where = f"{option} {path}" if option else str(path)
    if GLOB_CHARS & set(str(path)):
        files = sorted(Path(f) for f in glob.glob(str(path), recursive=True) if Path(f).is_file())
        if not files:
            raise InputError(f"{where}: no file matches this pattern")
    elif path.is_dir():
        files = sorted(
            f
            for f in path.rglob("*")
            if f.is_file()
            and f.suffix.lower() in FORMATS
            and not any(p.startswith((".", "_")) for p in f.relative_to(path).parts)
        )
        if not files:
            raise InputError(f"{where}: is a directory without .parquet, .jsonl or .csv files")
    elif path.exists():
        files = [path]
    else:
        raise InputError(f"{where}: no such file")
    for f in files:
        table_format(f, option)
    return files


def table_parts(path: Path, option: str | None = None, part_rows: int = 100_000) -> list[Part]:
    """An input as parts of about `part_rows` rows: each file is a part, and a Parquet file
    with several row groups is cut at row-group boundaries (from its metadata; no rows read)."""
    import pyarrow.parquet as pq

    parts: list[Part] = []
    for f in table_files(path, option):
        if table_format(f) != "parquet":
            parts.append(Part(f))
            continue
        try:
            meta = pq.ParquetFile(f).metadata
        except (ValueError, OSError) as exc:
            raise InputError(f"{f}: cannot read as parquet ({str(exc).splitlines()[0]})") from None
        groups: list[int] = []
        first = rows = 0
        for i in range(meta.num_row_groups):
            groups.append(i)
            rows += meta.row_group(i).num_rows
            if rows >= part_rows:
                parts.append(Part(f, first, rows, tuple(groups)))
                first, rows, groups = first + rows, 0, []
        if groups or not parts or parts[-1].path != f:
            whole = not parts or parts[-1].path != f
            parts.append(Part(f, first, rows, None if whole else tuple(groups)))
    return parts


def iter_part(part: Part, batch_size: int, option: str | None = None) -> Iterator[Any]:
    """The DataFrames of one part, at most `batch_size` rows each."""
    groups = None if part.row_groups is None else list(part.row_groups)
    yield from iter_batches(part.path, batch_size, option, row_groups=groups)


class TableWriter:
    """Append DataFrames to one table file, written atomically when the writer closes.

    Nested values (lists, dicts) stay nested in JSONL and Parquet and become JSON text in CSV.
    """

    def __init__(self, path: Path, option: str | None = None, parents: bool = True):
        self.path = path
        self.parents = parents
        self.format = table_format(path, option)
        self.rows = 0
        self._ctx: Any = None
        self._fh: IO[Any] | None = None
        self._parquet: Any = None

    def __enter__(self) -> TableWriter:
        self._ctx = atomic_writer(
            self.path, "wb" if self.format == "parquet" else "w", parents=self.parents
        )
        self._fh = self._ctx.__enter__()
        return self

    def write(self, frame: Any) -> None:
        assert self._fh is not None, "use `with TableWriter(...)`"
        if self.format == "jsonl":
            for rec in frame.to_dict(orient="records"):
                self._fh.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
        elif self.format == "csv":
            nested = [c for c in frame.columns if frame[c].map(_nested).any()]
            out = frame.assign(**{c: frame[c].map(json.dumps) for c in nested})
            write_csv(out, self._fh, header=self.rows == 0)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._fh, table.schema)
            self._parquet.write_table(table)
        self.rows += len(frame)

    def __exit__(self, *exc: Any) -> None:
        if self._parquet is not None and exc[0] is None:
            try:
                self._parquet.close()  # writes the footer: a full disk may show only here
            except BaseException as err:
                # The writer's own exit removes the temporary file (and names the output).
                self._ctx.__exit__(type(err), err, err.__traceback__)
                raise
        self._ctx.__exit__(*exc)


_FORMULA = ("=", "+", "-", "@")


def _guarded(value: Any) -> Any:
    """A text cell that a spreadsheet could run as a formula, with a leading apostrophe.
    Spreadsheets skip leading blanks and line breaks before a formula sign, so the test does
    too; a cell starting with a tab or carriage return is guarded as such."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "\t\r" or value.lstrip().startswith(_FORMULA):
        return "'" + value
    return value


def csv_safe(frame: Any) -> Any:
    """A copy whose text cells cannot run as spreadsheet formulas (see `_guarded`). Every
    CSV the project writes goes through this, because sentences come from the web."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("str"):
            out[col] = out[col].map(_guarded)
    return out


def write_csv(frame: Any, fh: IO[str], header: bool = True) -> None:
    """Write `frame` as RFC 4180 CSV, formula-guarded. Rows end in CRLF, so the CSV writer
    quotes every cell holding a CR or LF (as well as a comma or a quote): with LF rows a bare
    CR stayed unquoted, and spreadsheet readers split the row there."""
    csv_safe(frame).to_csv(fh, index=False, header=header, lineterminator="\r\n")


def _nested(value: Any) -> bool:
    return isinstance(value, (list, dict))

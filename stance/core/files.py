"""Reading text files with clear errors, and writing outputs atomically.

Tables (JSONL, CSV, Parquet) are read and written by stance.core.tables, on top of this.

Outputs are written to a temporary file beside the target and renamed into place, so a crash
or an error half-way never leaves a half-written file where a later stage would read it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from stance.core.errors import InputError


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """Read a text file, naming the file and the fix when it cannot be decoded."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(enc)
    except LookupError:
        raise InputError(f"--encoding {encoding}: unknown encoding name") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"convert it to UTF-8 or pass its encoding, e.g. --encoding cp1252"
        ) from None


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; on success fsync it and rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


@contextlib.contextmanager
def atomic_files(paths: list[Path]) -> Iterator[list[IO[str]]]:
    """Several outputs that appear together: each is renamed into place only when all are done."""
    with contextlib.ExitStack() as stack:
        handles = []
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            stack.callback(_discard, tmp)
            handles.append((stack.enter_context(os.fdopen(fd, "w", encoding="utf-8")), tmp, path))
        yield [fh for fh, _, _ in handles]
        for fh, _, _ in handles:
            fh.flush()
            os.fsync(fh.fileno())
        for _, tmp, path in handles:
            os.replace(tmp, path)

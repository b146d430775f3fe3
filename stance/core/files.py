"""Reading text files with clear errors, and writing outputs atomically.

Tables (JSONL, CSV, Parquet) are read and written by stance.core.tables, on top of this.

Outputs are written to a temporary file beside the target and renamed into place, so a crash
or an error half-way never leaves a half-written file where a later stage would read it.
Temporary names carry the writer's pid, so the next write of the same output removes what a
killed run left and never what a live one is writing (stance.core.leftovers).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar

from stance.core.errors import InputError, StanceError
from stance.core.leftovers import clear_leftovers, is_leftover, sibling, temp_prefix

T = TypeVar("T")


def check_regular(path: Path, where: str | None = None) -> None:
    """Refuse, before opening it, an input that is a named pipe, a device or a socket (or a
    link to one): opening a pipe blocks forever, and /dev/zero has no end for the size
    limits to catch. A missing file or a folder is left to the caller's own message."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise InputError(
            f"{where or path}: not a regular file (a pipe, device or socket); give a file"
        )


def open_binary(path: Path) -> BinaryIO:
    """Open a file to read bytes; a missing file, a folder or no permission is one line."""
    check_regular(path)
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """Read a text file, naming the file and the fix when it cannot be decoded."""
    with open_binary(path) as fh:
        data = fh.read()
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output(path: Path, option: str | None = None) -> None:
    """Fail before any work when `path` cannot become an output file."""
    where = f"{option} {path}" if option else str(path)
    if path.is_dir():
        raise InputError(f"{where}: is a directory; give a file name to write")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{where}: {parent} is a file, not a folder")
            break


def _temp_beside(path: Path, parents: bool = True) -> tuple[int, str]:
    """A temporary file in the target's folder (so the rename is atomic), with the
    permissions a plain `open` would give it, not mkstemp's private 0600. With `parents`
    false a missing folder is an error, not created."""
    check_output(path)
    parent = path.parent
    try:
        if parents:
            parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(path)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=parent)
    except FileExistsError:
        raise InputError(f"{path}: a parent of it is a file, not a folder") from None
    except OSError as exc:
        raise write_failed(path, exc) from None
    os.fchmod(fd, 0o666 & ~_umask())
    return fd, tmp


def write_failed(path: Path | str, exc: OSError) -> InputError:
    """A write the system refused (full disk, read-only, no permission) as one line naming
    the output, not the temporary file the error came from."""
    fix = {
        errno.ENOSPC: "free some space, then run it again",
        errno.EDQUOT: "free some space, then run it again",
        errno.EROFS: "the file system is read-only: write elsewhere",
        errno.EACCES: "write elsewhere, or fix the folder's permissions",
        errno.EPERM: "write elsewhere, or fix the folder's permissions",
    }.get(exc.errno or 0, "write elsewhere")
    return InputError(f"{path}: cannot write ({exc.strerror or exc}); nothing was written: {fix}")


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "w", parents: bool = True) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; on success fsync it and rename it over `path`.
    On any failure the temporary file is removed; an OS error becomes one InputError."""
    fd, tmp = _temp_beside(path, parents)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise write_failed(path, exc) from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


@contextlib.contextmanager
def atomic_files(paths: list[Path]) -> Iterator[list[IO[str]]]:
    """Several outputs that appear together: each is renamed into place only when all are
    done. On any failure every temporary file is removed; an OS error becomes one InputError."""
    handles: list[tuple[IO[str], str, Path]] = []
    # Folders this call creates are removed again on failure: no empty output folder is left.
    made = [p for p in {path.parent.absolute() for path in paths} if not p.exists()]
    try:
        for path in paths:
            fd, tmp = _temp_beside(path)
            handles.append((os.fdopen(fd, "w", encoding="utf-8"), tmp, path))
        yield [fh for fh, _, _ in handles]
        for fh, _, _ in handles:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        for _, tmp, path in handles:
            os.replace(tmp, path)
    except BaseException as exc:
        for fh, tmp, _ in handles:
            with contextlib.suppress(OSError):
                fh.close()  # a buffer that cannot be flushed any more is dropped here
            _discard(tmp)
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty
        if isinstance(exc, OSError):
            where = paths[0] if len(paths) == 1 else f"{paths[0].parent}/"
            raise write_failed(where, exc) from None
        raise


MAX_CONFIG_BYTES = 50_000_000  # the actor registry is ~1 MB; a config file is never near this


def read_yaml(path: Path, error: type[StanceError]) -> Any:
    """A YAML configuration file, read safely: no Python tags, no anchors or aliases (a few
    nested aliases expand into gigabytes), and every problem one `error` naming the file."""
    import yaml

    check_regular(path)
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise error(f"{path}: {size:,} bytes is too large for a configuration file")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(
            f"{path}: no such file (run from the project root or pass the path explicitly)"
        ) from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, expected a YAML file") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not valid UTF-8") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, (yaml.AliasToken, yaml.AnchorToken)):
                line = token.start_mark.line + 1
                raise error(
                    f"{path}: line {line}: YAML anchors and aliases (&, *) are not accepted; "
                    f"write the value out in full"
                )
        _check_nodes(yaml.compose(text, Loader=loader), path, error)
        return yaml.load(text, Loader=loader)  # a safe loader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}:{where} not valid YAML ({problem})") from None


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _check_nodes(root: Any, path: Path, error: type[StanceError]) -> None:
    """What YAML itself lets pass: a key given twice (the last one silently wins) and a date
    that is no real day (2020-02-30, which the loader fails on without a line)."""
    import datetime as dt

    import yaml

    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name is not None and name in seen:
                    raise error(
                        f"{path}: line {key.start_mark.line + 1}: key {name!r} is given twice "
                        f"(first at line {seen[name]}); keep one"
                    )
                if name is not None:
                    seen[name] = key.start_mark.line + 1
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif node.tag == _TIMESTAMP:
            try:
                if len(node.value) == 10:
                    dt.date.fromisoformat(node.value)
                else:
                    dt.datetime.fromisoformat(node.value.replace(" ", "T", 1).rstrip("Zz"))
            except ValueError:
                raise error(
                    f"{path}: line {line}: {node.value!r} is not a real date: write YYYY-MM-DD"
                ) from None


# --- folders of parts ---------------------------------------------------------------------------


def read_marker(
    folder: Path, marker: str, owner: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The marker file's content when `folder` holds one listing its files (and, with `owner`,
    naming that owner: `{"tool": "stance"}`), else None."""
    import json

    try:
        data = json.loads((folder / marker).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None
    return data if all(data.get(k) == v for k, v in (owner or {}).items()) else None


def check_folder_output(
    output: Path,
    marker: str,
    command: str,
    option: str,
    owner: Mapping[str, Any] | None = None,
) -> None:
    """Refuse an output folder whose replacement could destroy what `command` did not write:
    it may be new, empty, or a folder `command` wrote (it holds `marker`, listing its files)."""
    fix = f"nothing was touched: choose a new or empty folder for {option}, or delete"
    if output.is_symlink():
        raise InputError(f"{output}: is a symbolic link; {fix} the link yourself")
    if output.exists() and not output.is_dir():
        raise InputError(f"{output}: is a file, not a folder; {fix} the file yourself")
    if not output.exists() or not any(output.iterdir()):
        return
    listed = read_marker(output, marker, owner)
    if listed is None:
        raise InputError(
            f"{output}: not empty and not made by `{command}` (no {marker} file in it); "
            f"{fix} this one yourself"
        )
    ours = set(listed["files"]) | {marker}
    for path in sorted(output.rglob("*")):
        name = path.relative_to(output).as_posix()
        if (path.is_symlink() or not path.is_dir()) and name not in ours:
            raise InputError(
                f"{output}: holds {name}, which `{command}` did not write; nothing was touched: "
                f"move it out, choose another {option}, or delete the folder yourself"
            )


def replace_folder(
    output: Path,
    build: Callable[[Path], T],
    marker: str,
    command: str,
    option: str,
    owner: Mapping[str, Any] | None = None,
    about: Mapping[str, Any] | None = None,
) -> T:
    """Run `build(tmp)` on a new hidden folder beside `output`, list its files in `marker`,
    and swap it in for `output` (checked before and again just before the swap). On any
    failure the new folder is removed and `output` is left as it was.

    The marker holds `owner` (default `{"command": command}`), then `about`, then the files:
    no clock time unless `about` has one, so the same build gives the same bytes."""
    import json
    import shutil

    owner = {"command": command} if owner is None else owner
    target = output.absolute()
    clear_leftovers(target)  # before the check: a restored old folder is checked too
    check_folder_output(output, marker, command, option, owner)
    check_output(target / marker)  # a parent that is a file is refused before any work
    target.parent.mkdir(parents=True, exist_ok=True)

    new = sibling(target, "new")
    try:
        new.mkdir(mode=0o777 & ~_umask())  # not mkdtemp: its 0700 mode would become the output's
    except OSError as exc:
        raise write_failed(f"{option} {output}", exc) from None
    try:
        result = build(new)
        # A part whose writer died (a lost Dask worker) was written again by another: its
        # temporary file is all that is left of the first try.
        for path in new.rglob(".*"):
            if is_leftover(path.name) and path.is_file():
                path.unlink()
        files = sorted(
            p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file() or p.is_symlink()
        )
        listing = {**owner, **(about or {}), "files": files}
        (new / marker).write_text(json.dumps(listing, indent=2) + "\n", encoding="utf-8")
        check_folder_output(output, marker, command, option, owner)
        swap_in(new, target)
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise write_failed(f"{option} {output}", exc) from None
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return result


def swap_in(new: Path, target: Path) -> None:
    """Put the finished folder `new` where `target` is: the old one is renamed aside, the new
    one renamed in, and only then the old one removed; a failed rename puts the old one back."""
    import shutil

    if not target.exists():
        os.rename(new, target)
        return
    aside = sibling(target, "old")
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside)

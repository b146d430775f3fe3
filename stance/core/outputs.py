"""The one rule for every file a command writes (`guard_output`), checked before any work.

A command never writes over:
- its own inputs, nor inside an input folder (not even with --force: the write would read
  what it is replacing);
- the human sources: annotation logs, the registries, params.yaml, dvc.yaml, the seeds;
- an output of another DVC stage (`stance export --output data/interim/candidates.jsonl`);
- a file tracked by git that this command does not produce;
- an existing file that is not what this command writes (`--output README.md`);
unless the user passes --force for the last four. Paths are compared resolved, so `./x`,
`dir/../x` and a symbolic link name the same file.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

from stance.core.errors import InputError
from stance.core.files import check_output
from stance.core.paths import PATHS, ProjectPaths

# Relative to the project root (the working directory): what people write, never a command.
HUMAN_SOURCES = tuple(p.as_posix() for p in PATHS.human_sources())
PEEK_BYTES = 1 << 20  # enough of an existing output to know what wrote it


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve()


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _git_tracked(path: Path) -> bool:
    try:
        done = subprocess.run(
            ["git", "ls-files", "--error-unmatch", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False  # no git, or not a folder git can run in: nothing tracked
    return done.returncode == 0


def stage_outputs(root: Path) -> dict[str, set[Path]]:
    """Each dvc.yaml stage's outputs (outs, metrics, plots), resolved; {} without a readable
    dvc.yaml. By the project's convention stage X runs `stance X`."""
    import yaml

    try:
        data = yaml.safe_load((ProjectPaths(root).dvc_yaml).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    stages = data.get("stages") if isinstance(data, dict) else None
    out: dict[str, set[Path]] = {}
    for name, stage in (stages or {}).items():
        if not isinstance(stage, dict):
            continue
        paths: set[Path] = set()
        for key in ("outs", "metrics", "plots"):
            for entry in stage.get(key) or []:
                for item in entry if isinstance(entry, dict) else [entry]:
                    if isinstance(item, str):
                        paths.add(_resolved(root / item))
        out[str(name)] = paths
    return out


def guard_output(
    path: Path,
    *,
    command: str,
    inputs: Iterable[Path] = (),
    force: bool = False,
    option: str | None = None,
    produces: Iterable[Path] = (),
    recognise: Callable[[Path], bool] | None = None,
    folder: bool = False,
    can_force: bool = True,
) -> None:
    """Refuse, before any work, to write `path` where the rule above forbids it.

    `produces` are the paths this command writes by design (its defaults); `recognise` tells
    whether an existing, non-empty file is one this command wrote; `folder` says
    `path` is an output folder (its contents are the command's, its inputs must lie outside).
    """
    where = f"{option} {path}" if option else str(path)
    if not folder:
        check_output(path, option)
    target = _resolved(path)
    for given in inputs:
        source = _resolved(given)
        if _within(target, source) or (folder and _within(source, target)):
            what = "is" if target == source else "holds"
            what = "is inside" if source in target.parents else what
            raise InputError(
                f"{where}: {what} an input of `stance {command}` ({given}); write elsewhere"
            )
    root = Path.cwd().resolve()
    stages = stage_outputs(root)
    own = {_resolved(p) for p in produces} | stages.get(command, set())
    if any(_within(target, p) for p in own):
        return
    refuse = _reason(target, folder, root, stages, command, recognise)
    if refuse and not force:
        other = f"choose another {'folder' if folder else 'file'}"
        raise InputError(
            f"{where}: {refuse}; nothing was written: "
            + (f"{other}, or pass --force to replace it" if can_force else other)
        )


def _reason(
    target: Path,
    folder: bool,
    root: Path,
    stages: dict[str, set[Path]],
    command: str,
    recognise: Callable[[Path], bool] | None,
) -> str | None:
    for name in HUMAN_SOURCES:
        source = root / name
        if _within(target, source) or (folder and _within(source, target)):
            return f"{'is' if _within(target, source) else 'holds'} a human source ({name})"
    for stage, paths in stages.items():
        if stage != command and any(_within(target, p) for p in paths):
            return f"is an output of the `{stage}` stage (dvc.yaml)"
    if folder or not target.is_file():
        return None
    if _git_tracked(target):
        return "is tracked by git and not written by this command"
    if recognise is not None and _head(target).strip() and not recognise(target):
        return f"exists and is not a file `stance {command}` wrote"
    return None


# --- what each command's outputs look like -------------------------------------------------------


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(PEEK_BYTES)
    except OSError:
        return b""


def _first_json(head: bytes) -> object:
    try:
        return json.loads(head.split(b"\n", 1)[0])
    except ValueError:
        return None


def looks_like_json_object(*keys: str) -> Callable[[Path], bool]:
    """A JSON object holding every one of `keys` (reports, model cards)."""

    def check(path: Path) -> bool:
        head = _head(path)
        return head.lstrip().startswith(b"{") and all(f'"{k}"'.encode() in head for k in keys)

    return check


def looks_like_table(*columns: str) -> Callable[[Path], bool]:
    """A JSONL, CSV or Parquet table with these columns (predictions)."""

    def check(path: Path) -> bool:
        head = _head(path)
        if head.startswith(b"PAR1"):
            import pyarrow.parquet as pq

            try:
                names = set(pq.read_schema(path).names)
            except Exception:  # noqa: BLE001 - any unreadable Parquet is not ours
                return False
            return set(columns) <= names
        row = _first_json(head)
        if isinstance(row, dict):
            return set(columns) <= set(row)
        header = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(",")
        return set(columns) <= set(header)

    return check


def looks_like_zip(path: Path) -> bool:
    """A zip archive (a skops model)."""
    return _head(path).startswith(b"PK\x03\x04")


def looks_like_export(path: Path) -> bool:
    """A Prodigy or doccano JSONL export, or a Label Studio JSON task list."""
    head = _head(path)
    if head.lstrip().startswith(b"[") and b'"candidate_id"' in head:
        return True
    row = _first_json(head)
    if not isinstance(row, dict):
        return False
    meta = row.get("meta")
    return (isinstance(meta, dict) and "id" in meta) or {"id", "actor", "text"} <= set(row)


def looks_like_labelstudio_config(path: Path) -> bool:
    return _head(path).lstrip().startswith(b"<View>")

"""Model files: saved with skops (compressed) beside a card, loaded only after checks.

The card (`<model>.card.json`) records the file's SHA-256, the training data's hash and label
counts, library versions, parameters and cross-validation scores. Loading reads the file once
and checks those very bytes: it refuses a file whose hash differs from its card (tampered or
replaced), one written by another scikit-learn minor version (a different patch version only
warns), and one holding types outside the trusted list, each with one line saying what to do.

The archive also carries the plain-data export of stance.model.export (extra members that skops
ignores): `load_predictor` reads only that, so no prediction imports scikit-learn; `load` gives
the fitted scikit-learn pipeline, for whoever wants to inspect or refit it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import platform
import warnings
import zipfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

from stance.core.errors import StanceError
from stance.core.files import atomic_writer, check_regular
from stance.core.stamp import stamp

# Types skops does not trust by default that this project's models legitimately contain: its
# two transformers, and the private holders of a calibrated SVM's per-fold models and sigmoids
# (plain scikit-learn classes of arrays, which skops lists because they are not public).
TRUSTED = [
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "stance.model.features.ActorView",
    "stance.model.features.SharedText",
]


class ModelError(StanceError):
    "A model file cannot be trained, loaded or used."


class ModelVersionWarning(UserWarning):
    "The model was written by another patch version of scikit-learn."


def card_path(model: Path) -> Path:
    return model.with_suffix(".card.json")


def versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        **{p: version(p) for p in ("scikit-learn", "skops", "numpy", "pandas", "stance")},
    }


def save(
    pipe: Any, path: Path, card: dict[str, Any], extra: dict[str, bytes] | None = None
) -> dict[str, Any]:
    """Write the model (plus `extra` archive members) and its card; returns the card."""
    import skops.io as sio

    when = stamp("trained_at")  # a bad SOURCE_DATE_EPOCH fails before anything is written
    with _compact_schema():
        raw = sio.dumps(pipe, compression=zipfile.ZIP_STORED)
    data = stable_archive(raw, extra or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path, "wb") as fh:
        fh.write(data)
    card = {
        **card,
        "model": str(path),
        "sha256": hashlib.sha256(data).hexdigest(),
        "versions": versions(),
        "trusted_types": TRUSTED,
        **when,
    }
    with atomic_writer(card_path(path)) as fh:
        json.dump(card, fh, indent=2, default=str)
        fh.write("\n")
    return card


class _CompactJson:
    """`json` as skops's writer sees it during `save`: `dumps` without the indent."""

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(obj: Any, *args: Any, indent: Any = None, **kwargs: Any) -> str:
        return json.dumps(obj, *args, separators=(",", ":"), **kwargs)


@contextlib.contextmanager
def _compact_schema() -> Iterator[None]:
    """skops writes schema.json with `indent=2`, which sends json to its pure-Python encoder:
    3 s of a 17 s `stance train` for a 10 MB schema (the vocabularies). `stable_archive`
    rewrites it compact anyway, so skops gets to write it compact (0.05 s) in the first place.
    A skops whose writer is not laid out as this expects is left as it is (only slower)."""
    import skops.io._persist as writer

    if getattr(writer, "json", None) is not json:
        yield
        return
    writer.json = _CompactJson  # type: ignore[assignment]
    try:
        yield
    finally:
        writer.json = json


# Every member gets the same time and mode, so the bytes depend on the contents alone.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
SCHEMA = "schema.json"


# scikit-learn's vectorizers remember `id(stop_words)` to skip re-checking the same list; the
# number is meaningless in any other process, which checks again when it does not match.
VOLATILE = frozenset({"_stop_words_id"})


def _without_volatile(node: dict[str, Any]) -> dict[str, Any]:
    """An object's attribute dict (a skops DictNode) without the VOLATILE keys, and without
    their entries in its parallel `key_types` list."""
    content, types = node.get("content"), node.get("key_types")
    if node.get("__loader__") != "DictNode" or not isinstance(content, dict):
        return node
    if not VOLATILE & content.keys() or not isinstance(types, dict):
        return node
    keep = [k not in VOLATILE for k in content]
    if len(keep) != len(types.get("content", ())):
        return node  # not the layout this code knows: leave it as skops wrote it
    return {
        **node,
        "content": {k: v for k, v in content.items() if k not in VOLATILE},
        "key_types": {
            **types,
            "content": [t for t, k in zip(types["content"], keep, strict=True) if k],
        },
    }


def stable_archive(data: bytes, extra: dict[str, bytes]) -> bytes:
    """The skops archive `data`, plus the `extra` members, rewritten so that the same model
    gives the same bytes in any process on any day.

    skops names array members by the `id()` of the array and other members by a random UUID,
    records those ids in schema.json (`__id__`, to restore shared objects once), and stamps
    each member with the current time. Here the ids become 1, 2, ... and the member names
    1.npy, 2.npz, ... in the order schema.json first mentions them (equal ids stay equal, so
    shared objects stay shared), and every member gets a fixed time, mode and place. Attributes
    that only cache an `id()` (VOLATILE) are left out: in another process they match nothing.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {name: src.read(name) for name in src.namelist()}
    ids: dict[int, int] = {}
    names: dict[str, str] = {}

    def renumber(node: Any) -> Any:
        if isinstance(node, list):
            return [renumber(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: renumber(v) for k, v in _without_volatile(node).items()}
        if isinstance(node.get("__id__"), int):
            out["__id__"] = ids.setdefault(node["__id__"], len(ids) + 1)
        member = node.get("file")
        if isinstance(member, str) and member in members and member != SCHEMA:
            out["file"] = names.setdefault(member, f"{len(names) + 1}{Path(member).suffix}")
        return out

    schema = renumber(json.loads(members.pop(SCHEMA)))
    unnamed = sorted(set(members) - set(names))
    if unnamed:  # a member schema.json does not point to: a skops format this code predates
        raise ModelError(f"the skops archive has members schema.json does not name: {unnamed}")
    # Compact: with an indent, json falls back to its pure-Python encoder, which took 0.7 s
    # of every save for a schema of 10 MB (the vocabularies); compact, 0.05 s and 2.5 MB.
    ordered = [(SCHEMA, json.dumps(schema, separators=(",", ":")).encode())]
    ordered += sorted((names[old], blob) for old, blob in members.items())
    ordered += sorted(extra.items())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name, blob in ordered:
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # what a Unix zip writes, whatever writes this one
            info.external_attr = 0o644 << 16
            out.writestr(info, blob, compresslevel=6)
    return buf.getvalue()


def _minor(v: str) -> tuple[str, ...]:
    return tuple(v.split(".")[:2])


def check_versions(path: Path, card: dict[str, Any]) -> None:
    """Refuse another scikit-learn major.minor version; warn (ModelVersionWarning) on another
    patch version, whose estimators keep their attributes."""
    want, have = card.get("versions", {}).get("scikit-learn"), version("scikit-learn")
    if not isinstance(want, str) or _minor(want) != _minor(have):
        raise ModelError(
            f"{path}: written by scikit-learn {want}, this is {have}: retrain with `stance train` "
            f"or install scikit-learn=={want}"
        )
    if want != have:
        warnings.warn(
            f"{path}: written by scikit-learn {want}, this is {have} (same minor version: "
            f"loaded); retrain with `stance train` to match",
            ModelVersionWarning,
            stacklevel=3,
        )


def read_checked(path: Path) -> tuple[bytes, dict[str, Any]]:
    """The model's bytes, read once, and its card, after the hash and version checks: what is
    checked is what gets loaded, so the file cannot be swapped in between."""
    cpath = card_path(path)
    for given in (path, cpath):
        if given.is_dir():
            raise ModelError(f"{given}: is a directory; give the model file (.skops)")
        check_regular(given)
    try:
        if path.stat().st_size > MAX_MODEL_BYTES:
            raise ModelError(f"{path}: {path.stat().st_size:,} bytes is too large for a model")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(
            f"{path}: no such model: run `stance train` (or `dvc repro`) first"
        ) from None
    try:
        card = json.loads(cpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"{cpath}: the model card is missing; retrain with `stance train`"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError(f"{cpath}: the model card is not valid JSON; retrain") from None
    for key, kind in (("sha256", str), ("versions", dict)):
        if not isinstance(card, dict) or not isinstance(card.get(key), kind):
            raise ModelError(
                f"{cpath}: the model card has no {key!r} of the right type; retrain with "
                f"`stance train`"
            )
    check_bytes(path, data, card)
    return data, card


def check_bytes(path: Path, data: bytes, card: dict[str, Any]) -> None:
    """The hash, version and archive checks on bytes already read (on a Dask worker too)."""
    if hashlib.sha256(data).hexdigest() != card.get("sha256"):
        raise ModelError(
            f"{path}: the file does not match the SHA-256 in its card (tampered or replaced); "
            f"do not load it: retrain with `stance train`"
        )
    check_versions(path, card)
    check_archive(path, data)


def loads_checked(path: Path, data: bytes, card: dict[str, Any]) -> Any:
    """The Predictor from bytes read elsewhere (shipped to a worker), after the same checks
    as `load_predictor`: what a worker runs is what the card describes."""
    check_bytes(path, data, card)
    return predictor_of_bytes(path, data)


# A trained model is a few MB. Bounds on the archive, checked from its directory before any
# member is inflated, so a small zip bomb cannot cost gigabytes.
MAX_MODEL_BYTES = 1 << 30
MAX_RATIO = 200


def check_archive(path: Path, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise ModelError(f"{path}: not a model archive (not a zip file)") from None
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > MAX_MODEL_BYTES or total > MAX_RATIO * max(packed, 1 << 16):
        raise ModelError(
            f"{path}: its members would inflate to {total:,} bytes from {len(data):,}: not a "
            f"model `stance train` writes; refusing to read it"
        )


def _skops_loads(path: Path, data: bytes) -> Any:
    import skops.io as sio
    from sklearn.exceptions import InconsistentVersionWarning

    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # any parse failure means the file is unusable
        raise ModelError(f"{path}: not a readable skops model ({type(exc).__name__})") from None
    extra = sorted(set(untrusted) - set(TRUSTED))
    if extra:
        raise ModelError(
            f"{path}: refuses to load untrusted types {', '.join(extra)}; only models made by "
            f"`stance train` load"
        )
    try:
        with warnings.catch_warnings():
            # check_versions has judged the versions and warned once; sklearn would warn
            # again for every estimator in the pipeline.
            warnings.simplefilter("ignore", InconsistentVersionWarning)
            return sio.loads(data, trusted=TRUSTED)
    except Exception as exc:  # skops and sklearn raise many kinds; all mean "cannot load"
        raise ModelError(f"{path}: cannot be loaded ({type(exc).__name__}: {exc})") from None


def load(path: Path) -> tuple[Any, dict[str, Any]]:
    """The fitted pipeline and its card, after checking the card, hash, versions and types."""
    data, card = read_checked(path)
    return _skops_loads(path, data), card


def load_predictor(path: Path) -> tuple[Any, dict[str, Any]]:
    """The model's stance.model.predictor.Predictor and its card, after the same checks as
    `load` (card, hash, versions, archive bounds); scikit-learn is not imported."""
    data, card = read_checked(path)
    return predictor_of_bytes(path, data), card


def predictor_of_bytes(path: Path, data: bytes) -> Any:
    """The Predictor of a model archive's bytes, checked already (on a Dask worker too)."""
    from stance.model.export import CannotExport, has_export
    from stance.model.predictor import Predictor

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if not has_export(archive):
                raise ModelError(
                    f"{path}: has no plain-data export (made by an older `stance train`): "
                    f"retrain it with `stance train`"
                )
            return Predictor(archive)
    except (zipfile.BadZipFile, CannotExport, KeyError, ValueError) as exc:
        raise ModelError(f"{path}: cannot be loaded ({type(exc).__name__}: {exc})") from None

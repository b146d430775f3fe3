"""Model files: saved with skops (compressed) beside a card, loaded only after checks.

The card (`<model>.card.json`) records the file's SHA-256, the training data's hash and label
counts, library versions, parameters and cross-validation scores. Loading refuses a file whose
hash differs from its card (tampered or replaced), one written by another scikit-learn version,
and one holding types outside the trusted list, each with one line saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zipfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from stance.core.errors import StanceError
from stance.core.files import atomic_writer

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


def card_path(model: Path) -> Path:
    return model.with_suffix(".card.json")


def versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        **{p: version(p) for p in ("scikit-learn", "skops", "numpy", "pandas", "stance")},
    }


def save(pipe: Any, path: Path, card: dict[str, Any]) -> dict[str, Any]:
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path, "wb") as fh:
        fh.write(sio.dumps(pipe, compression=zipfile.ZIP_DEFLATED))
    card = {
        **card,
        "model": str(path),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "versions": versions(),
        "trusted_types": TRUSTED,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with atomic_writer(card_path(path)) as fh:
        json.dump(card, fh, indent=2, default=str)
        fh.write("\n")
    return card


def load(path: Path) -> tuple[Any, dict[str, Any]]:
    """Load a model after checking its card, its hash, its versions and its types."""
    if not path.exists():
        raise ModelError(f"{path}: no such model: run `stance train` (or `dvc repro`) first")
    cpath = card_path(path)
    try:
        card = json.loads(cpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"{cpath}: the model card is missing; retrain with `stance train`"
        ) from None
    except json.JSONDecodeError:
        raise ModelError(f"{cpath}: the model card is not valid JSON; retrain") from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != card.get("sha256"):
        raise ModelError(
            f"{path}: the file does not match the SHA-256 in its card (tampered or replaced); "
            f"do not load it: retrain with `stance train`"
        )
    want, have = card.get("versions", {}).get("scikit-learn"), version("scikit-learn")
    if want != have:
        raise ModelError(
            f"{path}: written by scikit-learn {want}, this is {have}: retrain with `stance train` "
            f"or install scikit-learn=={want}"
        )
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # noqa: BLE001 - any parse failure means the file is unusable
        raise ModelError(f"{path}: not a readable skops model ({type(exc).__name__})") from None
    extra = sorted(set(untrusted) - set(TRUSTED))
    if extra:
        raise ModelError(
            f"{path}: refuses to load untrusted types {', '.join(extra)}; only models made by "
            f"`stance train` load"
        )
    try:
        pipe = sio.load(path, trusted=TRUSTED)
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{path}: cannot be loaded ({type(exc).__name__}: {exc})") from None
    return pipe, card

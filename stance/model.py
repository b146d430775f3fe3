"""The stance classifier (issue #4). Until a model is trained, `scorer` explains what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from stance.errors import StanceError


def scorer(path: Path) -> Callable[[list[dict[str, Any]]], list[dict[str, float]]]:
    """A function giving {label: probability} for candidates, from the model at `path`."""
    if not path.exists():
        raise StanceError(
            f"{path}: no trained model: run `stance train` first, or choose --order file"
        )
    raise StanceError(f"{path}: model loading arrives with `stance train`")

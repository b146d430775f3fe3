"""`stance train`: fit the pipeline on the gold dataset's train split, or on any table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from stance.errors import InputError
from stance.model import (
    ModelError,
    cross_validate,
    data_hash,
    fit,
    load_registries,
    prepare_table,
    read_table,
    save,
)

DATASET = Path("data/processed/dataset.parquet")


def parse_label_map(text: str | None) -> dict[str, str]:
    """'for=support,against=oppose' -> {'for': 'support', ...}."""
    if not text:
        return {}
    out = {}
    for pair in text.split(","):
        if "=" not in pair:
            raise InputError(f"--label-map {text!r}: expected old=new pairs separated by commas")
        old, new = (p.strip() for p in pair.split("=", 1))
        out[old] = new
    return out


def training_table(data: Path | None, label_map: dict[str, str]) -> tuple[Any, str]:
    """The rows to train on and a description of where they come from."""
    if data is None:
        frame = read_table(DATASET)
        if "split" not in frame.columns:
            raise InputError(f"{DATASET}: no 'split' column: rebuild it with `stance build`")
        frame = frame[frame["split"] == "train"]
        if frame.empty:
            raise ModelError(
                f"{DATASET}: the train split is empty (the seeds are test data): add "
                f"constructed or imported documents, or train on a table with --data FILE"
            )
        return prepare_table(frame, DATASET, label_map), f"{DATASET} (split=train)"
    return prepare_table(read_table(data), data, label_map), str(data)


def train(
    data: Path | None,
    model_out: Path,
    params: dict[str, Any],
    *,
    actors: Path = Path("data/actors.yaml"),
    claims: Path = Path("data/claims.yaml"),
    label_map: dict[str, str] | None = None,
) -> dict[str, Any]:
    frame, source = training_table(data, label_map or {})
    regs = load_registries(actors, claims)
    cv = cross_validate(frame, params, regs)
    pipe = fit(frame, params, regs)
    n_features = len(pipe.named_steps["features"].get_feature_names_out())
    card = {
        "data": {
            "source": source,
            "rows": len(frame),
            "sha256": data_hash(frame),
            "labels": dict(sorted(Counter(frame["stance"]).items())),
            "sources": dict(sorted(Counter(frame["source"]).items()))
            if "source" in frame.columns
            else {},
        },
        "params": params,
        "cv": cv,
        "features": n_features,
        "labels": list(pipe.named_steps["clf"].classes_),
    }
    return save(pipe, model_out, card)

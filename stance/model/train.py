"""`stance train`: fit the pipeline on the gold dataset's train split, or on any table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from stance.core.errors import InputError
from stance.core.schema import LABELS
from stance.core.tables import read_table
from stance.model.data import data_hash, groups_of, prepare_table
from stance.model.persist import ModelError, save
from stance.model.pipeline import Registries, build_pipeline, load_registries

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


def model_inputs(frame: Any) -> Any:
    """The columns the pipeline reads: labels, splits and ids stay out of the model, so its
    `feature_names_in_` are what prediction needs."""
    from stance.model.views import INPUT_COLUMNS

    return frame[[c for c in INPUT_COLUMNS if c in frame.columns]]


def cross_validate(frame: Any, params: dict[str, Any], regs: Registries) -> dict[str, Any]:
    """Grouped k-fold macro-F1: no document (or claim) is on both sides of a fold."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GroupKFold

    groups = groups_of(frame)
    k = min(params["cv_folds"], len(set(groups)))
    if k < 2:
        return {
            "folds": 0,
            "macro_f1": [],
            "mean": None,
            "std": None,
            "note": "fewer than two groups: no cross-validation",
        }
    scores = []
    for tr, te in GroupKFold(n_splits=k).split(frame, frame["stance"], groups):
        if frame["stance"].iloc[tr].nunique() < len(LABELS):
            continue
        pipe = build_pipeline(params, regs.aliases, regs.ignore, regs.claims)
        pipe.fit(model_inputs(frame.iloc[tr]), frame["stance"].iloc[tr])
        pred = pipe.predict(model_inputs(frame.iloc[te]))
        scores.append(
            f1_score(
                frame["stance"].iloc[te],
                pred,
                average="macro",
                labels=list(LABELS),
                zero_division=0,
            )
        )
    import numpy as np

    return {
        "folds": len(scores),
        "macro_f1": [round(s, 4) for s in scores],
        "mean": round(float(np.mean(scores)), 4) if scores else None,
        "std": round(float(np.std(scores)), 4) if scores else None,
        "grouped_by": "document components" if "group" in frame.columns else "claim/sentence",
    }


def fit(frame: Any, params: dict[str, Any], regs: Registries) -> Any:
    counts = Counter(frame["stance"])
    if len(frame) == 0:
        raise ModelError("the training set is empty: label data or pass --data FILE")
    missing = [label for label in LABELS if counts[label] == 0]
    if missing:
        raise ModelError(
            f"the training set has no {missing[0]!r} rows ({dict(counts)}): every label needs "
            f"examples"
        )
    pipe = build_pipeline(params, regs.aliases, regs.ignore, regs.claims)
    pipe.fit(model_inputs(frame), frame["stance"])
    return pipe


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
        "features": len(pipe[1].get_feature_names_out()),
        "labels": [str(c) for c in pipe[-1].classes_],
    }
    return save(pipe, model_out, card)

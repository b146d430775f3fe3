"""The stance classifier: one scikit-learn Pipeline, trained, saved with skops, loaded safely.

The model file is written with skops (compressed) and a card beside it (`<model>.card.json`)
records the file's SHA-256, the training data's hash and label counts, library versions,
parameters and cross-validation scores. Loading refuses a file whose hash differs from its card
(tampered or replaced), one written by another scikit-learn version, and one holding types
outside the trusted list, each with one line saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from stance.errors import InputError, StanceError
from stance.fileio import atomic_writer
from stance.schema import LABELS

# Types skops does not trust by default that this project's models legitimately contain.
TRUSTED = ["stance.features.ActorView", "stance.features.SharedText"]
TABLE_COLUMNS = ("sentence", "actor", "stance")


class ModelError(StanceError):
    "A model file cannot be trained, loaded or used."


def card_path(model: Path) -> Path:
    return model.with_suffix(".card.json")


def build_pipeline(
    params: dict[str, Any],
    aliases: dict[str, list[str]],
    ignore: list[str],
    claims: dict[str, dict[str, Any]],
) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from stance.features import NUMERIC, ActorView, SharedText

    ngrams = (1, params["ngram_max"])
    features = ColumnTransformer(
        [
            # The sentence with every actor masked alike: computed once per distinct sentence.
            ("sentence", SharedText(params["ngram_max"], params["min_df"]), "sentence"),
            # What surrounds this actor ("ACTORX denied", "against ACTORX"): per row, short.
            (
                "window",
                TfidfVectorizer(ngram_range=ngrams, min_df=params["min_df"], sublinear_tf=True),
                "window",
            ),
            ("cues", StandardScaler(), list(NUMERIC)),
        ],
        # Relative weight of the cue, holder and role block against the two text blocks.
        transformer_weights={"sentence": 1.0, "window": 1.0, "cues": params["cue_weight"]},
    )
    clf = LogisticRegression(
        C=params["C"],
        class_weight=None if params["class_weight"] == "none" else params["class_weight"],
        max_iter=params["max_iter"],
        random_state=params["seed"],
    )
    view = ActorView(aliases=aliases, ignore=ignore, claims=claims, window=params["window"])
    return Pipeline([("view", view), ("features", features), ("clf", clf)])


# --- training tables ------------------------------------------------------------------------------


def read_table(path: Path) -> Any:
    """A JSONL / CSV / Parquet table as a DataFrame, with clear errors."""
    import pandas as pd

    if not path.exists():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".json"):
            frame = pd.read_json(path, lines=True, dtype=False)
        elif suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            raise InputError(
                f"{path}: unsupported table type {suffix!r} (use .jsonl, .csv or .parquet)"
            )
    except (ValueError, OSError) as exc:
        raise InputError(
            f"{path}: cannot read as {suffix[1:]} ({str(exc).splitlines()[0]})"
        ) from None
    return frame


def prepare_table(
    frame: Any, path: Path, label_map: dict[str, str] | None = None, need_labels: bool = True
) -> Any:
    """Check columns and rows; mentions become offsets relative to the sentence."""
    import pandas as pd

    need = TABLE_COLUMNS if need_labels else TABLE_COLUMNS[:2]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column {missing[0]!r} (needed: {', '.join(need)})")
    frame = frame.reset_index(drop=True).copy()
    for col in need:
        bad = frame[col].isna() | (frame[col].astype(str).str.strip() == "")
        if bad.any():
            row = int(bad.idxmax())
            raise InputError(f"{path}: row {row + 1}: empty {col!r}")
    if need_labels:
        if label_map:
            frame["stance"] = frame["stance"].map(lambda s: label_map.get(s, s))
        unknown = ~frame["stance"].isin(LABELS)
        if unknown.any():
            row = int(unknown.idxmax())
            raise InputError(
                f"{path}: row {row + 1}: unknown label {frame['stance'][row]!r} "
                f"(labels: {', '.join(LABELS)}; map others with --label-map old=new,...)"
            )
    if "mentions" in frame.columns and "start" in frame.columns:
        frame["mentions"] = [
            [{"start": int(m["start"]) - int(s), "end": int(m["end"]) - int(s)} for m in ms]
            if ms is not None
            else []
            for ms, s in zip(frame["mentions"], frame["start"], strict=True)
        ]
    if "claim" not in frame.columns:
        frame["claim"] = None
    frame["sentence"] = frame["sentence"].astype(str)
    frame["actor"] = frame["actor"].astype(str)
    return pd.DataFrame(frame)


def groups_of(frame: Any) -> list[str]:
    """What must stay together in cross-validation: documents linked by shared groups,
    else claims when there are enough of them (Emergent: claims never cross a split), else
    identical sentences."""
    if "doc_id" in frame.columns and "group" in frame.columns:
        parent: dict[str, str] = {}

        def root(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                x = parent[x]
            return x

        seen: dict[str, str] = {}
        for doc, grp in zip(frame["doc_id"], frame["group"], strict=True):
            root(doc)
            if grp in seen and root(seen[grp]) != root(doc):
                parent[root(doc)] = root(seen[grp])
            seen.setdefault(grp, doc)
        return [root(d) for d in frame["doc_id"]]
    if "doc_id" in frame.columns:
        return [str(d) for d in frame["doc_id"]]
    if "claim" in frame.columns and frame["claim"].nunique() >= 5:
        return [str(c) for c in frame["claim"]]
    return [str(s) for s in frame["sentence"]]


def data_hash(frame: Any) -> str:
    cols = [c for c in ("sentence", "actor", "claim", "stance") if c in frame.columns]
    digest = hashlib.sha256()
    for row in frame[cols].itertuples(index=False):
        digest.update("\x1f".join(map(str, row)).encode())
        digest.update(b"\n")
    return digest.hexdigest()


# --- training ------------------------------------------------------------------------------------


@dataclass
class Registries:
    aliases: dict[str, list[str]]
    ignore: list[str]
    claims: dict[str, dict[str, Any]]


def load_registries(actors_path: Path, claims_path: Path) -> Registries:
    from stance.actors import load_registry
    from stance.claims import load_claims

    reg = load_registry(actors_path)
    claims = load_claims(claims_path, reg)
    return Registries(
        aliases={a.id: [a.name, *a.aliases] for a in reg.actors.values()},
        ignore=list(reg.ignore),
        claims={
            c.id: {"text": c.text, "accusers": list(c.accusers), "accused": list(c.accused)}
            for c in claims.values()
        },
    )


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
        pipe.fit(frame.iloc[tr], frame["stance"].iloc[tr])
        pred = pipe.predict(frame.iloc[te])
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
    pipe.fit(frame, frame["stance"])
    return pipe


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


# --- prediction ----------------------------------------------------------------------------------


def predict_frame(pipe: Any, frame: Any) -> tuple[list[str], list[dict[str, float]], list[bool]]:
    """Labels, {label: probability} and whether each actor was found in its sentence."""
    view = pipe.named_steps["view"].transform(frame)
    feats = pipe.named_steps["features"].transform(view)
    probs = pipe.named_steps["clf"].predict_proba(feats)
    classes = list(pipe.named_steps["clf"].classes_)
    labels = [classes[i] for i in probs.argmax(axis=1)]
    scores = [dict(zip(classes, row, strict=True)) for row in probs.round(4).tolist()]
    found = [bool(f) for f in view["found"]]
    return labels, scores, found


def scorer(path: Path) -> Callable[[list[dict[str, Any]]], list[dict[str, float]]]:
    """{label: probability} for candidates, for `stance annotate --order uncertain`."""
    import pandas as pd

    pipe, _ = load(path)

    def score(candidates: list[dict[str, Any]]) -> list[dict[str, float]]:
        frame = prepare_table(pd.DataFrame(candidates), path, need_labels=False)
        return predict_frame(pipe, frame)[1]

    return score

"""`stance train`: fit the pipeline on the gold dataset's train split, or on any table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from stance.core.errors import InputError
from stance.core.files import check_output
from stance.core.paths import PATHS
from stance.core.schema import LABELS
from stance.core.tables import read_table
from stance.model.data import (
    data_hash,
    fill_claims,
    grouped_by,
    groups_of,
    prepare_table,
    resolve_row_claim,
)
from stance.model.persist import ModelError, save
from stance.model.pipeline import (
    Registries,
    build_pipeline,
    describe_estimator,
    load_registries,
    rows_needed_per_label,
)

DATASET = PATHS.dataset


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
    """The rows to train on and a description of where they come from (rows without a claim
    keep an empty one: `train` gives them the default claim)."""
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
    """Grouped, stratified k-fold macro-F1 of the model `params` describe (`auto`: the first
    kind stands in), as `cross_validate_kinds` reports it."""
    from stance.core.schema import MODEL_KINDS

    kind = MODEL_KINDS[0] if params["model"] == "auto" else params["model"]
    return cross_validate_kinds(frame, params, regs, (kind,))[kind]


def cross_validate_kinds(
    frame: Any, params: dict[str, Any], regs: Registries, kinds: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """Grouped, stratified k-fold macro-F1 of each model kind in `kinds`, on the same folds
    (stance.model.shared_folds): no document (or claim) is on both sides of a fold.

    Every fold is reported. A fold whose training part cannot be fitted (a single label, or
    too few rows of one for the calibrated SVM) has the score None and a note saying why;
    one that lacks a label is scored (its model never predicts that label) and noted. Fewer
    groups (or rows of the largest label) than `cv_folds` means fewer folds, said in a note.
    """
    import copy
    import warnings

    import numpy as np
    from sklearn.model_selection import StratifiedGroupKFold

    groups = np.asarray(groups_of(frame, params["cv_group"]))
    y = frame["stance"].to_numpy()
    asked, seed = params["cv_folds"], params["seed"]
    n_groups = len(set(groups))
    largest = max(Counter(y).values(), default=0)  # stratified folds need this many rows
    k = min(asked, n_groups, largest)
    out: dict[str, Any] = {
        "folds": 0,
        "requested_folds": asked,
        "macro_f1": [],
        "mean": None,
        "std": None,
        "grouped_by": grouped_by(frame, params["cv_group"]),
        "per_fold": [],
        "notes": [],
    }
    notes: list[str] = out["notes"]
    if k < 2:
        notes.append(
            f"{n_groups} group(s), {largest} row(s) in the largest label: cross-validation "
            f"needs at least two of each"
        )
        return {kind: copy.deepcopy(out) for kind in kinds}
    if k < asked:
        why = f"{n_groups} groups" if n_groups == k else f"{largest} rows in the largest label"
        notes.append(f"{asked} folds asked for but only {why}: {k} folds")
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    out["splitter"] = f"StratifiedGroupKFold(n_splits={k}, shuffle=True, random_state={seed})"
    X = model_inputs(frame)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        splits = list(splitter.split(X, y, groups))
    notes += [str(w.message) for w in caught]
    need = rows_needed_per_label(params)
    fittable = []
    for i, (tr, te) in enumerate(splits, 1):
        present = Counter(y[tr])
        missing = [label for label in LABELS if label not in present]
        fold: dict[str, Any] = {
            "fold": i,
            "train_rows": len(tr),
            "test_rows": len(te),
            "test_labels": {label: int((y[te] == label).sum()) for label in LABELS},
            "macro_f1": None,
        }
        out["per_fold"].append(fold)
        if len(te) == 0:
            notes.append(f"fold {i}: no test rows: not scored")
        elif len(present) < 2:
            notes.append(f"fold {i}: the training part has one label only: not scored")
        elif min(present.values()) < need:
            notes.append(
                f"fold {i}: the training part has fewer than {need} rows of a label, which "
                f"calibration needs: not scored"
            )
        else:
            if missing:
                notes.append(
                    f"fold {i}: the training part has no {', '.join(map(repr, missing))} rows"
                )
            fittable.append(i - 1)
    if fittable:
        from stance.model.shared_folds import fold_scores

        pipes = {
            kind: build_pipeline({**params, "model": kind}, regs.aliases, regs.ignore, regs.claims)
            for kind in kinds
        }
        scores = fold_scores(pipes, X, y, [splits[i] for i in fittable])
    runs = {}
    for kind in kinds:
        run = copy.deepcopy(out)
        if fittable:
            for i, score in zip(fittable, scores[kind], strict=True):
                run["per_fold"][i]["macro_f1"] = round(score, 4)
            done = scores[kind]
            run.update(mean=round(float(np.mean(done)), 4), std=round(float(np.std(done)), 4))
        run.update(folds=k, macro_f1=[f["macro_f1"] for f in run["per_fold"]])
        runs[kind] = run
    return runs


def choose_model(
    frame: Any, params: dict[str, Any], regs: Registries
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Resolve `train.model: auto` by grouped cross-validation of each model kind on the
    training data: the simplest kind (SIMPLEST_FIRST) whose mean macro-F1 is within one
    standard deviation (across folds) of the best mean. A richer model must beat a simpler one
    by more than the folds disagree with each other to be worth its features.

    Returns the parameters with `model` resolved, the chosen model's cross-validation, and
    what the card records about the choice.
    """
    from stance.core.schema import MODEL_KINDS, SIMPLEST_FIRST

    asked = params["model"]
    if asked != "auto":
        return params, cross_validate(frame, params, regs), {"asked": asked, "chosen": asked}
    runs = cross_validate_kinds(frame, params, regs, MODEL_KINDS)
    scored = [k for k in SIMPLEST_FIRST if runs[k]["mean"] is not None]
    if not scored:
        raise ModelError("no model kind could be cross-validated on the training data")
    best = max(scored, key=lambda k: runs[k]["mean"])
    bar = runs[best]["mean"] - (runs[best]["std"] or 0.0)
    chosen = next(k for k in scored if runs[k]["mean"] >= bar)
    return (
        {**params, "model": chosen},
        runs[chosen],
        {
            "asked": asked,
            "chosen": chosen,
            "best_mean": best,
            "by": (
                "the simplest kind (plain, actor_aware, union) whose mean macro-F1 of grouped "
                "cross-validation on the training data is within one standard deviation of "
                "the best mean"
            ),
            "cv_macro_f1": {k: runs[k]["mean"] for k in MODEL_KINDS},
            "cv_std": {k: runs[k]["std"] for k in MODEL_KINDS},
        },
    )


def check_training_set(frame: Any, params: dict[str, Any]) -> None:
    counts = Counter(frame["stance"])
    if len(frame) == 0:
        raise ModelError("the training set is empty: label data or pass --data FILE")
    missing = [label for label in LABELS if counts[label] == 0]
    if missing:
        raise ModelError(
            f"the training set has no {missing[0]!r} rows ({dict(counts)}): every label needs "
            f"examples"
        )
    need = rows_needed_per_label(params)
    few = [label for label in LABELS if counts[label] < need]
    if few:
        raise ModelError(
            f"the training set has {counts[few[0]]} {few[0]!r} row(s); "
            f"train.linear_svm.calibration_folds = {need} needs {need} of each label: lower it "
            f"or add rows"
        )


def check_min_df(frame: Any, params: dict[str, Any]) -> None:
    """A cross-validation fold trains on as few as half the rows (two folds); a word must be
    in min_df of them, and scikit-learn's own error when none is would be a traceback."""
    if params["min_df"] > len(frame) // 2:
        raise ModelError(
            f"train.min_df = {params['min_df']} is more than half the {len(frame)} training "
            f"rows: a word must occur in min_df rows of a fold; lower it"
        )


def fit(frame: Any, params: dict[str, Any], regs: Registries) -> Any:
    check_training_set(frame, params)
    if params["model"] == "auto":
        params = choose_model(frame, params, regs)[0]
    pipe = build_pipeline(params, regs.aliases, regs.ignore, regs.claims)
    pipe.fit(model_inputs(frame), frame["stance"])
    return pipe


def guard_model_out(model_out: Path, inputs: list[Path], force: bool = False) -> None:
    """The output rule (stance.core.outputs) for the model and the card written beside it."""
    from stance.core.outputs import guard_output, looks_like_json_object, looks_like_zip
    from stance.model.persist import card_path

    default = PATHS.model
    for path, option, recognise in (
        (model_out, "--model-out", looks_like_zip),
        (card_path(model_out), "--model-out (its card)", looks_like_json_object("sha256")),
    ):
        guard_output(
            path,
            command="train",
            option=option,
            inputs=inputs,
            force=force,
            produces=[default, card_path(default)],
            recognise=recognise,
        )


def train(
    data: Path | None,
    model_out: Path,
    params: dict[str, Any],
    *,
    actors: Path = PATHS.actors,
    claims: Path = PATHS.claims,
    label_map: dict[str, str] | None = None,
    default_claim: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Fit and save the model; `default_claim` is (claim id or text, where it comes from), the
    claim of rows that name none."""
    from stance.model.views import alias_registry

    check_output(model_out, "--model-out")
    regs = load_registries(actors, claims)
    value, origin = default_claim or (params["default_claim"], "train.default_claim")
    claim, claim_text, _ = resolve_row_claim(
        value, regs.claims, alias_registry(regs.aliases, regs.ignore), origin
    )
    frame, source = training_table(data, label_map or {})
    defaulted = fill_claims(frame, claim)
    regs, named = with_table_claims(regs, frame)
    check_training_set(frame, params)  # before cross-validation spends any time
    check_min_df(frame, params)
    params, cv, choice = choose_model(frame, params, regs)
    pipe = fit(frame, params, regs)
    extra, exported = export_checked(pipe, model_inputs(frame))
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
        "estimator": describe_estimator(params, pipe[-1]),
        "cv": cv,
        "model_choice": choice,
        "features": len(pipe[1].get_feature_names_out()),
        "labels": [str(c) for c in pipe[-1].classes_],
        "export": exported,
        # What rows without a claim were given, and what `predict` gives them when it runs
        # without the project's params.yaml.
        "default_claim": {
            "claim": claim,
            "text": claim_text,
            "origin": origin,
            "rows": defaulted,
        },
        # Claim values of the table that are neither registry ids nor accusations as text
        # (SemEval's targets: "Atheism"): kept in the model, so `predict` takes them too.
        "table_claims": named,
    }
    return save(pipe, model_out, card, extra)


def with_table_claims(regs: Registries, frame: Any) -> tuple[Registries, list[str]]:
    """The registries plus each claim value of `frame` that would otherwise be refused at
    predict time (not a known id, too short to be an accusation as text), as a claim of its
    own with no roles; and those values. Training and prediction then see the same claims."""
    from dataclasses import replace

    from stance.corpus.claim_input import is_claim_text

    known = {str(info.get("text", "")) for info in regs.claims.values()}
    named = sorted(
        {
            str(v)
            for v in frame["claim"].dropna().unique()
            if str(v) not in regs.claims and str(v) not in known and not is_claim_text(str(v))
        }
    )
    if not named:
        return regs, []
    extra = {v: {"text": v, "accusers": [], "accused": []} for v in named}
    return replace(regs, claims={**regs.claims, **extra}), named


def export_checked(
    pipe: Any, inputs: Any, check_rows: int = 1000
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The plain-data export every prediction goes through (stance.model.export), checked
    against the pipeline on training rows, and what the card says about it. A pipeline it
    cannot reproduce is not saved: a ModelError says why."""
    from stance.model.export import CannotExport, check, export

    try:
        members = export(pipe)
        diff = check(pipe, members, inputs.head(check_rows))
    except CannotExport as exc:
        raise ModelError(
            f"the fitted pipeline cannot be exported for prediction ({exc}); choose a "
            f"train.model kind stance can export (see docs/model.md)"
        ) from None
    return members, {
        "checked_rows": min(len(inputs), check_rows),
        "max_probability_difference": diff,
    }

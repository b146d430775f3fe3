"""Emergent (Ferreira & Vlachos, NAACL 2016): headline stance toward a claim, scored with this
project's own pipeline, trained on the public train file and scored on its test file.

The model kind follows `train.model` (auto: chosen by cross-validation on the train file, folds
grouped by claim, since Emergent's test claims are new claims); the plain word 1-2 + char 2-5
TF-IDF kind and the plain baseline of reports/metrics.json are scored beside it. Labels map
for -> support, against -> oppose, observing -> neutral; the actor is AUTHOR (the headline's own
stance) and the claim is the claim headline. The data is read where params.yaml `emergent.data`
points (outside the project: it is never copied in). The result holds no time or machine, so
the same data and parameters give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stance.core.errors import InputError

LABELS = {"for": "support", "against": "oppose", "observing": "neutral"}
TRAIN_FILE = "url-versions-2015-06-14-clean-train.csv"
TEST_FILE = "url-versions-2015-06-14-clean-test.csv"
PUBLISHED = {
    "accuracy": 0.733,
    "macro_f1": 0.723,
    "bow_question_mark_accuracy": 0.698,
    "majority_accuracy": 0.470,
}


def emergent_files(folder: Path) -> tuple[Path, Path]:
    """The train and test files in `folder`, checked before any work."""
    if not folder.is_dir():
        raise InputError(
            f"{folder}: no such folder: the Emergent data (params.yaml emergent.data) must be "
            f"there, with {TRAIN_FILE} and {TEST_FILE}"
        )
    files = folder / TRAIN_FILE, folder / TEST_FILE
    for f in files:
        if not f.is_file():
            raise InputError(f"{f}: no such file: the Emergent data is incomplete")
    return files


def load_emergent(path: Path) -> Any:
    """One Emergent CSV as a training table (sentence, claim, actor AUTHOR, stance)."""
    import pandas as pd

    from stance.model.data import prepare_table

    try:
        raw = pd.read_csv(path)
        frame = pd.DataFrame(
            {
                "sentence": raw["articleHeadline"],
                "claim": raw["claimHeadline"],
                "actor": "AUTHOR",
                "stance": raw["articleHeadlineStance"],
            }
        )
    except (KeyError, ValueError) as exc:
        raise InputError(f"{path}: not an Emergent file ({exc})") from None
    return prepare_table(frame, path, LABELS)


def _scores(gold: Any, pred: Any) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(float(f1_score(gold, pred, average="macro")), 4),
    }


def emergent(folder: Path, params: dict[str, Any], actors: Path, claims: Path) -> dict[str, Any]:
    """Train on Emergent's train file with the `train` parameters, score on its test file."""
    train_csv, test_csv = emergent_files(folder)  # before the heavy imports: a typo is quick
    from sklearn.metrics import classification_report

    from stance.model.baseline import fit_predict
    from stance.model.pipeline import load_registries
    from stance.model.predictor import Predictor
    from stance.model.train import choose_model, fit

    def predicted(kind_params: dict[str, Any]) -> list[str]:
        # As `stance predict` would: the fitted pipeline's export, through the Predictor.
        return Predictor.of(fit(train, kind_params, regs)).predict(test).labels

    train, test = load_emergent(train_csv), load_emergent(test_csv)
    regs = load_registries(actors, claims)
    params = {**params, "cv_group": "claim"}
    params, cv, choice = choose_model(train, params, regs)
    gold = test["stance"]
    pred = predicted(params)
    side = {
        "chosen": _scores(gold, pred),
        "plain": _scores(gold, predicted({**params, "model": "plain"})),
        "plain_baseline": _scores(gold, fit_predict(train, test, params["seed"])),
    }
    report = classification_report(gold, pred, output_dict=True, zero_division=0)
    majority = train["stance"].mode()[0]
    return {
        "benchmark": "emergent",
        "train_rows": len(train),
        "test_rows": len(test),
        **side["chosen"],
        "per_class": {
            k: {m: round(v[m], 4) for m in ("precision", "recall", "f1-score")}
            for k, v in report.items()
            if k in LABELS.values()
        },
        "majority_accuracy": round(float((gold == majority).mean()), 4),
        "model_choice": choice,
        "chosen_vs_plain": {
            **side,
            "ratio": {
                k: round(side["chosen"][k] / side["plain"][k], 4) if side["plain"][k] else None
                for k in side["plain"]
            },
        },
        "train_cv_grouped_by_claim": cv,
        "published": PUBLISHED,
        "beats_published": side["chosen"]["accuracy"] > PUBLISHED["accuracy"],
        "params": params,
    }

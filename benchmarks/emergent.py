"""Emergent (Ferreira & Vlachos, NAACL 2016): headline stance toward a claim, with this
project's own pipeline (stance.model.pipeline, params.yaml `train:`), trained on the public train file
and scored on its test file.

The model kind follows `train.model` (auto: chosen by grouped cross-validation on the train
file); the plain word 1-2 + char 2-5 TF-IDF baseline is trained and scored beside it, and the
result gives both and their ratio (chosen / plain).

Labels map for -> support, against -> oppose, observing -> neutral; the actor is AUTHOR (the
headline's own stance) and the claim is the claim headline. Cross-validation folds are grouped
by claim (claims never cross the published split either). The data is read from
../shared/benchmarks/emergent or the folder given; it is never copied into the project.

    python benchmarks/emergent.py [--dir ../shared/benchmarks/emergent]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LABELS = {"for": "support", "against": "oppose", "observing": "neutral"}
PUBLISHED = {
    "accuracy": 0.733,
    "macro_f1": 0.723,
    "bow_question_mark_accuracy": 0.698,
    "majority_accuracy": 0.470,
}


def load(path: Path) -> Any:
    import pandas as pd

    from stance.model.data import prepare_table

    raw = pd.read_csv(path)
    frame = pd.DataFrame(
        {
            "sentence": raw["articleHeadline"],
            "claim": raw["claimHeadline"],
            "actor": "AUTHOR",
            "stance": raw["articleHeadlineStance"],
        }
    )
    return prepare_table(frame, path, LABELS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=ROOT.parent / "shared/benchmarks/emergent")
    ap.add_argument("--train", type=Path, help="Train CSV (default: <dir>/...-clean-train.csv)")
    ap.add_argument("--test", type=Path, help="Test CSV (default: <dir>/...-clean-test.csv)")
    args = ap.parse_args()
    train_csv = args.train or args.dir / "url-versions-2015-06-14-clean-train.csv"
    test_csv = args.test or args.dir / "url-versions-2015-06-14-clean-test.csv"
    for p in (train_csv, test_csv):
        if not p.exists():
            sys.exit(f"{p}: not found (pass --dir or --train/--test)")

    from sklearn.metrics import accuracy_score, classification_report, f1_score

    from stance.core.params import load_params
    from stance.model.pipeline import load_registries
    from stance.model.train import choose_model, fit

    # Emergent's test claims are new claims: folds keep whole claims apart (train.cv_group).
    params = {**load_params(ROOT / "params.yaml", "train"), "cv_group": "claim"}
    regs = load_registries(ROOT / "data/actors.yaml", ROOT / "data/claims.yaml")
    train, test = load(train_csv), load(test_csv)
    t0 = time.perf_counter()
    # train.model (auto: the kind with the best grouped cross-validation on the train file).
    params, cv, choice = choose_model(train, params, regs)
    pipe = fit(train, params, regs)
    pred = pipe.predict(test)
    # The plain kind beside it: word 1-2 + char 2-5 TF-IDF and the same linear model; and the
    # plain baseline of reports/metrics.json (stance.model.baseline: a linear SVM).
    plain = fit(train, {**params, "model": "plain"}, regs).predict(test)
    from stance.model.baseline import fit_predict

    baseline = fit_predict(train, test, params["seed"])
    gold = test["stance"]
    side = {
        name: {
            "accuracy": round(float(accuracy_score(gold, p)), 4),
            "macro_f1": round(float(f1_score(gold, p, average="macro")), 4),
        }
        for name, p in (("chosen", pred), ("plain", plain), ("plain_baseline", baseline))
    }
    majority = train["stance"].mode()[0]
    write_result(
        "emergent",
        {
            "benchmark": "emergent",
            "train_rows": len(train),
            "test_rows": len(test),
            "accuracy": round(float(accuracy_score(test["stance"], pred)), 4),
            "macro_f1": round(float(f1_score(test["stance"], pred, average="macro")), 4),
            "per_class": {
                k: {m: round(v[m], 4) for m in ("precision", "recall", "f1-score")}
                for k, v in classification_report(test["stance"], pred, output_dict=True).items()
                if k in LABELS.values()
            },
            "majority_accuracy": round(float((test["stance"] == majority).mean()), 4),
            "model_choice": choice,
            "chosen_vs_plain": {
                **side,
                "ratio": {k: round(side["chosen"][k] / side["plain"][k], 4) for k in side["plain"]},
            },
            "train_cv_grouped_by_claim": cv,
            "published": PUBLISHED,
            "beats_published": bool(accuracy_score(test["stance"], pred) > PUBLISHED["accuracy"]),
            "params": params,
            "seconds": round(time.perf_counter() - t0, 1),
        },
    )


if __name__ == "__main__":
    main()

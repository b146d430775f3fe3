import json
from pathlib import Path

import pandas as pd

from stance.model.evaluate import cue_rules, scores, subset_of


def test_scores_and_bootstrap() -> None:
    gold = ["support", "oppose", "neutral", "neutral"] * 10
    s = scores(gold, gold, bootstrap=50, seed=1)
    assert s["macro_f1"] == 1.0 and s["macro_f1_ci95"] == [1.0, 1.0]
    assert s["confusion"]["matrix"] == [[10, 0, 0], [0, 10, 0], [0, 0, 20]]
    worse = scores(gold, ["neutral"] * 40, bootstrap=50, seed=1)
    assert worse["accuracy"] == 0.5 and worse["per_class"]["support"]["recall"] == 0.0
    lo, hi = worse["macro_f1_ci95"]
    assert lo <= worse["macro_f1"] <= hi


def test_subsets_and_rules() -> None:
    assert subset_of("seed", "000_40f0a603c88ba03e") == "seed"
    assert subset_of("constructed", "heldout_same-012") == "heldout_same"
    view = pd.DataFrame({"hold_support": [2, 0, 1], "hold_oppose": [0, 1, 1]})
    assert cue_rules(view) == ["support", "oppose", "neutral"]


def test_evaluate_reports(pipeline_run: Path) -> None:
    reports = pipeline_run / "reports"
    metrics = json.loads((reports / "metrics.json").read_text())
    test = metrics["splits"]["test"]
    assert set(test) == {"model", "majority", "cue_rules"}
    assert test["model"]["rows"] == 167 and len(test["model"]["macro_f1_ci95"]) == 2
    assert set(metrics["subsets"]) >= {"seed", "heldout_same", "heldout_other"}
    assert metrics["subsets"]["seed"]["model"]["rows"] == 54
    # The model is better than both baselines on the held-out test split.
    assert test["model"]["macro_f1"] > test["cue_rules"]["macro_f1"] > test["majority"]["macro_f1"]
    assert metrics["cv"]["folds"] == 5 and metrics["trained_on"]["sources"] == {"constructed": 285}
    assert {p["fraction"] for p in metrics["learning_curve"]} >= {0.5, 1.0}
    for name in ("confusion.png", "confusion.csv", "errors.csv", "learning_curve.csv"):
        assert (reports / name).stat().st_size > 0
    errors = pd.read_csv(reports / "errors.csv")
    assert (errors["stance"] != errors["pred"]).all()
    assert list(pd.read_csv(reports / "confusion.csv").columns) == ["actual", "predicted"]

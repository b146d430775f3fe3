import pandas as pd
import pytest

from stance.core.schema import LABELS
from stance.model.evaluate import bootstrap_macro_f1, cue_rules, scores, subset_of
from stance.model.views import NUMERIC


def test_scores_and_bootstrap() -> None:
    gold = ["support", "oppose", "neutral", "neutral"] * 10
    s = scores(gold, gold, bootstrap=50, seed=1)
    assert s["macro_f1"] == 1.0 and s["macro_f1_ci95"] == [1.0, 1.0]
    assert s["confusion"]["matrix"] == [[10, 0, 0], [0, 10, 0], [0, 0, 20]]
    worse = scores(gold, ["neutral"] * 40, bootstrap=50, seed=1)
    assert worse["accuracy"] == 0.5 and worse["per_class"]["support"]["recall"] == 0.0
    lo, hi = worse["macro_f1_ci95"]
    assert lo <= worse["macro_f1"] <= hi


def loop_macro_f1(gold: list[str], pred: list[str], bootstrap: int, seed: int) -> list[float]:
    """The bootstrap as evaluate.scores computed it before it was vectorised."""
    import numpy as np
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(seed)
    g, p = np.array(gold), np.array(pred)
    out = []
    for _ in range(bootstrap):
        idx = rng.integers(0, len(g), len(g))
        out.append(f1_score(g[idx], p[idx], labels=list(LABELS), average="macro", zero_division=0))
    return out


@pytest.mark.parametrize("seed", [0, 1, 13, 2024])
def test_vectorised_bootstrap_equals_the_f1_score_loop(seed: int, monkeypatch) -> None:
    import numpy as np

    rng = np.random.default_rng(seed + 100)
    n = int(rng.integers(1, 60))
    # Skewed labels, so some resamples miss a label entirely (the zero_division path), and
    # the odd label outside LABELS, which f1_score counts but never averages.
    gold = list(rng.choice([*LABELS, "other"], n, p=[0.6, 0.25, 0.1, 0.05]))
    pred = list(rng.choice(LABELS, n, p=[0.2, 0.3, 0.5]))
    want = loop_macro_f1(gold, pred, 200, seed)
    assert bootstrap_macro_f1(gold, pred, 200, seed).tolist() == want  # exactly, not roughly
    # Resamples are processed in blocks to bound memory: the blocks change nothing.
    monkeypatch.setattr("stance.model.evaluate._BOOTSTRAP_CELLS", 7 * n)
    assert bootstrap_macro_f1(gold, pred, 200, seed).tolist() == want
    lo, hi = np.percentile(want, [2.5, 97.5])
    assert scores(gold, pred, 200, seed)["macro_f1_ci95"] == [round(lo, 4), round(hi, 4)]


def test_subsets_and_rules() -> None:
    assert subset_of("seed", "000_40f0a603c88ba03e") == "seed"
    assert subset_of("constructed", "heldout_same-012") == "heldout_same"
    view = pd.DataFrame(0.0, index=range(4), columns=NUMERIC)
    view["hold_support"] = [2, 0, 1, 1]
    view["hold_oppose"] = [0, 1, 1, 0]
    view["silent"] = [0, 0, 0, 1]
    # An actor that declines to comment is neutral whatever accusation words it holds.
    assert cue_rules(view.to_numpy()) == ["support", "oppose", "neutral", "neutral"]

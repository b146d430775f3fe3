"""`stance evaluate`: honest figures for the trained model, always beside two baselines.

- Cross-validation on the training rows, grouped so no document component crosses a fold (run
  by `stance train`, read from the model card).
- The held-out splits (validation, test): macro-F1 with a bootstrap 95% interval, per-class
  precision / recall / F1, the confusion matrix, figures per actor and per subset (the seed
  articles; each held-out constructed file), and every error.
- Baselines: the training majority class, and rules over the stance cues (stance.model.cues).
- A learning curve: the model trained on growing shares of the training documents.

The seed figures are computed on the seed rows only: constructed sentences never count there.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stance.core.files import atomic_writer
from stance.core.paths import PATHS
from stance.core.schema import LABELS
from stance.core.tables import write_csv
from stance.model.cues import NEUTRAL, OPPOSE, SUPPORT

REPORTS = PATHS.reports


def subset_of(source: str, doc_id: str) -> str:
    """`seed`, an imported source, or the constructed file a row comes from (its id prefix)."""
    if source == "constructed":
        return doc_id.split("-", 1)[0]
    return source


def cue_rules(numeric: Any) -> list[str]:
    """The rule-based baseline on the actor view's NUMERIC features (rows x columns, as a
    stance.model.predictor.Prediction has them): the polarity of the cues this actor holds,
    else neutral; an actor that declines to comment or keeps silent is neutral whatever else
    it holds."""
    import numpy as np

    from stance.model.views import NUMERIC

    features = np.asarray(numeric)
    sup, opp, silent = (
        features[:, NUMERIC.index(name)] for name in (f"hold_{SUPPORT}", f"hold_{OPPOSE}", "silent")
    )
    out = []
    holds = zip(sup.tolist(), opp.tolist(), silent.tolist(), strict=True)
    for sup, opp, silent in holds:
        out.append(
            NEUTRAL if silent else OPPOSE if opp > sup else SUPPORT if sup > opp else NEUTRAL
        )
    return out


# Resample-by-row cells held in memory at once by the bootstrap (about 8 bytes each).
_BOOTSTRAP_CELLS = 4_000_000


def bootstrap_macro_f1(gold: Sequence[str], pred: Sequence[str], bootstrap: int, seed: int) -> Any:
    """Macro-F1 of `bootstrap` resamples of the rows, exactly as
    `f1_score(g[idx], p[idx], labels=LABELS, average="macro", zero_division=0)` gives it.

    The resample indices are drawn as a plain loop draws them, one `rng.integers(0, n, n)`
    per resample in order (one (B, n) draw gives another stream), so intervals do not move;
    the confusion counts of a block of resamples come from one `bincount`.
    """
    import numpy as np

    n, k = len(gold), len(LABELS)
    size = k + 1  # one extra code for anything outside LABELS: counted, never averaged
    code = {label: i for i, label in enumerate(LABELS)}
    g = np.array([code.get(x, k) for x in gold], dtype=np.int64)
    p = np.array([code.get(x, k) for x in pred], dtype=np.int64)
    rng = np.random.default_rng(seed)
    out = np.empty(bootstrap)
    block = max(1, _BOOTSTRAP_CELLS // max(n, 1))
    diag = np.arange(k)
    for start in range(0, bootstrap, block):
        m = min(block, bootstrap - start)
        idx = np.stack([rng.integers(0, n, n) for _ in range(m)])
        cells = (np.arange(m)[:, None] * size * size + g[idx] * size + p[idx]).ravel()
        conf = np.bincount(cells, minlength=m * size * size).reshape(m, size, size)
        tp = conf[:, diag, diag]
        denom = conf[:, :k, :].sum(axis=2) + conf[:, :, :k].sum(axis=1)  # gold + predicted
        # sklearn's F1: 2 tp / (gold + predicted), zero_division=0 where both are zero.
        f1 = np.divide(2.0 * tp, denom, out=np.zeros((m, k)), where=denom > 0)
        out[start : start + m] = f1.mean(axis=1)
    return out


def scores(gold: list[str], pred: list[str], bootstrap: int, seed: int) -> dict[str, Any]:
    import numpy as np
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    if not gold:
        return {"rows": 0}
    labels = list(LABELS)
    macro = f1_score(gold, pred, labels=labels, average="macro", zero_division=0)
    lo, hi = np.percentile(bootstrap_macro_f1(gold, pred, bootstrap, seed), [2.5, 97.5])
    prec, rec, f1, counts = precision_recall_fscore_support(
        gold, pred, labels=labels, zero_division=0
    )
    return {
        "rows": len(gold),
        "macro_f1": round(float(macro), 4),
        "macro_f1_ci95": [round(float(lo), 4), round(float(hi), 4)],
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "per_class": {
            label: {
                "precision": round(float(a), 4),
                "recall": round(float(b), 4),
                "f1": round(float(c), 4),
                "rows": int(d),
            }
            for label, a, b, c, d in zip(labels, prec, rec, f1, counts, strict=True)
        },
        "confusion": {
            "labels": labels,
            "matrix": confusion_matrix(gold, pred, labels=labels).tolist(),
        },
    }


def _brief(s: dict[str, Any]) -> dict[str, Any]:
    return {k: s[k] for k in ("rows", "macro_f1", "macro_f1_ci95", "accuracy") if k in s}


def learning_curve(
    train: Any, test: Any, fractions: list[float], params: dict[str, Any], regs: Any, seed: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """Macro-F1 per test subset when training on growing shares of the training documents,
    and a note for each share that cannot be trained on (too few rows of a label)."""
    import numpy as np
    from sklearn.metrics import f1_score

    from stance.model.data import groups_of
    from stance.model.persist import ModelError
    from stance.model.predictor import Predictor
    from stance.model.train import fit

    groups = np.array(groups_of(train))
    unique = np.unique(groups)
    order = np.random.default_rng(seed).permutation(unique)
    points, notes = [], []
    for frac in fractions:
        keep = set(order[: max(1, round(frac * len(unique)))])
        part = train[[g in keep for g in groups]]
        try:
            pipe = fit(part, params, regs)
        except ModelError as exc:
            notes.append(f"fraction {frac} ({len(part)} rows): not trained: {exc}")
            continue
        pred = np.asarray(Predictor.of(pipe).predict(test).labels)
        for subset in sorted(set(test["subset"])):
            mask = (test["subset"] == subset).to_numpy()
            points.append(
                {
                    "fraction": frac,
                    "train_rows": len(part),
                    "subset": subset,
                    "macro_f1": round(
                        float(
                            f1_score(
                                test["stance"][mask],
                                pred[mask],
                                labels=list(LABELS),
                                average="macro",
                                zero_division=0,
                            )
                        ),
                        4,
                    ),
                }
            )
    return points, notes


def evaluate(
    model_path: Path,
    dataset: Path,
    params: dict[str, Any],
    train_params: dict[str, Any],
    reports: Path = REPORTS,
    actors: Path = PATHS.actors,
    claims: Path = PATHS.claims,
) -> dict[str, Any]:

    from stance.core.tables import read_table
    from stance.model.data import prepare_table
    from stance.model.persist import load_predictor
    from stance.model.pipeline import load_registries

    predictor, card = load_predictor(model_path)
    frame = prepare_table(read_table(dataset), dataset)
    frame["subset"] = [
        subset_of(s, d) for s, d in zip(frame["source"], frame["doc_id"], strict=True)
    ]
    train = frame[frame["split"] == "train"]
    held = frame[frame["split"] != "train"].copy()
    pred = predictor.predict(held)
    held["pred"] = pred.labels
    held["scores"] = pred.scores
    held["found"] = pred.found
    majority = Counter(train["stance"]).most_common(1)[0][0] if len(train) else NEUTRAL
    held["majority"] = majority
    held["rules"] = cue_rules(pred.numeric)
    b, seed = params["bootstrap"], params["seed"]
    from stance.model.baseline import fit_predict

    # The plain baseline, trained on the same rows: the bar the model must clear on real text.
    held["plain"] = fit_predict(train, held, seed) if len(train) else majority

    def trio(rows: Any) -> dict[str, Any]:
        g = list(rows["stance"])
        return {
            "model": scores(g, list(rows["pred"]), b, seed),
            "majority": _brief(scores(g, list(rows["majority"]), b, seed)),
            "cue_rules": _brief(scores(g, list(rows["rules"]), b, seed)),
            "plain_baseline": _brief(scores(g, list(rows["plain"]), b, seed)),
        }

    metrics: dict[str, Any] = {
        "model": str(model_path),
        "trained_on": card["data"],
        "cv": card["cv"],
        # Which model kind was trained and why (train.model: auto picks by grouped CV).
        "model_choice": card.get("model_choice"),
        "estimator": card.get("estimator"),
        "majority_label": majority,
        "splits": {s: trio(held[held["split"] == s]) for s in sorted(set(held["split"]))},
        "subsets": {s: trio(held[held["subset"] == s]) for s in sorted(set(held["subset"]))},
        "per_actor": {
            a: _brief(scores(list(g["stance"]), list(g["pred"]), b, seed))
            for a, g in held[held["split"] == "test"].groupby("actor")
            if len(g) >= 3
        },
        "actor_not_found": int((~held["found"]).sum()),
    }
    constructed = sorted(set(held.loc[held["source"] == "constructed", "subset"]))
    real = sorted(set(held.loc[held["source"] != "constructed", "subset"]))
    # Real text (the seed articles, imported documents) apart from text the team wrote:
    # never averaged together.
    metrics["by_origin"] = {
        "real_text": {s: metrics["subsets"][s] for s in real},
        "team_written": {s: metrics["subsets"][s] for s in constructed},
    }
    regs = load_registries(actors, claims)
    # The kind `train.model: auto` chose, from the card: the curve and the checks below refit it.
    chosen = card.get("model_choice", {}).get("chosen")
    if train_params["model"] == "auto":
        train_params = {**train_params, "model": chosen or "actor_aware"}
    if len(train) and params["generalise"]:
        from stance.model.generalise import leave_one_claim_out, role_ablations

        test = held[held["split"] == "test"]
        metrics["ablations"] = {
            "what": "macro-F1 per test subset, trained and scored with claim roles from each "
            "source (train.roles)",
            "roles": role_ablations(train, test, train_params, regs),
        }
        metrics["leave_one_claim_out"] = leave_one_claim_out(frame, train_params, regs)
    curve, notes = (
        learning_curve(
            train, held[held["split"] == "test"], params["learning_curve"], train_params, regs, seed
        )
        if len(train)
        else ([], ["no training rows"])
    )
    metrics["learning_curve"] = curve
    metrics["learning_curve_notes"] = notes
    write_reports(metrics, held, curve, reports)
    return metrics


def write_reports(
    metrics: dict[str, Any], held: Any, curve: list[dict[str, Any]], reports: Path
) -> None:
    import pandas as pd

    reports.mkdir(parents=True, exist_ok=True)
    with atomic_writer(reports / "metrics.json") as fh:
        json.dump(metrics, fh, indent=2)
        fh.write("\n")
    test = held[held["split"] == "test"]
    with atomic_writer(reports / "confusion.csv") as fh:
        write_csv(
            test[["stance", "pred"]].rename(columns={"stance": "actual", "pred": "predicted"}), fh
        )
    errors = held[held["stance"] != held["pred"]][
        ["split", "subset", "id", "actor", "claim", "stance", "pred", "scores", "sentence"]
    ]
    with atomic_writer(reports / "errors.csv") as fh:
        write_csv(errors.assign(scores=errors["scores"].map(json.dumps)), fh)
    with atomic_writer(reports / "learning_curve.csv") as fh:
        write_csv(pd.DataFrame(curve, columns=["fraction", "train_rows", "subset", "macro_f1"]), fh)
    _confusion_png(metrics["splits"].get("test", {}).get("model", {}), reports / "confusion.png")


def _confusion_png(model_scores: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    conf = model_scores.get("confusion")
    fig, ax = plt.subplots(figsize=(4.2, 3.6), dpi=120)
    if conf:
        m = conf["matrix"]
        ax.imshow(m, cmap="Blues")
        for i, row in enumerate(m):
            for j, v in enumerate(row):
                ax.text(
                    j,
                    i,
                    str(v),
                    ha="center",
                    va="center",
                    color="white" if v > max(map(max, m)) / 2 else "black",
                )
        ax.set_xticks(range(len(LABELS)), LABELS)
        ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"test split, macro-F1 {model_scores.get('macro_f1', '-')}")
    fig.tight_layout()
    with atomic_writer(path, "wb") as fh:
        fig.savefig(fh, format="png")
    plt.close(fig)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def render(metrics: dict[str, Any]) -> str:
    cv = metrics["cv"]
    lines = [
        f"Cross-validation (grouped, {cv.get('folds', 0)} folds): macro-F1 {_num(cv.get('mean'))}"
        f" +/- {_num(cv.get('std'))}",
        *(f"  cross-validation: {note}" for note in cv.get("notes", [])),
    ]
    for kind in ("splits", "subsets"):
        for name, t in metrics[kind].items():
            m = t["model"]
            if not m.get("rows"):
                continue
            lo, hi = m["macro_f1_ci95"]
            base = f"majority {_num(t['majority'].get('macro_f1'))}  "
            base += f"cue rules {_num(t['cue_rules'].get('macro_f1'))}  "
            base += f"plain {_num(t.get('plain_baseline', {}).get('macro_f1'))}"
            lines.append(
                f"{kind[:-1]} {name:14} n={m['rows']:4}  "
                f"model {_num(m['macro_f1'])} [{_num(lo)}, {_num(hi)}]  {base}"
            )
    return "\n".join(lines)

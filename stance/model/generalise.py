"""Does the model hold up on accusations it has never seen? Leave-one-claim-out and role ablations.

- Leave-one-claim-out: for each claim of the constructed training rows (train and validation
  splits; the test split is never trained on here either), train on the rows of every other
  claim and predict the held-out claim's rows as `stance predict` would predict an accusation
  it has never seen: the claim given as its text, the registry without it, so its roles are
  read from the text and its accusers, when the text names none, from the rows
  (stance.model.claim_use), never from the registry.
- Role ablations: the model trained and scored with claim roles from the registry, read from
  the claim's text, or none at all (`train.roles`), per held-out subset.

Run by `stance evaluate` (reports/metrics.json) and benchmarks/claims.py; never by `train`.
"""

from __future__ import annotations

from typing import Any

from stance.core.schema import LABELS, ROLE_SOURCES


def _macro_f1(gold: Any, pred: Any) -> float:
    """Macro-F1 over the labels in the gold or the predicted rows. A label a claim's few rows
    never have, and the model never predicts, is left out: counting it as F1 0 would cap a
    perfect prediction of a claim without `oppose` rows at 0.67."""
    from sklearn.metrics import f1_score

    gold, pred = list(gold), list(pred)
    labels = [label for label in LABELS if label in gold or label in pred]
    score = f1_score(gold, pred, labels=labels, average="macro", zero_division=0)
    return round(float(score), 4)


def as_text(frame: Any, regs: Any) -> Any:
    """The rows with each registry claim id replaced by the claim's text."""
    out = frame.copy()
    out["claim"] = [
        regs.claims[c]["text"] if c in regs.claims else c for c in out["claim"].astype(str)
    ]
    return out


def leave_one_claim_out(
    frame: Any, params: dict[str, Any], regs: Any, min_rows: int = 5
) -> dict[str, Any]:
    """Macro-F1 per held-out claim (and its mean and minimum) over the constructed rows of
    the train and validation splits; claims with fewer than `min_rows` rows are listed, not
    scored."""
    from stance.model.baseline import fit_predict
    from stance.model.persist import ModelError
    from stance.model.train import fit

    pool = frame
    if "split" in pool.columns:
        pool = pool[pool["split"] != "test"]
    if "source" in pool.columns:
        pool = pool[pool["source"] == "constructed"]
    per_claim: dict[str, Any] = {}
    notes: list[str] = []
    pooled_gold: list[str] = []
    pooled_pred: list[str] = []
    pooled_plain: list[str] = []
    for claim in sorted(set(pool["claim"].astype(str))):
        mask = (pool["claim"].astype(str) == claim).to_numpy()
        test, train = pool[mask], pool[~mask]
        if len(test) < min_rows:
            notes.append(f"{claim}: {len(test)} rows: not scored")
            continue
        try:
            pipe = fit(train, params, regs)
        except ModelError as exc:
            notes.append(f"{claim}: not trained: {exc}")
            continue
        pred = _unseen_claim_predict(pipe, test, claim, regs)
        plain = fit_predict(train, test, params["seed"])
        pooled_gold.extend(test["stance"])
        pooled_pred.extend(pred)
        pooled_plain.extend(plain)
        per_claim[claim] = {
            "rows": len(test),
            "labels": {label: int((test["stance"] == label).sum()) for label in LABELS},
            "macro_f1": _macro_f1(test["stance"], pred),
            "plain_baseline_macro_f1": _macro_f1(test["stance"], plain),
            "accuracy": round(float((pred == test["stance"].to_numpy()).mean()), 4),
        }
    scores = [v["macro_f1"] for v in per_claim.values()]
    plain_scores = [v["plain_baseline_macro_f1"] for v in per_claim.values()]
    return {
        "what": "train on every other constructed claim (train+validation splits), test on the "
        "held-out claim given as text, as predict resolves a claim the registry does not hold: "
        "roles from its text, accusers it does not name from its rows",
        "claims": len(per_claim),
        "mean_macro_f1": round(sum(scores) / len(scores), 4) if scores else None,
        "min_macro_f1": min(scores) if scores else None,
        # Every held-out prediction together: steadier than the mean over claims of 6-30 rows.
        "pooled_macro_f1": _macro_f1(pooled_gold, pooled_pred) if pooled_gold else None,
        # The plain baseline (stance.model.baseline) on the same folds, side by side.
        "plain_baseline": {
            "mean_macro_f1": round(sum(plain_scores) / len(plain_scores), 4)
            if plain_scores
            else None,
            "pooled_macro_f1": _macro_f1(pooled_gold, pooled_plain) if pooled_gold else None,
        },
        "per_claim": per_claim,
        "notes": notes,
    }


def _unseen_claim_predict(pipe: Any, test: Any, claim: str, regs: Any) -> Any:
    """Labels for `test`, its claim given as text and unknown to the model (stance.model.
    claim_use resolves it as for any accusation the registry does not hold), predicted as
    `stance predict` would: by the model's Predictor."""
    import numpy as np

    from stance.model.claim_use import ClaimResolver
    from stance.model.predictor import Predictor

    predictor = Predictor.of(pipe)
    frame = as_text(test, regs)
    if claim in regs.claims:  # else no text to give: the model sees the value as it is
        predictor.claims = {k: v for k, v in regs.claims.items() if k != claim}
        resolver = ClaimResolver(predictor.claims, predictor.registry)
        uses = resolver.resolve([str(c) for c in frame["claim"]], list(frame["sentence"]))
        predictor.add_claims(resolver.extra)
        frame["claim"] = [u.value for u in uses]
    return np.asarray(predictor.predict(frame).labels)


def role_ablations(train: Any, test: Any, params: dict[str, Any], regs: Any) -> dict[str, Any]:
    """Macro-F1 per test subset when the model is trained and scored with claim roles from
    each source (registry, text, none)."""
    import numpy as np

    from stance.model.predictor import Predictor
    from stance.model.train import fit

    out: dict[str, Any] = {}
    for source in ROLE_SOURCES:
        pipe = fit(train, {**params, "roles": source}, regs)
        pred = np.asarray(Predictor.of(pipe).predict(test).labels)
        out[source] = {
            subset: _macro_f1(test["stance"][mask], pred[mask])
            for subset in sorted(set(test["subset"]))
            for mask in [(test["subset"] == subset).to_numpy()]
        }
    return out

"""Active learning: does labelling in the order of the model's doubts reach a good model with
fewer labels than labelling in random order?

A simulated annotator labels from a gold pool, one batch at a time, and the model is refitted
after each batch (as `stance serve --retrain-every` does). Two orders are compared: `uncertain`
(the annotation queue's own order, stance.annotation.queue: smallest margin between the two
most likely labels first, with its random share) and `random`. Each starts from the same random
seed set holding every label, for several seeds; the figure is macro-F1 on a fixed test set
after every batch. Two pools, each on its own: the dataset's rows (train and validation splits;
scored on its test split) and Emergent's real headlines (train file; scored on its test file,
read from ../shared/benchmarks/emergent and never copied).

The model is this project's pipeline (params.yaml `train:`) with the kind given by --model
(default plain: a fit per batch must be quick); scores come from stance.model.predict.

    python benchmarks/active_learning.py [--seeds 3] [--batch 50] [--max-labels 600] [--model plain]
    python benchmarks/active_learning.py --dev --orders uncertain,clusters,entropy,random  (al_strategies.py)

Writes benchmarks/results/active_learning.json and active_learning.png; with --dev (scored on a
dev part of each pool, for choosing the queue's strategy) active_learning_dev.{json,png}.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, write_result  # noqa: E402
from al_strategies import strategies  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from stance.annotation.queue import SPREAD  # noqa: E402

# Orders the benchmark knows: the queue's own (uncertain), and its variants for choosing it.
SPREADS = {"uncertain": SPREAD, "margin": None, "documents": "doc", "labels": "label"}
TARGET_SHARE = 0.6  # the aim: uncertain order reaches random order's final figure by here


def dataset_pool(path: Path) -> tuple[Any, Any]:
    import pandas as pd

    from stance.model.data import prepare_table

    frame = pd.read_parquet(path)
    pool = frame[frame["split"] != "test"].reset_index(drop=True)
    test = frame[frame["split"] == "test"].reset_index(drop=True)
    return prepare_table(pool, path), prepare_table(test, path)


def emergent_pool(folder: Path) -> tuple[Any, Any]:
    from stance.model.emergent import emergent_files, load_emergent

    train, test = emergent_files(folder)
    return load_emergent(train), load_emergent(test)


def dev_split(pool: Any, share: float = 0.25) -> tuple[Any, Any]:
    """The pool cut in two for choosing a query strategy without looking at the test set:
    whole documents (the dataset) or whole claims (Emergent) go to the dev part."""
    import hashlib

    key = next(k for k in ("group", "doc_id", "claim") if k in pool.columns)
    groups = pool[key]
    dev = [
        int(hashlib.sha256(str(g).encode()).hexdigest(), 16) % 1000 < share * 1000 for g in groups
    ]
    mask = pool.index.isin([i for i, d in enumerate(dev) if d])
    return pool[~mask].reset_index(drop=True), pool[mask].reset_index(drop=True)


def curve(
    pool: Any, test: Any, how: str, seed: int, batch: int, steps: int, params: dict, regs: Any
) -> list[dict[str, Any]]:
    from sklearn.metrics import f1_score

    from stance.annotation.queue import order
    from stance.core.schema import LABELS
    from stance.model.predictor import Predictor
    from stance.model.train import fit

    rng = random.Random(seed)
    ids = list(range(len(pool)))
    rng.shuffle(ids)
    # The seed set: the first rows of the shuffle that give every label, then up to `batch`.
    labelled: list[int] = []
    for label in LABELS:
        labelled.append(next(i for i in ids if pool["stance"][i] == label))
    labelled += [i for i in ids if i not in labelled][: batch - len(labelled)]
    out = []
    for _ in range(steps):
        # The loop's model as the product predicts with it (stance.model.predictor).
        predictor = Predictor.of(fit(pool.iloc[labelled].reset_index(drop=True), params, regs))
        pred = predictor.predict(test).labels
        out.append(
            {
                "labels": len(labelled),
                "macro_f1": round(float(f1_score(test["stance"], pred, average="macro")), 4),
            }
        )
        rest = [i for i in ids if i not in set(labelled)]
        if not rest:
            break
        if how == "random":
            labelled += rest[:batch]
            continue
        # A document for Emergent's headlines: their claim (one story, many headlines).
        docs = pool["doc_id"] if "doc_id" in pool.columns else pool["claim"]
        text = pool["sentence"]
        items = [{"id": str(i), "row": i, "doc_id": docs[i], "sentence": text[i]} for i in rest]
        scores = predictor.predict(pool.iloc[rest].reset_index(drop=True)).scores
        if how not in SPREADS:  # a strategy tried for choosing the queue's (al_strategies.py)
            counts = Counter(pool["stance"][i] for i in labelled)
            ranked = strategies(batch)[how](items, list(scores), f"sim{seed}", counts)
            labelled += [c["row"] for c in ranked[:batch]]
            continue
        by_row = dict(zip(rest, scores, strict=True))
        ranked = order(
            items,
            "uncertain",
            f"sim{seed}",
            lambda cs, m=by_row: [m[c["row"]] for c in cs],
            spread=SPREADS[how],
        )
        labelled += [c["row"] for c in ranked[:batch]]
    return out


def summary(curves: dict[str, list[list[dict[str, Any]]]]) -> dict[str, Any]:
    def mean_curve(runs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
        n = min(len(r) for r in runs)
        return [
            {
                "labels": runs[0][k]["labels"],
                "macro_f1": round(sum(r[k]["macro_f1"] for r in runs) / len(runs), 4),
            }
            for k in range(n)
        ]

    mean = {how: mean_curve(runs) for how, runs in curves.items()}
    final = mean["random"][-1]

    def reach_of(how: str) -> int | None:
        pts = mean[how]
        return next((p["labels"] for p in pts if p["macro_f1"] >= final["macro_f1"]), None)

    reach = reach_of("uncertain") if "uncertain" in mean else None
    return {
        "mean": mean,
        "labels_to_reach_random_final": {h: reach_of(h) for h in mean if h != "random"},
        "random_final": final,
        "uncertain_final": mean["uncertain"][-1] if "uncertain" in mean else None,
        "uncertain_labels_to_reach_random_final": reach,
        "share_of_labels": round(reach / final["labels"], 3) if reach else None,
        "meets_aim": bool(reach and reach <= TARGET_SHARE * final["labels"]),
    }


def plot(results: dict[str, Any], path: Path, scored: str = "the test set") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4), squeeze=False)
    for ax, (name, r) in zip(axes[0], results.items(), strict=True):
        for how, pts in r["summary"]["mean"].items():
            style = {"uncertain": "-", "random": "--"}.get(how, ":")
            ax.plot([p["labels"] for p in pts], [p["macro_f1"] for p in pts], style, label=how)
        ax.axhline(r["summary"]["random_final"]["macro_f1"], color="grey", linewidth=0.6)
        ax.set_title(f"{name} ({r['pool_rows']} in the pool, {len(r['curves']['random'])} seeds)")
        ax.set_xlabel("labels")
        ax.set_ylabel(f"macro-F1 on {scored}")
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--batch", type=int, default=50, help="labels per refit (--retrain-every)")
    ap.add_argument("--model", default="plain", help="train.model kind to fit at every batch")
    ap.add_argument("--max-labels", type=int, default=600)
    ap.add_argument(
        "--orders",
        default="uncertain,random",
        help="uncertain (the queue's order), margin (plain margin order), documents, labels, "
        "random, or a strategy of al_strategies.py (entropy, density, clusters, ...)",
    )
    ap.add_argument(
        "--dev",
        action="store_true",
        help="score on a dev part of each pool, not its test set (for choosing the strategy); "
        "writes active_learning_dev.json",
    )
    ap.add_argument("--dataset", type=Path, default=ROOT / "data/processed/dataset.parquet")
    ap.add_argument("--emergent", type=Path, default=ROOT.parent / "shared/benchmarks/emergent")
    args = ap.parse_args()

    from stance.core.params import load_params
    from stance.model.pipeline import load_registries

    params = {**load_params(ROOT / "params.yaml", "train"), "model": args.model}
    regs = load_registries(ROOT / "data/actors.yaml", ROOT / "data/claims.yaml")
    pools = {}
    if args.dataset.exists():
        pools["dataset"] = dataset_pool(args.dataset)
    else:
        print(f"{args.dataset}: not found (run `dvc repro build`); skipped", file=sys.stderr)
    if args.emergent.exists():
        pools["emergent"] = emergent_pool(args.emergent)
    else:
        print(f"{args.emergent}: not found; skipped", file=sys.stderr)
    t0 = time.perf_counter()
    load_before = os.getloadavg()  # the machine is shared: say how busy it was
    results = {}
    orders = args.orders.split(",")
    for name, (pool, test) in pools.items():
        if args.dev:
            pool, test = dev_split(pool)
        steps = min(len(pool), args.max_labels) // args.batch
        curves = {
            how: [
                curve(pool, test, how, seed, args.batch, steps, params, regs)
                for seed in range(args.seeds)
            ]
            for how in orders
        }
        results[name] = {
            "pool_rows": len(pool),
            "test_rows": len(test),
            "curves": curves,
            "summary": summary(curves),
        }
        print(
            name,
            results[name]["summary"]["random_final"],
            results[name]["summary"]["uncertain_labels_to_reach_random_final"],
            file=sys.stderr,
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "active_learning_dev" if args.dev else "active_learning"
    plot(results, RESULTS / f"{stem}.png", "the dev part" if args.dev else "the test set")
    write_result(
        stem,
        {
            "benchmark": "active_learning",
            "command": " ".join(["python benchmarks/active_learning.py", *sys.argv[1:]]),
            "model": args.model,
            "batch": args.batch,
            "seeds": args.seeds,
            "scored_on": "a dev part of each pool (whole documents / claims)"
            if args.dev
            else "each pool's test set",
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "aim": f"uncertain order reaches random order's final macro-F1 with at most "
            f"{TARGET_SHARE:.0%} of its labels",
            "pools": results,
            "seconds": round(time.perf_counter() - t0, 1),
        },
    )


if __name__ == "__main__":
    main()

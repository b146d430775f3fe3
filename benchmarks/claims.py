"""Claims never seen in training: leave-one-claim-out over the constructed claims, per source
of claim roles (registry / claim text / none: params.yaml `train.roles`).

For each claim of the constructed train and validation rows, the model (params.yaml `train`,
`model: auto` resolved once by grouped cross-validation on the train split) is trained on every
other claim and scored on that claim given as its text only (stance.model.generalise). The
test split (seeds and held-out files) is never touched. Needs `stance build` first.

    python benchmarks/claims.py [--role-dropout 0.3] [--model union]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--role-dropout", type=float, help="override train.role_dropout")
    ap.add_argument("--model", help="override train.model (actor_aware, plain, union, auto)")
    ap.add_argument("--no-write", action="store_true", help="print, do not write results/")
    ap.add_argument(
        "--roles",
        nargs="+",
        help="only these role sources (registry, text, none); implies --no-write",
    )
    args = ap.parse_args()

    from stance.core.params import load_params
    from stance.core.schema import ROLE_SOURCES
    from stance.core.tables import read_table
    from stance.model.data import prepare_table
    from stance.model.generalise import leave_one_claim_out
    from stance.model.pipeline import load_registries
    from stance.model.train import choose_model

    params = load_params(ROOT / "params.yaml", "train")
    if args.role_dropout is not None:
        params["role_dropout"] = args.role_dropout
    if args.model is not None:
        params["model"] = args.model
    regs = load_registries(ROOT / "data/actors.yaml", ROOT / "data/claims.yaml")
    path = ROOT / "data/processed/dataset.parquet"
    frame = prepare_table(read_table(path), path)
    t0 = time.perf_counter()
    params, _, choice = choose_model(frame[frame["split"] == "train"], params, regs)
    runs = {}
    sources = args.roles or ROLE_SOURCES
    for source in sources:
        loco = leave_one_claim_out(frame, {**params, "roles": source}, regs)
        runs[source] = loco
        print(
            source,
            loco["mean_macro_f1"],
            loco["min_macro_f1"],
            loco["pooled_macro_f1"],
            file=sys.stderr,
        )
    result = {
        "benchmark": "claims",
        "what": runs[sources[0]]["what"],
        "model_choice": choice,
        "mean_macro_f1": {s: r["mean_macro_f1"] for s, r in runs.items()},
        "min_macro_f1": {s: r["min_macro_f1"] for s, r in runs.items()},
        "pooled_macro_f1": {s: r["pooled_macro_f1"] for s, r in runs.items()},
        "per_claim": {
            s: {c: v["macro_f1"] for c, v in r["per_claim"].items()} for s, r in runs.items()
        },
        "rows_per_claim": {c: v["rows"] for c, v in runs[sources[0]]["per_claim"].items()},
        "params": params,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if not (args.no_write or args.roles):
        write_result("claims", result)


if __name__ == "__main__":
    main()

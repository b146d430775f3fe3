"""Wall time of `stance evaluate` on the project's dataset and model (median of a few runs).

The command runs in a scratch copy of its inputs (dataset, model and card, registries,
params.yaml), so the repository's reports/ are left as they are.

    python benchmarks/evaluate.py [--runs 3]

To time another version of the code on its own model (the code before issue #8, say):

    git archive 9297a7c | tar -x -C /tmp/before   # then train a model with that code
    python benchmarks/evaluate.py --code /tmp/before --inputs /tmp/before \\
        --name evaluate_before --code-name 9297a7c --runs 1

Needs `dvc repro` (or `stance ingest seeds data/constructed --out-dir data/interim &&
stance build && stance train`) first. Issue #8: it took ~69 s, 97% of it a bootstrap loop of
~34,000 f1_score calls.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [
    "data/processed/dataset.parquet",
    "models/model.skops",
    "models/model.card.json",
    "data/actors.yaml",
    "data/claims.yaml",
    "params.yaml",
]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--code", type=Path, help="Run the stance package in this checkout instead")
    ap.add_argument(
        "--inputs", type=Path, default=ROOT, help="Where the inputs are (default: here)"
    )
    ap.add_argument("--name", default="evaluate", help="Result file name (benchmarks/results/)")
    ap.add_argument("--code-name", help="What --code is, for the result (e.g. a commit)")
    args = ap.parse_args()
    missing = [p for p in INPUTS if not (args.inputs / p).exists()]
    if missing:
        sys.exit(f"{missing[0]}: missing: run `dvc repro` (or stance ingest/build/train) first")
    env = dict(os.environ)
    if args.code is not None:
        # `python -m stance` finds the package on PYTHONPATH before the installed one.
        env["PYTHONPATH"] = str(args.code.resolve())
    cmd = [sys.executable, "-m", "stance", "evaluate", "--model", "models/model.skops"]
    times, loads = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for p in INPUTS:
            (Path(tmp) / p).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(args.inputs / p, Path(tmp) / p)
        cpus = []
        for _ in range(args.runs):
            c0 = _children_cpu()
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=tmp, env=env)
            times.append(time.perf_counter() - t0)
            cpus.append(_children_cpu() - c0)
            loads.append(os.getloadavg()[0])
        metrics = json.loads((Path(tmp) / "reports/metrics.json").read_text())
    test = metrics["splits"].get("test", {}).get("model", {})
    median = statistics.median(times)
    write_result(
        args.name,
        {
            "benchmark": "evaluate",
            "command": "stance evaluate --model models/model.skops",
            "code": args.code_name or (str(args.code) if args.code else "this checkout"),
            "runs": args.runs,
            "median_s": round(median, 2),
            "times_s": [round(t, 2) for t in times],
            # CPU seconds (user + system) of the command: less sensitive to the other users.
            "median_cpu_s": round(statistics.median(cpus), 2),
            # The machine is shared: the load says how busy it was while measuring.
            "load_average_1m": [round(x, 2) for x in loads],
            "test_rows": test.get("rows"),
            "test_macro_f1": test.get("macro_f1"),
            "test_macro_f1_ci95": test.get("macro_f1_ci95"),
        },
    )


if __name__ == "__main__":
    main()

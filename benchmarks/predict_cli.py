"""Wall time of `stance predict "<one sentence>"` in a cold process: imports, loading and
checking the model, tagging and predicting one sentence. Median of several runs.

    python benchmarks/predict_cli.py [--runs 9] [--model models/model.skops]

Another version of the code, on a model it trained (see benchmarks/evaluate.py):

    python benchmarks/predict_cli.py --code /tmp/before --model /tmp/before/models/model.skops \\
        --name predict_cli_before --code-name 9297a7c

Goal (issue #8): under 1 s on the project machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 1.0
SENTENCE = "Pyongyang denied any role in the attack, but Washington blamed North Korea."


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--model", type=Path, default=ROOT / "models/model.skops")
    ap.add_argument("--code", type=Path, help="Run the stance package in this checkout instead")
    ap.add_argument("--code-name", help="What --code is, for the result (e.g. a commit)")
    ap.add_argument("--name", default="predict_cli", help="Result file name (benchmarks/results/)")
    args = ap.parse_args()
    if not args.model.exists():
        sys.exit(f"{args.model}: no model: run `dvc repro` (or `stance train`) first")
    env = dict(os.environ)
    if args.code is None:
        local = Path(sys.executable).parent / "stance"
        exe = [str(local)] if local.exists() else [shutil.which("stance") or "stance"]
    else:
        # `python -m stance` finds the package on PYTHONPATH before the installed one.
        env["PYTHONPATH"] = str(args.code.resolve())
        exe = [sys.executable, "-m", "stance"]
    cmd = [*exe, "predict", SENTENCE, "--model", str(args.model)]
    model = str(args.model.relative_to(ROOT) if args.model.is_relative_to(ROOT) else args.model)
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # warm the file cache
    times, cpus = [], []
    for _ in range(args.runs):
        c0 = _children_cpu()
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - c0)
    median = statistics.median(times)
    write_result(
        args.name,
        {
            "benchmark": "predict_cli",
            "code": args.code_name or (str(args.code) if args.code else "this checkout"),
            "command": shlex.join(["stance", "predict", SENTENCE, "--model", model]),
            "runs": args.runs,
            # The machine is shared: the load says how busy it was while measuring.
            "load_average_1m": round(os.getloadavg()[0], 2),
            "median_s": round(median, 3),
            "min_s": round(min(times), 3),
            "max_s": round(max(times), 3),
            # CPU seconds (user + system) of the command: less sensitive to the other users.
            "median_cpu_s": round(statistics.median(cpus), 3),
            "rows_predicted": len(out.stdout.splitlines()),
            "goal_seconds": GOAL_SECONDS,
            "meets_goal": median < GOAL_SECONDS,
        },
    )


if __name__ == "__main__":
    main()

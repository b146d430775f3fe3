"""Wall time of `stance --help` (and of each command's --help): what every user waits for.

    python benchmarks/startup.py [--runs 15]

Goal (issue #2): `stance --help` under 0.3 s, so heavy libraries must be imported inside the
commands that need them. Also timed: a first `stance predict` of one sentence (imports,
loading and checking the model), when a trained model exists.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

GOAL_SECONDS = 0.3
COMMANDS = [["--help"], ["ingest", "--help"], ["predict", "--help"]]
ROOT = Path(__file__).resolve().parents[1]


def wall(cmd: list[str], runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    # The console script of this interpreter's environment, else whatever is on PATH.
    local = Path(sys.executable).parent / "stance"
    exe = str(local) if local.exists() else shutil.which("stance")
    if exe is None:
        sys.exit("benchmarks/startup.py: no `stance` command: pip install -e . first")
    wall([exe, "--help"], 2)  # warm the file cache
    results = {" ".join(["stance", *c]): wall([exe, *c], args.runs) for c in COMMANDS}
    model = ROOT / "models/model.skops"
    if model.exists():  # a first prediction: imports, model load with its checks, one sentence
        cmd = [exe, "predict", "Pyongyang denied any role.", "--model", str(model)]
        results["stance predict <sentence>"] = wall(cmd, max(3, args.runs // 3))
    help_median = results["stance --help"]["median_s"]
    write_result(
        "startup",
        {
            "benchmark": "startup",
            "runs": args.runs,
            "commands": results,
            "goal_seconds": GOAL_SECONDS,
            "meets_goal": help_median < GOAL_SECONDS,
        },
    )


if __name__ == "__main__":
    main()

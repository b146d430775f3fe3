"""Wall time of the README's test command, `pytest`, on this machine, once or several times in a
row, optionally under load.

    python benchmarks/suite.py                      # -> benchmarks/results/suite.json
    python benchmarks/suite.py --runs 5 --burn 2    # five runs beside two CPU burners -> suite_load.json
    python benchmarks/suite.py -m "not slow"        # the fast tests only

Goal (issue 19): the whole suite in at most 150 s on 2 cores, and green every time, also with
two CPU-burning processes beside it (a test that fails only under load is a flaky test). Records
each run's wall time, its pass/fail counts from pytest's closing line, its failures, the slowest
tests of the first run and the machine's load average when each run started (other work on the
machine inflates the figure; the JSON says how busy it was).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 150


def burn() -> None:
    while True:
        pass


def run_once(marker: str | None) -> dict:
    load = os.getloadavg()[0]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=25"]
    if marker:
        cmd += ["-m", marker]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    lines = out.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    counts = {
        k: int(n)
        for n, k in re.findall(r"(\d+) (passed|failed|skipped|deselected|errors?)", summary)
    }
    return {
        "seconds": round(seconds, 1),
        "exit_code": out.returncode,
        "counts": counts,
        "failed": [line.strip() for line in lines if line.startswith(("FAILED", "ERROR"))],
        "slowest": [line.strip() for line in lines if re.match(r"\s*\d+\.\d+s (call|setup)", line)],
        "load_average_1m_at_start": round(load, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=1, help="runs in a row (default 1)")
    ap.add_argument("--burn", type=int, default=0, help="CPU-burning processes alongside")
    ap.add_argument("-m", dest="marker", help='a pytest -m expression, e.g. "not slow"')
    ap.add_argument(
        "--name",
        help="result file name (default: suite, or suite_load with --burn, so the unloaded "
        "timing and the runs under load are kept apart)",
    )
    args = ap.parse_args()
    burners = [multiprocessing.Process(target=burn, daemon=True) for _ in range(args.burn)]
    for b in burners:
        b.start()
    try:
        runs = []
        for n in range(args.runs):
            runs.append(run_once(args.marker))
            print(f"run {n + 1}: {runs[-1]['seconds']} s, {runs[-1]['counts']}", file=sys.stderr)
    finally:
        for b in burners:
            b.terminate()
            b.join()
    seconds = [r["seconds"] for r in runs]
    green = all(r["exit_code"] == 0 for r in runs)
    write_result(
        args.name or ("suite_load" if args.burn else "suite"),
        {
            "command": "pytest"
            + (f" -m {args.marker!r}" if args.marker else "")
            + "  (addopts: -n auto --dist worksteal; via python benchmarks/suite.py)",
            "runs": len(runs),
            "cpu_burning_processes": args.burn,
            "seconds": seconds[0] if len(seconds) == 1 else seconds,
            "seconds_max": max(seconds),
            "goal_seconds": GOAL_SECONDS,
            "all_green": green,
            "meets_goal": green and max(seconds) <= GOAL_SECONDS,
            "per_run": [{k: v for k, v in r.items() if k != "slowest"} for r in runs],
            "slowest_first_run": runs[0]["slowest"],
        },
    )


if __name__ == "__main__":
    main()

"""Wall time of the README's test command, `pytest`, on this machine.

    python benchmarks/suite.py            # -> benchmarks/results/suite.json

Goal (issue 8): under 2 minutes on 2 cores. Records the wall time, the pass/fail counts from
pytest's closing line, the slowest tests and the machine's load average when it started (other
work on the machine inflates the figure; the JSON says how busy it was).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 120


def main() -> None:
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=25"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - t0
    lines = out.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|skipped|errors?)", summary)}
    slowest = [line.strip() for line in lines if re.match(r"\s*\d+\.\d+s (call|setup)", line)]
    failed = [line.strip() for line in lines if line.startswith(("FAILED", "ERROR"))]
    write_result(
        "suite",
        {
            "command": "pytest  (addopts: -n auto --dist worksteal; via python benchmarks/suite.py)",
            "seconds": round(seconds, 1),
            "goal_seconds": GOAL_SECONDS,
            "meets_goal": seconds < GOAL_SECONDS and out.returncode == 0,
            "exit_code": out.returncode,
            "counts": counts,
            "failed": failed,
            "slowest": slowest,
            "load_average_1m_at_start": round(load, 2),
        },
    )


if __name__ == "__main__":
    main()

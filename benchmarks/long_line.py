"""`stance predict --text-file` on one long line without sentence punctuation, at growing sizes.

    python benchmarks/long_line.py [--model models/model.skops]   # -> results/long_line.json

Such a line is one sentence with thousands of actor mentions and cues. Before issue 19 the
actor view related every cue to every mention (quadratic: 100 KB 4 s, 200 KB 11 s, 1 MB
305 s); the goal is linear time, 1 MB in under 10 s. Records wall time and peak memory of the
whole command (start-up and model load included) per size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STANCE = Path(sys.executable).parent / "stance"
UNIT = "Pyongyang denied Moscow said Washington had offered no proof "
SIZES_KB = (100, 200, 500, 1000)
GOAL_SECONDS_1MB = 10


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models/model.skops")
    args = ap.parse_args()
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kb in SIZES_KB:
            path = Path(tmp) / f"{kb}k.txt"
            n = kb * 1000
            path.write_text((UNIT * (n // len(UNIT) + 1))[:n], encoding="utf-8")
            cmd = ["/usr/bin/time", "-f", "%M", str(STANCE), "predict"]
            cmd += ["--model", str(args.model.resolve()), "--text-file", str(path)]
            t0 = time.perf_counter()
            out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            seconds = time.perf_counter() - t0
            if out.returncode != 0:
                raise SystemExit(out.stderr)
            peak_kb = int(out.stderr.strip().splitlines()[-1])
            runs[f"{kb} KB"] = {"seconds": round(seconds, 2), "peak_mb": round(peak_kb / 1024, 1)}
            print(kb, "KB", runs[f"{kb} KB"], file=sys.stderr)
    one_mb = runs["1000 KB"]["seconds"]
    write_result(
        "long_line",
        {
            "command": "python benchmarks/long_line.py",
            "text": f"{UNIT!r} repeated, no sentence end",
            "sizes": runs,
            "goal_seconds_1mb": GOAL_SECONDS_1MB,
            "meets_goal": one_mb < GOAL_SECONDS_1MB,
        },
    )


if __name__ == "__main__":
    main()

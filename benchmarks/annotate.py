"""Keystroke to next item in the real labelling UI, on a queue of 100,000 candidates.

A synthetic project (candidates, sentences, documents) is generated in a temporary folder; the
real `stance annotate` runs in tmux with STANCE_UI_TIMING set, so the UI itself records, per
key, the milliseconds from reading the key to the next item drawn, including the fsync of the
label. Keys are sent one at a time, each after the previous item appeared. Also reported: the
time from launch to the first item (loading the queue).

    python benchmarks/annotate.py [--candidates 100000] [--keys 300]
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
GOAL_MS = 50.0
ACTORS = ["USA", "PRK", "RUS", "CHN", "KOR", "JPN", "GBR", "UN", "SONY"]


def make_project(folder: Path, n: int) -> None:
    rng = random.Random(7)
    for name in ("data", "docs"):
        shutil.copytree(
            ROOT / name,
            folder / name,
            ignore=shutil.ignore_patterns("interim", "processed", "annotations"),
        )
    interim = folder / "data/interim"
    interim.mkdir(parents=True)
    words = (
        "officials said the attack was carried out by hackers working for the state and "
        "denied any role in the breach while calling for an investigation"
    ).split()
    with (
        (interim / "candidates.jsonl").open("w") as cf,
        (interim / "sentences.jsonl").open("w") as sf,
    ):
        i = 0
        doc = 0
        while i < n:
            doc_id = f"doc{doc:06d}"
            for s in range(20):
                sid = f"{doc_id}:{s:04d}"
                actors = rng.sample(ACTORS, 2)
                text = f"{actors[0]} and {actors[1]} " + " ".join(rng.choices(words, k=25)) + "."
                sf.write(
                    json.dumps(
                        {
                            "doc_id": doc_id,
                            "sentence_id": sid,
                            "index": s,
                            "kind": "body",
                            "sentence": text,
                            "start": 0,
                            "end": len(text),
                            "group": sid,
                        }
                    )
                    + "\n"
                )
                for a in actors:
                    if i >= n:
                        break
                    pos = text.index(a)
                    cf.write(
                        json.dumps(
                            {
                                "id": f"{i:016x}",
                                "doc_id": doc_id,
                                "sentence_id": sid,
                                "sentence": text,
                                "start": 0,
                                "end": len(text),
                                "group": sid,
                                "actor": a,
                                "mentions": [{"text": a, "start": pos, "end": pos + len(a)}],
                                "claim": "sony-hack-2014",
                            }
                        )
                        + "\n"
                    )
                    i += 1
            doc += 1
    with (interim / "documents.jsonl").open("w") as df:
        for d in range(doc):
            df.write(json.dumps({"doc_id": f"doc{d:06d}", "title": f"Story {d}"}) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=100_000)
    ap.add_argument("--keys", type=int, default=300)
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("benchmarks/annotate.py needs tmux: apt-get install tmux")
    stance = Path(sys.executable).parent / "stance"
    sock = ["tmux", "-L", f"stance-bench-{os.getpid()}"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_project(folder, args.candidates)
        timing = folder / "timing.txt"

        def screen() -> str:
            return subprocess.run(
                [*sock, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True
            ).stdout

        def wait(text: str, timeout: float = 60) -> None:
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                if text in screen():
                    return
                time.sleep(0.005)
            raise SystemExit(f"timed out waiting for {text!r}:\n{screen()}")

        t0 = time.perf_counter()
        subprocess.run(
            [
                *sock,
                "new-session",
                "-d",
                "-s",
                "b",
                "-x",
                "120",
                "-y",
                "34",
                "-c",
                str(folder),
                f"exec {stance} annotate --annotator bench",
            ],
            check=True,
            env={**os.environ, "STANCE_UI_TIMING": str(timing)},
        )
        try:
            wait(f"0 / {args.candidates} done")
            first_item_s = time.perf_counter() - t0
            for k in range(1, args.keys + 1):
                subprocess.run(
                    [*sock, "send-keys", "-t", "b", "u" if k % 10 == 0 else "123"[k % 3]],
                    check=True,
                )
                done = k - 2 * (k // 10)  # every 10th key is an undo
                wait(f" {done} / {args.candidates} done")
            subprocess.run([*sock, "send-keys", "-t", "b", "q"], check=True)
            time.sleep(0.5)
        finally:
            subprocess.run([*sock, "kill-server"], capture_output=True)
        ms = sorted(float(x) for x in timing.read_text().split())
    p = lambda q: round(ms[min(len(ms) - 1, int(q * len(ms)))], 2)  # noqa: E731
    write_result(
        "annotate",
        {
            "benchmark": "annotate",
            "queue_candidates": args.candidates,
            "keys": len(ms),
            "key_to_next_item_ms": {
                "median": round(statistics.median(ms), 2),
                "p95": p(0.95),
                "p99": p(0.99),
                "max": round(ms[-1], 2),
            },
            "launch_to_first_item_s": round(first_item_s, 2),
            "includes": "decision appended, flushed and fsynced, next item drawn (curses refresh)",
            "goal_ms": GOAL_MS,
            "meets_goal": p(0.95) < GOAL_MS,
        },
    )


if __name__ == "__main__":
    main()

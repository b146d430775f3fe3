"""`stance predict` throughput and memory on tables of (sentence, actor) pairs.

Synthetic news-style sentences naming two actors each (so each sentence gives two pairs, as
ingested news does) are written to a Parquet table; `predict_table` streams it in batches in a
child process pinned to one core, once per input size, so peak memory can be compared across
sizes (it should stay flat: memory is bounded by the batch, not the input).

    python benchmarks/predict.py [--rows 1000000] [--model models/model.skops]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOAL = 20_000.0  # pairs per second on one core (issue #4)
SUBJECTS = [
    "North Korea",
    "Pyongyang",
    "Russia",
    "the Kremlin",
    "China",
    "Beijing",
    "the FBI",
    "Washington",
    "Britain",
    "Japan",
    "Seoul",
    "Iran",
    "Germany",
    "the European Union",
]
VERBS = [
    "denied any role in",
    "blamed",
    "accused",
    "said there was no evidence of",
    "condemned",
    "called for a joint investigation into",
    "imposed sanctions over",
    "declined to comment on",
    "rejected claims about",
    "said it was confident about",
    "criticised the response to",
]
OBJECTS = [
    "the cyber-attack on {o}",
    "the hacking of {o}'s networks",
    "the breach blamed on {o}",
    "threats made against {o}",
    "the campaign attributed to {o}",
]


def make_table(path: Path, rows: int, seed: int = 5) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    writer = None
    chunk = 100_000
    for start in range(0, rows, chunk):
        sentences, actors = [], []
        for i in range(start, min(rows, start + chunk), 2):
            a, b = rng.sample(SUBJECTS, 2)
            text = (
                f"{a[0].upper()}{a[1:]} {rng.choice(VERBS)} "
                f"{rng.choice(OBJECTS).format(o=b)} on day {i // 2}, officials said."
            )
            for who in (a, b)[: min(2, rows - i)]:
                sentences.append(text)
                actors.append(who)
        table = pa.table(
            {"sentence": sentences, "actor": actors, "claim": ["sony-hack-2014"] * len(actors)}
        )
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def child(model: Path, source: Path, out: Path, batch: int) -> dict:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    sys.path.insert(0, str(ROOT))
    from stance.model.persist import load
    from stance.model.predict import predict_table

    pipe, _ = load(model)
    t0 = time.perf_counter()
    n = predict_table(pipe, source, out, batch_size=batch, progress=False)
    seconds = time.perf_counter() - t0
    return {
        "rows": n,
        "seconds": round(seconds, 2),
        "pairs_per_second": round(n / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--model", type=Path, default=ROOT / "models/model.skops")
    ap.add_argument("--batch-size", type=int, default=10_000)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(
            json.dumps(
                child(
                    Path(args.child[0]), Path(args.child[1]), Path(args.child[2]), args.batch_size
                )
            )
        )
        return
    if not args.model.exists():
        sys.exit(f"{args.model}: no model: run `dvc repro` (or `stance train`) first")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sorted({max(2, args.rows // 10), args.rows}):
            src = Path(tmp) / f"in_{rows}.parquet"
            make_table(src, rows)
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--batch-size",
                    str(args.batch_size),
                    "--child",
                    str(args.model),
                    str(src),
                    str(Path(tmp) / "out.parquet"),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    big = runs[-1]
    write_result(
        "predict",
        {
            "benchmark": "predict",
            "runs": runs,
            "batch_size": args.batch_size,
            "pairs_per_second": big["pairs_per_second"],
            "memory_growth_mb": round(runs[-1]["peak_rss_mb"] - runs[0]["peak_rss_mb"], 1),
            "cores": 1,
            "goal_pairs_per_second": GOAL,
            "meets_goal": big["pairs_per_second"] >= GOAL,
        },
    )


if __name__ == "__main__":
    main()

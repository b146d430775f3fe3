"""`stance predict` throughput and memory on tables of (sentence, actor) pairs.

The input looks like ingested news: sentences of 20-40 words, nearly all distinct, naming 1-3
actors each, one row per actor (`news_sentence`), as Parquet (row groups of 100,000 rows) and
as JSONL. `predict_table` streams the Parquet table in batches in a child process pinned to one
core, once per input size, so peak memory can be compared across sizes (it should stay flat:
memory is bounded by the batch, not the input). On the smaller input the same child times a
plain TF-IDF + logistic regression over the same rows (the ratio to it is the goal's measure:
both three times, alternated, best runs compared) and each stage of `predict_table` alone.
The whole command (`stance predict --input ... --output ...`: start-up, model loading, reading
and writing) is timed on the smaller input from JSONL and from Parquet, on one core.
Then the larger input runs on `--engine dask` with a LocalCluster of 1 and of 2 worker
processes (one part per row group), with the peak memory of the client and of each worker.

    python benchmarks/predict.py [--rows 1000000] [--model models/model.skops]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3  # timed runs of stance predict and of the baseline on the smaller input
GOAL = 20_000.0  # pairs per second on one core (issues #4, #11, #19)
RATIO_GOAL = 2.0  # at most this many times the plain baseline's time on 100k rows (issue #19)
# Names as the sentences say them, and the actor ids the rows carry (as ingested candidates
# do: the actor is found in its sentence, the path real tables take).
SUBJECTS = {
    "North Korea": "PRK",
    "Pyongyang": "PRK",
    "Russia": "RUS",
    "the Kremlin": "RUS",
    "China": "CHN",
    "Beijing": "CHN",
    "the FBI": "USA",
    "Washington": "USA",
    "Britain": "GBR",
    "Japan": "JPN",
    "Seoul": "KOR",
    "Iran": "IRN",
    "Germany": "DEU",
    "the European Union": "EU",
}
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


# What pads a sentence to news length: attribution, time and context, as wire copy has them.
PADDING = [
    "according to two officials familiar with the matter",
    "in a statement released late on {day}",
    "as investigators continued to examine the damaged systems",
    "while the studio weighed whether to release the film",
    "after a week of rising tension over the affair",
    "though no evidence was made public at the time",
    "speaking to reporters at a briefing in the capital",
    "in remarks carried by the state news agency",
    "amid calls for a coordinated international response",
    "a day after the first reports of the breach emerged",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def news_sentence(rng: random.Random, i: int) -> tuple[str, list[str]]:
    """A news-length sentence (20-40 words) naming 1-3 actors; (text, the names it uses).
    The running number `i` keeps sentences distinct, as real news mostly is."""
    k = rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
    names = rng.sample(sorted(SUBJECTS), k)
    target = names[1] if k > 1 else rng.choice(["Sony Pictures", "the studio", "the network"])
    words = [
        f"{names[0][0].upper()}{names[0][1:]}",
        rng.choice(VERBS),
        rng.choice(OBJECTS).format(o=target),
        f"on day {i},",
    ]
    if k == 3:
        words.append(f"while {names[2]} {rng.choice(VERBS)} the accusation,")
    want = rng.randint(20, 40)
    pads = rng.sample(PADDING, len(PADDING))
    while len(" ".join(words).split()) < want - 2 and pads:
        words.append(pads.pop().format(day=rng.choice(DAYS)) + ",")
    text = " ".join(words).rstrip(",") + ", officials said."
    return " ".join(text.split()[:40]).rstrip(",") + ("" if text.endswith(".") else "."), names


def make_table(path: Path, rows: int, seed: int = 5) -> dict[str, float]:
    """`rows` (sentence, actor) pairs, one per actor a sentence names, as Parquet or JSONL
    (by `path`'s suffix); returns the input's shape (words per sentence, actors per sentence)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    writer = None
    chunk = 100_000
    made, i, lengths, actors_per = 0, 0, [], []
    jsonl = path.suffix == ".jsonl"
    out = path.open("w", encoding="utf-8") if jsonl else None
    while made < rows:
        sentences, actors = [], []
        while made < rows and len(actors) < chunk:
            text, names = news_sentence(rng, i)
            i += 1
            lengths.append(len(text.split()))
            actors_per.append(len(names))
            for who in names[: rows - made]:
                sentences.append(text)
                actors.append(SUBJECTS[who])
                made += 1
        claim = ["sony-hack-2014"] * len(actors)
        if out is not None:
            for text, actor in zip(sentences, actors, strict=True):
                row = {"sentence": text, "actor": actor, "claim": claim[0]}
                out.write(json.dumps(row) + "\n")
            continue
        table = pa.table({"sentence": sentences, "actor": actors, "claim": claim})
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    if out is not None:
        out.close()
    if writer is not None:
        writer.close()
    return {
        "sentences": i,
        "words_per_sentence_mean": round(sum(lengths) / len(lengths), 1),
        "words_per_sentence_range": [min(lengths), max(lengths)],
        "actors_per_sentence_mean": round(sum(actors_per) / len(actors_per), 2),
    }


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def baseline_model(source: Path) -> Any:
    """A plain TF-IDF (word 1-2 grams) + logistic regression, fitted on the dataset's train
    split (what the model was trained on) when it is there, else on the input's head."""
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from stance.core.tables import iter_batches

    data = ROOT / "data/processed/dataset.parquet"
    if data.exists():
        train = pd.read_parquet(data)
        train = train[train["split"] == "train"]
        x, y = train["sentence"], train["stance"]
    else:
        x = next(iter_batches(source, 3000))["sentence"]
        y = np.arange(len(x)) % 3
    base = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000))
    return base.fit(x, y)


def baseline_seconds(base: Any, source: Path, batch: int) -> float:
    """The baseline over every row of `source`, read in the same batches as `stance predict`."""
    from stance.core.tables import iter_batches

    t0 = time.perf_counter()
    for frame in iter_batches(source, batch):
        base.predict_proba(frame["sentence"])
    return time.perf_counter() - t0


def stages(predictor, source: Path, batch: int) -> dict:
    """Seconds per stage of `predict_table` over `source`, each stage timed on its own."""
    from itertools import repeat

    import numpy as np

    from stance.core.tables import TableWriter, iter_batches
    from stance.model.data import prepare_table
    from stance.model.views import NUMERIC, actor_views

    out: dict[str, float] = {}

    def timed(name, fn, items):
        t0 = time.perf_counter()
        result = [fn(x) for x in items]
        out[name] = round(time.perf_counter() - t0, 2)
        return result

    t0 = time.perf_counter()
    frames = list(iter_batches(source, batch))
    out["read"] = round(time.perf_counter() - t0, 2)
    prepared = timed("prepare_table", lambda f: prepare_table(f, source, need_labels=False), frames)

    def view(f):
        return actor_views(
            f["sentence"].astype(str).tolist(),
            f["actor"].astype(str).tolist(),
            f["claim"].tolist() if "claim" in f.columns else [None] * len(f),
            f["mentions"].tolist() if "mentions" in f.columns else [None] * len(f),
            predictor.registry,
            predictor.claims,
            predictor.view["window"],
            predictor.view.get("roles", "registry"),
        )

    views = timed("actor_view (features: views.actor_views)", view, prepared)
    # The floor under any actor-aware view: finding the actors and the stance cues in each
    # distinct sentence (the two regex-driven passes), with nothing built from what they find.
    # Timed as the view runs them, with the cyclic GC paused.
    from stance.core.gcpause import paused
    from stance.model.cues import find_cues

    reg = predictor.registry
    distinct = [s for f in prepared for s in dict.fromkeys(f["sentence"])]
    with paused():
        timed(
            "of which actor scan + cue lexicon alone",
            lambda s: (reg.scan_words(s), find_cues(s)),
            distinct,
        )
    rest = "rest (TF-IDF, scaler, linear model: Predictor._proba)"
    probs = timed(rest, lambda v: predictor._proba(*v), views)
    classes = predictor.classes

    def labels_and_scores(p):
        labels = np.asarray(classes, dtype=object)[p.argmax(axis=1)].tolist()
        return labels, list(map(dict, map(zip, repeat(classes), p.round(4).tolist())))

    labels = timed("labels_and_scores", labels_and_scores, probs)
    found = NUMERIC.index("found")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, TableWriter(Path(tmp) / "o.parquet") as w:
        for f, (lab, sc), v in zip(frames, labels, views, strict=True):
            w.write(f.assign(stance=lab, scores=sc, actor_found=(v[2][:, found] != 0).tolist()))
    out["write"] = round(time.perf_counter() - t0, 2)
    return out


def child(model: Path, source: Path, out: Path, batch: int, baseline: bool) -> dict:
    pin_one_core()
    sys.path.insert(0, str(ROOT))
    from stance.model.persist import load_predictor
    from stance.model.predict import predict_table

    predictor, _ = load_predictor(model)

    def ours() -> tuple[int, float]:
        t0 = time.perf_counter()
        n = predict_table(predictor, source, out, batch_size=batch, progress=False).rows
        return n, time.perf_counter() - t0

    n, seconds = ours()
    result = {
        "engine": "local",
        "rows": n,
        "seconds": round(seconds, 2),
        "pairs_per_second": round(n / seconds),
        "peak_rss_mb": peak_mb(),
    }
    if baseline:
        # Both timed REPEATS times, alternated, and compared by their best runs: a slow spell
        # on a shared machine then hits both sides, not the one that happened to run in it.
        model_b = baseline_model(source)
        runs, base_runs = [seconds], []
        for r in range(REPEATS):
            base_runs.append(baseline_seconds(model_b, source, batch))
            if r < REPEATS - 1:
                runs.append(ours()[1])
        seconds, base = min(runs), min(base_runs)
        result.update(seconds=round(seconds, 2), pairs_per_second=round(n / seconds))
        result["runs_seconds"] = [round(t, 2) for t in runs]
        result["baseline_runs_seconds"] = [round(t, 2) for t in base_runs]
        result["baseline_seconds"] = round(base, 2)
        result["ratio_to_baseline"] = round(seconds / base, 2)
        result["stages_seconds"] = stages(predictor, source, batch)
        floor = result["stages_seconds"]["of which actor scan + cue lexicon alone"]
        result["floor_ratio_to_baseline"] = round(floor / base, 2)
    return result


def dask_child(model: Path, source: Path, out: Path, batch: int, workers: int) -> dict:
    """`stance predict --engine dask` on a LocalCluster of `workers` single-threaded worker
    processes; the wall time includes shipping and loading the model on every worker."""
    sys.path.insert(0, str(ROOT))
    from distributed import Client, LocalCluster

    from stance.model.engine import predict_parts

    t0 = time.perf_counter()
    with (
        LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        started = time.perf_counter() - t0
        t0 = time.perf_counter()
        done = predict_parts(
            model,
            source,
            out,
            engine="dask",
            scheduler=cluster.scheduler_address,
            batch_size=batch,
            progress=False,
        )
        seconds = time.perf_counter() - t0
        worker_mb = client.run(peak_mb)
    return {
        "engine": f"dask, {workers} worker{'s' * (workers != 1)}",
        "rows": done.rows,
        "parts": done.parts,
        "cluster_start_seconds": round(started, 2),
        "seconds": round(seconds, 2),
        "pairs_per_second": round(done.rows / seconds),
        "peak_rss_mb": {"client": peak_mb(), "workers": sorted(worker_mb.values())},
    }


def whole_process(model: Path, src: Path, out: Path, batch: list[str]) -> dict:
    """`stance predict --input SRC --output OUT` in a new process pinned to one core."""
    stance = str(Path(sys.executable).parent / "stance")
    cmd = [stance, "predict", "--model", str(model), "--input", str(src), "--output", str(out)]
    t0 = time.perf_counter()
    done = subprocess.run(
        [*cmd, *batch, "--force"], capture_output=True, text=True, preexec_fn=pin_one_core
    )
    seconds = time.perf_counter() - t0
    if done.returncode:
        sys.exit(done.stderr)
    rows = int(re.search(r"([\d,]+) rows?", done.stderr + done.stdout).group(1).replace(",", ""))
    return {
        "format": src.suffix.lstrip("."),
        "rows": rows,
        "seconds": round(seconds, 2),
        "pairs_per_second": round(rows / seconds),
    }


def run_child(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if out.returncode:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--model", type=Path, default=ROOT / "models/model.skops")
    ap.add_argument("--batch-size", type=int, default=10_000)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--dask-child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        model, src, out, baseline = args.child
        res = child(Path(model), Path(src), Path(out), args.batch_size, baseline == "1")
        print(json.dumps(res))
        return
    if args.dask_child:
        model, src, out, workers = args.dask_child
        print(
            json.dumps(dask_child(Path(model), Path(src), Path(out), args.batch_size, int(workers)))
        )
        return
    if not args.model.exists():
        sys.exit(f"{args.model}: no model: run `dvc repro` (or `stance train`) first")
    batch = ["--batch-size", str(args.batch_size)]
    runs, scaling, whole = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        sizes = sorted({max(2, args.rows // 10), args.rows})
        for rows in sizes:
            src = Path(tmp) / f"in_{rows}.parquet"
            shape = make_table(src, rows)
            flag = "1" if rows == sizes[0] else "0"
            out = str(Path(tmp) / "out.parquet")
            runs.append(run_child([*batch, "--child", str(args.model), str(src), out, flag]))
            runs[-1]["input"] = shape
        # The whole process, as a user runs it: start-up, reading, predicting and writing,
        # on the smaller input, from JSONL and from Parquet, on one core.
        for suffix in (".jsonl", ".parquet"):
            path = Path(tmp) / f"whole_{sizes[0]}{suffix}"
            make_table(path, sizes[0])
            whole.append(whole_process(args.model, path, Path(tmp) / f"out{suffix}", batch))
        for workers in (1, 2):
            out = str(Path(tmp) / f"dask_{workers}")
            scaling.append(
                run_child([*batch, "--dask-child", str(args.model), str(src), out, str(workers)])
            )
    big, small = runs[-1], runs[0]
    write_result(
        "predict",
        {
            "benchmark": "predict",
            "command": "python benchmarks/predict.py " + " ".join(sys.argv[1:]),
            "runs": runs,
            "batch_size": args.batch_size,
            "pairs_per_second": big["pairs_per_second"],
            "ratio_to_baseline": small["ratio_to_baseline"],
            "ratio_goal": RATIO_GOAL,
            "meets_ratio_goal": small["ratio_to_baseline"] <= RATIO_GOAL,
            "memory_growth_mb": round(big["peak_rss_mb"] - small["peak_rss_mb"], 1),
            "cores": 1,
            "goal_pairs_per_second": GOAL,
            "meets_goal": big["pairs_per_second"] >= GOAL,
            "whole_process": whole,
            "local_vs_dask": [
                {
                    "engine": "local, 1 core",
                    "seconds": big["seconds"],
                    "pairs_per_second": big["pairs_per_second"],
                },
                *scaling,
            ],
        },
    )


if __name__ == "__main__":
    main()

"""Ingest throughput and peak memory on 10,000 synthetic news-sized articles.

The corpus is generated, not real: articles of ~30 sentences (about 4-5 KB, the size of a
wire story) built from the seed sentences and templated sentences naming actors from the
registry, with headlines, date lines, datelines, captions and page furniture, so every code path
of ingestion (cleaning, segmentation, matching, near-duplicate grouping) is exercised at scale.
Ingestion runs in a child process pinned to one core; its peak RSS is its own.

    python benchmarks/ingest.py [--articles 10000] [--keep DIR]
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
GOAL = 200.0  # articles per second on one core (issue #2)

TEMPLATES = [
    "{a} accused {b} of carrying out the attack on {c} networks, officials said on {day}.",
    '"There is no evidence that {b} was involved," a spokesman for {a} told reporters.',
    "{a} denied any role in the hacking and called the allegations groundless.",
    "Officials in {a} said the U.S. had not shared the proof it says it has.",
    "{a} and {b} agreed to hold talks next week, according to a statement from {c}.",
    '"We call for a joint investigation," {a} said. "Accusations without proof are dangerous."',
    "Mr. {name} said the sanctions announced by {a} would only raise tensions with {b}.",
    "The statement by {a} came a day after {b} vowed to respond proportionately.",
    "Analysts in {c} said the attribution by {a} was consistent with earlier attacks.",
    "{a}'s foreign ministry summoned the ambassador of {b} on {day}.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
NAMES = ["Smith", "Lee", "Ivanov", "Park", "Chen", "Garcia"]
FURNITURE = ["Trending", "Latest", "Recommended", "Share this article", "<", ">", "- Most read"]


def make_corpus(out: Path, n: int, seed: int = 13) -> int:
    sys.path.insert(0, str(ROOT))
    from stance.corpus.actors import load_registry

    rng = random.Random(seed)
    reg = load_registry(ROOT / "data/actors.yaml")
    names = sorted(a.name for a in reg.actors.values())
    seed_lines = []
    for f in sorted((ROOT / "seeds").glob("*.txt")):
        seed_lines += [ln for ln in f.read_text(encoding="utf-8").splitlines() if len(ln) > 80]
    total = 0
    for i in range(n):
        pick = lambda: rng.choice(names)  # noqa: E731
        paras = []
        for _ in range(rng.randint(10, 14)):
            sents = [
                rng.choice(TEMPLATES).format(
                    a=pick(), b=pick(), c=pick(), day=rng.choice(DAYS), name=rng.choice(NAMES)
                )
                for _ in range(rng.randint(1, 3))
            ]
            if rng.random() < 0.25:
                sents.append(rng.choice(seed_lines))
            paras.append(" ".join(sents))
        city = rng.choice(["MOSCOW", "SEOUL", "WASHINGTON", "BEIJING"])
        paras[0] = f"{city} — " + paras[0]
        head = f"{pick()} responds to {pick()} over cyber-attack claims"
        caption = f"{pick()} officials at a briefingReuters/KCNA"
        body = "\n\n".join(paras[:3] + [caption] + paras[3:])
        text = f"{head}\nDecember {rng.randint(1, 28)}, 2014 | 1:00am\n{body}\n" + "\n".join(
            rng.sample(FURNITURE, 4)
        )
        (out / f"article_{i:05d}.txt").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def run_child(corpus: Path, out_dir: Path) -> dict:
    """Runs in the child: ingest the corpus once, report time and own peak RSS."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    sys.path.insert(0, str(ROOT))
    from stance.corpus.ingest import ingest

    t0 = time.perf_counter()
    result = ingest(
        [corpus],
        out_dir=out_dir,
        actors_path=ROOT / "data/actors.yaml",
        claims_path=ROOT / "data/claims.yaml",
        claims=["sony-hack-2014"],
        source="constructed",
    )
    seconds = time.perf_counter() - t0
    return {
        "seconds": round(seconds, 2),
        "documents": result.documents,
        "sentences": result.sentences,
        "candidates": result.candidates,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="Keep the generated corpus in this folder.")
    ap.add_argument("--child", nargs=2, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_child(Path(args.child[0]), Path(args.child[1]))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.keep or Path(tmp) / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        chars = make_corpus(corpus, args.articles)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(corpus), str(Path(tmp) / "out")],
            capture_output=True,
            text=True,
            check=True,
        )
        child = json.loads(out.stdout.strip().splitlines()[-1])
    rate = child["documents"] / child["seconds"]
    write_result(
        "ingest",
        {
            "benchmark": "ingest",
            "articles": args.articles,
            "mean_article_chars": round(chars / args.articles),
            **child,
            "articles_per_second": round(rate, 1),
            "cores": 1,
            "goal_articles_per_second": GOAL,
            "meets_goal": rate >= GOAL,
        },
    )


if __name__ == "__main__":
    main()

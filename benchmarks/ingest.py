"""Ingest throughput and peak memory: 10,000 synthetic news-sized articles as text files, and a
synthetic crawl of a few thousand HTML pages as one WARC.gz file.

The corpus is generated, not real: articles of ~30 sentences (about 4-5 KB, the size of a
wire story) built from the seed sentences and templated sentences naming actors from the
registry, with headlines, date lines, datelines, captions and page furniture, so every code path
of ingestion (cleaning, segmentation, matching, near-duplicate grouping) is exercised at scale.
The crawl wraps such articles in news-site pages (navigation, cookie banner, share bar, related
list, comments, footer) as a crawler stores them: a request record before every response, plus
images, error pages, redirects, syndicated copies and pages in French, so every branch of the
WARC reader and trafilatura's extraction run. Ingestion runs in a child process pinned to one
core; its peak RSS is its own.

    python benchmarks/ingest.py [--articles 10000] [--warc-pages 3000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import html
import io
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
FRENCH = [
    "La Russie a estimé jeudi que les menaces de représailles des États-Unis étaient "
    "contre-productives et dangereuses.",
    "Selon le porte-parole de la diplomatie russe, Washington n'a fourni aucune preuve de "
    "l'implication de Pyongyang dans cette attaque informatique.",
    "La Corée du Nord a proposé une enquête conjointe aux États-Unis, qui l'ont rejetée.",
    "Les analystes estiment que cette affaire pourrait durcir les relations entre les deux pays.",
]


def _sources() -> tuple[list[str], list[str]]:
    sys.path.insert(0, str(ROOT))
    from stance.corpus.actors import load_registry

    reg = load_registry(ROOT / "data/actors.yaml")
    names = sorted(a.name for a in reg.actors.values())
    seed_lines = []
    for f in sorted((ROOT / "seeds").glob("*.txt")):
        seed_lines += [ln for ln in f.read_text(encoding="utf-8").splitlines() if len(ln) > 80]
    return names, seed_lines


def _article(rng: random.Random, names: list[str], seed_lines: list[str]) -> tuple[str, list[str]]:
    """A headline and its paragraphs, the first with a dateline."""
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
    return f"{pick()} responds to {pick()} over cyber-attack claims", paras


def make_corpus(out: Path, n: int, seed: int = 13) -> int:
    rng = random.Random(seed)
    names, seed_lines = _sources()
    total = 0
    for i in range(n):
        head, paras = _article(rng, names, seed_lines)
        caption = f"{rng.choice(names)} officials at a briefingReuters/KCNA"
        body = "\n\n".join(paras[:3] + [caption] + paras[3:])
        text = f"{head}\nDecember {rng.randint(1, 28)}, 2014 | 1:00am\n{body}\n" + "\n".join(
            rng.sample(FURNITURE, 4)
        )
        (out / f"article_{i:05d}.txt").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def news_page(site: str, head: str, paras: list[str], day: int) -> str:
    """An article as a news site serves it, furniture and all."""
    e = html.escape
    body = "\n".join(f"<p>{e(p)}</p>" for p in paras)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{e(head)} | {site}</title><meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="2014-12-{day:02d}T10:00:00Z">
<meta name="author" content="Staff Reporter"></head><body>
<div id="cookie-consent"><p>We use cookies to improve your experience. By clicking Accept all,
you agree to the storing of cookies on your device.</p><button>Accept all</button></div>
<header><a href="/">{site}</a><nav><ul><li><a href="/world">World</a></li><li><a href="/politics">
Politics</a></li><li><a href="/business">Business</a></li></ul></nav></header>
<main><article><h1>{e(head)}</h1><div class="byline">By Staff Reporter</div>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
<figure><img src="/a.jpg"><figcaption>Officials at a briefing. Photograph: Reuters</figcaption>
</figure><div class="story-body">{body}</div>
<div class="paywall-teaser"><p>Subscribe today for unlimited access. Cancel anytime.</p></div>
</article><aside class="related"><h3>Related</h3><ul><li><a href="/r">Talks planned next week.</a>
</li></ul></aside><section class="comments"><h2>Comments (12)</h2><div class="comment"><p>This is
all propaganda, as usual.</p></div></section></main>
<footer><p>© 2014 {site}. All rights reserved.</p></footer></body></html>"""


def make_warc(path: Path, pages: int, seed: int = 13) -> dict[str, int]:
    """A crawl as a crawler writes it; returns the number of records of each kind."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(seed)
    names, seed_lines = _sources()
    sites = ["Daily Meridian", "Harbour Times", "Coastline Courier", "Valley Ledger"]
    counts = {"records": 0, "html_200": 0, "other_responses": 0}
    articles: list[tuple[str, list[str]]] = []
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        def write(url: str, status: str, content_type: str, body: bytes) -> None:
            request = writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True),
            )
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], "HTTP/1.1")
            response = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(request)
            writer.write_record(response)
            counts["records"] += 2

        for i in range(pages):
            site = sites[i % len(sites)]
            url = f"https://{site.replace(' ', '').lower()}.example/2014/12/story-{i}"
            if i % 40 == 39 and articles:  # a wire story syndicated by another site
                head, paras = rng.choice(articles)
            elif i % 100 == 99:  # a page in French
                head, paras = "Piratage : Moscou répond", rng.sample(FRENCH, 4)
            else:
                head, paras = _article(rng, names, seed_lines)
                articles.append((head, paras))
            page = news_page(site, head, paras, 1 + i % 28)
            write(url, "200 OK", "text/html; charset=utf-8", page.encode("utf-8"))
            counts["html_200"] += 1
            if i % 10 == 0:
                write(url + ".jpg", "200 OK", "image/jpeg", rng.randbytes(20_000))
                counts["other_responses"] += 1
            if i % 25 == 0:
                write(url + "/old", "404 Not Found", "text/html", b"<h1>Not found</h1>")
                counts["other_responses"] += 1
            if i % 50 == 0:
                write(url + "/amp", "301 Moved Permanently", "text/html", b"")
                counts["other_responses"] += 1
    return counts


def _pin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    sys.path.insert(0, str(ROOT))


def run_child(corpus: Path, out_dir: Path) -> dict:
    """Runs in the child: ingest the corpus once, report time and own peak RSS."""
    _pin()
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
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": round(seconds, 2),
        # CPU time of the child, start-up included: steadier than wall time on a shared machine.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "documents": result.documents,
        "sentences": result.sentences,
        "candidates": result.candidates,
        "skipped": {k: v for k, v in result.report.skipped.items() if v},
        "extractors": dict(result.report.extractors),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def parse_only(warc: Path) -> dict:
    """Runs in the child: warcio alone, reading every HTML payload: the parser's share."""
    _pin()
    from warcio.archiveiterator import ArchiveIterator

    t0 = time.perf_counter()
    records = 0
    with warc.open("rb") as fh:
        for record in ArchiveIterator(fh):
            records += 1
            if record.rec_type == "response":
                record.content_stream().read()
    seconds = time.perf_counter() - t0
    return {"records": records, "seconds": round(seconds, 2)}


def child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--warc-pages", type=int, default=3000)
    ap.add_argument("--keep", type=Path, help="Keep the generated inputs in this folder.")
    ap.add_argument("--child", nargs=2, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--parse-only", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_child(Path(args.child[0]), Path(args.child[1]))))
        return
    if args.parse_only:
        print(json.dumps(parse_only(args.parse_only)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        corpus = base / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        chars = make_corpus(corpus, args.articles)
        text = child("--child", str(corpus), str(Path(tmp) / "out"))
        crawl = base / "crawl"
        crawl.mkdir(parents=True, exist_ok=True)
        warc = crawl / "crawl.warc.gz"
        counts = make_warc(warc, args.warc_pages)
        warc_run = child("--child", str(crawl), str(Path(tmp) / "out-warc"))
        parsed = child("--parse-only", str(warc))
        warc_mb = warc.stat().st_size / 1e6
    rate = text["documents"] / text["seconds"]
    write_result(
        "ingest",
        {
            "benchmark": "ingest",
            "articles": args.articles,
            "mean_article_chars": round(chars / args.articles),
            **text,
            "articles_per_second": round(rate, 1),
            "cores": 1,
            # Other work on the machine slows the pinned core: the load when the run ended.
            "load_average_1m": round(os.getloadavg()[0], 2),
            "goal_articles_per_second": GOAL,
            "meets_goal": rate >= GOAL,
            "warc": {
                "file_mb": round(warc_mb, 1),
                **counts,
                **warc_run,
                "records_per_second": round(counts["records"] / warc_run["seconds"], 1),
                "html_pages_per_second": round(counts["html_200"] / warc_run["seconds"], 1),
                "warcio_parse_only_records_per_second": round(
                    parsed["records"] / parsed["seconds"], 1
                ),
            },
        },
    )


if __name__ == "__main__":
    main()

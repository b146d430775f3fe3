"""WARC crawls: HTML responses with status 200 become documents, everything else is counted.

The WARC files are written here with warcio itself, from the pages in tests/fixtures/web/.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from stance.core.errors import InputError
from stance.corpus.raw import Limits, RawDocument, ReadOptions, Skip
from stance.corpus.warc import warc_documents
from tests.conftest import read_jsonl
from tests.test_web import BOILERPLATE, EXPECTED, WEB, assert_offsets_exact, sentences_by_doc

FETCHED = "2014-12-27T09:30:00Z"


def page(name: str) -> bytes:
    return (WEB / f"{name}.html").read_bytes()


def response(
    url: str,
    body: bytes,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    date: str = FETCHED,
) -> dict[str, Any]:
    return {"type": "response", "url": url, "body": body, "status": status, "ct": content_type,
            "date": date}  # fmt: skip


def write_warc(path: Path, records: list[dict[str, Any]], compress: bool = True) -> Path:
    """A WARC file as a crawler writes it: warcinfo first, each response after its request."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for r in records:
            headers = {"WARC-Date": r.get("date", FETCHED)}
            if r["type"] == "response":
                request = writer.create_warc_record(
                    r["url"],
                    "request",
                    payload=io.BytesIO(b""),
                    http_headers=StatusAndHeaders(
                        "GET / HTTP/1.1", [("Host", "example")], is_http_request=True
                    ),
                    warc_headers_dict=headers,
                )
                writer.write_record(request)
                http = StatusAndHeaders(
                    r["status"], [("Content-Type", r["ct"])], protocol="HTTP/1.1"
                )
                record = writer.create_warc_record(
                    r["url"],
                    "response",
                    payload=io.BytesIO(r["body"]),
                    http_headers=http,
                    warc_headers_dict=headers,
                )
            elif r["type"] == "revisit":
                record = writer.create_revisit_record(
                    r["url"], "sha1:AAAA", r["url"], FETCHED, warc_headers_dict=headers
                )
            else:
                record = writer.create_warc_record(
                    r["url"],
                    "metadata",
                    payload=io.BytesIO(b"outlinks: https://example/\n"),
                    warc_content_type="application/warc-fields",
                    warc_headers_dict=headers,
                )
            writer.write_record(record)
    return path


NEWS = "https://news.example/"
CRAWL = [
    response("https://www.dailymeridian.example/world/sony", page("meridian_sony")),
    response(NEWS + "logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"),
    response("https://harbourtimes.example/news/kremlin", page("harbour_kremlin")),
    response(NEWS + "gone", b"<html><body><h1>Not found</h1></body></html>", "404 Not Found"),
    response(NEWS + "moved", b"", "301 Moved Permanently"),
    response(NEWS + "api", b'{"items": []}', content_type="application/json"),
    {"type": "revisit", "url": "https://harbourtimes.example/news/kremlin"},
    response("https://coastlinecourier.example/seoul", page("wire_seoul_a")),
    response("https://www.valleyledger.example/seoul", page("wire_seoul_b")),
    response("https://courrierdumatin.example/sony", page("courrier_fr")),
    response(
        NEWS + "section/world",
        b"<html><body><nav><a href='/a'>World</a></nav><ul><li><a href='/b'>Asia</a></li>"
        b"<li><a href='/c'>Europe</a></li></ul></body></html>",
    ),
    response(
        NEWS + "brief",
        page("tiny_brief"),
        content_type="text/html",
    ),
    response("https://koreadesk.example/rejects", page("old_table_layout")),
    {"type": "metadata", "url": "https://koreadesk.example/rejects"},
]


@pytest.fixture
def crawl(project: Path) -> Path:
    return write_warc(project / "crawl/crawl.warc.gz", CRAWL)


def test_a_crawl_ingests_cleanly(crawl: Path, project: Path, cli) -> None:
    result = cli("ingest", "crawl")
    assert result.exit_code == 0, result.output
    out = project / "data/interim"
    docs = {d["doc_id"]: d for d in read_jsonl(out / "documents.jsonl")}
    sents = read_jsonl(out / "sentences.jsonl")
    # Record numbers count every record: warcinfo is 0, each response follows its request.
    assert {d["doc_id"]: d["url"] for d in docs.values()} == {
        "crawl-000002": "https://www.dailymeridian.example/world/sony",
        "crawl-000006": "https://harbourtimes.example/news/kremlin",
        "crawl-000015": "https://coastlinecourier.example/seoul",
        "crawl-000023": "https://news.example/brief",
        "crawl-000025": "https://koreadesk.example/rejects",
    }
    by_doc = sentences_by_doc(sents)
    assert by_doc["crawl-000002"] == EXPECTED["meridian_sony"]
    assert by_doc["crawl-000006"] == EXPECTED["harbour_kremlin"]
    assert by_doc["crawl-000015"] == EXPECTED["wire_seoul_a"]
    assert by_doc["crawl-000023"] == EXPECTED["tiny_brief"]
    assert by_doc["crawl-000025"] == EXPECTED["old_table_layout"]
    everything = "\n".join(s["sentence"] + "\n" for s in sents).lower()
    assert not [junk for junk in BOILERPLATE if junk.lower() in everything]
    assert_offsets_exact(docs, sents, read_jsonl(out / "candidates.jsonl"))

    report = json.loads((out / "ingest_report.json").read_text())
    assert report["skipped"] == {
        "language": 1,  # the French page
        "duplicate": 1,  # the wire story's second site
        "empty": 1,  # a section front: links only
        "not_html": 2,  # the image and the JSON
        "status": 2,  # 404 and 301
        "not_response": 15,  # warcinfo, 12 requests, a revisit, a metadata record
        "invalid": 0,
    }
    assert result.output.splitlines()[-1] == (
        "Skipped by reason: language 1, duplicate 1, empty 1, not_html 2, status 2, "
        "not_response 15 (details: data/interim/ingest_report.json)"
    )
    assert report["extractors"] == {"builtin": 1, "trafilatura": 4}


def test_url_and_dates_come_from_the_warc_headers(crawl: Path, project: Path, cli) -> None:
    assert cli("ingest", "crawl").exit_code == 0
    docs = {d["doc_id"]: d for d in read_jsonl(project / "data/interim/documents.jsonl")}
    m = docs["crawl-000002"]
    # The page's canonical URL differs; the record's WARC-Target-URI is where it was fetched.
    assert (m["url"], m["fetched"], m["date"], m["site"]) == (
        "https://www.dailymeridian.example/world/sony",
        FETCHED,
        "2014-12-19",  # the page's own publication date
        "The Daily Meridian",
    )
    brief = docs["crawl-000023"]
    assert brief["date"] == "2014-12-27"  # no date on the page: the day it was fetched
    assert brief["site"] == "news.example"  # no site name on the page: the host
    assert m["path"].startswith("crawl/crawl.warc.gz@")
    assert docs["crawl-000015"]["urls"] == [
        "https://coastlinecourier.example/seoul",
        "https://www.valleyledger.example/seoul",
    ]


def test_uncompressed_warc(project: Path, cli) -> None:
    write_warc(project / "c.warc", CRAWL[:3], compress=False)
    result = cli("ingest", "c.warc")
    assert result.exit_code == 0, result.output
    assert "2 documents" in result.output


def test_records_stream_within_the_limits(tmp_path: Path) -> None:
    # 8 MB of video and an 8 MB "page": neither is ever held whole. (Random bytes, as real
    # media: warcio inflates a 16 KB block at a time, so a record of zeros would expand to
    # megabytes in one step; that bound is per record, never the file.)
    rng = random.Random(13)
    big = tmp_path / "big.warc.gz"
    write_warc(
        big,
        [
            response(NEWS + "video", rng.randbytes(8_000_000), content_type="video/mp4"),
            response(NEWS + "huge", b"<p>" + rng.randbytes(4_000_000).hex().encode() + b"</p>"),
            response(NEWS + "sony", page("meridian_sony")),
        ],
    )
    opts = ReadOptions(limits=Limits(max_document_bytes=100_000), skip_invalid=True)
    # Import and warm up the extractor first: its modules' own allocations are not the record's.
    warm = tmp_path / "warm.warc.gz"
    write_warc(warm, [response(NEWS + "sony", page("meridian_sony"))])
    list(warc_documents(warm, opts))
    tracemalloc.start()
    items = list(warc_documents(big, opts))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 3_000_000, f"peak {peak:,} bytes"
    assert [i.reason for i in items if isinstance(i, Skip)] == [
        "not_response", "not_response", "not_html", "not_response", "invalid", "not_response",
    ]  # fmt: skip
    invalid = next(i for i in items if isinstance(i, Skip) and i.reason == "invalid")
    assert (
        "over ingest.max_document_bytes" in invalid.detail and "news.example/huge" in invalid.detail
    )
    with pytest.raises(
        InputError, match=r"big.warc.gz@\d+ \(https://news.example/huge\): a payload"
    ):
        list(warc_documents(big, ReadOptions(limits=Limits(max_document_bytes=100_000))))


def test_an_oversized_record_stops_the_run_unless_skip_invalid(project: Path, cli) -> None:
    params = project / "params.yaml"
    params.write_text(
        params.read_text().replace("max_document_bytes: 5000000", "max_document_bytes: 5000")
    )
    write_warc(project / "c.warc.gz", [response(NEWS + "sony", page("meridian_sony")),
                                       response(NEWS + "brief", page("tiny_brief"))])  # fmt: skip
    result = cli("ingest", "c.warc.gz")
    assert result.exit_code == 1
    assert "(https://news.example/sony): a payload of more than 5,000 bytes" in result.output
    assert not (project / "data/interim").exists()
    result = cli("ingest", "c.warc.gz", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "1 documents" in result.output and "invalid 1" in result.output


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda b: b[: len(b) * 2 // 3], "the file ends inside a record: truncated"),
        (lambda b: b"\x1f\x8b\x08\x00" + b"\x00" * 40, "not a readable WARC file"),
        (lambda b: b"this is a text file, not a crawl\n" * 3, "no WARC record header"),
        (lambda b: gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 999\r\n\r\nshort"),
         "not a readable WARC file"),
    ],
)  # fmt: skip
def test_a_corrupt_warc_is_one_error(project: Path, cli, damage, message: str) -> None:
    good = write_warc(project / "good.warc.gz", CRAWL[:4]).read_bytes()
    (project / "bad.warc.gz").write_bytes(damage(good))
    result = cli("ingest", "bad.warc.gz")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: bad.warc.gz: "), result.output
    assert message in lines[0]
    assert not (project / "data/interim").exists()
    result = cli("ingest", "bad.warc.gz", "good.warc.gz", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Skipped: bad.warc.gz: " in result.output and "invalid 1" in result.output


def test_a_crawl_cut_short_keeps_its_whole_records_with_skip_invalid(project: Path, cli) -> None:
    # A download cut off inside its last record: the records before it were read to their
    # end and checked, so --skip-invalid keeps them and reports the broken tail.
    first = [
        response("https://www.dailymeridian.example/world/sony", page("meridian_sony")),
        response("https://harbourtimes.example/news/kremlin", page("harbour_kremlin")),
    ]
    whole = write_warc(project / "part.warc.gz", first).stat().st_size
    last = response("https://coastlinecourier.example/seoul", page("wire_seoul_a"))
    data = write_warc(project / "cut.warc.gz", [*first, last]).read_bytes()
    (project / "cut.warc.gz").write_bytes(data[: whole + (len(data) - whole) // 2])
    (project / "part.warc.gz").unlink()
    result = cli("ingest", "cut.warc.gz")
    assert result.exit_code == 1 and "truncated" in result.output
    result = cli("ingest", "cut.warc.gz", "--skip-invalid")
    assert result.exit_code == 0, result.output
    docs = read_jsonl(project / "data/interim/documents.jsonl")
    assert [d["url"] for d in docs] == [r["url"] for r in first]
    report = json.loads((project / "data/interim/ingest_report.json").read_text())
    (problem,) = report["problems"]
    assert problem.startswith("cut.warc.gz: not a readable WARC file (the file ends inside")
    # warcinfo and two requests and responses; the last response's request is held back
    # with it (see the next test)
    assert problem.endswith("; the 2 documents of the 5 whole records before it are kept")
    assert report["skipped"]["invalid"] == 1


@pytest.mark.parametrize("delta", [-300, 300])
def test_a_record_with_a_wrong_length_is_not_kept(tmp_path: Path, delta: int) -> None:
    # warcio finds a wrong Content-Length only when it reads the next record: the record is
    # held back until then, and is not given out when it turns out broken.
    urls = ["https://a.example/1", "https://b.example/2", "https://c.example/3"]
    path = write_warc(
        tmp_path / "c.warc",
        [response(u, page(p)) for u, p in zip(urls, ["meridian_sony", "harbour_kremlin",
                                                     "wire_seoul_a"], strict=True)],
        compress=False,
    )  # fmt: skip
    data = path.read_bytes()
    second = data.index(b"WARC-Type: response", data.index(b"WARC-Type: response") + 1)
    at = data.index(b"Content-Length: ", second) + len(b"Content-Length: ")
    end = data.index(b"\r\n", at)
    path.write_bytes(data[:at] + str(int(data[at:end]) + delta).encode() + data[end:])
    items = list(warc_documents(path, ReadOptions(skip_invalid=True)))
    assert [d.url for d in items if isinstance(d, RawDocument)] == urls[:1]
    assert items[-1].reason == "invalid" and "not a readable WARC file" in items[-1].detail
    with pytest.raises(InputError, match="not a readable WARC file"):
        list(warc_documents(path, ReadOptions()))


@pytest.mark.parametrize(
    "content_type, meta",
    [("text/html; charset=windows-1252", b""), ("text/html", b"<meta charset='windows-1252'>")],
)
def test_the_declared_charset_decodes_the_page(
    tmp_path: Path, content_type: str, meta: bytes
) -> None:
    html = (
        b"<html><head>"
        + meta
        + (
            "<title>S\u00e9oul reacts</title></head><body><h1>S\u00e9oul reacts</h1><p>S\u00e9oul said on "
            "Friday that Pyongyang was behind the attack on the studio.</p></body></html>"
        ).encode("cp1252")
    )
    path = write_warc(
        tmp_path / "c.warc.gz", [response(NEWS + "s", html, content_type=content_type)]
    )
    (doc,) = [d for d in warc_documents(path, ReadOptions()) if not isinstance(d, Skip)]
    assert doc.text.startswith("S\u00e9oul reacts\nS\u00e9oul said on Friday")


def test_near_duplicate_groups_span_crawls_and_files(project: Path, cli) -> None:
    quote = (
        '"We perceive the U.S. threats to take revenge and calls on other nations to condemn the '
        "Democratic People's Republic of Korea as absolutely counterproductive and dangerous,\" "
        "the Russian Foreign Ministry spokesman said on Thursday."
    )
    body = (
        "<html><head><title>Moscow warns Washington | Wire</title></head><body><article>"
        "<h1>Moscow warns Washington</h1><p>MOSCOW — Russia criticised the United States on "
        f"Thursday over its response to the hacking of Sony Pictures.</p><p>{quote}</p>"
        "</article></body></html>"
    )
    write_warc(project / "crawl/c.warc.gz", [response(NEWS + "moscow", body.encode())])
    assert cli("ingest", "seeds", "crawl").exit_code == 0
    sents = read_jsonl(project / "data/interim/sentences.jsonl")
    (crawled,) = [s for s in sents if s["sentence"] == quote]
    seed = "000_40f0a603c88ba03e:0003"  # the same quote in the first seed article
    assert crawled["group"] == seed and crawled["doc_id"] == "c-000002"


@pytest.mark.parametrize("name", ["bad.warc", "bad.warc.gz"])
def test_a_file_that_is_not_a_warc_is_shown_escaped(project: Path, cli, name: str) -> None:
    junk = b'\x85W2\xd6\x9a\xdf"+Kk\x1b[31m' + bytes(range(40))
    (project / name).write_bytes(gzip.compress(junk) if name.endswith(".gz") else junk)
    result = cli("ingest", name)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {name}: not a readable WARC file (no WARC record header; it starts "
        f"{junk[:40]!r}, near byte 0); check the download with `gzip -t` "
        f"(--skip-invalid skips it)\n"
    )
    assert result.output.isascii() and "\x1b" not in result.output


def test_a_saved_page_and_its_crawl_list_the_url_once(project: Path, cli) -> None:
    url = "https://www.dailymeridian.example/world/2014/dec/19/us-blames-north-korea-sony-hack"
    write_warc(project / "in/crawl.warc.gz", [response(url, page("meridian_sony"))])
    (project / "in/meridian_sony.html").write_bytes(page("meridian_sony"))
    result = cli("ingest", "in")
    assert result.exit_code == 0, result.output
    docs = read_jsonl(project / "data/interim/documents.jsonl")
    assert [(d["doc_id"], d["urls"]) for d in docs] == [("crawl-000002", [url])]
    assert "duplicate 1" in result.output

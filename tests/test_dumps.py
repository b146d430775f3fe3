"""Large dumps name their fields their own way: --text-field, --id-field, --date-field and
--url-field map them, for JSONL lines and Parquet rows alike."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stance.core.errors import InputError
from stance.corpus.raw import Fields, Limits, ReadOptions, iso_day
from stance.corpus.readers import iter_documents
from tests.conftest import read_jsonl

ROWS = [
    {
        "article_id": 17,
        "title": "Seoul blames Pyongyang",
        "body": "Seoul said on Friday that Pyongyang was behind the attack on Sony.",
        "published": "2014-12-19T08:00:00Z",
        "link": "https://www.wire.example/17",
    },
    {
        "article_id": 18,
        "title": None,
        "body": "The Kremlin said Washington had offered no proof of its claims.",
        "published": None,
        "link": None,
    },
]
MAPPING = ("--text-field", "body", "--id-field", "article_id", "--date-field", "published",
           "--url-field", "link")  # fmt: skip


def write_dump(path: Path, rows: list[dict]) -> Path:
    if path.suffix == ".parquet":
        frame = pd.DataFrame(rows)
        frame["published"] = pd.to_datetime(frame["published"])  # a real timestamp column
        frame.to_parquet(path)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_field_mapping(project: Path, cli, suffix: str) -> None:
    write_dump(project / f"dump{suffix}", ROWS)
    result = cli("ingest", f"dump{suffix}", *MAPPING, "--html-extractor", "builtin")
    assert result.exit_code == 0, result.output
    docs = read_jsonl(project / "data/interim/documents.jsonl")
    assert [(d["doc_id"], d["date"], d["url"], d["site"], d["extractor"]) for d in docs] == [
        ("dump-17", "2014-12-19", "https://www.wire.example/17", "wire.example", None),
        ("dump-18", None, None, None, None),
    ]
    assert docs[0]["path"] == f"dump{suffix}:1"
    sents = read_jsonl(project / "data/interim/sentences.jsonl")
    assert [s["sentence"] for s in sents][:2] == [
        "Seoul blames Pyongyang",
        "Seoul said on Friday that Pyongyang was behind the attack on Sony.",
    ]


def test_a_missing_text_field_or_column_names_the_option(tmp_path: Path) -> None:
    jsonl = write_dump(tmp_path / "d.jsonl", ROWS)
    with pytest.raises(InputError, match=r"d.jsonl:1: no text in field 'text' \(choose the field"):
        list(iter_documents(jsonl))
    parquet = write_dump(tmp_path / "d.parquet", ROWS)
    with pytest.raises(InputError) as err:
        list(iter_documents(parquet))
    assert str(err.value) == (
        f"{parquet}: no column 'text' (columns: article_id, title, body, published, link); "
        f"choose the text column with --text-field"
    )


def test_limits_apply_to_every_row(tmp_path: Path) -> None:
    rows = [*ROWS, {**ROWS[0], "article_id": 19, "body": "Moscow said no. " * 2000}]
    opts = ReadOptions(fields=Fields(text="body", id="article_id"), limits=Limits(10_000, 500))
    for suffix in (".jsonl", ".parquet"):
        path = write_dump(tmp_path / f"d{suffix}", rows)
        with pytest.raises(InputError, match=rf"d{suffix}:3: .*over ingest.max_document_bytes"):
            list(iter_documents(path, opts))


def test_jsonl_dumps_stream(tmp_path: Path) -> None:
    path = write_dump(tmp_path / "d.jsonl", ROWS * 3)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{broken\n")
    docs = iter_documents(path, ReadOptions(fields=Fields(text="body", id="article_id")))
    assert next(docs).doc_id == "d-17"  # read before the broken last line is reached
    with pytest.raises(InputError, match="d.jsonl:7: not valid JSON"):
        list(docs)


def test_copies_list_each_url_once_in_first_seen_order(project: Path, cli) -> None:
    # A dump, the same dump converted to Parquet, and a copy reached again at its first URL.
    body = "Seoul said on Friday that Pyongyang was behind the attack on Sony."
    rows = [
        {"id": "a1", "text": body, "url": "https://a.example/a1"},
        {"id": "copy", "text": body, "url": "https://b.example/copy"},
        {"id": "again", "text": body, "url": "https://a.example/a1"},
    ]
    (project / "in").mkdir()
    (project / "in/feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    pd.DataFrame(rows).to_parquet(project / "in/feed_copy.parquet")
    result = cli("ingest", "in")
    assert result.exit_code == 0, result.output
    docs = read_jsonl(project / "data/interim/documents.jsonl")
    assert [(d["doc_id"], d["urls"]) for d in docs] == [
        ("feed-a1", ["https://a.example/a1", "https://b.example/copy"])
    ]
    assert "duplicate 5" in result.output  # still counted as copies, only not listed twice


def fails(cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.mark.parametrize(
    ("option", "name", "message"),
    [
        ("--id-field", "nope", "Error: --id-field nope: news.parquet has no such column "
         "(columns: article_id, title, body, published, link)"),
        ("--date-field", "publshed", "Error: --date-field publshed: news.parquet has no such "
         "column (columns: article_id, title, body, published, link; nearest: published)"),
        ("--url-field", "nope2", "Error: --url-field nope2: news.parquet has no such column "
         "(columns: article_id, title, body, published, link)"),
    ],
)  # fmt: skip
def test_a_named_parquet_column_must_exist(
    project: Path, cli, option: str, name: str, message: str
) -> None:
    write_dump(project / "news.parquet", ROWS)
    assert fails(cli, "ingest", "news.parquet", *MAPPING, option, name) == message
    assert not (project / "data/interim/documents.jsonl").exists()


def test_a_named_jsonl_field_must_be_in_every_line(project: Path, cli) -> None:
    rows = [ROWS[0], {k: v for k, v in ROWS[1].items() if k != "link"}]
    write_dump(project / "news.jsonl", rows)
    assert fails(cli, "ingest", "news.jsonl", *MAPPING) == (
        "Error: news.jsonl:2: no field 'link', named by --url-field; add it to this record or "
        "leave --url-field out"
    )
    # A null value is a record without a URL, not a misnamed field.
    write_dump(project / "news.jsonl", ROWS)
    assert cli("ingest", "news.jsonl", *MAPPING).exit_code == 0


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_default_fields_stay_optional(project: Path, cli, suffix: str) -> None:
    rows = [{"text": r["body"]} for r in ROWS]
    write_dump(project / f"plain{suffix}", rows) if suffix == ".jsonl" else pd.DataFrame(
        rows
    ).to_parquet(project / f"plain{suffix}")
    assert cli("ingest", f"plain{suffix}").exit_code == 0
    docs = read_jsonl(project / "data/interim/documents.jsonl")
    assert [(d["doc_id"], d["date"], d["url"]) for d in docs] == [
        ("plain-1", None, None),
        ("plain-2", None, None),
    ]


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2014-12-19", "2014-12-19"),
        ("2014-12-19T08:00:00Z", "2014-12-19"),
        ("2014-13-45", None),
        ("2014-02-30", None),
        ("19 December 2014", None),
        ("2014-12-190", None),
        (None, None),
    ],
)
def test_iso_day(value: str | None, day: str | None) -> None:
    assert iso_day(value) == day


def test_a_dump_date_that_is_not_a_day_is_dropped(project: Path, cli) -> None:
    # Dropped like an unparseable page date, so a later `--claim TEXT` is not blamed on
    # data/claims.yaml for a date that came from the dump.
    # Counted and said, though: a dump whose dates are all "12/27/2014" would otherwise lose
    # every date in silence.
    rows = [{**ROWS[0], "published": "2014-13-45"}, {**ROWS[1], "published": "2014-12-20T23:00"}]
    write_dump(project / "news.jsonl", rows)
    result = cli("ingest", "news.jsonl", *MAPPING)
    assert result.exit_code == 0, result.output
    docs = read_jsonl(project / "data/interim/documents.jsonl")
    assert [d["date"] for d in docs] == [None, "2014-12-20"]
    assert (
        "note: 1 documents kept without a date: their source's date is not a YYYY-MM-DD day "
        "(e.g. news.jsonl:1: '2014-13-45'); for a dump, convert its date field to ISO 8601 to "
        "keep them"
    ) in result.output
    report = json.loads((project / "data/interim/ingest_report.json").read_text())
    assert report["dates_dropped"] == {"documents": 1, "examples": ["news.jsonl:1: '2014-13-45'"]}


def test_a_bad_date_of_a_document_left_out_is_not_counted(project: Path, cli) -> None:
    # The second row is a copy of the first (syndicated): left out, its date does not matter.
    rows = [ROWS[0], {**ROWS[0], "article_id": 99, "published": "27/12/2014"}]
    write_dump(project / "news.jsonl", rows)
    result = cli("ingest", "news.jsonl", *MAPPING)
    assert result.exit_code == 0, result.output
    assert "without a date" not in result.output
    report = json.loads((project / "data/interim/ingest_report.json").read_text())
    assert report["dates_dropped"] == {"documents": 0, "examples": []}
    assert report["skipped"]["duplicate"] == 1


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_an_id_repeated_within_a_dump_names_the_rows_and_field(
    project: Path, cli, suffix: str
) -> None:
    rows = [ROWS[0], ROWS[1], {**ROWS[1], "body": "Beijing called for calm over the Sony hack."}]
    write_dump(project / f"news{suffix}", rows)
    assert fails(cli, "ingest", f"news{suffix}", *MAPPING) == (
        f"Error: news{suffix}:3: document id 'news-18' (from field 'article_id') is also that of "
        f"row 2; ids must be unique within the dump: fix the ids, or name another field with "
        f"--id-field"
    )
    assert not (project / "data/interim/documents.jsonl").exists()


@pytest.mark.parametrize(
    ("body", "what"),
    [(17, "a number (17)"), (2.5, "a number (2.5)"), (True, "true/false"), (["a"], "a list"),
     ({"p": "a"}, "an object")],
)  # fmt: skip
def test_a_text_field_that_is_not_text_says_so(tmp_path: Path, body: object, what: str) -> None:
    rows = [ROWS[0], {**ROWS[1], "body": body}]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(iter_documents(path, ReadOptions(fields=Fields(text="body", id="article_id"))))
    assert str(err.value) == (
        f"{path}:2: field 'body' holds {what}, not text (choose the field with --text-field)"
    )


def test_a_number_column_as_text_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pd.DataFrame({"text": ["Seoul blamed Pyongyang.", "x"], "n": [1, 2]}).to_parquet(path)
    with pytest.raises(InputError) as err:
        list(iter_documents(path, ReadOptions(fields=Fields(text="n"))))
    assert str(err.value) == (
        f"{path}:1: field 'n' holds a number (1), not text (choose the field with --text-field)"
    )

"""Regression tests for data-loss paths found by an adversarial tester (issue 12).

Each test reproduces what used to lose or corrupt data, then checks it no longer does.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from pathlib import Path

import pandas as pd
import pytest

from stance.annotation.events import make_event
from stance.annotation.log import AnnotationLog, replay
from stance.core.errors import AnnotationError
from stance.corpus.dedup import group_ids
from stance.corpus.readers import read_documents
from tests.conftest import TINY_TRAINING, read_jsonl
from tests.waiting import CEILING


def _event(n: int) -> dict:
    cand = {"id": f"c{n}", "sentence": "s", "actor": "PRK", "claim": "x"}
    return make_event("label", annotator="ann", guideline_version="1.0", candidate=cand,
                      stance="oppose")  # fmt: skip


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- 2. a log whose last complete event has no final newline --------------------------------------


def test_missing_final_newline_is_added_before_the_next_event(tmp_path: Path) -> None:
    log = tmp_path / "ann.jsonl"
    log.write_text(json.dumps(_event(1)) + "\n" + json.dumps(_event(2)))  # no final "\n"
    with AnnotationLog(log, "ann") as opened:
        assert [e["id"] for e in opened.state.events] == ["c1", "c2"]
        opened.append(_event(3))
    lines = log.read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["c1", "c2", "c3"]
    with AnnotationLog(log, "ann") as again:  # and the annotator is not locked out
        assert len(again.state.events) == 3


def test_events_glued_by_an_older_version_are_read_not_lost(tmp_path: Path) -> None:
    log = tmp_path / "ann.jsonl"
    glued = json.dumps(_event(1)) + json.dumps(_event(2))
    log.write_text(glued + "\n" + json.dumps(_event(3)) + "\n")
    with AnnotationLog(log, "ann") as opened:
        assert [e["id"] for e in opened.state.events] == ["c1", "c2", "c3"]
        assert any("several events were written on one line" in w for w in opened.warnings)


def test_a_corrupt_middle_line_never_advises_deleting_it(tmp_path: Path) -> None:
    log = tmp_path / "ann.jsonl"
    log.write_text(json.dumps(_event(1)) + "\n{not json}\n" + json.dumps(_event(2)) + "\n")
    with pytest.raises(AnnotationError) as err:
        replay(log)
    assert str(err.value).startswith(f"{log}:2: corrupted line")
    assert "delete that line" not in str(err.value)


# --- 7. the lock cannot be deleted out from under its holder ---------------------------------------


def _try_open(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        with AnnotationLog(Path(path), "ann"):
            queue.put("opened")
    except AnnotationError as exc:
        queue.put(str(exc))


def test_deleting_the_lock_file_does_not_let_a_second_writer_in(tmp_path: Path) -> None:
    log = tmp_path / "ann.jsonl"
    with AnnotationLog(log, "ann") as opened:
        opened.append(_event(1))
        info = tmp_path / ".ann.lock"
        assert info.read_text() != ""  # names the holder for the message
        info.unlink()
        queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        other = multiprocessing.get_context("fork").Process(
            target=_try_open, args=(str(log), queue)
        )
        other.start()
        answer = queue.get(timeout=CEILING)
        other.join(CEILING)
        assert "is already open in another process" in answer
    assert not (tmp_path / ".ann.lock").exists()  # removed on a clean exit
    assert len(replay(log).events) == 1


def test_opening_without_writing_leaves_no_empty_log(tmp_path: Path) -> None:
    log = tmp_path / "ann.jsonl"
    with AnnotationLog(log, "ann"):
        pass
    assert not log.exists()


def test_read_only_or_full_annotations_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "ann.jsonl"
    real_open = os.open

    def read_only(path: object, flags: int, *args: object, **kw: object) -> int:
        if Path(str(path)) == log and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(AnnotationError, match="cannot open for writing .Permission denied."):
        with AnnotationLog(log, "ann"):
            pass
    monkeypatch.setattr(os, "open", real_open)
    with AnnotationLog(log, "ann") as opened:
        opened.append(_event(1))

        def full(fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(AnnotationError, match="could not save the last decision"):
            opened.append(_event(2))
        monkeypatch.undo()
    assert [e["id"] for e in opened.state.events] == ["c1"]  # the failed one is not counted
    # ...nor on disk: the write that reached the file before fsync failed was cut back off.
    assert [e["id"] for e in replay(log).events] == ["c1"]


# --- 4. identical sentences share a group however often they recur ---------------------------------


def test_a_sentence_syndicated_in_many_documents_is_one_group() -> None:
    wire = "North Korea denied any involvement in the cyber-attack on Sony Pictures, KCNA said."
    items = [(f"doc{i:03d}:0001", wire if i % 2 else wire.upper()) for i in range(120)]
    items += [("other:0001", "Russia said Washington had shown no proof of the accusation.")]
    groups = group_ids(items)
    assert len({groups[sid] for sid, _ in items[:120]}) == 1
    assert groups["other:0001"] == "other:0001"


# --- 6. HTML with optional end tags omitted ------------------------------------------------------


def test_unclosed_list_items_in_navigation_do_not_swallow_the_article(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>T</title></head><body>"
        "<nav><ul><li>Home<li>World<li>Politics</ul></nav>"
        '<div class="share-bar"><p>Share this<p>Tweet</div>'
        "<article><h1>Russia says US has no proof on Sony hack</h1>"
        "<p>Moscow said on Friday that Washington had shown no evidence."
        "<p>North Korea denied any role in the attack.</article></body></html>"
    )
    text = read_documents(page)[0].text
    assert text.splitlines() == [
        "Russia says US has no proof on Sony hack",
        "Moscow said on Friday that Washington had shown no evidence.",
        "North Korea denied any role in the attack.",
    ]


# --- 5. import validates every field before anything is written ---------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("annotated_at", 12345, "'annotated_at' 12345 is not an ISO 8601 time"),
        ("annotated_at", "not-a-date", "'annotated_at' 'not-a-date' is not an ISO 8601 time"),
        ("note", {"a": 1}, "'note' must be text or null"),
    ],
)
def test_import_rejects_bad_values_with_the_line(
    ingested: Path, cli, field: str, value: object, message: str
) -> None:
    cands = read_jsonl(ingested / "data/interim/candidates.jsonl")
    good = {"text": cands[0]["sentence"], "actor": cands[0]["actor"], "label": ["oppose"],
            "id": cands[0]["id"]}  # fmt: skip
    bad = {"text": cands[1]["sentence"], "actor": cands[1]["actor"], "label": ["support"],
           "id": cands[1]["id"], field: value}  # fmt: skip
    path = ingested / "in.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    result = cli("import", "in.jsonl", "--format", "doccano", "--annotator", "x")
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: in.jsonl:2: ")
    assert message in result.output
    assert not (ingested / "data/annotations/x.jsonl").exists()  # not even the good row
    # export and release never meet such a value: the log holds none.
    assert (
        cli("export", "--format", "doccano", "--annotator", "core", "--output", "o.jsonl").exit_code
        == 0
    )


def test_duplicate_rows_for_one_candidate_are_an_error(ingested: Path, cli) -> None:
    cands = read_jsonl(ingested / "data/interim/candidates.jsonl")
    c = cands[0]
    rows = [
        {"text": c["sentence"], "actor": c["actor"], "label": [lab], "id": c["id"]}
        for lab in ("oppose", "support")
    ]
    (ingested / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = cli("import", "in.jsonl", "--format", "doccano", "--annotator", "x")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: in.jsonl:2: candidate {cands[0]['id']} is also decided at in.jsonl:1: one "
        f"decision per candidate in an import file; remove one of them"
    )
    assert not (ingested / "data/annotations/x.jsonl").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "is a directory"),
        (b"\xff\xfe{}\n", "not valid UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000 + "\n", "JSON nested too deeply"),
    ],
)
def test_import_of_unreadable_input_is_one_line(
    ingested: Path, cli, content: bytes | str | None, message: str
) -> None:
    path = ingested / "in.jsonl"
    if content is None:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    result = cli("import", "in.jsonl", "--format", "prodigy", "--annotator", "x")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: in.jsonl") and message in lines[0]


# --- 3. predict never replaces an output on failure ---------------------------------------------


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from stance.cli import app

    rows = TINY_TRAINING
    folder = tmp_path_factory.mktemp("model")
    data = folder / "train.csv"
    pd.DataFrame(rows, columns=["sentence", "actor", "stance"]).to_csv(data, index=False)
    from tests.conftest import ROOT

    cwd = os.getcwd()
    os.chdir(ROOT)  # the registries and params.yaml are read from the project
    try:
        args = ["train", "--data", str(data), "--model-out", str(folder / "m.skops")]
        result = CliRunner().invoke(app, args, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return folder / "m.skops"


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv"])
def test_predict_with_no_rows_keeps_the_previous_output(
    tmp_path: Path, cli, small_model: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / f"out{suffix}"
    out.write_bytes(b"previous results")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = cli(
        "predict",
        *("--input", str(empty), "--output", str(out), "--model", str(small_model)),
        "--force",  # the old output is no table: only --force lets predict replace it
    )
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: --input {empty}: no rows"
    assert out.read_bytes() == b"previous results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl", out.name]


# --- annotate with no terminal, or one that cannot draw --------------------------------------------


def test_annotate_without_a_terminal_is_one_line_and_writes_nothing(ingested: Path, cli) -> None:
    result = cli("annotate", "--annotator", "newcomer")
    assert result.exit_code == 1
    assert result.output.startswith("Error: the labelling UI needs an interactive terminal")
    assert not (ingested / "data/annotations/newcomer.jsonl").exists()


def test_a_dumb_terminal_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from stance.annotation.tui import check_terminal

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.setattr(sys, "stdout", Tty())
    for term in ("dumb", ""):
        monkeypatch.setenv("TERM", term)
        with pytest.raises(AnnotationError, match="cannot draw the labelling UI"):
            check_terminal()
    monkeypatch.setenv("TERM", "xterm-256color")
    check_terminal()


# --- hostile input: bounded cost, no terminal control, no spreadsheet formulas ---------------------


def test_oversized_documents_and_lines_are_refused_before_they_are_read(tmp_path: Path) -> None:
    from stance.core.errors import InputError
    from stance.corpus.readers import Limits

    limits = Limits(max_document_bytes=10_000, max_line_chars=500)
    big = tmp_path / "big.txt"
    big.write_text("Moscow said no. " * 1000)
    with pytest.raises(InputError, match=r"16,000 bytes is over ingest.max_document_bytes"):
        read_documents(big, limits=limits)
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        json.dumps({"text": "North Korea denied it."}) + "\n" + json.dumps({"text": "x" * 20_000})
    )
    with pytest.raises(InputError, match=r"dump.jsonl:2: a line of more than 10,000 characters"):
        read_documents(dump, limits=limits)
    long_line = tmp_path / "line.txt"
    long_line.write_text("Title\n" + "word " * 200)
    with pytest.raises(
        InputError, match=r"line 2 has 1,000 characters, over ingest.max_line_chars"
    ):
        read_documents(long_line, limits=limits)


def test_ingest_limits_come_from_params(project: Path, cli) -> None:
    params = (
        (project / "params.yaml")
        .read_text()
        .replace("max_line_chars: 100000", "max_line_chars: 200")
    )
    (project / "params.yaml").write_text(params)
    result = cli("ingest")
    assert result.exit_code == 1 and "over ingest.max_line_chars (200)" in result.output
    assert not (project / "data/interim").exists()


def test_control_characters_are_stripped_at_ingest_and_escaped_in_messages(tmp_path: Path) -> None:
    from stance.cli.app import printable
    from stance.corpus.clean import normalize

    assert normalize("Moscow\x1b[2J said\x07 no.\x00") == "Moscow[2J said no."
    assert normalize("Caf\u00e9\x9b31m ok") == "Caf\u00e9" + "31m ok"
    assert printable("bad\x1b]0;title\x07.txt") == "bad\\x1b]0;title\\x07.txt"


def test_csv_outputs_neutralise_formulas(
    tmp_path: Path, cli, small_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [{"sentence": "=HYPERLINK(\"http://x\") Moscow denied it.", "actor": "RUS"},
            {"sentence": "-Moscow denied it.", "actor": "RUS"}]  # fmt: skip
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = cli(
        "predict", "--input", "in.jsonl", "--output", "out.csv", "--model", str(small_model)
    )
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out["sentence"]) == ["'" + rows[0]["sentence"], "'" + rows[1]["sentence"]]
    assert out["scores"].map(lambda s: set(json.loads(s))).iloc[0] == {
        "support",
        "oppose",
        "neutral",
    }


def _line_breaks_outside_quotes(text: str) -> list[str]:
    """Every CR or LF not inside a quoted cell, as a spreadsheet reader meets them."""
    out, quoted, i = [], False, 0
    while i < len(text):
        c = text[i]
        if c == '"':
            quoted = not quoted
        elif c in "\r\n" and not quoted:
            out.append("\r\n" if text.startswith("\r\n", i) else c)
            i += 1 if text.startswith("\r\n", i) else 0
        i += 1
    return out


def test_csv_quotes_line_breaks_and_guards_after_blanks(
    tmp_path: Path, cli, small_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    monkeypatch.chdir(tmp_path)
    sentences = [
        "Moscow denied it.\r=cmd|' /C calc'!A0",
        ' \n=HYPERLINK("http://x") Moscow denied it.',
        "\r\n@SUM(A1) Moscow, it said, denied it.",
        "Moscow denied it.",
    ]
    rows = [{"sentence": s, "actor": "RUS"} for s in sentences]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = cli(
        "predict", "--input", "in.jsonl", "--output", "out.csv", "--model", str(small_model)
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out.csv").read_bytes().decode("utf-8")
    # One row per line: every break outside a quoted cell ends a row.
    assert _line_breaks_outside_quotes(text) == ["\r\n"] * (len(rows) + 1)
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as fh:
        read = list(csv.DictReader(fh))
    # Quoted, the first is one cell starting with "Moscow"; the next two start with a formula
    # sign once blanks and breaks are skipped, as spreadsheets skip them.
    guarded = [sentences[0], *("'" + s for s in sentences[1:3]), sentences[3]]
    assert [r["sentence"] for r in read] == guarded


def test_outputs_get_the_users_umask(tmp_path: Path) -> None:
    from stance.core.files import atomic_writer

    old = os.umask(0o022)
    try:
        with atomic_writer(tmp_path / "out.txt") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o644


def test_a_zip_bomb_model_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    import zipfile
    from importlib.metadata import version

    from stance.model.persist import ModelError, load, load_predictor

    bomb = tmp_path / "bomb.skops"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("schema.json", "{}")
        with zf.open("big.npy", "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(bytes(1 << 20))
    card = {"sha256": hashlib.sha256(bomb.read_bytes()).hexdigest(),
            "versions": {"scikit-learn": version("scikit-learn")}}  # fmt: skip
    bomb.with_suffix(".card.json").write_text(json.dumps(card))
    for loader in (load, load_predictor):
        with pytest.raises(ModelError, match="would inflate to 67,108,866 bytes"):
            loader(bomb)


def test_an_event_id_already_in_the_log_is_not_written_again(tmp_path: Path) -> None:
    log = tmp_path / "ann.jsonl"
    first = _event(1)
    with AnnotationLog(log, "ann") as opened:
        opened.append(first)
        opened.append(dict(first))
    with AnnotationLog(log, "ann") as reopened:  # a retry after a restart, too
        reopened.append(dict(first))
        reopened.append(_event(2))
    assert [e["id"] for e in replay(log).events] == ["c1", "c2"]


def test_an_import_on_a_full_disk_writes_none_of_its_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "ann.jsonl"
    with AnnotationLog(log, "ann") as opened:
        opened.append(_event(1))
        real_write = os.write

        def short(fd: int, data: bytes) -> int:  # the disk fills part-way through the batch
            return real_write(fd, data[: len(data) // 2])

        monkeypatch.setattr(os, "write", short)
        with pytest.raises(AnnotationError, match="could not save 3 events .* none of them"):
            opened.extend([_event(2), _event(3), _event(4)])
        monkeypatch.undo()
    assert [e["id"] for e in replay(log).events] == ["c1"]
    assert log.read_bytes().endswith(b"}\n")

"""Every command x every kind of bad input: one `Error:` line, a non-zero exit, no traceback,
and not a byte created or changed anywhere in the project.

One row per case. `setup` prepares the bad input inside the project before the snapshot is
taken, so what the command itself does to the tree is all that is compared.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stance.cli import app
from tests.conftest import ROOT, TINY_TRAINING


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    message: str  # a part of the one error line
    code: int = 1
    setup: Callable[[Path], None] | None = None
    slow: bool = False  # starts a Dask cluster


def write(name: str, content: str | bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return make


def folder(name: str) -> Callable[[Path], None]:
    return lambda root: (root / name).mkdir(parents=True, exist_ok=True)


def remove(name: str) -> Callable[[Path], None]:
    def rm(root: Path) -> None:
        path = root / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return rm


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def run(root: Path) -> None:
        for step in steps:
            step(root)

    return run


ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    + "ingest: {claims: *i, shingle_size: 5, near_duplicate_threshold: 0.5}\n"
)
NESTED = "[" * 100_000 + "]" * 100_000
PARAMS = (ROOT / "params.yaml").read_text(encoding="utf-8")


def truncated_warc(path: Path) -> None:
    from tests.test_warc import CRAWL, write_warc

    data = write_warc(path, CRAWL[:3]).read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def git_tracked(root: Path, name: str, content: str) -> None:
    """`name` committed in a git repository at `root` (the .git folder is part of the setup)."""
    import subprocess

    (root / name).write_text(content, encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", name], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=root, check=True)


def prodigy_line(name: str, change: dict | None = None, meta: dict | None = None, n: int = 1):
    """A setup writing `name`: Prodigy tasks for the first `n` candidates, accepted as oppose,
    with `change` merged into each task and `meta` into its meta."""

    def make(root: Path) -> None:
        rows = []
        with (root / "data/interim/candidates.jsonl").open(encoding="utf-8") as fh:
            cands = [json.loads(next(fh)) for _ in range(n)]
        for c in cands:
            task = {
                "text": c["sentence"],
                "meta": {"id": c["id"], "actor": c["actor"], **(meta or {})},
                "answer": "accept",
                "accept": ["oppose"],
                **(change or {}),
            }
            rows.append(json.dumps(task) + "\n")
        (root / name).write_text("".join(rows), encoding="utf-8")

    return make


def parquet_dump(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"body": ["Moscow denied it."]}).to_parquet(path)


def parquet_pairs(*paths: Path) -> None:
    """(sentence, actor) parts; the last one's second row has no actor."""
    for i, path in enumerate(paths):
        path.parent.mkdir(parents=True, exist_ok=True)
        actors = ["RUS", "" if i == len(paths) - 1 and i > 0 else "RUS"]
        pd.DataFrame({"sentence": ["Moscow denied it."] * 2, "actor": actors}).to_parquet(path)


def big_record_warc(path: Path) -> None:
    from tests.test_warc import response, write_warc

    write_warc(path, [response("https://news.example/big", b"<p>" + b"Moscow said no. " * 200)])


M = ("--model", "models/m.skops")

CASES = [
    # ingest
    Case("ingest-missing-path", ("ingest", "nowhere.txt"), "nowhere.txt: no such file"),
    Case(
        "ingest-empty-file",
        ("ingest", "in/a.txt"),
        "a.txt: file is empty",
        setup=write("in/a.txt", ""),
    ),
    Case(
        "ingest-not-utf8",
        ("ingest", "in/a.txt"),
        "not valid utf-8",
        setup=write("in/a.txt", b"Caf\xe9 Moscow said.\n"),
    ),
    Case(
        "ingest-out-dir-is-a-file",
        ("ingest", "--out-dir", "params.yaml"),
        "params.yaml is a file, not a folder",
    ),
    Case("ingest-unknown-claim", ("ingest", "--claim", "nope"), "--claim 'nope': not a known"),
    Case(
        "ingest-claim-names-no-actor",
        ("ingest", "--claim", "Atlantis was behind the attack"),
        "names no known actor: add the actor to data/actors_curated.yaml",
    ),
    Case(
        "ingest-accuser-typo",
        ("ingest", "--claim", "China was behind the attack", "--accuser", "USAA"),
        "--accuser USAA: not an actor id (nearest: USA",
    ),
    Case("ingest-bad-source", ("ingest", "--source", "web site"), "--source 'web site'"),
    Case("ingest-no-params", ("ingest",), "params.yaml: no such file", setup=remove("params.yaml")),
    Case(
        "ingest-params-alias-bomb",
        ("ingest",),
        "anchors and aliases",
        setup=write("params.yaml", ALIAS_BOMB),
    ),
    Case("ingest-registry-missing", ("ingest", "--actors", "none.yaml"), "none.yaml: no such file"),
    Case(
        "ingest-corrupt-warc",
        ("ingest", "in/crawl.warc.gz"),
        "in/crawl.warc.gz: not a readable WARC file",
        setup=write("in/crawl.warc.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 64),
    ),
    Case(
        "ingest-truncated-warc",
        ("ingest", "in/crawl.warc.gz"),
        "the file ends inside a record: truncated",
        setup=lambda root: truncated_warc(root / "in/crawl.warc.gz"),
    ),
    Case(
        "ingest-warc-record-over-limit",
        ("ingest", "in/crawl.warc.gz"),
        "(https://news.example/big): a payload of more than 1,000 bytes",
        setup=both(
            write(
                "params.yaml",
                PARAMS.replace("max_document_bytes: 5000000", "max_document_bytes: 1000"),
            ),
            lambda root: big_record_warc(root / "in/crawl.warc.gz"),
        ),
    ),
    Case(
        "ingest-dump-missing-text-field",
        ("ingest", "in/dump.jsonl", "--text-field", "content"),
        "in/dump.jsonl:1: no text in field 'content' (choose the field with --text-field)",
        setup=write("in/dump.jsonl", '{"body": "Moscow denied it."}\n'),
    ),
    Case(
        "ingest-parquet-missing-text-column",
        ("ingest", "in/dump.parquet", "--text-field", "content"),
        "in/dump.parquet: no column 'content' (columns: body)",
        setup=lambda root: parquet_dump(root / "in/dump.parquet"),
    ),
    Case("ingest-unknown-lang", ("ingest", "--lang", "xx"), "--lang xx: not a language"),
    Case(
        "ingest-bad-lang-param",
        ("ingest",),
        "ingest.lang = []",
        setup=write("params.yaml", PARAMS.replace("lang: [en]", "lang: []")),
    ),
    Case(
        "ingest-workers-without-dask",
        ("ingest", "--workers", "2"),
        "--workers needs --engine dask",
    ),
    Case(
        "ingest-dask-unreachable-scheduler",
        ("ingest", "--engine", "dask", "--scheduler", "nowhere://x"),
        "--scheduler nowhere://x: cannot connect",
    ),
    Case(
        "ingest-bad-html-extractor",
        ("ingest", "--html-extractor", "magic"),
        "Invalid value for '--html-extractor'",
        code=2,
    ),
    # actors
    Case(
        "actors-find-nothing",
        ("actors", "--find", "Atlantis"),
        "no actor in data/actors.yaml matches 'Atlantis'",
    ),
    Case("actors-bad-type", ("actors", "--type", "planet"), "Invalid value for '--type'", code=2),
    Case("actors-registry-is-a-folder", ("actors", "--actors", "data"), "data: is a directory"),
    # claims
    Case(
        "claims-add-no-accuser",
        ("claims", "add", "Russia was behind the attack", "--date", "2020-01-01"),
        "no accuser found in the text",
    ),
    Case(
        "claims-add-names-no-actor",
        ("claims", "add", "Atlantis was behind the attack", "--date", "2020-01-01"),
        "names no known actor: add the actor to data/actors_curated.yaml",
    ),
    Case(
        "claims-add-accuser-typo",
        ("claims", "add", "Russia hacked Estonia", "--date", "2007-05-02", "--accuser", "ESTT"),
        "--accuser ESTT: not an actor id (nearest: EST",
    ),
    Case(
        "claims-add-accuser-name",
        ("claims", "add", "Russia hacked Estonia", "--date", "2007-05-02", "--accuser", "Estonia"),
        "--accuser Estonia: not an actor id (nearest: EST",
    ),
    Case(
        "claims-add-duplicate-id",
        (
            "claims",
            "add",
            "Russia hacked Estonia",
            "--date",
            "2007-05-02",
            "--id",
            "estonia-2007",
            "--accuser",
            "EST",
        ),
        "claim id 'estonia-2007' is already defined",
    ),  # fmt: skip
    Case(
        "claims-add-bad-date",
        ("claims", "add", "Russia hacked Estonia", "--date", "May 2007", "--accuser", "EST"),
        "date 'May 2007' is not YYYY-MM-DD",
    ),
    Case(
        "claims-add-unknown-actor",
        ("claims", "add", "Russia hacked Estonia", "--date", "2007-05-02", "--accuser", "XXX"),
        "--accuser XXX: not an actor id",
    ),
    Case(
        "claims-add-not-utf8",
        ("claims", "add", "Russia was behind the Sony hack \udcff\udcfe")
        + ("--date", "2020-01-02", "--accuser", "USA"),
        "claim: the claim text holds bytes that are not UTF-8",
    ),
    Case(
        "claims-add-control-characters",
        ("claims", "add", "Russia was behind the \x1b]0;pwned\x07 Sony hack")
        + ("--date", "2020-01-02", "--accuser", "USA"),
        "claim: the claim text holds a control character (\\x1b at 22)",
    ),
    Case(
        "claims-add-too-long",
        ("claims", "add", "Russia was behind the Sony hack " + "and more " * 20_000)
        + ("--date", "2020-01-02", "--accuser", "USA"),
        "an accusation is one sentence of at most 1,000",
    ),
    Case(
        "claims-list-alias-of-punctuation",
        ("claims", "list"),
        "alias '.*': has no letter or digit",
        setup=lambda root: (root / "data/actors.yaml").write_text(
            (root / "data/actors.yaml")
            .read_text(encoding="utf-8")
            .replace("aliases:", "aliases:\n  - '.*'", 1),
            encoding="utf-8",
        ),
    ),
    Case("claims-show-unknown", ("claims", "show", "nope"), "no claim 'nope'"),
    Case(
        "claims-list-missing",
        ("claims", "list", "--claims", "none.yaml"),
        "none.yaml: no such file",
    ),
    Case("claims-add-no-date", ("claims", "add", "Russia hacked Estonia"), "--date", code=2),
    # annotate / adjudicate
    Case(
        "annotate-no-terminal", ("annotate", "--annotator", "ann"), "needs an interactive terminal"
    ),
    Case("annotate-bad-name", ("annotate", "--annotator", "../x"), "--annotator '../x'"),
    Case("annotate-limit-zero", ("annotate", "--annotator", "ann", "--limit", "0"), "--limit 0"),
    Case(
        "annotate-bad-order",
        ("annotate", "--annotator", "ann", "--order", "best"),
        "Invalid value for '--order'",
        code=2,
    ),
    Case(
        "annotate-not-in-team",
        ("annotate", "--annotator", "ann", "--team", "bo,cy"),
        "is not in --team",
    ),
    Case(
        "annotate-overlap",
        ("annotate", "--annotator", "ann", "--team", "ann,bo", "--overlap", "2"),
        "--overlap 2.0",
    ),
    Case(
        "annotate-no-candidates",
        ("annotate", "--annotator", "ann"),
        "run `stance ingest`",
        setup=remove("data/interim"),
    ),
    Case(
        "adjudicate-bad-name",
        ("adjudicate", "--adjudicator", "adjudications"),
        "--adjudicator 'adjudications'",
    ),
    # serve (each fails before a port is bound or a file is written)
    Case("serve-no-annotators", ("serve",), "no annotators: name them with --team"),
    Case(
        "serve-claim-text-not-registered",
        ("serve", "--team", "ann", "--claim", "Iran was behind the attack"),
        "--claim 'Iran was behind the attack': no claim in data/claims.yaml has this text",
    ),
    Case(
        "serve-bad-port",
        ("serve", "--team", "ann", "--port", "70000"),
        "Invalid value for '--port'",
        code=2,
    ),
    Case("serve-bad-name", ("serve", "--team", "ann,../x"), "--team '../x'"),
    Case("serve-bad-lead", ("serve", "--team", "ann", "--lead", "a b"), "--lead 'a b'"),
    Case(
        "serve-annotator-not-in-team",
        ("serve", "--team", "ann,bo", "--annotator", "cy"),
        "--annotator cy is not in --team ann,bo",
    ),
    Case(
        "serve-overlap",
        ("serve", "--team", "ann,bo", "--overlap", "1.5"),
        "--overlap 1.5",
    ),
    Case(
        "serve-no-candidates",
        ("serve", "--annotator", "ann"),
        "run `stance ingest`",
        setup=remove("data/interim"),
    ),
    # agreement
    Case(
        "agreement-no-folder",
        ("agreement", "--annotations", "/nonexistent"),
        "--annotations /nonexistent: no such folder",
    ),
    Case("agreement-samples-zero", ("agreement", "--samples", "0"), "--samples 0"),
    Case("agreement-samples-negative", ("agreement", "--samples", "-5"), "--samples -5"),
    Case(
        "agreement-unknown-claim",
        ("agreement", "--claim", "sony-hack"),
        "--claim 'sony-hack': not a known claim id (nearest: sony-hack-2014",
    ),
    Case(
        "agreement-claim-text-not-registered",
        ("agreement", "--claim", "Iran was behind the attack"),
        "no claim in data/claims.yaml has this text: add it with `stance claims add",
    ),
    Case("agreement-output-is-a-folder", ("agreement", "--output", "data"), "data: is a directory"),
    # export / import
    Case(
        "export-bad-format",
        ("export", "--format", "brat", "--annotator", "core", "--output", "o.jsonl"),
        "Invalid value for '--format'",
        code=2,
    ),
    Case(
        "export-output-is-a-folder",
        ("export", "--format", "doccano", "--annotator", "core", "--output", "data"),
        "data: is a directory",
    ),
    Case(
        "export-no-candidates",
        (
            "export",
            "--format",
            "doccano",
            "--annotator",
            "core",
            "--output",
            "o.jsonl",
            "--candidates",
            "c.jsonl",
        ),
        "c.jsonl: no such file",
    ),
    Case(
        "import-missing",
        ("import", "x.jsonl", "--format", "prodigy", "--annotator", "x"),
        "x.jsonl: no such file",
    ),
    Case(
        "import-folder",
        ("import", "in", "--format", "prodigy", "--annotator", "x"),
        "in: is a directory",
        setup=folder("in"),
    ),
    Case(
        "import-not-utf8",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "not valid UTF-8",
        setup=write("in.jsonl", b"\xff\xfe{}\n"),
    ),
    Case(
        "import-nested",
        ("import", "in.json", "--format", "labelstudio", "--annotator", "x"),
        "nested too deeply",
        setup=write("in.json", NESTED),
    ),
    Case(
        "import-bad-json",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "in.jsonl:1: not valid JSON",
        setup=write("in.jsonl", "{oops\n"),
    ),
    Case(
        "import-sentence-differs",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "in.jsonl:2: candidate ",  # ... has sentence 'X...' here but '...' in the candidates
        setup=both(
            prodigy_line("one.jsonl"),
            prodigy_line("in.jsonl", n=2),
            lambda root: (root / "in.jsonl").write_text(
                (root / "one.jsonl").read_text()
                + (root / "in.jsonl").read_text().splitlines()[1].replace('"text": "', '"text": "X')
                + "\n"
            ),
        ),
    ),
    Case(
        "import-sentence-differs-message",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "has sentence 'Moscow denied it.' here but",
        setup=prodigy_line("in.jsonl", change={"text": "Moscow denied it."}),
    ),
    Case(
        "import-labelstudio-two-annotations",
        ("import", "in.json", "--format", "labelstudio", "--annotator", "x"),
        "in.json: task 1: 2 annotations",
        setup=write(
            "in.json",
            json.dumps(
                [
                    {
                        "data": {"candidate_id": "x", "text": "t", "actor": "RUS"},
                        "annotations": [{"result": []}, {"result": []}],
                    }
                ]
            ),  # fmt: skip
        ),
    ),
    Case(
        "import-actor-differs",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "has actor 'ZZZ' here but",
        setup=prodigy_line("in.jsonl", meta={"actor": "ZZZ"}),
    ),
    Case(
        "import-without-sentence",
        ("import", "in.jsonl", "--format", "doccano", "--annotator", "x"),
        "not a doccano export",
        setup=write("in.jsonl", '{"id": "x", "label": ["oppose"]}\n'),
    ),
    Case(
        "import-wrong-format",
        ("import", "in.jsonl", "--format", "labelstudio", "--annotator", "x"),
        "in.jsonl:1: not a labelstudio export (a Label Studio task has a 'data' object)",
        setup=prodigy_line("in.jsonl"),
    ),
    Case(
        "import-empty-file",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "in.jsonl: no labelled task in it",
        setup=write("in.jsonl", ""),
    ),
    Case(
        "import-no-answers",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "in.jsonl: no labelled task in it",
        setup=prodigy_line("in.jsonl", change={"answer": None, "accept": []}),
    ),
    Case(
        "import-two-labels-on-one-task",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "in.jsonl:1: 2 accepted labels (oppose, support) on one task",
        setup=prodigy_line("in.jsonl", change={"accept": ["oppose", "support"]}),
    ),
    Case(
        "import-unknown-answer",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "in.jsonl:1: answer 'perhaps' is not one of accept, reject, ignore",
        setup=prodigy_line("in.jsonl", change={"answer": "perhaps"}),
    ),
    Case(
        "import-huge-timestamp",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "in.jsonl:1: _timestamp '1e+300' is not a time",
        setup=prodigy_line("in.jsonl", change={"_timestamp": 1e300}),
    ),
    Case(
        "import-negative-timestamp",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "_timestamp '-99999999999999' is not a time",
        setup=prodigy_line("in.jsonl", change={"_timestamp": -99999999999999}),
    ),
    Case(
        "import-meta-is-a-list",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "in.jsonl:1: not a prodigy export",
        setup=write("in.jsonl", '{"text": "x", "meta": ["id"], "answer": "accept"}\n'),
    ),
    Case(
        "import-lone-surrogate",
        ("import", "in.jsonl", "--format", "prodigy", "--annotator", "x"),
        "in.jsonl:1: 'note' holds a lone surrogate (\\ud800)",
        setup=prodigy_line("in.jsonl", change={"note": "\ud800"}),
    ),
    # build
    Case("build-before-ingest", ("build",), "run `stance ingest`", setup=remove("data/interim")),
    Case(
        "build-no-section",
        ("build",),
        "params.yaml: no 'build' section",
        setup=write(
            "params.yaml",
            "ingest: {claims: [sony-hack-2014], shingle_size: 5, near_duplicate_threshold: 0.5}\n",
        ),
    ),
    Case(
        "build-bad-fractions",
        ("build",),
        "build.fractions",
        setup=write(
            "params.yaml",
            (ROOT / "params.yaml").read_text().replace("validation: 0.2", "validation: 0.5"),
        ),
    ),
    # train
    Case(
        "train-missing-data",
        ("train", "--data", "t.csv", "--model-out", "models/x.skops"),
        "t.csv: no such file",
    ),
    Case(
        "train-bad-suffix",
        ("train", "--data", "t.xlsx", "--model-out", "models/x.skops"),
        "unsupported table type '.xlsx'",
        setup=write("t.xlsx", "x"),
    ),
    Case(
        "train-missing-column",
        ("train", "--data", "t.csv", "--model-out", "models/x.skops"),
        "t.csv: missing column 'actor'",
        setup=write("t.csv", "sentence,stance\nx,support\n"),
    ),
    Case(
        "train-unknown-label",
        ("train", "--data", "t.csv", "--model-out", "models/x.skops"),
        "t.csv: row 1: unknown label 'agree'",
        setup=write("t.csv", "sentence,actor,stance\nx,USA,agree\n"),
    ),
    Case(
        "train-corrupt-parquet",
        ("train", "--data", "t.parquet", "--model-out", "models/x.skops"),
        "t.parquet: cannot read as parquet",
        setup=write("t.parquet", b"PAR1 not really"),
    ),
    Case(
        "train-claim-names-no-actor",
        (
            "train",
            "--data",
            "t.csv",
            "--claim",
            "Nobody knows who did it",
            "--model-out",
            "x.skops",
        ),
        "--claim 'Nobody knows who did it': names no known actor",
        setup=write("t.csv", "sentence,actor,stance\nx,USA,support\n"),
    ),
    Case(
        "train-bad-default-claim",
        ("train", "--data", "t.csv", "--model-out", "x.skops"),
        "params.yaml train.default_claim 'sony': not a known claim id (nearest: sony-hack-2014",
        setup=lambda root: (
            write("t.csv", "sentence,actor,stance\nx,USA,support\n")(root),
            (root / "params.yaml").write_text(
                (root / "params.yaml")
                .read_text()
                .replace("default_claim: sony-hack-2014", "default_claim: sony")
            ),
        ),
    ),
    Case(
        "train-claim-typo",
        ("train", "--data", "t.csv", "--claim", "notpetya", "--model-out", "x.skops"),
        "--claim 'notpetya': not a known claim id (nearest: notpetya-2017",
        setup=write("t.csv", "sentence,actor,stance\nx,USA,support\n"),
    ),
    Case(
        "train-model-out-is-a-folder", ("train", "--model-out", "models"), "models: is a directory"
    ),
    # evaluate
    Case("evaluate-missing-model", ("evaluate", "--model", "models/none.skops"), "no such model"),
    Case(
        "evaluate-missing-dataset",
        ("evaluate", *M, "--dataset", "d.parquet"),
        "d.parquet: no such file",
    ),
    # emergent
    Case(
        "emergent-missing-data",
        ("emergent", "--data", "nowhere"),
        "nowhere: no such folder: the Emergent data (params.yaml emergent.data)",
    ),
    Case(
        "emergent-output-onto-a-source",
        ("emergent", "--output", "data/claims.yaml"),
        "--output data/claims.yaml: is a human source",
    ),
    # predict
    Case("predict-nothing-to-do", ("predict", *M), "give exactly one of TEXT", code=2),
    Case(
        "predict-input-without-output",
        ("predict", "--input", "i.csv", *M),
        "--input needs --output",
        code=2,
    ),
    Case("predict-batch-size", ("predict", "x", "--batch-size", "0", *M), "--batch-size", code=2),
    Case("predict-missing-model", ("predict", "x", "--model", "none.skops"), "no such model"),
    Case(
        "predict-unknown-claim",
        ("predict", "Moscow denied it.", "--claim", "sony-hack-2041", *M),
        "--claim 'sony-hack-2041': not a known claim id (nearest: sony-hack-2014",
    ),
    Case(
        "predict-claim-names-no-actor",
        ("predict", "Moscow denied it.", "--claim", "Atlantis was behind the attack", *M),
        "names no known actor: add the actor to data/actors_curated.yaml",
    ),
    Case(
        "predict-claim-no-accused",
        ("predict", "Moscow denied it.", "--claim", "Russia condemned the attack", *M),
        "no accused found (it names RUS, but not as responsible)",
    ),
    Case(
        "predict-corrupt-parquet",
        ("predict", "--input", "i.parquet", "--output", "o.jsonl", *M),
        "--input i.parquet: cannot read as parquet",
        setup=write("i.parquet", b"PAR1 garbage"),
    ),
    Case(
        "predict-not-utf8",
        ("predict", "--input", "i.jsonl", "--output", "o.jsonl", *M),
        "--input i.jsonl: not valid UTF-8",
        setup=write("i.jsonl", b'{"sentence": "\xff"}\n'),
    ),
    Case(
        "predict-output-is-a-folder",
        ("predict", "--input", "i.jsonl", "--output", "data", *M),
        "--output data: unsupported table type",
        setup=write("i.jsonl", '{"sentence": "Moscow denied it.", "actor": "RUS"}\n'),
    ),
    Case(
        "predict-output-folder-named-like-a-table",
        ("predict", "--input", "i.jsonl", "--output", "out.jsonl", *M),
        "out.jsonl: is a directory",
        setup=both(
            write("i.jsonl", '{"sentence": "Moscow denied it.", "actor": "RUS"}\n'),
            folder("out.jsonl"),
        ),
    ),
    Case(
        "predict-input-is-a-folder",
        ("predict", "--input", "in.jsonl", "--output", "o.jsonl", *M),
        "--input in.jsonl: is a directory",
        setup=folder("in.jsonl"),
    ),
    Case(
        "predict-dask-unreachable-scheduler",
        ("predict", "--input", "i.parquet", "--output", "o", "--engine", "dask", *M)
        + ("--scheduler", "nowhere://x"),
        "--scheduler nowhere://x: cannot connect",
        setup=lambda root: parquet_pairs(root / "i.parquet"),
    ),
    Case(
        "predict-scheduler-without-dask",
        ("predict", "--input", "i.parquet", "--output", "o", "--scheduler", "tcp://h:8786", *M),
        "--scheduler needs --engine dask",
        setup=lambda root: parquet_pairs(root / "i.parquet"),
    ),
    Case(
        "predict-glob-matches-nothing",
        ("predict", "--input", "parts/*.parquet", "--output", "o", *M),
        "--input parts/*.parquet: no file matches",
    ),
    Case(
        "predict-parts-folder-without-tables",
        ("predict", "--input", "parts", "--output", "o", *M),
        "--input parts: is a directory without .parquet, .jsonl or .csv files",
        setup=write("parts/readme.txt", "x"),
    ),
    Case(
        "predict-parts-output-not-ours",
        ("predict", "--input", "i.parquet", "--output", "data", "--engine", "dask", *M),
        "--output data: holds a human source (data/annotations)",
        setup=lambda root: parquet_pairs(root / "i.parquet"),
    ),
    Case(
        "predict-parts-output-jsonl",
        ("predict", "--input", "i.parquet", "--output", "o.jsonl", "--engine", "dask", *M),
        "a partitioned output is a folder of Parquet parts",
        setup=lambda root: parquet_pairs(root / "i.parquet"),
    ),
    Case(
        "predict-dask-bad-row",
        ("predict", "--input", "parts", "--output", "o", "--engine", "dask", "--workers", "1", *M),
        "parts/b.parquet: row 2: empty 'actor'",
        setup=lambda root: parquet_pairs(root / "parts/a.parquet", root / "parts/b.parquet"),
        slow=True,
    ),
    Case(
        "predict-text-file-missing", ("predict", "--text-file", "a.txt", *M), "a.txt: no such file"
    ),
    Case(
        "predict-row-claim-mistyped",
        ("predict", "--input", "i.csv", "--output", "o.csv", *M),
        "i.csv: row 2: claim 'sony-hak-2014': not a known claim id (nearest: sony-hack-2014",
        setup=write(
            "i.csv",
            "sentence,actor,claim\nMoscow denied it.,RUS,sony-hack-2014\n"
            "Moscow denied it.,RUS,sony-hak-2014\n",
        ),
    ),
    Case(
        "predict-input-has-a-stance-column",
        ("predict", "--input", "i.csv", "--output", "o.csv", *M),
        "i.csv: has a 'stance' column, which `stance predict` writes; rename it",
        setup=write("i.csv", "sentence,actor,stance\nMoscow denied it.,RUS,support\n"),
    ),
    Case(
        "predict-output-is-the-input",
        ("predict", "--input", "i.csv", "--output", "i.csv", *M),
        "--output i.csv: is an input of `stance predict` (i.csv); write elsewhere",
        setup=write("i.csv", "sentence,actor\nMoscow denied it.,RUS\n"),
    ),
    Case(
        "predict-text-output-suffix",
        ("predict", "Moscow denied it.", "--output", "o.txt", *M),
        "--output o.txt: unsupported table type '.txt'",
    ),
    # the output rule (stance.core.outputs): never over an input or a source, nor a file the
    # command did not write, unless --force
    Case(
        "export-over-its-own-log",
        ("export", "--format", "prodigy", "--annotator", "core")
        + ("--output", "data/annotations/core.jsonl"),
        "--output data/annotations/core.jsonl: is an input of `stance export`",
    ),
    Case(
        "export-over-another-log",
        ("export", "--format", "prodigy", "--annotator", "core")
        + ("--output", "data/annotations/bo.jsonl"),
        "--output data/annotations/bo.jsonl: is a human source (data/annotations)",
        setup=lambda root: shutil.copy(
            root / "data/annotations/core.jsonl", root / "data/annotations/bo.jsonl"
        ),
    ),
    Case(
        "export-over-the-candidates",
        ("export", "--format", "doccano", "--annotator", "core")
        + ("--output", "data/interim/candidates.jsonl"),
        "is an input of `stance export` (data/interim/candidates.jsonl)",
    ),
    Case(
        "export-over-another-stage-output",
        ("export", "--format", "doccano", "--annotator", "core")
        + ("--output", "data/interim/sentences.jsonl"),
        "is an output of the `ingest` stage (dvc.yaml)",
    ),
    Case(
        "export-over-a-foreign-file",
        ("export", "--format", "prodigy", "--annotator", "core", "--output", "README.md"),
        "--output README.md: exists and is not a file `stance export` wrote",
        setup=write("README.md", "# My project\n"),
    ),
    Case(
        "export-over-a-git-tracked-file",
        ("export", "--format", "prodigy", "--annotator", "core", "--output", "notes.jsonl"),
        "--output notes.jsonl: is tracked by git and not written by this command",
        setup=lambda root: git_tracked(root, "notes.jsonl", '{"meta": {"id": "x"}}\n'),
    ),
    Case(
        "export-labelstudio-config-over-its-tasks",
        ("export", "--format", "labelstudio", "--annotator", "core", "--output", "tasks.xml"),
        "--output tasks.xml: the Label Studio config goes to tasks.xml, the same file",
    ),
    Case(
        "export-labelstudio-config-over-a-foreign-file",
        ("export", "--format", "labelstudio", "--annotator", "core", "--output", "t.json"),
        "--output (its labelling config) t.xml: exists and is not a file `stance export` wrote",
        setup=write("t.xml", "<note>mine</note>\n"),
    ),
    Case(
        "agreement-over-the-annotations",
        ("agreement", "--output", "data/annotations/core.jsonl"),
        "--output data/annotations/core.jsonl: is inside an input of `stance agreement`",
    ),
    Case(
        "agreement-over-params",
        ("agreement", "--output", "params.yaml"),
        "--output params.yaml: is a human source (params.yaml)",
    ),
    Case(
        "predict-text-over-a-log",
        ("predict", "Moscow denied it.", "--output", "data/annotations/core.jsonl", *M),
        "--output data/annotations/core.jsonl: is a human source (data/annotations)",
    ),
    Case(
        "predict-text-file-over-itself",
        ("predict", "--text-file", "in/a.jsonl", "--output", "in/a.jsonl", *M),
        "--output in/a.jsonl: is an input of `stance predict` (in/a.jsonl)",
        setup=write("in/a.jsonl", "Moscow denied it.\n"),
    ),
    Case(
        "predict-over-the-dataset",
        ("predict", "--input", "in/p.jsonl", "--output", "data/processed/dataset.parquet", *M),
        "is an output of the `build` stage (dvc.yaml)",
        setup=write("in/p.jsonl", '{"sentence": "Moscow denied it.", "actor": "RUS"}\n'),
    ),
    Case(
        "predict-over-the-model",
        ("predict", "Moscow denied it.", "--output", "models/m.card.json", *M),
        "--output models/m.card.json: is an input of `stance predict` (models/m.card.json)",
    ),
    Case(
        "predict-parts-inside-the-input-folder",
        ("predict", "--input", "parts", "--output", "parts/out", *M),
        "--output parts/out: is inside an input of `stance predict` (parts)",
        setup=lambda root: parquet_pairs(root / "parts/a.parquet"),
    ),
    Case(
        "predict-parts-glob-inside-the-input-folder",
        ("predict", "--input", "parts/*.parquet", "--output", "parts/out", *M),
        "--output parts/out: is inside an input of `stance predict` (parts)",
        setup=lambda root: parquet_pairs(root / "parts/a.parquet"),
    ),
    Case(
        "predict-over-a-foreign-table",
        ("predict", "--input", "in/p.jsonl", "--output", "mine.csv", *M),
        "--output mine.csv: exists and is not a file `stance predict` wrote",
        setup=both(
            write("in/p.jsonl", '{"sentence": "Moscow denied it.", "actor": "RUS"}\n'),
            write("mine.csv", "name,phone\nann,555\n"),
        ),
    ),
    Case(
        "train-over-a-log",
        ("train", "--model-out", "data/annotations/core.jsonl"),
        "--model-out data/annotations/core.jsonl: is a human source (data/annotations)",
    ),
    Case(
        "train-over-the-dataset",
        ("train", "--model-out", "data/processed/dataset.parquet"),
        "--model-out data/processed/dataset.parquet: is an input of `stance train`",
    ),
    Case(
        "train-card-over-a-foreign-file",
        ("train", "--model-out", "out/m.skops"),
        "--model-out (its card) out/m.card.json: exists and is not a file `stance train` wrote",
        setup=write("out/m.card.json", '{"mine": true}\n'),
    ),
    Case(
        "ingest-into-its-input-folder",
        ("ingest", "seeds", "--out-dir", "seeds"),
        "--out-dir seeds/documents.jsonl: is inside an input of `stance ingest` (seeds)",
    ),
    Case(
        "ingest-into-the-annotations",
        ("ingest", "--out-dir", "data/annotations"),
        "is a human source (data/annotations)",
    ),
    Case(
        "release-into-the-seeds",
        ("release", "--output", "seeds/release"),
        "--output seeds/release: is a human source (seeds); nothing was written: choose another "
        "folder",
    ),
    # only regular files as inputs
    Case(
        "ingest-fifo",
        ("ingest", "in/pipe.txt"),
        "in/pipe.txt: not a regular file (a pipe, device or socket)",
        setup=both(folder("in"), lambda root: os.mkfifo(root / "in/pipe.txt")),
    ),
    Case(
        "predict-text-file-fifo",
        ("predict", "--text-file", "pipe.txt", *M),
        "pipe.txt: not a regular file",
        setup=lambda root: os.mkfifo(root / "pipe.txt"),
    ),
    Case(
        "predict-input-dev-zero-link",
        ("predict", "--input", "zero.jsonl", "--output", "o.jsonl", *M),
        "--input zero.jsonl: not a regular file",
        setup=lambda root: os.symlink("/dev/zero", root / "zero.jsonl"),
    ),
    Case(
        "predict-model-is-a-folder",
        ("predict", "x", "--model", "models"),
        "models: is a directory",
    ),
    Case(
        "predict-model-dev-zero",
        ("predict", "x", "--model", "z.skops"),
        "z.skops: not a regular file",
        setup=lambda root: os.symlink("/dev/zero", root / "z.skops"),
    ),
    Case(
        "predict-card-wrong-types",
        ("predict", "x", *M),
        "models/m.card.json: the model card has no 'versions' of the right type",
        setup=lambda root: (root / "models/m.card.json").write_text(
            json.dumps({**json.loads((root / "models/m.card.json").read_text()), "versions": [1]})
        ),
    ),
    Case(
        "params-fifo",
        ("build", "--params", "p.yaml"),
        "p.yaml: not a regular file",
        setup=lambda root: os.mkfifo(root / "p.yaml"),
    ),
    # strict configuration
    Case(
        "params-duplicate-key",
        ("build",),
        "params.yaml: line 63: key 'min_df' is given twice (first at line 61)",
        setup=write(
            "params.yaml", PARAMS.replace("  min_df: 1\n", "  min_df: 1\n  x: 0\n  min_df: 1\n")
        ),
    ),
    Case(
        "params-duplicate-section",
        ("build",),
        "key 'build' is given twice (first at line 22)",
        setup=write("params.yaml", PARAMS + "build:\n  seed: 1\n"),
    ),
    Case(
        "claims-impossible-date",
        ("claims", "list"),
        "data/claims.yaml: line 10: '2020-02-30' is not a real date",
        setup=lambda root: (root / "data/claims.yaml").write_text(
            (root / "data/claims.yaml")
            .read_text(encoding="utf-8")
            .replace("date: 2014-12-19", "date: 2020-02-30", 1),
            encoding="utf-8",
        ),
    ),
    Case(
        "claims-list-control-characters-in-the-file",
        ("claims", "list"),
        "the claim text holds a control character (\\x1b",
        setup=lambda root: (root / "data/claims.yaml").write_text(
            (root / "data/claims.yaml")
            .read_text(encoding="utf-8")
            .replace(
                "text: North Korea was responsible for the May 2017 WannaCry ransomware attack",
                'text: "\\e[2JNorth Korea was responsible for WannaCry"',
            ),
            encoding="utf-8",
        ),
    ),
    Case(
        "train-min-df-over-the-data",
        ("train", "--data", "t.csv", "--model-out", "x.skops"),
        "train.min_df = 500 is more than half the 18 training rows",
        setup=both(
            lambda root: (root / "t.csv").write_text(
                "sentence,actor,stance\n" + "".join(f'"{s}",{a},{y}\n' for s, a, y in TINY_TRAINING)
            ),
            write("params.yaml", PARAMS.replace("min_df: 1", "min_df: 500")),
        ),
    ),
    Case(
        "train-cv-folds-huge",
        ("train",),
        "train.cv_folds",
        setup=write("params.yaml", PARAMS.replace("cv_folds: 5\n", "cv_folds: 100000\n")),
    ),
    Case(
        "predict-workers-huge",
        ("predict", "--input", "i.parquet", "--output", "o", "--engine", "dask", *M)
        + ("--workers", "100000"),
        "--workers 100000: at most",
        setup=lambda root: parquet_pairs(root / "i.parquet"),
    ),
    Case(
        "predict-sentence-a-number",
        ("predict", "--input", "i.jsonl", "--output", "o.jsonl", *M),
        "i.jsonl: row 1: 'sentence' must be text, not int",
        setup=write("i.jsonl", '{"sentence": 5, "actor": "RUS"}\n'),
    ),
    Case(
        "predict-actor-a-list",
        ("predict", "--input", "i.jsonl", "--output", "o.jsonl", *M),
        "i.jsonl: row 1: 'actor' must be text, not list",
        setup=write("i.jsonl", '{"sentence": "Moscow denied it.", "actor": ["RUS"]}\n'),
    ),
    Case(
        "predict-mentions-a-string",
        ("predict", "--input", "i.jsonl", "--output", "o.jsonl", *M),
        "i.jsonl: row 1: 'mentions' must be a list",
        setup=write(
            "i.jsonl",
            '{"sentence": "Moscow denied it.", "actor": "RUS", "start": 0, "mentions": "x"}\n',
        ),
    ),
    Case(
        "predict-mention-outside-the-sentence",
        ("predict", "--input", "i.jsonl", "--output", "o.jsonl", *M),
        "i.jsonl: row 1: a mention at 90-96 lies outside its sentence of 17 characters",
        setup=write(
            "i.jsonl",
            '{"sentence": "Moscow denied it.", "actor": "RUS", "start": 10, '
            '"mentions": [{"start": 100, "end": 106}]}\n',
        ),
    ),
    Case(
        "predict-row-over-the-sentence-limit",
        ("predict", "--input", "i.jsonl", "--output", "o.jsonl", *M),
        "i.jsonl: row 2: a sentence of 1,000,001 characters, over the limit of 1,000,000",
        setup=write(
            "i.jsonl",
            '{"sentence": "Moscow denied it.", "actor": "RUS"}\n'
            + json.dumps({"sentence": "Moscow said " + "x" * 999_989, "actor": "RUS"})
            + "\n",
        ),
    ),
    Case(
        "predict-text-file-over-the-sentence-limit",
        ("predict", "--text-file", "t.txt", *M),
        "--text-file t.txt: sentence 2 has 1,000,010 characters, over the limit of 1,000,000",
        setup=write("t.txt", "Moscow denied it.\n\nMoscow said " + "no proof " * 111_111 + "\n"),
    ),
    Case("predict-empty-text", ("predict", "", *M), "TEXT: no text to predict"),
    Case("predict-blank-text", ("predict", "   \n ", *M), "TEXT: no text to predict"),
    # release / publish
    Case(
        "release-no-dataset",
        ("release", "--output", "rel"),
        "run `stance build`",
        setup=remove("data/processed"),
    ),
    Case(
        "release-without-agreement",
        ("release", "--output", "rel"),
        "reports/agreement.json: missing; run `stance agreement` (or `dvc repro`) to make it",
    ),
    Case(
        "release-corrupt-metrics",
        ("release", "--output", "rel"),
        "reports/metrics.json: not a readable JSON report",
        setup=both(
            lambda root: shutil.copytree(ROOT / "reports", root / "reports", dirs_exist_ok=True),
            write("reports/metrics.json", "{oops"),
        ),
    ),
    Case(
        "release-metrics-wrong-types",
        ("release", "--output", "rel"),
        "reports/metrics.json: not a `stance evaluate` report ('cv' missing or of the wrong type)",
        setup=both(
            lambda root: shutil.copytree(ROOT / "reports", root / "reports", dirs_exist_ok=True),
            write("reports/metrics.json", '{"cv": [], "splits": {}, "subsets": {}}'),
        ),
    ),
    Case(
        "publish-no-folder", ("publish", "--repo-id", "org/name", "--folder", "nowhere"), "nowhere"
    ),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Path:
    """A project with candidates, a dataset and a small model: the state bad input meets."""
    from stance.model.persist import card_path

    root = tmp_path_factory.mktemp("template")
    for name in ("seeds", "data", "docs"):
        shutil.copytree(
            ROOT / name, root / name, ignore=shutil.ignore_patterns("interim", "processed")
        )
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(ROOT / name, root / name)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        runner = CliRunner()
        for args in (("ingest",), ("build",)):
            result = runner.invoke(app, list(args), catch_exceptions=False)
            assert result.exit_code == 0, result.output
    finally:
        os.chdir(cwd)
    # The session's tiny model (tests/conftest.py), not a model trained again here.
    (root / "models").mkdir()
    for src in (tiny_model, card_path(tiny_model)):
        shutil.copy(src, root / "models" / src.name)
    return root


def snapshot(root: Path) -> dict[str, str]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root) + "/"] = "dir"
        for f in filenames:
            path = os.path.join(dirpath, f)
            if os.path.islink(path) or not os.path.isfile(path):  # a pipe or a device link
                out[os.path.relpath(path, root)] = f"special -> {os.path.realpath(path)}"
                continue
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] * c.slow) for c in CASES]
)
def test_bad_input(
    case: Case, template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    shutil.copytree(template, root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    if case.setup:
        case.setup(root)
    before = snapshot(root)
    result = CliRunner().invoke(app, list(case.args), catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"raised {result.exception!r}"
    )
    lines = result.output.strip().splitlines()
    assert result.exit_code == case.code, result.output
    assert "Traceback" not in result.output
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: "), lines[0]
    assert case.message.lower() in lines[0].lower(), lines[0]
    assert snapshot(root) == before, "the command created or changed files"


def test_every_command_has_a_bad_input_case() -> None:
    import typer

    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    covered = {c.args[0] for c in CASES}
    assert commands <= covered, sorted(commands - covered)


def test_the_snapshot_sees_a_new_file(tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    (tmp_path / "x").write_text(json.dumps({}))
    assert snapshot(tmp_path) != before


def test_force_replaces_a_foreign_file_but_never_an_input(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    shutil.copytree(template, root)
    monkeypatch.chdir(root)
    (root / "README.md").write_text("# My project\n", encoding="utf-8")
    runner = CliRunner()
    args = ["export", "--format", "prodigy", "--annotator", "core", "--output", "README.md"]
    result = runner.invoke(app, [*args, "--force"])
    assert result.exit_code == 0, result.output
    assert '"meta"' in (root / "README.md").read_text(encoding="utf-8")
    # Once written by export, the file is export's: no --force needed to write it again.
    assert runner.invoke(app, args).exit_code == 0
    log = root / "data/annotations/core.jsonl"
    before = log.read_bytes()
    args[-1] = str(log)
    result = runner.invoke(app, [*args, "--force"])
    assert result.exit_code == 1 and "is an input of `stance export`" in result.output
    assert log.read_bytes() == before

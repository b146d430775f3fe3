import json
from pathlib import Path

import pandas as pd
import pytest

from stance.annotation.events import make_event
from stance.annotation.log import AnnotationLog, ItemState
from stance.core.errors import AnnotationError
from stance.core.params import defaults
from stance.core.schema import DATASET_COLUMNS
from stance.dataset.build import BuildPaths, assign_splits, build, resolve
from tests.conftest import ROOT, read_jsonl


def vote(stance: str | None, response: str | None = None) -> ItemState:
    return ItemState("x", stance=stance, decision="label" if stance else "skip", response=response)


@pytest.mark.parametrize(
    "votes, adjudicated, expected",
    [
        ({"a": vote("oppose", "deny")}, None, ("oppose", "deny", "unanimous")),
        ({"a": vote("oppose"), "b": vote("oppose")}, None, ("oppose", None, "unanimous")),
        (
            {"a": vote("oppose"), "b": vote("oppose"), "c": vote("neutral")},
            None,
            ("oppose", None, "majority"),
        ),
        ({"a": vote("oppose"), "b": vote("neutral")}, None, (None, None, "unresolved")),
        (
            {"a": vote("oppose"), "b": vote("neutral")},
            vote("support"),
            ("support", None, "adjudicated"),
        ),
        # Adjudication wins even over a unanimous label.
        (
            {"a": vote("oppose"), "b": vote("oppose")},
            vote("neutral"),
            ("neutral", None, "adjudicated"),
        ),
        ({"a": vote(None)}, None, (None, None, "unlabelled")),
        ({}, None, (None, None, "unlabelled")),
    ],
)
def test_resolution_precedence(votes, adjudicated, expected) -> None:
    assert resolve(votes, adjudicated) == expected


def rows(*spec: tuple[str, str]) -> list[dict]:
    return [{"doc_id": d, "group": g} for d, g in spec]


def test_splits_follow_documents_and_groups() -> None:
    # d1 and d2 share group g1: they must land together; d3 is pinned by source.
    rs = rows(
        ("d1", "g1"),
        ("d2", "g1"),
        ("d2", "g2"),
        ("d3", "g3"),
        *[(f"e{i}", f"h{i}") for i in range(20)],
    )
    sources = {"d3": "seed"}
    split = assign_splits(rs, sources, {"train": 0.7, "validation": 0.3}, {"seed": "test"}, {}, 1)
    assert split["d1"] == split["d2"] and split["d3"] == "test"
    assert {split[f"e{i}"] for i in range(20)} == {"train", "validation"}
    assert split == assign_splits(
        rs, sources, {"train": 0.7, "validation": 0.3}, {"seed": "test"}, {}, 1
    )
    pinned = assign_splits(rs, {}, {"train": 1.0}, {}, {"e1*": "test"}, 1)
    assert {d for d, s in pinned.items() if s == "test"} == {"e1"} | {f"e1{i}" for i in range(10)}


def test_conflicting_pins_in_one_component() -> None:
    rs = rows(("d1", "g1"), ("d2", "g1"))
    with pytest.raises(AnnotationError, match="pinned to different splits"):
        assign_splits(rs, {"d1": "seed"}, {"train": 1.0}, {"seed": "test"}, {"d2": "train"}, 1)


def test_gold_seed_build(ingested: Path, cli) -> None:
    """The committed `core` labels cover every seed candidate and build the dataset."""
    result = cli("build")
    assert result.exit_code == 0, result.output
    everything = pd.read_parquet(ingested / "data/processed/dataset.parquet")
    assert tuple(everything.columns) == DATASET_COLUMNS
    cands = read_jsonl(ingested / "data/interim/candidates.jsonl")
    assert len(everything) == len(cands)
    frame = everything[everything.source != "constructed"]
    assert len(frame) == 54
    assert set(frame["source"]) == {"seed"} and set(frame["split"]) == {"test"}
    assert frame["stance"].value_counts().to_dict() == {"neutral": 34, "oppose": 13, "support": 7}
    row = frame[(frame.sentence.str.startswith("Washington failed")) & (frame.actor == "RUS")].iloc[
        0
    ]
    assert (row.stance, row.response, list(row.annotators)) == (
        "oppose",
        "dispute_evidence",
        ["core"],
    )
    assert list(row.mentions[0].keys()) == ["text", "start", "end"]


def test_no_document_or_group_crosses_a_split(ingested: Path, cli) -> None:
    # Add imported documents, one sharing a quote with a seed, and label them.
    (ingested / "more").mkdir()
    quote = (
        '"We perceive the U.S. threats to take revenge and calls on other nations to condemn '
        "the Democratic People's Republic of Korea as absolutely counterproductive and "
        'dangerous," Lukashevich said.'
    )
    (ingested / "more/quoting.txt").write_text(f"Moscow speaks\n{quote}\n", encoding="utf-8")
    for i in range(12):
        (ingested / f"more/other{i}.txt").write_text(
            f"Story {i}\nSeoul said on day {i} that Pyongyang was behind attack number {i}.\n",
            encoding="utf-8",
        )
    assert cli("ingest", "seeds", "more").exit_code == 0
    cands = read_jsonl(ingested / "data/interim/candidates.jsonl")
    with AnnotationLog(ingested / "data/annotations/bo.jsonl", "bo") as log:
        for c in cands:
            log.append(
                make_event(
                    "label", annotator="bo", guideline_version="1.0", candidate=c, stance="neutral"
                )
            )
    assert cli("build").exit_code == 0
    frame = pd.read_parquet(ingested / "data/processed/dataset.parquet")
    for key in ("doc_id", "group"):
        assert (frame.groupby(key)["split"].nunique() == 1).all(), key
    assert (frame[frame.doc_id == "quoting"]["split"] == "test").all()  # pulled in by its quote
    splits = json.loads((ingested / "data/processed/splits.json").read_text())
    docs = [set(v["documents"]) for v in splits.values()]
    groups = [set(v["groups"]) for v in splits.values()]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not docs[i] & docs[j] and not groups[i] & groups[j]
    assert {"train", "validation"} <= set(frame["split"])


def test_unresolved_items_are_reported_not_guessed(ingested: Path, cli) -> None:
    cands = read_jsonl(ingested / "data/interim/candidates.jsonl")
    with AnnotationLog(ingested / "data/annotations/bo.jsonl", "bo") as log:
        log.append(
            make_event(
                "label",
                annotator="bo",
                guideline_version="1.0",
                candidate=cands[1],
                stance="support",
            )
        )  # core said oppose
    result = cli("build")
    assert result.exit_code == 0
    assert (
        f"Unresolved (adjudicate it): {cands[1]['id']} RUS: bo=support, core=oppose"
        in result.output
    )
    frame = pd.read_parquet(ingested / "data/processed/dataset.parquet")
    assert cands[1]["id"] not in set(frame["id"]) and len(frame) == len(cands) - 1
    with AnnotationLog(ingested / "data/annotations/adjudications.jsonl", "judge") as log:
        log.append(
            make_event(
                "label",
                annotator="judge",
                guideline_version="1.0",
                candidate=cands[1],
                stance="oppose",
            )
        )
    assert cli("build").exit_code == 0
    frame = pd.read_parquet(ingested / "data/processed/dataset.parquet")
    row = frame[frame.id == cands[1]["id"]].iloc[0]
    assert (row.stance, row.resolution, len(frame)) == ("oppose", "adjudicated", len(cands))


def test_stale_labels_stop_the_build(ingested: Path, cli) -> None:
    log = ingested / "data/annotations/core.jsonl"
    first = json.loads(log.read_text().splitlines()[0])
    with AnnotationLog(ingested / "data/annotations/ann.jsonl", "ann") as a:
        a.append(
            make_event(
                "label",
                annotator="ann",
                guideline_version="1.0",
                candidate={**first, "id": "0000000000000000"},
                stance="oppose",
            )
        )
    result = cli("build")
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: data/annotations/ann.jsonl: 1 label(s) refer to candidates"
    )
    assert "never remapped" in result.output
    assert not (ingested / "data/processed").exists()


def test_build_without_labels(project: Path, cli, tmp_path: Path) -> None:
    assert cli("ingest", "seeds").exit_code == 0  # no constructed sentence: no written label
    paths = BuildPaths(
        annotations=tmp_path / "none",
        dataset=tmp_path / "d.parquet",
        splits=tmp_path / "s.json",
        report=tmp_path / "r.json",
    )
    with pytest.raises(AnnotationError, match="no resolved labels"):
        build(paths, defaults("build"))


# --- the writer of a constructed sentence is one voter ---------------------------------------


def label(folder: Path, who: str, candidate: dict, stance: str) -> None:
    name = "adjudications" if who == "judge" else who
    with AnnotationLog(folder / f"{name}.jsonl", who) as log:
        log.append(
            make_event(
                "label", annotator=who, guideline_version="1.0", candidate=candidate, stance=stance
            )
        )


def constructed(project: Path, doc: str, actor: str) -> dict:
    cands = read_jsonl(project / "data/interim/candidates.jsonl")
    return next(c for c in cands if c["doc_id"] == doc and c["actor"] == actor)


def test_people_outvote_and_adjudicate_the_writer(ingested: Path, cli, capsys) -> None:
    """The issue's case: the writer said support, ann oppose, bo neutral, the lead neutral."""
    from typer.testing import CliRunner

    from stance.cli import app

    notes = ingested / "data/annotations"
    disputed = constructed(ingested, "train_sony-001", "USA")  # written: support
    agreed = constructed(ingested, "train_sony-001", "PRK")  # written: neutral
    outvoted = constructed(ingested, "train_sony-002", "USA")  # written: support
    label(notes, "ann", disputed, "oppose")
    label(notes, "bo", disputed, "neutral")
    label(notes, "ann", agreed, "neutral")
    label(notes, "ann", outvoted, "oppose")
    label(notes, "bo", outvoted, "oppose")
    result = CliRunner().invoke(app, ["build"])  # stdout and stderr apart
    assert result.exit_code == 0, result.output
    assert (
        f"Unresolved (adjudicate it): {disputed['id']} USA: ann=oppose, bo=neutral, "
        f"(writer)=support" in result.stderr
    )
    assert "Constructed labels people also labelled: 3 of" in result.stdout
    frame = pd.read_parquet(ingested / "data/processed/dataset.parquet").set_index("id")
    assert disputed["id"] not in frame.index  # waiting for the lead, not the writer's label
    assert tuple(frame.loc[agreed["id"], ["stance", "resolution"]]) == ("neutral", "unanimous")
    assert list(frame.loc[agreed["id"], "annotators"]) == ["ann"]
    assert tuple(frame.loc[outvoted["id"], ["stance", "resolution"]]) == ("oppose", "majority")
    untouched = constructed(ingested, "train_sony-003", "USA")
    assert frame.loc[untouched["id"], "resolution"] == "constructed"
    report = json.loads((ingested / "reports/build.json").read_text())
    assert report["constructed"] == {
        "written": report["constructed"]["written"],
        "reviewed": 3,
        "confirmed": 1,
        "changed": 1,
        "awaiting_adjudication": 1,
    }
    assert report["constructed"]["written"] == len(frame[frame.source == "constructed"]) + 1
    assert [u["id"] for u in report["unresolved"]] == [disputed["id"]]

    # The lead sees the writer's label beside the annotators' and decides.
    from stance.annotation.review import review_queue
    from stance.corpus.written import read_written

    cands = read_jsonl(ingested / "data/interim/candidates.jsonl")
    written = read_written(ingested / "data/interim/documents.jsonl", cands)
    queue, review = review_queue(notes, cands, written)
    # Any disagreement with the writer is listed, as between annotators (the majority holds
    # until the lead decides otherwise).
    assert {c["id"] for c in queue} == {disputed["id"], outvoted["id"]}
    assert {k: v.stance for k, v in review[disputed["id"]].items()} == {
        "ann": "oppose",
        "bo": "neutral",
        "(writer)": "support",
    }
    label(notes, "judge", disputed, "neutral")
    assert cli("build").exit_code == 0
    frame = pd.read_parquet(ingested / "data/processed/dataset.parquet").set_index("id")
    assert tuple(frame.loc[disputed["id"], ["stance", "resolution"]]) == (
        "neutral",
        "adjudicated",
    )
    report = json.loads((ingested / "reports/build.json").read_text())
    assert (report["constructed"]["confirmed"], report["constructed"]["changed"]) == (1, 2)
    assert report["unresolved"] == []


def test_one_annotator_against_the_writer_goes_to_adjudication(ingested: Path) -> None:
    from stance.annotation.log import read_all
    from stance.annotation.review import needs_review
    from stance.corpus.written import read_written

    notes = ingested / "data/annotations"
    item = constructed(ingested, "train_sony-001", "USA")  # written: support
    label(notes, "ann", item, "oppose")
    cands = read_jsonl(ingested / "data/interim/candidates.jsonl")
    written = read_written(ingested / "data/interim/documents.jsonl", cands)
    states, _ = read_all(notes)
    assert item["id"] in needs_review(states, written)
    assert item["id"] not in needs_review(states)  # without the writer: one voter, no dispute
    paths = BuildPaths()
    report = build(paths, defaults("build"))
    assert report["constructed"]["awaiting_adjudication"] == 1
    assert report["unresolved"][0]["labels"] == {"ann": "oppose", "(writer)": "support"}


def test_a_build_with_an_empty_train_split_fails(project: Path, cli) -> None:
    assert cli("ingest", "seeds").exit_code == 0  # the seeds alone: all pinned to test
    result = cli("build")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert result.output.startswith(
        "Error: data/processed/dataset.parquet: the train split would be empty (resolved rows "
        "by source: seed 54; pinned sources and documents go to test)"
    )
    assert not (project / "data/processed").exists()


def test_bare_ingest_reads_what_the_stage_reads(project: Path, cli) -> None:
    import yaml

    stage = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]["ingest"]
    inputs = yaml.safe_load((ROOT / "params.yaml").read_text())["ingest"]["inputs"]
    assert [w for w in stage["cmd"].split()[2:] if not w.startswith("-")] == ["data/interim"]
    assert set(inputs) <= set(stage["deps"])
    assert cli("ingest").exit_code == 0
    docs = read_jsonl(project / "data/interim/documents.jsonl")
    assert {d["source"] for d in docs} == {"seed", "constructed"}
    result = cli("build")
    assert result.exit_code == 0, result.output
    assert "train 0" not in result.output and "validation 0" not in result.output

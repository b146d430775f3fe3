"""The model learns in the terminal UI too: `stance annotate --retrain-every N` retrains in a
background process, keys are answered meanwhile, and the new model orders the queue."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stance.core.schema import LABELS
from tests.conftest import quick_training, read_jsonl
from tests.test_annotate_ui import Terminal, events
from tests.waiting import CEILING

pytestmark = pytest.mark.xdist_group("annotate-retrain")


def label_first(project: Path, items: list[dict], name: str = "tester") -> None:
    """Labels made before the session (three labels in turn), as an earlier session would."""
    from stance.annotation.events import make_event
    from stance.annotation.log import AnnotationLog

    with AnnotationLog(project / f"data/annotations/{name}.jsonl", name) as log:
        for n, c in enumerate(items):
            stance = LABELS[n % 3]
            log.append(
                make_event(
                    "label", annotator=name, guideline_version="1.0", candidate=c, stance=stance
                )
            )


def test_retrain_in_the_terminal_ui(project: Path, cli, trained: Path) -> None:
    from stance.annotation.queue import order
    from stance.annotation.swap import read_scores
    from stance.model.predict import scorer

    assert cli("ingest").exit_code == 0  # the seeds and the written sets
    quick_training(project)
    cands = read_jsonl(project / "data/interim/candidates.jsonl")
    label_first(project, [c for c in cands if c["doc_id"].startswith("train_")][:30])
    term = Terminal(project)
    try:
        term.start(
            "annotate", "--annotator", "tester", "--order", "uncertain",
            "--model", "models/m.skops", "--blind", "0", "--retrain-every", "3",
        )  # fmt: skip
        term.wait_for(r"Model: the first one, retrained every 3 labels")
        total = len(cands)
        for n in (31, 32, 33):  # the third new label starts a training run
            term.keys("1")
            term.wait_for(rf"{n} / {total} done")
        # A key while the model trains is answered at once: the run is still going.
        term.keys("2")
        screen = term.wait_for(rf"34 / {total} done")
        model = screen.splitlines()[1]
        assert "; training on 33" in model, model
        screen = term.wait_for(r"Model 1 trained \d\d:\d\d:\d\d UTC on \d+ labels", 3 * CEILING)
        assert re.search(r"labels, CV macro-F1 (0|1)\.\d\d", screen), screen
        assert "last training failed" not in screen
        decided = {e["id"] for e in events(project)}
        # The new model orders what is left (the item on screen stays first).
        fresh = read_scores(project / "models/loop/scores-1.parquet")
        old = scorer(trained)
        before = order([dict(c) for c in cands], "uncertain", "tester", old)
        for n in range(35, 39):
            term.keys("3")
            term.wait_for(rf"{n} / {total} done")
        term.quit()
        after = [e["id"] for e in events(project)][-4:]
        kept, shown = after[0], after[1:]
        left = [c for c in before if c["id"] not in decided and c["id"] != kept]
        ranked = order(left, "uncertain", "tester", lambda cs: [fresh[c["id"]] for c in cs])
        assert shown == [c["id"] for c in ranked[:3]]
        assert shown != [c["id"] for c in left[:3]]  # not the old model's order
        rows = read_jsonl(project / "models/loop/labels-1.jsonl")
        assert len(rows) >= 30 and {r["stance"] for r in rows} == set(LABELS)
        card = json.loads((project / "models/loop/model-1.card.json").read_text())
        assert card["cv"]["mean"] is not None
    finally:
        term.kill_server()


def test_retrain_every_is_checked(project: Path, cli, trained: Path) -> None:
    assert cli("ingest").exit_code == 0
    from typer.testing import CliRunner

    from stance.cli import app

    args = ["annotate", "--annotator", "t", "--order", "uncertain", "--model", str(trained)]
    out = CliRunner().invoke(app, [*args, "--retrain-every", "-1"])
    assert out.exit_code == 1
    assert out.output.strip().endswith("Error: --retrain-every -1: expected 0 (never) or more")

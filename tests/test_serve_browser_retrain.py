"""The model in the loop in a real browser: 60 labels with suggestions on, a retrain finishes
in the background while keys go on being answered, the dashboard shows the new model, and the
queue follows its doubts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import quick_training, read_jsonl
from tests.test_annotate_retrain import label_first
from tests.test_serve_browser import CHROMIUM, browser, open_page, page, press, saved, shown
from tests.waiting import CEILING, until
from tests.webserver import STANCE, Server, copy_inputs

__all__ = ["browser", "page"]  # the fixtures, shared with test_serve_browser
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed"),
    pytest.mark.xdist_group("serve-browser"),  # one worker, one browser
    pytest.mark.slow,
]
KEYS = ["Enter", "1", "Enter", "2", "Enter", "3"]  # mostly the suggestion, sometimes not
EVERY = 20


def queue_ids(page: Any) -> list[str]:
    """The annotator's queue as the server holds it now, asked from the page."""
    state = page.evaluate("fetch('/api/state').then(r => r.json())")
    return [it["id"] for it in state["items"]]


def test_sixty_labels_a_retrain_and_a_new_order(
    tmp_path: Path, browser: Any, tiny_model: Path
) -> None:
    from playwright.sync_api import expect

    from stance.annotation.queue import _margin as margin
    from stance.annotation.queue import order
    from stance.annotation.swap import read_scores
    from stance.model.persist import card_path
    from stance.model.predict import scorer

    root = copy_inputs(tmp_path)
    quick_training(root)
    subprocess.run([str(STANCE), "ingest"], cwd=root, check=True, capture_output=True)
    cands = read_jsonl(root / "data/interim/candidates.jsonl")
    n = len(cands)
    # An earlier session's labels on the written training set: enough to train on.
    label_first(root, [c for c in cands if c["doc_id"].startswith("train_")][:30], "ann")
    (root / "models").mkdir()
    for src in (tiny_model, card_path(tiny_model)):
        shutil.copy(src, root / "models" / src.name)
    args = ["--annotator", "ann", "--order", "uncertain", "--model", "models/m.skops"]
    server = Server(root, *args, "--blind", "0", "--retrain-every", str(EVERY)).start()
    try:
        # One context each: a sign-in cookie is per context.
        ann, lead = (
            browser.new_context(viewport={"width": 1100, "height": 900}).new_page() for _ in "ab"
        )
        for pg in (ann, lead):
            pg.set_default_timeout(CEILING * 1000)
        open_page(ann, server, "ann")
        open_page(lead, server, "lead")
        expect(lead.locator("#model-status")).to_contain_text("The model the server started")
        for k in range(EVERY - 1):
            expect(ann.locator("#item .suggestion strong")).to_be_visible()
            press(ann, KEYS[k % len(KEYS)], 31 + k, n)
        saved(ann)
        press(ann, "1", 30 + EVERY, n)  # the threshold: a training run starts
        press(ann, "2", 31 + EVERY, n)  # answered while it runs
        saved(ann)
        lead.reload()
        expect(lead.locator("main")).to_contain_text(f"Now: training on {30 + EVERY} labels")
        for k in range(EVERY + 1, 60):
            press(ann, KEYS[k % len(KEYS)], 31 + k, n)
        saved(ann)

        def retrained() -> str | None:
            lead.reload()
            text = lead.locator("#model-status").inner_text()
            assert "last training failed" not in text, text
            return text if text.startswith("Model ") and "Now:" not in text else None

        status = until(
            retrained, "no retrained model on the dashboard", timeout=5 * CEILING
        )  # a retrain runs at low CPU priority: a busy machine starves it
        found = re.fullmatch(
            r"Model (\d), trained \d{4}-\d\d-\d\dT\S+Z on \d+ labels: cross-validated "
            r"macro-F1 [01]\.\d+\.",
            status.strip(),
        )
        assert found, status
        # The item on screen stays; what comes after it follows the new model's doubts.
        after = queue_ids(ann)
        assert after[0] == shown(ann)
        done = {e["id"] for e in read_jsonl(root / "data/annotations/ann.jsonl")}
        fresh = read_scores(root / f"models/loop/scores-{found.group(1)}.parquet")
        old = order([dict(c) for c in cands], "uncertain", "ann", scorer(tiny_model))
        left = [c for c in old if c["id"] not in done and c["id"] != after[0]]
        new = order(left, "uncertain", "ann", lambda cs: [fresh[c["id"]] for c in cs])

        def doubts(ids: list[str]) -> list[tuple[str, float]]:  # equal in a tie, whatever order
            return [(max(fresh[i], key=fresh[i].__getitem__), margin(fresh[i])) for i in ids]

        assert doubts(after[1:]) == doubts([c["id"] for c in new[: len(after) - 1]])
        assert after[1:] != [c["id"] for c in left[: len(after) - 1]]  # not the old order
        assert (root / "models/loop/model-1.skops").exists()
    finally:
        server.kill()
    events = read_jsonl(root / "data/annotations/ann.jsonl")[30:]
    assert len(events) == 60 and all(e["suggestion"]["shown"] for e in events)

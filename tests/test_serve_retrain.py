"""The model learns while the team labels: `stance serve --retrain-every N` retrains in the
background and swaps the new model in, with no request waiting on it (a real server)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import quick_training
from tests.test_orphan import children, gone
from tests.test_serve_http import csrf, signed_in
from tests.waiting import CEILING, until
from tests.webserver import Server, make_project

pytestmark = pytest.mark.xdist_group("serve-retrain")


def test_retrain_in_the_background_and_swap_the_queue(tmp_path: Path, tiny_model: Path) -> None:
    """...and a server killed with SIGKILL while it trains leaves no training behind."""
    from stance.model.persist import card_path
    from tests.conftest import read_jsonl
    from tests.webserver import STANCE

    root = make_project(tmp_path)
    quick_training(root)
    subprocess.run([str(STANCE), "ingest"], cwd=root, check=True, capture_output=True)
    trainable = [
        c["id"]
        for c in read_jsonl(root / "data/interim/candidates.jsonl")
        if c["doc_id"].startswith("train_")
    ]
    (root / "models").mkdir()
    for src in (tiny_model, card_path(tiny_model)):
        shutil.copy(src, root / "models" / src.name)
    args = ["--annotator", "ann", "--order", "uncertain", "--model", "models/m.skops"]
    server = Server(root, *args, "--blind", "0", "--retrain-every", "30").start()
    try:
        ann, lead = signed_in(server, "ann"), signed_in(server, "lead")
        headers = {"X-CSRF-Token": csrf(ann)}
        labels = ["support", "oppose", "neutral"]
        for n, item in enumerate(trainable[:30]):
            r = ann.post(
                "/api/events",
                headers=headers,
                json={
                    "event_id": f"e{n}",
                    "action": "label",
                    "item": item,
                    "stance": labels[n % 3],
                },
            )
            assert r.status_code == 200, r.text
        # The 30th label started the training; its answer did not wait for it.
        assert "Now: training on 30 labels" in lead.get("/dashboard").text
        before = [it["id"] for it in ann.get("/api/state").json()["items"]]

        def trained() -> str | None:
            page = lead.get("/dashboard").text
            assert "last training failed" not in page, page
            return page if "Model 1, trained" in page else None

        page = until(
            trained, "model 1 never finished training", timeout=5 * CEILING
        )  # a retrain runs at low CPU priority: a busy machine starves it
        assert "on 30 labels: cross-validated macro-F1 0." in page
        after = [it["id"] for it in ann.get("/api/state").json()["items"]]
        assert after != before  # the new model's doubts order what is left
        assert (root / "models/loop/model-1.skops").exists()

        # 30 more labels start the next training; the server dies with SIGKILL meanwhile.
        assert server.proc is not None
        pid = server.proc.pid
        more = trainable[30:60]
        assert len(more) == 30
        for n, item in enumerate(more, start=30):
            r = ann.post(
                "/api/events",
                headers=headers,
                json={"event_id": f"e{n}", "action": "label", "item": item, "stance": "neutral"},
            )
            assert r.status_code == 200, r.text
        (child,) = until(lambda: children(pid), "the second training never started")
        server.kill()
        until(lambda: gone(child), f"the training ({child}) outlived its killed server")
        # It stopped, rather than finished: it was killed within ms of starting, and a
        # training takes seconds (its imports alone). One that ran on writes model 2.
        assert not (root / "models/loop/model-2.skops").exists()
    finally:
        server.kill()

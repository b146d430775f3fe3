"""A disk that fills under `stance serve`: a decision answered 503 never reaches the log, not
even after space comes back, and an event id retried any number of times is in it once.

The annotations folder is a small tmpfs (the tests run as root; elsewhere they are skipped).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.test_serve_http import csrf, event, log_lines, signed_in
from tests.webserver import Server, make_project


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A project whose data/annotations is a 1 MB tmpfs holding what it held before."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    root = make_project(tmp_path / "project")
    annotations = root / "data/annotations"
    kept = tmp_path / "kept"
    shutil.move(annotations, kept)
    annotations.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(annotations)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        for f in kept.iterdir():
            shutil.copy(f, annotations / f.name)
        yield root
    finally:
        subprocess.run(["umount", "-l", str(annotations)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the file system says it is full."""
    filler = folder / ".filler"
    block = b"x" * 4096
    with filler.open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


def test_a_refused_decision_never_reaches_the_log(small_disk: Path) -> None:
    server = Server(small_disk, "--team", "ann")
    try:
        server.start()
        ann = signed_in(server, "ann")
        headers = {"X-CSRF-Token": csrf(ann)}
        annotations = small_disk / "data/annotations"
        filler = annotations / ".filler"

        def post(item: str, event_id: str) -> httpx.Response:
            return ann.post("/api/events", json=event(item, event_id), headers=headers)

        answers: dict[str, list[int]] = {}
        # Until the log's last page is used up some decisions still fit; then every one is
        # refused. Each refused one is retried, as the page does.
        for n in range(200):
            if n == 2:  # two decisions on a roomy disk, then it fills
                fill(annotations)
            item = ann.get("/api/state").json()["items"][0]["id"]
            eid = f"e{n}"
            answers[eid] = [post(item, eid).status_code for _ in range(5)]
            if answers[eid][0] == 503:
                refused, refused_item = eid, item
                break
        else:
            raise AssertionError("the disk never filled")
        assert answers[refused] == [503] * 5
        saved = [eid for eid, codes in answers.items() if codes[0] == 200]
        before = log_lines(server, "ann")

        filler.unlink()  # space again: nothing refused may turn up now
        ok = post(refused_item, refused)
        assert ok.status_code == 200 and ok.json()["duplicate"] is False
        again = post(refused_item, refused)
        assert again.status_code == 200 and again.json()["duplicate"] is True
        after = log_lines(server, "ann")
        counts = Counter(e["event_id"] for e in after)
        assert [e["event_id"] for e in before] == saved
        assert [e["event_id"] for e in after] == [*saved, refused]
        assert set(counts.values()) == {1}
        decided = Counter(e["id"] for e in after if e["event"] == "label")
        assert set(decided.values()) == {1}
    finally:
        server.kill()

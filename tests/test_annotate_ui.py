"""The real labelling UI in a real terminal (tmux): keys, crash safety, resume, undo, lock."""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import read_jsonl

STANCE = Path(sys.executable).parent / "stance"
pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"),
    reason="tmux is not installed (.ci/run installs it)",
)


class Terminal:
    def __init__(self, cwd: Path, name: str):
        self.cwd, self.name = cwd, name
        self.sock = ["tmux", "-L", f"stance-test-{os.getpid()}"]

    def start(self, *args: str) -> None:
        cmd = " ".join([f"exec {STANCE}", *args])
        subprocess.run(
            [
                *self.sock,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                "120",
                "-y",
                "34",
                "-c",
                str(self.cwd),
                cmd,
            ],
            check=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )

    def screen(self) -> str:
        out = subprocess.run(
            [*self.sock, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return out.stdout

    def wait_for(self, pattern: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        # A match alone is not enough: curses repaints in pieces, so the header
        # can show the new count before the body is drawn. Return only a screen
        # that matches and stays the same across two captures.
        last, since = None, 0.0
        while time.monotonic() < deadline:
            text = self.screen()
            now = time.monotonic()
            if text != last:
                last, since = text, now
            elif re.search(pattern, text) and now - since >= 0.2:
                return text
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} never appeared on screen:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.sock, "send-keys", "-t", self.name, *keys], check=True)

    def pid(self) -> int:
        out = subprocess.run(
            [*self.sock, "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.split()[0])

    def kill_server(self) -> None:
        subprocess.run([*self.sock, "kill-server"], capture_output=True)


@pytest.fixture
def term(project: Path, cli):
    assert cli("ingest").exit_code == 0
    t = Terminal(project, "ui")
    yield t
    t.kill_server()


def events(project: Path, name: str = "tester") -> list[dict]:
    return read_jsonl(project / f"data/annotations/{name}.jsonl")


def test_label_crash_resume_undo(project: Path, term: Terminal) -> None:
    cands = read_jsonl(project / "data/interim/candidates.jsonl")
    term.start("annotate", "--annotator", "tester")
    screen = term.wait_for(r"0 / 54 done")
    assert "Actor: SONY (Sony)" in screen and "Claim: North Korea was responsible" in screen
    assert "Document: Sony hack update" in screen and "[1] support" in screen

    for n, key in enumerate("123", 1):
        term.keys(key)
        term.wait_for(rf"{n} / 54 done")
    os.kill(term.pid(), 9)  # no chance to clean up
    time.sleep(0.2)

    logged = events(project)
    assert [(e["id"], e["stance"]) for e in logged] == [
        (cands[0]["id"], "support"),
        (cands[1]["id"], "oppose"),
        (cands[2]["id"], "neutral"),
    ]
    term.kill_server()

    term.start("annotate", "--annotator", "tester")
    screen = term.wait_for(r"3 / 54 done")
    fourth = cands[3]
    assert f"Actor: {fourth['actor']} (North Korea)" in screen

    term.keys("u")  # undo brings the third item back
    screen = term.wait_for(r"2 / 54 done")
    assert f"Actor: {cands[2]['actor']} " in screen
    term.keys("1")
    term.wait_for(r"3 / 54 done")
    term.keys("q")
    time.sleep(0.3)
    logged = events(project)
    assert [e["event"] for e in logged] == ["label", "label", "label", "retract", "label"]
    assert logged[3]["target"] == logged[2]["event_id"]
    assert (logged[4]["id"], logged[4]["stance"]) == (cands[2]["id"], "support")


def test_flag_response_and_guide(project: Path, term: Terminal) -> None:
    term.start("annotate", "--annotator", "tester", "--limit", "5")
    term.wait_for(r"0 / 5 done")
    term.keys("2")
    term.wait_for(r"1 / 5 done")
    term.keys("r")
    term.wait_for(r"response tag for the previous item")
    term.keys("g")
    term.wait_for(r"previous item tagged: criticize_response")
    term.keys("f")
    term.wait_for(r"Flag note")
    term.keys("check the quote", "Enter")
    term.wait_for(r"flagged: check the quote")
    term.keys("?")
    term.wait_for(r"Guidelines summary")
    term.keys("x")
    term.wait_for(r"1 / 5 done")
    term.keys("q")
    time.sleep(0.3)
    logged = events(project)
    assert [e["event"] for e in logged] == ["label", "response", "flag"]
    assert logged[1]["id"] == logged[0]["id"] and logged[1]["response"] == "criticize_response"
    assert logged[2]["note"] == "check the quote" and logged[2]["id"] != logged[0]["id"]


def test_second_process_is_refused(project: Path, term: Terminal) -> None:
    term.start("annotate", "--annotator", "tester")
    term.wait_for(r"0 / 54 done")
    out = subprocess.run(
        [str(STANCE), "annotate", "--annotator", "tester"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "already open in another process" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    term.keys("q")


def test_teams_get_deterministic_shares(project: Path, term: Terminal) -> None:
    term.start("annotate", "--annotator", "ann", "--team", "ann,bo", "--overlap", "0.3")
    screen = term.wait_for(r"0 / \d+ done")
    total = int(re.search(r"0 / (\d+) done", screen).group(1))
    assert 0 < total < 54
    term.keys("q")
    time.sleep(0.2)
    term.kill_server()
    term.start("annotate", "--annotator", "ann", "--team", "ann,bo", "--overlap", "0.3")
    assert f"0 / {total} done" in term.wait_for(r"0 / \d+ done")
    term.keys("q")


def test_adjudication_walks_only_disagreements_and_flags(project: Path, term: Terminal) -> None:
    from stance.annotation.events import make_event
    from stance.annotation.log import AnnotationLog

    cands = read_jsonl(project / "data/interim/candidates.jsonl")
    with AnnotationLog(project / "data/annotations/bo.jsonl", "bo") as log:
        log.append(
            make_event(
                "label",
                annotator="bo",
                guideline_version="1.0",
                candidate=cands[1],
                stance="support",
            )
        )  # core: oppose
        log.append(
            make_event(
                "label",
                annotator="bo",
                guideline_version="1.0",
                candidate=cands[2],
                stance="support",
            )
        )  # core agrees
        log.append(
            make_event(
                "flag",
                annotator="bo",
                guideline_version="1.0",
                candidate=cands[7],
                flag=True,
                note="is this a place name?",
            )
        )
    term.start("adjudicate", "--adjudicator", "judge")
    screen = term.wait_for(r"0 / 2 done")
    assert "stance adjudicate: judge" in screen
    assert "bo: support" in screen and "core: oppose (criticize_response)" in screen
    term.keys("2")
    screen = term.wait_for(r"1 / 2 done")
    assert "FLAG: is this a place name?" in screen
    term.keys("3")
    term.wait_for(r"2 / 2 done")
    term.keys("q")
    time.sleep(0.3)
    decided = read_jsonl(project / "data/annotations/adjudications.jsonl")
    assert [(e["id"], e["stance"], e["annotator"]) for e in decided] == [
        (cands[1]["id"], "oppose", "judge"),
        (cands[7]["id"], "neutral", "judge"),
    ]


def test_uncertain_order_shows_the_model_suggestion(
    project: Path, term: Terminal, trained: Path
) -> None:
    term.start(
        "annotate", "--annotator", "tester", "--order", "uncertain", "--model", "models/m.skops"
    )
    # Loading the model and scoring every candidate comes first: on a loaded machine that is
    # well over the usual 10 s, so the first screen gets longer to appear.
    screen = term.wait_for(r"0 / 54 done", timeout=60)
    suggestion = re.search(r"model suggests: (support|oppose|neutral) \((0\.\d\d)\)", screen)
    assert suggestion, screen
    term.keys("q")
    out = subprocess.run(
        [
            str(STANCE),
            "annotate",
            "--annotator",
            "x",
            "--order",
            "uncertain",
            "--model",
            "models/none.skops",
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and "no such model: run `stance train`" in out.stderr

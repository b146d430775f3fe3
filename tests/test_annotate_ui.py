"""The real labelling UI in a real terminal (tmux): keys, crash safety, resume, undo, lock."""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ingest_here, read_jsonl
from tests.waiting import CEILING, until

STANCE = Path(sys.executable).parent / "stance"
pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"),
    reason="tmux is not installed (.ci/run installs it)",
)


class Terminal:
    """A private tmux server (its own socket, no user config) that runs one `stance` at a time.

    A session that holds `cat` keeps the server up between runs: a tmux server exits with its
    last session, and a new session asked for while it is exiting fails ("server exited
    unexpectedly"), which is how a test that quits and restarts the UI used to flake.
    """

    def __init__(self, cwd: Path, size: tuple[int, int] = (120, 34)):
        self.cwd, self.size, self.runs = cwd, size, 0
        self.name = ""
        self.sock = ["tmux", "-f", "/dev/null", "-L", f"stance-test-{os.getpid()}-{id(self)}"]
        self._new_session("keep", "cat")

    def _new_session(self, name: str, cmd: str) -> None:
        subprocess.run(
            [*self.sock, "new-session", "-d", "-s", name, "-x", str(self.size[0])]
            + ["-y", str(self.size[1])]
            + ["-c", str(self.cwd), cmd],
            check=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )

    def start(self, *args: str) -> None:
        """`stance ARGS` in a new session; the session ends when the process does."""
        self.runs += 1
        self.name = f"ui{self.runs}"
        self._new_session(self.name, " ".join([f"exec {STANCE}", *args]))

    def screen(self) -> str:
        out = subprocess.run(
            [*self.sock, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return out.stdout

    def wait_for(self, pattern: str, timeout: float = CEILING) -> str:
        # A match alone is not enough: curses repaints in pieces, so the header
        # can show the new count before the body is drawn. Return only a screen
        # that matches and has stayed the same for a moment.
        last, since = "", 0.0

        def settled() -> str | None:
            nonlocal last, since
            text, now = self.screen(), time.monotonic()
            if text != last:
                last, since = text, now
                return None
            return text if re.search(pattern, text) and now - since >= 0.2 else None

        return until(
            settled, lambda: f"{pattern!r} never appeared on screen:\n{self.screen()}", timeout
        )

    def running(self) -> bool:
        out = subprocess.run(
            [*self.sock, "has-session", "-t", f"={self.name}"], capture_output=True
        )
        return out.returncode == 0

    def wait_exit(self) -> None:
        """Until the process has exited (its session is gone): its files are closed then."""
        until(lambda: not self.running(), lambda: f"stance never exited:\n{self.screen()}")

    def quit(self) -> None:
        self.keys("q")
        self.wait_exit()

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
def term(project: Path):
    ingest_here("seeds")
    t = Terminal(project)
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
    term.wait_exit()

    logged = events(project)
    assert [(e["id"], e["stance"]) for e in logged] == [
        (cands[0]["id"], "support"),
        (cands[1]["id"], "oppose"),
        (cands[2]["id"], "neutral"),
    ]

    term.start("annotate", "--annotator", "tester")
    screen = term.wait_for(r"3 / 54 done")
    fourth = cands[3]
    assert f"Actor: {fourth['actor']} (North Korea)" in screen

    term.keys("u")  # undo brings the third item back
    screen = term.wait_for(r"2 / 54 done")
    assert f"Actor: {cands[2]['actor']} " in screen
    term.keys("1")
    term.wait_for(r"3 / 54 done")
    term.quit()
    logged = events(project)
    assert [e["event"] for e in logged] == ["label", "label", "label", "retract", "label"]
    assert logged[3]["target"] == logged[2]["event_id"]
    assert (logged[4]["id"], logged[4]["stance"]) == (cands[2]["id"], "support")


def test_flag_response_and_guide(project: Path, term: Terminal) -> None:
    term.start("annotate", "--annotator", "tester", "--limit", "5")
    term.wait_for(r"0 / 54 done; this session 0 / 5")
    term.keys("2")
    term.wait_for(r"1 / 54 done; this session 1 / 5")
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
    term.wait_for(r"1 / 54 done")
    term.quit()
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
    term.quit()
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
    term.quit()
    decided = read_jsonl(project / "data/annotations/adjudications.jsonl")
    assert [(e["id"], e["stance"], e["annotator"]) for e in decided] == [
        (cands[1]["id"], "oppose", "judge"),
        (cands[7]["id"], "neutral", "judge"),
    ]


def test_uncertain_order_shows_the_model_suggestion(
    project: Path, term: Terminal, trained: Path
) -> None:
    uncertain = ["--order", "uncertain", "--model", "models/m.skops"]
    term.start("annotate", "--annotator", "tester", *uncertain, "--blind", "0")
    screen = term.wait_for(r"0 / 54 done")
    suggestion = re.search(
        r"model suggests: (support|oppose|neutral) \((0\.\d\d)\); Enter accepts it", screen
    )
    assert suggestion, screen
    term.keys("Enter")  # one key accepts the preselected label
    term.wait_for(r"1 / 54 done")
    term.quit()
    (event,) = events(project)
    assert event["stance"] == suggestion.group(1)
    assert event["suggestion"] == {"label": suggestion.group(1), "shown": True}
    # The blind share sees no suggestion; what the model said is still recorded.
    term.start("annotate", "--annotator", "tester", *uncertain, "--blind", "1")
    screen = term.wait_for(r"1 / 54 done")
    assert "model suggests" not in screen
    term.keys("Enter")
    term.wait_for(r"no suggestion on this item")
    term.keys("3")
    term.wait_for(r"2 / 54 done")
    term.quit()
    second = events(project)[1]
    assert second["stance"] == "neutral" and second["suggestion"]["shown"] is False
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


def prelabel(project: Path, items: list[dict], name: str = "tester") -> None:
    from stance.annotation.events import make_event
    from stance.annotation.log import AnnotationLog

    with AnnotationLog(project / f"data/annotations/{name}.jsonl", name) as log:
        for c in items:
            log.append(
                make_event(
                    "label", annotator=name, guideline_version="1.0", candidate=c, stance="neutral"
                )
            )


def test_limit_means_more_items_this_session(project: Path, term: Terminal) -> None:
    cands = read_jsonl(project / "data/interim/candidates.jsonl")
    prelabel(project, cands[:6])
    term.start("annotate", "--annotator", "tester", "--limit", "3")
    screen = term.wait_for(r"6 / 54 done; this session 0 / 3")
    assert f"Actor: {cands[6]['actor']} " in screen
    term.keys("s")
    term.wait_for(r"6 / 54 done, 1 skipped; this session 1 / 3")
    term.keys("1")
    term.wait_for(r"7 / 54 done, 1 skipped; this session 2 / 3")
    term.keys("2")
    screen = term.wait_for(r"8 / 54 done, 1 skipped; this session 3 / 3")
    assert "You decided the 3 items of this session (--limit 3)." in screen
    term.quit()
    assert [e["event"] for e in events(project)][6:] == ["skip", "label", "label"]


def test_a_skipped_item_comes_back_at_the_end(project: Path, term: Terminal) -> None:
    cands = read_jsonl(project / "data/interim/candidates.jsonl")
    prelabel(project, cands[:-2])
    first, last = cands[-2], cands[-1]
    term.start("annotate", "--annotator", "tester")
    screen = term.wait_for(r"52 / 54 done")
    assert f"Actor: {first['actor']} " in screen
    term.keys("s")
    screen = term.wait_for(r"52 / 54 done, 1 skipped")
    assert f"Actor: {last['actor']} " in screen
    term.keys("3")
    screen = term.wait_for(r"53 / 54 done, 1 skipped")
    assert f"Actor: {first['actor']} " in screen
    assert "skipped before: it comes back until it is labelled" in screen
    term.keys("1")
    screen = term.wait_for(r"54 / 54 done")
    assert "All items in your queue are done." in screen
    term.quit()
    term.start("annotate", "--annotator", "tester")
    assert "All items in your queue are done." in term.wait_for(r"54 / 54 done")
    term.keys("q")


def test_a_long_sentence_scrolls_and_keeps_the_actor_and_footer(project: Path, cli) -> None:
    filler = " ".join(
        f"delegates from province number {i} discussed fisheries and roads" for i in range(25)
    )
    long = f"Washington officials, in a statement that listed how {filler}, finally said that North Korea had done it."
    assert 1500 < len(long) < 2000
    (project / "in").mkdir()
    (project / "in/long.txt").write_text(
        f"A long statement\nSeoul hosted talks on Monday. {long}\n"
    )
    assert cli("ingest", "in").exit_code == 0
    cands = read_jsonl(project / "data/interim/candidates.jsonl")
    assert [c["actor"] for c in cands if c["sentence"] == long] == ["USA", "PRK"]
    term = Terminal(project, (100, 24))
    try:
        term.start("annotate", "--annotator", "tester")
        term.wait_for(r"0 / 3 done")
        term.keys("3")  # KOR, in the short first sentence
        screen = term.wait_for(r"1 / 3 done")
        rows = screen.splitlines()
        assert "Actor: USA" in screen and "Washington" in screen  # its mention, at the start
        assert "Previous sentence:" in screen and "Seoul hosted talks on Monday." in screen
        assert re.search(r"v \d+ more line\(s\) below", screen)
        assert "[1] support" in rows[-3] and "[q] quit" in rows[-2]  # the footer, whole
        term.keys("1")
        screen = term.wait_for(r"2 / 3 done")
        rows = screen.splitlines()
        assert "Actor: PRK" in screen and "Korea had done it." in screen  # the mention's line
        assert re.search(r"\^ \d+ more line\(s\) above", screen)
        assert "[1] support" in rows[-3] and "[q] quit" in rows[-2]
        term.keys("Up")
        term.keys("Up")
        screen = term.wait_for(r"2 / 3 done")
        assert "Korea had done it." not in screen and "more line(s) below" in screen
        assert "[1] support" in screen.splitlines()[-3]
        term.quit()
    finally:
        term.kill_server()

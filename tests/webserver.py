"""A real `stance serve` process for the web tests: a free port, a bounded wait for readiness,
the private URLs it printed, and a kill that cannot be skipped."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from tests.conftest import copy_inputs
from tests.waiting import CEILING, until

STANCE = Path(sys.executable).parent / "stance"
XSS = (
    'North Korea denies <b>hack</b> claims <script>alert("t")</script>\n\n'
    "Pyongyang said <script>alert(1)</script> the charge was groundless, and Washington "
    "<img src=x onerror=alert(2)> had offered no proof.\n"
)


_INGESTED: list[Path] = []  # this process's first ingested project, copied by the later ones


def make_project(root: Path) -> Path:
    """A scratch copy of the project, ingested; its first document holds markup as text.

    `stance ingest` runs once per test process (a subprocess: seconds of imports and
    extraction); the later projects copy its outputs, the same bytes as their own run."""
    copy_inputs(root)
    (root / "in").mkdir()
    (root / "in/xss.txt").write_text(XSS, encoding="utf-8")
    if _INGESTED and (_INGESTED[0] / "data/interim").is_dir():
        shutil.copytree(_INGESTED[0] / "data/interim", root / "data/interim")
        return root
    out = subprocess.run(
        [str(STANCE), "ingest", "in", "seeds"], cwd=root, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    # Kept aside: the first test's own project may be changed (or deleted) by that test.
    keep = Path(tempfile.mkdtemp(prefix="stance-ingested-"))
    shutil.copytree(root / "data/interim", keep / "data/interim")
    atexit.register(shutil.rmtree, keep, ignore_errors=True)
    _INGESTED.append(keep)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`stance serve ARGS` in `cwd` on a free port (the same port again after a restart)."""

    def __init__(self, cwd: Path, *args: str):
        self.cwd, self.args = cwd, args
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.urls: dict[str, str] = {}
        self.output = ""
        self.runs = 0
        self.first_pages: dict[str, str] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = CEILING) -> Server:
        self.runs += 1
        log = self.cwd / f".serve-{self.port}-{self.runs}.out"
        with log.open("wb") as fh:
            self.proc = subprocess.Popen(
                [str(STANCE), "serve", "--port", str(self.port), *self.args],
                cwd=self.cwd,
                stdout=fh,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        proc = self.proc

        def answered() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"stance serve exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as r:
                    return r.status == 200
            except OSError:
                return False

        try:
            until(answered, lambda: f"stance serve never answered:\n{log.read_text()}", timeout)
        except AssertionError:
            self.kill()
            raise
        self.output = log.read_text()
        log.unlink()
        found = re.findall(r"^  (\S+)\t[^\t]+\t(http://\S+)$", self.output, re.M)
        self.urls.update(found)
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=CEILING)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def token(url: str) -> str:
    return url.split("#token=", 1)[1]

"""The rerun of issue 20's remaining adversarial cases, for benchmarks/hostile.py: rows of the
wrong types, imports that cannot be read one way, sentences over the limit, a 1 MB sentence
with tens of thousands of mentions, killed Dask workers, and a kill -9 mid-write followed by
the same command. `expect` is the exit code wanted (1: refused with one line)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Run = Callable[..., dict[str, object]]
STANCE = str(Path(sys.executable).parent / "stance")
M = ["--model", "models/m.skops"]


def leftovers(folder: Path) -> list[str]:
    from stance.core.leftovers import is_leftover

    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob(".*") if is_leftover(p.name)
    )


def workers_of(pid: int) -> list[Any]:
    import psutil

    kids = psutil.Process(pid).children(recursive=True)
    return [p for p in kids if "spawn_main" in " ".join(p.cmdline())]


def killed_run(
    args: list[str], root: Path, ready: Callable[[], bool], kill: Callable[[int], None]
) -> dict[str, object]:
    """Run `stance ARGS`, call `kill(pid)` once `ready()` holds, and wait for the end."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [STANCE, *args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # a script, not a test: polling a file it waits for
    killed = proc.poll() is None
    if killed:
        kill(proc.pid)
    _, err = proc.communicate(timeout=600)
    lines = err.strip().splitlines()
    return {
        "exit_code": proc.returncode,
        "killed_mid_write": killed,
        "seconds": round(time.perf_counter() - t0, 2),
        "message": next((x for x in lines if x.startswith("Error:")), "")[:200],
        "traceback": "Traceback" in err,
    }


def dask_cases(root: Path) -> dict[str, dict[str, object]]:
    import pandas as pd

    parts = root / "parts"
    parts.mkdir()
    rows = [(f"Moscow denied any role in the attack on day {i}.", "RUS") for i in range(36_000)]
    frame = pd.DataFrame(rows, columns=["sentence", "actor"])
    for i in range(6):
        frame.iloc[i * 6000 : (i + 1) * 6000].to_parquet(parts / f"part-{i}.parquet")
    args = ["predict", "--input", "parts", "--output", "predicted", *M, "--engine", "dask",
            "--workers", "2", "--batch-size", "200"]  # fmt: skip
    out: dict[str, dict[str, object]] = {}
    for name, victims in (("one worker killed", 1), ("both workers killed", 2)):

        def kill(pid: int, n: int = victims) -> None:
            found: list[Any] = []
            while len(found) < 2:
                found = workers_of(pid)
            for w in found[:n]:
                w.kill()

        case = killed_run(args, root, lambda: any(root.glob(".predicted.new-*/.part-*.tmp")), kill)
        folder = root / "predicted"
        names = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
        ok = names == [".stance-predict"] + [f"part-{i:05d}.parquet" for i in range(6)]
        case["expect"] = 0 if victims == 1 else 1
        case["no_leftovers"] = not leftovers(root) and (ok if victims == 1 else not names)
        if victims == 1 and ok:
            case["rows"] = len(pd.read_parquet(folder))
        out[f"predict --engine dask, {name}"] = case
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    return out


def rerun_cases(root: Path, run: Run) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    cand = json.loads((root / "data/interim/candidates.jsonl").read_text().splitlines()[0])
    task = {"text": cand["sentence"], "meta": {"id": cand["id"], "actor": cand["actor"]},
            "answer": "accept", "accept": ["oppose"]}  # fmt: skip
    imports = {
        "import two labels on one task": {**task, "accept": ["oppose", "support"]},
        "import answer 'perhaps'": {**task, "answer": "perhaps"},
    }
    for name, row in imports.items():
        (root / "imp.jsonl").write_text(json.dumps(row) + "\n")
        out[name] = {
            **run(["import", "imp.jsonl", "--format", "prodigy", "--annotator", "y"], root),
            "unchanged": not (root / "data/annotations/y.jsonl").exists(),
        }
    rows = {
        "predict a row whose sentence is 5": {"sentence": 5, "actor": "RUS"},
        "predict a row whose actor is ['RUS']": {"sentence": "Moscow denied it.", "actor": ["RUS"]},
        "predict a row with an impossible mention": {
            "sentence": "Moscow denied it.", "actor": "RUS", "start": 0,
            "mentions": [{"start": 100, "end": 106}],
        },
    }  # fmt: skip
    for name, row in rows.items():
        (root / "r.jsonl").write_text(json.dumps(row) + "\n")
        out[name] = {
            **run(["predict", "--input", "r.jsonl", "--output", "r.out.jsonl", *M], root),
            "unchanged": not (root / "r.out.jsonl").exists(),
        }
    shown = subprocess.run(
        [STANCE, "claims", "show", "North Korea \x1b[31mwas behind the Sony hack\x07"],
        cwd=root, capture_output=True, text=True,
    )  # fmt: skip
    out["claims show with ESC and BEL"] = {
        "exit_code": shown.returncode,
        "expect": 0,
        "raw_control_characters": "\x1b" in shown.stdout or "\x07" in shown.stdout,
        "traceback": "Traceback" in shown.stderr,
    }

    unit = "Moscow said "
    n = 1_000_000 // len(unit)
    row = {"sentence": unit * n, "actor": "RUS", "start": 0,
           "mentions": [{"start": i * len(unit), "end": i * len(unit) + 6} for i in range(n)]}  # fmt: skip
    (root / "long.jsonl").write_text(json.dumps(row) + "\n")
    out[f"predict a 1 MB sentence with {n:,} mentions"] = {
        **run(["predict", "--input", "long.jsonl", "--output", "long.out.jsonl", *M], root),
        "expect": 0,
    }
    text = ("Moscow said Washington had no proof " * 1_400_000)[:50_000_000]
    (root / "row50.jsonl").write_text(json.dumps({"sentence": text, "actor": "RUS"}) + "\n")
    out["predict a 50 MB row"] = run(
        ["predict", "--input", "row50.jsonl", "--output", "row50.out.jsonl", *M], root
    )
    (root / "text50.txt").write_text(text)
    out["predict --text-file of one 50 MB sentence"] = run(
        ["predict", "--text-file", "text50.txt", *M], root
    )
    for name in ("row50.jsonl", "text50.txt", "long.jsonl", "long.out.jsonl"):
        (root / name).unlink(missing_ok=True)

    # kill -9 while predict writes its output, then the same command again.
    line = json.dumps({"sentence": "Moscow denied any role in the attack.", "actor": "RUS"})
    (root / "many.jsonl").write_text((line + "\n") * 200_000)
    args = [
        "predict",
        "--input",
        "many.jsonl",
        "--output",
        "many.out.jsonl",
        *M,
        "--batch-size",
        "1000",
    ]
    first = killed_run(
        args, root, lambda: bool(leftovers(root)), lambda pid: os.kill(pid, signal.SIGKILL)
    )
    before = leftovers(root)
    again = run(args, root)
    out["kill -9 mid-write, then the same command"] = {
        **again, "expect": 0, "killed_mid_write": first["killed_mid_write"],
        "leftovers_after_the_kill": len(before), "no_leftovers": not leftovers(root),
    }  # fmt: skip
    out["serve --host ::1, a request naming another host"] = serve_case(root)
    out.update(dask_cases(root))
    return out


def serve_case(root: Path) -> dict[str, object]:
    """A real `stance serve --host ::1`: /healthz answers its own Host and refuses another
    (a DNS-rebinding page names its own host). `refused`: the other host got 400."""
    import http.client
    import socket

    with socket.socket(socket.AF_INET6) as s:
        s.bind(("::1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([STANCE, "serve", "--team", "ann", "--host", "::1", "--port", str(port)],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip

    def status(host: str) -> int | None:
        conn = http.client.HTTPConnection("::1", port, timeout=5)
        try:
            conn.request("GET", "/healthz", headers={"Host": host})
            return conn.getresponse().status
        except OSError:
            return None
        finally:
            conn.close()

    try:
        deadline = time.monotonic() + 120
        own = status(f"[::1]:{port}")
        while own is None and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)  # a script, not a test: polling a server that is starting
            own = status(f"[::1]:{port}")
        evil = status("evil.example")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    return {"own_host_status": own, "evil_host_status": evil, "refused": own == 200 and evil == 400,
            "traceback": "Traceback" in err}  # fmt: skip

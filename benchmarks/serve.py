"""Decision latency of `stance serve` under a team: 20 simulated annotators, 10,000 decisions.

A synthetic project is generated in a temporary folder (on the same disk as everything else, so
every fsync is real); a real `stance serve` process listens on 127.0.0.1; 20 client threads,
one per annotator, each sign in with their private URL and then decide one item after another,
as a person does, only without pausing: each request waits for the answer to the previous one.
The latency is timed on the client, from sending a decision to reading the whole answer (which
includes the append, the fsync, and the next 25 items; like the page, the client names the items
it holds, so only the new one comes with its HTML). Every 50th decision is sent twice with the same
event id, as a retry after a lost reply; afterwards every log is read back to check that nothing
was lost or written twice. The run stops by itself: each annotator makes a fixed number of
decisions, and the whole phase has a deadline.

With --retrain-every N the same load runs twice: as above, then with the model in the loop
(`--order uncertain`, suggestions shown, retrained in the background every N labels). The
model starts from a fit on synthetic labels (only the timing is measured), and a watcher notes
when a training child process of the server runs, so the decisions made meanwhile are timed
apart; the server notes each phase of a run (STANCE_RETRAIN_TIMING), so the decisions in flight
while a new model is swapped in (reading its scores, re-ordering every queue) and while a run is
prepared (its training rows written) are timed apart too. The buckets do not overlap: a decision
is "during_swap" if it was in flight during a swap, else "during_prepare", else
"while_training" if it was sent while a child process ran, else "otherwise". --think-ms paces each client (a pause after every answer), in both runs alike, so the
phase lasts long enough for training runs to finish and be swapped in while people label.

    python benchmarks/serve.py [--annotators 20] [--decisions 10000]
    python benchmarks/serve.py --retrain-every 500 --think-ms 100
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402
from annotate import ROOT, make_project  # noqa: E402

GOAL_MS = 50.0
DEADLINE_S = 600.0
RETRY_EVERY = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Annotator(threading.Thread):
    def __init__(
        self, name: str, url: str, port: int, decisions: int, deadline: float, think: float = 0
    ):
        super().__init__(daemon=True)
        self.think = think
        self.sent: list[float] = []  # monotonic time each timed decision was sent
        self.name_, self.url, self.port = name, url, port
        self.decisions, self.deadline = decisions, deadline
        self.latencies: list[float] = []
        self.acked: list[tuple[str, str]] = []  # (event_id, item)
        self.duplicates_seen = 0
        self.error: str | None = None

    def call(self, method: str, path: str, body: Any = None, headers: dict | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        h = {"Cookie": self.cookie} if getattr(self, "cookie", None) else {}
        if data is not None:
            h["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers={**h, **(headers or {})})
        r = self.conn.getresponse()
        payload = r.read()
        if r.status != 200:
            raise RuntimeError(f"{method} {path}: {r.status} {payload[:200]!r}")
        return r, payload

    def run(self) -> None:
        try:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            token = self.url.split("#token=", 1)[1]
            r, _ = self.call("POST", "/login", {"token": token})
            self.cookie = r.getheader("set-cookie").split(";", 1)[0]
            _, page = self.call("GET", "/annotate")
            csrf = re.search(rb'name="csrf-token" content="([0-9a-f]+)"', page).group(1).decode()
            _, raw = self.call("GET", "/api/state")
            state = json.loads(raw)
            headers = {"X-CSRF-Token": csrf}
            for k in range(self.decisions):
                if time.monotonic() > self.deadline:
                    raise RuntimeError("deadline passed")
                item = state["items"][0]["id"]
                event = {
                    "event_id": f"{self.name_}-{k:05d}",
                    "action": "skip" if k % 7 == 6 else "label",
                    "item": item,
                    "stance": None if k % 7 == 6 else ("support", "oppose", "neutral")[k % 3],
                    # as the page does: the items it holds come back without their HTML
                    "have": ",".join(
                        [i["id"] for i in state["items"]] + [h["id"] for h in state["history"]]
                    ),
                }
                if self.think:
                    time.sleep(self.think)  # a person reads the next item (paced runs only)
                self.sent.append(time.monotonic())
                t0 = time.perf_counter()
                _, raw = self.call("POST", "/api/events", event, headers)
                self.latencies.append((time.perf_counter() - t0) * 1000)
                state = json.loads(raw)
                self.acked.append((event["event_id"], item))
                if k % RETRY_EVERY == 0:  # the reply was "lost": the page sends it again
                    _, raw = self.call("POST", "/api/events", event, headers)
                    self.duplicates_seen += json.loads(raw)["duplicate"]
        except Exception as exc:  # reported, not raised: the main thread checks every client
            self.error = f"{self.name_}: {exc}"


class Training(threading.Thread):
    """Notes the intervals in which the server has a child process (a training or scoring
    run), from /proc: what the decisions made meanwhile are compared by."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.intervals, self.stop = pid, [], threading.Event()
        self.started: float | None = None

    def children(self) -> bool:
        for task in Path(f"/proc/{self.pid}/task").glob("*"):
            try:
                if (task / "children").read_text().strip():
                    return True
            except OSError:
                continue
        return False

    def run(self) -> None:
        while not self.stop.wait(0.02):
            busy, now = self.children(), time.monotonic()
            if busy and self.started is None:
                self.started = now
            elif not busy and self.started is not None:
                self.intervals.append((self.started, now))
                self.started = None
        if self.started is not None:
            self.intervals.append((self.started, time.monotonic()))

    def during(self, t: float) -> bool:
        return any(a <= t <= b for a, b in self.intervals)


def percentiles(ms: list[float]) -> dict[str, float | None]:
    ms = sorted(ms)
    p = lambda q: round(ms[min(len(ms) - 1, int(q * len(ms)))], 2) if ms else None  # noqa: E731
    return {
        "n": len(ms),
        "p50": p(0.50),
        "p95": p(0.95),
        "p99": p(0.99),
        "max": round(ms[-1], 2) if ms else None,
        "mean": round(statistics.fmean(ms), 2) if ms else None,
    }


def phase_latencies(
    timed: list[tuple[float, float]], marks: list[dict[str, Any]], watcher: Training
) -> dict[str, Any]:
    """The decisions (sent at t, taking x ms) by what the server was doing meanwhile: a
    decision in flight during a swap, else during a run's preparation, else sent while a
    child process ran, else none of these."""

    def overlaps(phase: str, t: float, x: float) -> bool:
        end = t + x / 1000
        return any(m["start"] <= end and t <= m["end"] for m in marks if m["phase"] == phase)

    buckets: dict[str, list[float]] = {k: [] for k in BUCKETS}
    for t, x in timed:
        if overlaps("swap", t, x):
            buckets["during_swap"].append(x)
        elif overlaps("prepare", t, x):
            buckets["during_prepare"].append(x)
        elif watcher.during(t):
            buckets["while_training"].append(x)
        else:
            buckets["otherwise"].append(x)
    out = {f"latency_ms_{k}": percentiles(v) for k, v in buckets.items()}
    out["latency_ms_outside_swap"] = percentiles(
        [x for k, v in buckets.items() if k != "during_swap" for x in v]
    )
    return out


BUCKETS = ("during_swap", "during_prepare", "while_training", "otherwise")


def seed_model(folder: Path, stance: Path) -> None:
    """A first model for the loop: a fit on 300 synthetic candidates with labels in turn."""
    shutil.copy(ROOT / "params.yaml", folder / "params.yaml")
    rows = []
    with (folder / "data/interim/candidates.jsonl").open() as fh:
        for k, line in zip(range(300), fh, strict=False):
            rows.append({**json.loads(line), "stance": ("support", "oppose", "neutral")[k % 3]})
    table = folder / "seed-labels.jsonl"
    table.write_text("".join(json.dumps(r) + "\n" for r in rows))
    subprocess.run(
        [str(stance), "train", "--data", str(table), "--model-out", "models/model.skops"],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def run(args: argparse.Namespace, retrain_every: int, model: bool = False) -> dict[str, Any]:
    """One run of the load against a fresh project (with `model`: suggestions shown, and
    retrained every `retrain_every` labels unless 0); the figures, and what went wrong."""
    per = args.decisions // args.annotators
    names = [f"a{i:02d}" for i in range(1, args.annotators + 1)]
    stance = Path(sys.executable).parent / "stance"
    port = free_port()
    loop = ["--order", "uncertain", "--retrain-every", str(retrain_every)] if model else []
    server_args = ["--team", ",".join(names), "--port", str(port), *loop]
    command = " ".join(["stance serve --team a01,...,aNN --overlap 0 --port PORT", *loop])
    load_before = os.getloadavg()  # the machine is shared: say how busy it was
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_project(folder, per * args.annotators * 3)  # each share must hold `per` items
        if model:
            seed_model(folder, stance)
        out = folder / "serve.out"
        phases = folder / "retrain-timing.jsonl"
        t0 = time.perf_counter()
        with out.open("wb") as fh:
            server = subprocess.Popen(
                [str(stance), "serve", *server_args],
                cwd=folder,
                stdout=fh,
                stderr=subprocess.STDOUT,
                env={**os.environ, "STANCE_RETRAIN_TIMING": str(phases)},
            )
        watcher = Training(server.pid)
        try:
            end = time.monotonic() + 300
            while "Serving" not in out.read_text():
                if server.poll() is not None or time.monotonic() > end:
                    raise SystemExit(f"stance serve did not start:\n{out.read_text()}")
                time.sleep(0.05)
            start_s = time.perf_counter() - t0
            urls = dict(re.findall(r"^  (\S+)\t[^\t]+\t(http://\S+)$", out.read_text(), re.M))
            deadline = time.monotonic() + DEADLINE_S
            think = args.think_ms / 1000
            clients = [Annotator(n, urls[n], port, per, deadline, think) for n in names]
            watcher.start()
            t1 = time.perf_counter()
            for c in clients:
                c.start()
            for c in clients:
                c.join(max(0.0, deadline - time.monotonic()) + 5)
            wall = time.perf_counter() - t1
            watcher.stop.set()
            watcher.join()
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        errors = [c.error for c in clients if c.error] + [
            f"{c.name_}: still running" for c in clients if c.is_alive()
        ]
        lost = duplicated = 0
        for c in clients:
            events = [
                json.loads(line)
                for line in (folder / f"data/annotations/{c.name_}.jsonl").read_text().splitlines()
            ]
            ids = [e["event_id"] for e in events]
            duplicated += len(ids) - len(set(ids))
            items = [e["id"] for e in events if e["event"] in ("label", "skip")]
            duplicated += len(items) - len(set(items))
            logged = set(ids)
            lost += sum(1 for event_id, _ in c.acked if event_id not in logged)
        swapped = len(list((folder / "models/loop").glob("scores-*")))  # then swapped
        marks = [json.loads(x) for x in phases.read_text().splitlines()] if phases.exists() else []
    ms = [x for c in clients for x in c.latencies]
    timed = [(t, x) for c in clients for t, x in zip(c.sent, c.latencies, strict=True)]
    decided = sum(len(c.acked) for c in clients)
    result: dict[str, Any] = {
        "server": command,
        "annotators": args.annotators,
        "think_ms": args.think_ms,
        "decisions": decided,
        "retries_sent": sum(len(c.acked[::RETRY_EVERY]) for c in clients),
        "retries_recognised": sum(c.duplicates_seen for c in clients),
        "decision_latency_ms": percentiles(ms),
        "decisions_per_s": round(decided / wall, 1),
        "wall_s": round(wall, 2),
        "server_start_s": round(start_s, 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "lost": lost,
        "duplicated": duplicated,
        "errors": errors[:5],
        "meets_goal": bool(ms) and percentiles(ms)["p95"] < GOAL_MS,  # type: ignore[operator]
    }
    if retrain_every:
        result["training"] = {
            "runs_seen": len(watcher.intervals),
            "seconds_with_a_training_process": round(sum(b - a for a, b in watcher.intervals), 1),
            "models_swapped_in": swapped,
            **phase_latencies(timed, marks, watcher),
            "swaps": [
                {k: round(m[k], 2) for k in ("lock_ms_max", "lock_ms_sum")}
                | {"s": round(m["end"] - m["start"], 3), "tries": m.get("tries")}
                for m in marks
                if m["phase"] == "swap"
            ],
        }
    ok = not errors and not lost and not duplicated and decided == per * args.annotators
    result["ok"] = ok
    return result


def main() -> None:
    # Twenty client threads in one process: with the default 5 ms GIL switch interval a thread
    # whose answer has arrived can wait that long for its turn, which the server never caused.
    sys.setswitchinterval(0.0005)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotators", type=int, default=20)
    ap.add_argument("--decisions", type=int, default=10_000)
    ap.add_argument(
        "--retrain-every",
        type=int,
        default=0,
        help="also run with the model in the loop, retrained after this many labels",
    )
    ap.add_argument("--think-ms", type=float, default=0, help="pause after each answer")
    args = ap.parse_args()
    plain = run(args, 0)
    result: dict[str, Any] = {
        "benchmark": "serve",
        "command": " ".join(["python benchmarks/serve.py", *sys.argv[1:]]),
        **plain,
        "includes": "client-timed POST: append + fsync of one event, then the next 25 item "
        "ids and the new item's HTML sent back; 20 clients in one process on the same 2 cores",
        "goal_ms": GOAL_MS,
    }
    runs = [plain]
    if args.retrain_every:
        # The model's suggestions without retraining, then with it: what each part costs.
        fixed = run(args, 0, model=True)
        loop = run(args, args.retrain_every, model=True)
        runs += [fixed, loop]
        result["with_model_no_retrain"] = fixed
        result["with_retrain"] = loop
        result["p95_ms_plain_model_retrain"] = [r["decision_latency_ms"]["p95"] for r in runs]
    write_result("serve", result)
    failed = [r["errors"] for r in runs if not r["ok"]]
    if failed:
        raise SystemExit(f"benchmark failed: {failed}")


if __name__ == "__main__":
    main()

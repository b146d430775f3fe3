"""The model learns while the team labels: after every `every` new labels, `stance train` runs in
a background process on everything people have labelled so far; when it finishes, the new model
scores every candidate and is swapped in.

Nothing here runs in a request: a label only bumps a counter and, at the threshold, starts the
process. A watcher thread waits for it, loads the model and scores the candidates, then takes
each annotator's lock in turn for the swap itself (new suggestions, the undecided part of the
queue re-ordered by the new model's doubts), which costs a sort, not a fit. A failed training
run changes nothing: the old model stays, and the dashboard says why.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stance.annotation.queue import order
from stance.core.files import atomic_writer
from stance.core.paths import PATHS

# (model path) -> (its scorer, its card): the CLI passes stance.model's, so this layer does not
# import the model package.
Loader = Callable[[Path], tuple[Callable[[list[dict[str, Any]]], list[dict[str, float]]], dict]]

LOOP_DIR = PATHS.loop_models  # models/ is not in git


def held_out(documents: Path, params: Path = PATHS.params) -> set[str]:
    """Documents `stance build` pins to test (the seeds, the held-out sets): never trained on,
    here either, so the figures measured on them stay honest."""
    import fnmatch

    from stance.core.params import load_params
    from stance.core.tables import read_jsonl

    if not documents.exists() or not params.exists():
        return set()
    build = load_params(params, "build")
    out = set()
    for d in read_jsonl(documents):
        pinned = [s for p, s in build["pin_docs"].items() if fnmatch.fnmatchcase(d["doc_id"], p)]
        split = pinned[0] if pinned else build["pin_sources"].get(d["source"])
        if split == "test":
            out.add(d["doc_id"])
    return out


class Retrainer:
    def __init__(self, served: Any, every: int, load: Loader, folder: Path = LOOP_DIR):
        self.served, self.every, self.load, self.folder = served, every, load, folder
        self.lock = threading.Lock()
        self.running = False
        self.version = 0  # models swapped in so far
        self.labels_at_start = self.labelled()
        self.status: dict[str, Any] = {"version": 0, "state": "initial model"}
        self.held_out = held_out(served.paths.documents)

    def labelled(self) -> int:
        return sum(d.session.done for d in self.served.desks.values())

    def note(self) -> None:
        """After a decision (the desk's lock held): start a run at the threshold."""
        if self.every <= 0:
            return
        with self.lock:
            if self.running or self.labelled() - self.labels_at_start < self.every:
                return
            self.running = True
            self.labels_at_start = self.labelled()
            self.status = {**self.status, "state": f"training on {self.labels_at_start} labels"}
        threading.Thread(target=self._run, name="retrain", daemon=True).start()

    def table(self) -> list[dict[str, Any]]:
        """One row per item people labelled outside the test documents: the label most of them
        gave (ties: the first)."""
        by_id = {c["id"]: c for c in self.served.candidates if c["doc_id"] not in self.held_out}
        votes: dict[str, Counter[str]] = {}
        for items in self.served.states().values():
            for cid, st in items.items():
                if st.stance and cid in by_id:
                    votes.setdefault(cid, Counter())[st.stance] += 1
        keep = ("id", "doc_id", "sentence", "start", "end", "actor", "mentions", "claim")
        return [
            {
                **{k: by_id[cid][k] for k in keep if k in by_id[cid]},
                "stance": v.most_common(1)[0][0],
            }
            for cid, v in votes.items()
        ]

    def _run(self) -> None:
        n = self.version + 1
        try:
            rows = self.table()
            self.folder.mkdir(parents=True, exist_ok=True)
            data, model = self.folder / f"labels-{n}.jsonl", self.folder / f"model-{n}.skops"
            with atomic_writer(data) as fh:
                for r in rows:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            cmd = [sys.executable, "-m", "stance", "train", "--data", str(data)]
            done = subprocess.run(
                [*cmd, "--model-out", str(model)], capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                why = (done.stderr.strip().splitlines() or ["no message"])[-1]
                self.status = {**self.status, "state": f"last training failed: {why}"}
                return
            self.swap(model, len(rows))
        except Exception as exc:  # a background failure must never stop the server
            self.status = {**self.status, "state": f"last training failed: {exc}"}
        finally:
            with self.lock:
                self.running = False

    def swap(self, model: Path, rows: int) -> None:
        score, card = self.load(model)
        candidates = self.served.candidates
        fresh = dict(zip((c["id"] for c in candidates), score(candidates), strict=True))
        for name, desk in self.served.desks.items():
            with desk.lock:
                s = desk.session
                for c in s.queue:
                    c["suggestion"] = fresh[c["id"]]
                undecided = [c for c in s.queue if not s.is_decided(c["id"])]
                decided = [c for c in s.queue if s.is_decided(c["id"])]
                ranked = order(
                    undecided, "uncertain", name, lambda cs: [fresh[c["id"]] for c in cs]
                )
                s.queue, s.pos = decided + ranked, len(decided)
        self.version += 1
        self.status = {
            "version": self.version,
            "state": "ready",
            "rows": rows,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "cv_macro_f1": (card.get("cv") or {}).get("mean"),
            "path": str(model),
        }

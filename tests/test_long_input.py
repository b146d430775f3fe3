"""A long text without sentence ends is one sentence with thousands of mentions and cues:
prediction stays linear in its length (it was quadratic: 200 KB in 11 s, 1 MB in 305 s)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

# Every word an actor or a cue: each cue has thousands of mentions to relate it to.
UNIT = "Pyongyang denied Moscow said "
# CPU seconds, not wall time, so that other work on the machine does not count. The linear
# code needs under 1 s for this text on a CI core, the quadratic one over 12 s.
CEILING_CPU_SECONDS = 5.0


def test_a_200_kb_line_is_predicted_in_linear_time(project: Path, trained: Path, cli) -> None:
    text = (UNIT * (200_000 // len(UNIT) + 1))[:200_000]
    (project / "long.txt").write_text(text, encoding="utf-8")
    t0 = time.process_time()
    result = cli("predict", "--model", str(trained), "--text-file", "long.txt")
    spent = time.process_time() - t0
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["actor"] for r in rows) == ["PRK", "RUS"]
    names = {"RUS": "Moscow", "PRK": "Pyongyang"}
    for r in rows:
        assert len(r["sentence"]) == len(text.rstrip())  # one sentence: no end in the text
        assert len(r["mentions"]) == text.count(names[r["actor"]])
        assert r["stance"] in r["scores"]
    assert spent < CEILING_CPU_SECONDS, f"{spent:.1f} s of CPU for 200 KB"


@pytest.mark.slow
def test_a_row_with_tens_of_thousands_of_given_mentions_is_predicted(
    project: Path, trained: Path, cli
) -> None:
    """The adversarial row of issue 20 at a third of its size: one sentence of 300,000
    characters whose 25,000 mentions are given as offsets. Relating every mention to every
    other (the quadratic path) is over 600 million steps, minutes of work; the linear one
    is done in seconds. No clock is read: a quadratic regression shows as a test that hangs."""
    unit = "Moscow said "
    n = 300_000 // len(unit)
    sentence = unit * n
    mentions = [{"start": i * len(unit), "end": i * len(unit) + 6} for i in range(n)]
    row = {"sentence": sentence, "actor": "RUS", "start": 0, "mentions": mentions}
    (project / "in.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = cli("predict", "--model", str(trained), "--input", "in.jsonl", "--output", "o.jsonl")
    assert result.exit_code == 0, result.output
    (out,) = [json.loads(line) for line in (project / "o.jsonl").read_text().splitlines()]
    assert out["actor_found"] is True and out["stance"] in out["scores"]
    assert len(out["mentions"]) == n == 25_000

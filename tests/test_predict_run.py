"""stance.model.run.predict: the one call behind `stance predict`, on each kind of input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stance.core.errors import InputError
from stance.model.run import predict

TEXT = "Pyongyang denied the charge. The FBI said North Korea was behind the attack."


def test_raw_text_gives_rows_and_the_default_claim(trained: Path) -> None:
    done = predict(trained, text=TEXT)
    assert [r["actor"] for r in done.rows] == ["PRK", "USA", "PRK"]
    assert done.written is None and done.source == "the text"
    assert done.claim["claim"] == "sony-hack-2014" and done.defaulted == 3
    named = predict(trained, text=TEXT, claim="sony-hack-2014")
    assert named.defaulted == 0  # the claim was given: nothing was defaulted
    assert [r["stance"] for r in named.rows] == [r["stance"] for r in done.rows]


def test_a_text_file_written_to_a_table(trained: Path, project: Path) -> None:
    (project / "a.txt").write_text(TEXT, encoding="utf-8")
    done = predict(trained, text_file=project / "a.txt", output=project / "out.csv")
    assert done.rows == [] and done.written == f"3 rows -> {project / 'out.csv'}"
    table = pd.read_csv(project / "out.csv")
    assert list(table["actor"]) == ["PRK", "USA", "PRK"]


def test_an_unknown_output_format_fails_before_any_work(trained: Path, project: Path) -> None:
    with pytest.raises(InputError, match=r"out\.txt"):
        predict(trained, text_file=project / "missing.txt", output=project / "out.txt")


def test_a_table(trained: Path, project: Path) -> None:
    rows = pd.DataFrame(
        {"sentence": ["Moscow denied it.", "The FBI blamed Pyongyang."], "actor": ["RUS", "USA"]}
    )
    rows.to_parquet(project / "in.parquet")
    done = predict(trained, table=project / "in.parquet", output=project / "out.parquet")
    assert done.written == f"2 rows -> {project / 'out.parquet'}"
    assert done.defaulted == 2 and done.source == str(project / "in.parquet")
    out = pd.read_parquet(project / "out.parquet")
    assert list(out["actor"]) == ["RUS", "USA"] and set(out["claim"]) == {"sony-hack-2014"}

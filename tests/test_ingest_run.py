"""stance.corpus.run: `stance ingest` with its params.yaml section, and what it tells the user."""

from __future__ import annotations

from pathlib import Path

from stance.core.params import load_params
from stance.corpus.run import ingest_with_params, summary


def test_params_fill_in_what_the_options_leave_out(project: Path) -> None:
    params = load_params(project / "params.yaml", "ingest")
    common = {
        "out_dir": project / "out",
        "actors_path": project / "data/actors.yaml",
        "claims_path": project / "data/claims.yaml",
    }
    # No paths: ingest.inputs (what the stage reads); a params section naming only the seeds
    # reads only the seeds, with params' claims and languages.
    result = ingest_with_params(None, {**params, "inputs": ["seeds"]}, **common)
    said = summary(result)
    assert result.documents == 2 and result.candidates == 54
    assert said.lines[0].startswith("2 documents, ") and said.lines[0].endswith(
        f"-> {project / 'out'}/"
    )
    assert "54 candidates (" in said.lines[0] and "details: " in said.lines[1]
    assert said.notes_before == [] and said.skipped == [] and said.notes_after == []
    # An option overrides params.yaml: only German articles, so the English seeds are left out.
    german = ingest_with_params([project / "seeds"], params, langs=["de"], **common)
    assert german.documents == 0 and summary(german).lines[0].startswith("0 documents")


def test_a_claim_text_is_registered_and_said(project: Path) -> None:
    params = load_params(project / "params.yaml", "ingest")
    result = ingest_with_params(
        None,
        params,
        claims=["North Korea was behind the hack of Sony Pictures"],
        out_dir=project / "out",
        actors_path=project / "data/actors.yaml",
        claims_path=project / "data/claims.yaml",
    )
    notes = summary(result).notes_before
    assert len(notes) == 1 and notes[0].startswith("note: ")

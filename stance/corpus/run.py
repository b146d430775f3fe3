"""`stance ingest` with its params.yaml section, and what it did as the lines the command
prints: the command line only parses options and prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from stance.corpus.ingest import REPORT, IngestResult, ingest
from stance.corpus.raw import Limits


def ingest_with_params(
    paths: list[Path] | None,
    params: dict[str, Any],
    *,
    claims: list[str] | None = None,
    langs: list[str] | None = None,
    html_extractor: str | None = None,
    force: bool = False,
    **options: Any,
) -> IngestResult:
    """`ingest` of `paths` (default: `ingest.inputs`, what the DVC stage reads) with the
    `ingest` section of params.yaml
    (`params`); `claims`, `langs` and `html_extractor`, when given, override its values, and
    `options` go to `ingest` as they are. The output rule (stance.core.outputs) is checked
    before anything is read; `force` as for every command."""
    from stance.corpus.ingest import guard_outputs

    inputs = paths or [Path(x) for x in params["inputs"]]
    guard_outputs(options["out_dir"], inputs, force)
    return ingest(
        inputs,
        claims=claims or params["claims"],
        shingle_size=params["shingle_size"],
        near_duplicate_threshold=params["near_duplicate_threshold"],
        limits=Limits(params["max_document_bytes"], params["max_line_chars"]),
        html_extractor=html_extractor or params["html_extractor"],
        langs=langs or params["lang"],
        min_lang_confidence=params["min_lang_confidence"],
        **options,
    )


class Said(NamedTuple):
    """What a run of ingest tells its user, in the order it is told."""

    notes_before: list[str]  # stderr: claims registered on the way
    skipped: list[str]  # stderr, as `Skipped: ...`: inputs left out by --skip-invalid
    lines: list[str]  # stdout: the counts and the report's summary
    notes_after: list[str]  # stderr: what the user may want to fix in the input


def summary(result: IngestResult) -> Said:
    top = ", ".join(f"{a} {n}" for a, n in result.actors.most_common(8))
    actors_seen = f"{len(result.actors)} actors: {top}" if result.actors else "no actors"
    report = result.report
    after = []
    if report.dates_dropped:
        after.append(
            f"note: {report.dates_dropped} documents kept without a date: their source's date "
            f"is not a YYYY-MM-DD day (e.g. {report.date_examples[0]}); for a dump, convert "
            f"its date field to ISO 8601 to keep them"
        )
    return Said(
        [f"note: {note}" for note in result.claims_added],
        list(result.skipped),
        [
            f"{result.documents} documents, {result.sentences} sentences, "
            f"{result.candidates} candidates ({actors_seen}) -> {result.out_dir}/",
            f"{report.summary()} (details: {result.out_dir / REPORT})",
        ],
        after,
    )

"""What one `stance ingest` run read, kept and left out, and why: data/interim/ingest_report.json.

The report holds counts and a few examples per reason, never a timestamp, so an unchanged input
gives a byte-identical report (DVC sees no change).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from stance.core.schema import SKIP_REASONS
from stance.corpus.raw import SKIP_HINT

EXAMPLES = 20  # per reason: enough to see what a reason catches, bounded on a large crawl


@dataclass
class IngestReport:
    files: int = 0
    documents: int = 0
    sentences: int = 0
    candidates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # inputs left out by --skip-invalid
    languages: Counter[str] = field(default_factory=Counter)  # of the documents kept
    extractors: Counter[str] = field(default_factory=Counter)  # of the HTML documents kept
    actors: Counter[str] = field(default_factory=Counter)  # candidates per actor
    # Documents kept without a date because their source's date is no real day ("12/27/2014")
    dates_dropped: int = 0
    date_examples: list[str] = field(default_factory=list)

    def skip(self, reason: str, where: str, detail: str = "") -> None:
        assert reason in SKIP_REASONS, reason
        self.skipped[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < EXAMPLES:
            shown.append(f"{where}: {detail}" if detail else where)

    def problem(self, message: str) -> None:
        # Recorded only under --skip-invalid: advising the option that is already on misleads.
        message = message.removesuffix(SKIP_HINT)
        self.problems.append(message)
        self.skip("invalid", message)

    def bad_date(self, where: str, value: str) -> None:
        self.dates_dropped += 1
        if len(self.date_examples) < EXAMPLES:
            self.date_examples.append(f"{where}: {value!r}")

    def summary(self) -> str:
        """One line: the skipped records by reason, in the order of SKIP_REASONS."""
        parts = [f"{r} {self.skipped[r]:,}" for r in SKIP_REASONS if self.skipped[r]]
        return "Skipped by reason: " + (", ".join(parts) if parts else "none")

    def as_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "documents": self.documents,
            "sentences": self.sentences,
            "candidates": self.candidates,
            "skipped": {r: self.skipped[r] for r in SKIP_REASONS},
            "languages": dict(sorted(self.languages.items())),
            "extractors": dict(sorted(self.extractors.items())),
            "actors": dict(sorted(self.actors.items())),
            "examples": {r: self.examples[r] for r in SKIP_REASONS if r in self.examples},
            "problems": self.problems,
            "dates_dropped": {"documents": self.dates_dropped, "examples": self.date_examples},
        }

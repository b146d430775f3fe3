"""Agreement figures checked against published worked examples."""

from pathlib import Path

import pytest

from stance.annotation.agreement import (
    agreement,
    cohen_pairs,
    fleiss,
    krippendorff_alpha,
    reliability,
    render,
)
from stance.annotation.events import make_event
from stance.annotation.log import AnnotationLog

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal example:
# 4 coders, 12 units, missing values; alpha = 0.743.
KRIPP = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}
# Fleiss (1971) as worked on Wikipedia ("Fleiss' kappa"): 10 subjects, 14 raters; kappa = 0.210.
FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def kripp_ratings() -> dict:
    out: dict = {}
    for coder, row in KRIPP.items():
        for unit, v in enumerate(row):
            if v is not None:
                out.setdefault(unit, {})[coder] = v
    return out


def test_krippendorff_worked_example() -> None:
    assert krippendorff_alpha(kripp_ratings(), [1, 2, 3, 4, 5]) == pytest.approx(0.743, abs=5e-4)
    report = reliability(kripp_ratings(), [1, 2, 3, 4, 5], samples=300)
    assert report["items"] == 11  # unit 12 has one value: not pairable
    lo, hi = report["alpha_ci95"]
    assert lo < 0.743 < hi and report["verdict"] == "tentative (0.667-0.800)"


def test_fleiss_worked_example() -> None:
    ratings = {}
    for i, row in enumerate(FLEISS):
        raters = [cat for cat, n in enumerate(row) for _ in range(n)]
        ratings[i] = {f"r{k}": cat for k, cat in enumerate(raters)}
    kappa, items = fleiss(ratings, range(5))
    assert kappa == pytest.approx(0.210, abs=5e-4) and items == 10


def test_cohen_worked_example() -> None:
    # Wikipedia, "Cohen's kappa": 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    ratings = {i: {"A": a, "B": b} for i, (a, b) in enumerate(pairs)}
    [pair] = cohen_pairs(ratings, ["y", "n"])
    assert pair["cohen_kappa"] == pytest.approx(0.4) and pair["percent_agreement"] == 0.7


def write_labels(
    folder: Path, coder: str, labels: dict[str, str], flags: dict | None = None
) -> None:
    with AnnotationLog(folder / f"{coder}.jsonl", coder) as log:
        for cid, stance in labels.items():
            cand = {
                "id": cid,
                "sentence": f"sentence {cid}",
                "actor": "PRK" if cid < "m" else "USA",
                "claim": "sony-hack-2014",
            }
            log.append(
                make_event(
                    "label", annotator=coder, guideline_version="1.0", candidate=cand, stance=stance
                )
            )
            if flags and cid in flags:
                log.append(
                    make_event(
                        "flag",
                        annotator=coder,
                        guideline_version="1.0",
                        candidate=cand,
                        flag=True,
                        note=flags[cid],
                    )
                )


def test_report_from_logs(tmp_path: Path) -> None:
    write_labels(tmp_path, "ann", {"a": "support", "b": "oppose", "c": "neutral", "x": "oppose"})
    write_labels(
        tmp_path,
        "bo",
        {"a": "support", "b": "neutral", "c": "neutral", "x": "oppose", "z": "support"},
    )
    report = agreement(tmp_path, samples=100)
    assert report["items"] == 4 and report["coders"] == ["ann", "bo"]
    assert report["annotators"] == {"ann": 4, "bo": 5}
    assert report["percent_agreement"] == 0.75
    assert [d["id"] for d in report["disagreements"]] == ["b"]
    assert report["disagreements"][0]["labels"] == {"ann": "oppose", "bo": "neutral"}
    assert set(report["per_actor"]) == {"PRK", "USA"} and report["per_actor"]["USA"]["items"] == 1
    assert report["per_label"]["support"]["percent_agreement"] == 1.0
    assert "only 4 doubly-coded items" in report["warnings"][0]
    text = render(report)
    assert "Krippendorff alpha" in text and "Cohen's kappa ann x bo" in text and "0.800" in text


def test_no_annotations_is_not_an_error(tmp_path: Path) -> None:
    report = agreement(tmp_path, samples=10)
    assert report["items"] == 0 and report["krippendorff_alpha"] is None


def test_a_claim_by_its_registry_text_is_that_claim(tmp_path: Path) -> None:
    from tests.conftest import ROOT

    write_labels(tmp_path, "ann", {"a": "support", "b": "oppose"})
    write_labels(tmp_path, "bo", {"a": "support", "b": "neutral"})
    claims = ROOT / "data/claims.yaml"
    by_id = agreement(tmp_path, claim="sony-hack-2014", samples=10, claims_path=claims)
    text = "north korea was responsible for the November 2014 cyber-attack on Sony Pictures"
    by_text = agreement(tmp_path, claim=text + " Entertainment", samples=10, claims_path=claims)
    assert by_text["items"] == by_id["items"] == 2
    other = agreement(tmp_path, claim="wannacry-2017", samples=10, claims_path=claims)
    assert other["items"] == 0

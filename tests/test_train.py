"""The pluggable final estimator, the plain-data export for text prediction, and grouped
cross-validation that reports every fold."""

from __future__ import annotations

import pandas as pd
import pytest

from stance.core.params import ESTIMATORS, defaults
from stance.core.schema import LABELS
from stance.model.export import check, export
from stance.model.pipeline import Registries, describe_estimator, make_estimator
from stance.model.predict import predict_text
from stance.model.predictor import Predictor
from stance.model.train import cross_validate, export_checked, fit, model_inputs
from tests.test_estimator_contract import ALIASES, table

REGS = Registries(
    aliases={**ALIASES, "RUS": ["Moscow", "Russia"], "GBR": ["Britain"]},
    ignore=[],
    claims={
        "sony-hack-2014": {
            "text": "North Korea hacked Sony",
            "accusers": ["USA"],
            "accused": ["PRK"],
        }
    },
)
EXPECTED_CLASS = {
    "logreg": "LogisticRegression",
    "linear_svm": "CalibratedClassifierCV(LinearSVC)",
    "sgd": "SGDClassifier",
}


def params(estimator: str = "logreg", **own: object) -> dict:
    p = defaults("train")
    p["model"] = "actor_aware"  # the estimators under test; choose_model has its own tests
    p["estimator"] = estimator
    p[estimator] = {**p[estimator], **own}
    return p


def test_default_estimator_is_the_old_logistic_regression() -> None:
    clf = make_estimator(defaults("train"))
    assert type(clf).__name__ == "LogisticRegression"
    assert (clf.C, clf.class_weight, clf.max_iter, clf.random_state) == (1.0, "balanced", 3000, 13)


@pytest.mark.parametrize(
    "estimator, own",
    [
        ("logreg", {}),
        ("logreg", {"class_weight": "none"}),
        ("linear_svm", {}),
        ("sgd", {}),
        ("sgd", {"loss": "modified_huber", "penalty": "elasticnet"}),
    ],
)
def test_every_estimator_gives_probabilities(estimator: str, own: dict) -> None:
    p = params(estimator, **own)
    frame = table()
    pipe = fit(frame, p, REGS)
    assert describe_estimator(p, pipe[-1])["class"] == EXPECTED_CLASS[estimator]
    probs = pipe.predict_proba(model_inputs(frame))
    assert probs.shape == (len(frame), 3) and ((probs >= 0) & (probs <= 1)).all()
    assert abs(probs.sum(axis=1) - 1).max() < 1e-9
    assert sorted(pipe[-1].classes_) == sorted(LABELS)
    # The plain-data export gives the same probabilities, so `stance predict TEXT` agrees.
    members, note = export_checked(pipe, model_inputs(frame))
    assert note["max_probability_difference"] < 1e-9
    text = "Pyongyang denied it, but Washington blamed North Korea. Moscow said nothing."
    rows = predict_text(Predictor(members), text, "sony-hack-2014")
    assert [r["actor"] for r in rows] == ["PRK", "USA", "RUS"]
    # The same rows through scikit-learn: the probabilities the fitted pipeline gives.
    frame_rows = pd.DataFrame(rows)[["sentence", "actor", "claim", "mentions"]]
    classes = [str(c) for c in pipe[-1].classes_]
    theirs = pipe.predict_proba(frame_rows).round(4).tolist()
    assert [[r["scores"][c] for c in classes] for r in rows] == theirs


def test_export_is_checked_on_unseen_rows() -> None:
    pipe = fit(table(), params(), REGS)
    members = export(pipe)
    unseen = pd.DataFrame(
        {
            "sentence": ["Russia blamed Britain.", "Nobody here.", "The FBI denied it?"],
            "actor": ["GBR", "CHN", "USA"],
            "claim": ["sony-hack-2014", None, "other claim"],
            "mentions": [[{"start": 14, "end": 21}], [], None],
        }
    )
    assert check(pipe, members, unseen) < 1e-9


def test_cross_validation_reports_every_fold() -> None:
    frame = table()
    cv = cross_validate(frame, params(), REGS)
    assert cv["folds"] == cv["requested_folds"] == 5 == len(cv["macro_f1"]) == len(cv["per_fold"])
    assert all(s is not None for s in cv["macro_f1"]) and cv["notes"] == []
    assert sum(f["test_rows"] for f in cv["per_fold"]) == len(frame)
    assert cv["splitter"] == "StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=13)"
    assert cv == cross_validate(frame, params(), REGS)  # the params seed fixes the folds


def test_cross_validation_says_when_it_uses_fewer_folds() -> None:
    frame = table()
    frame["doc_id"] = [f"doc{i % 3}" for i in range(len(frame))]  # three documents
    cv = cross_validate(frame, params(), REGS)
    assert cv["folds"] == 3 and len(cv["per_fold"]) == 3 and cv["grouped_by"] == "document"
    assert "5 folds asked for but only 3 groups: 3 folds" in cv["notes"]
    one = cross_validate(frame.assign(doc_id="same"), params(), REGS)
    assert one["folds"] == 0 and one["mean"] is None
    assert one["notes"] == [
        "1 group(s), 6 row(s) in the largest label: cross-validation needs at least two of each"
    ]


def test_a_fold_missing_a_label_is_scored_and_noted() -> None:
    frame = table()
    # Every 'support' row in one document: the fold testing it trains without 'support'.
    frame["doc_id"] = [
        "support-doc" if s == "support" else f"doc{i}" for i, s in enumerate(frame["stance"])
    ]
    cv = cross_validate(frame, params(), REGS)
    assert len(cv["per_fold"]) == cv["folds"] == 5
    lacking = [n for n in cv["notes"] if "the training part has no 'support' rows" in n]
    assert len(lacking) == 1
    fold = int(lacking[0].split()[1].rstrip(":"))
    assert cv["per_fold"][fold - 1]["macro_f1"] is not None


def test_estimator_names_match_the_params_spec() -> None:
    for name in ESTIMATORS:
        assert make_estimator(params(name)) is not None


def test_calibrated_svm_needs_rows_for_every_calibration_fold() -> None:
    from stance.model.persist import ModelError

    frame = table()
    few = frame[
        ~(
            (frame["stance"] == "support")
            & frame.index.isin(frame.index[frame["stance"] == "support"][2:])
        )
    ]
    assert (few["stance"] == "support").sum() == 2
    with pytest.raises(
        ModelError, match="train.linear_svm.calibration_folds = 3 needs 3 of each label"
    ):
        fit(few, params("linear_svm"), REGS)
    fit(few, params("linear_svm", calibration_folds=2), REGS)  # the fix the message names
    cv = cross_validate(frame, params("linear_svm", calibration_folds=5), REGS)
    # 6 rows of each label, 4-5 in a training part: no fold can calibrate on 5 folds.
    assert cv["folds"] == 5 and cv["mean"] is None and set(cv["macro_f1"]) == {None}
    assert len([n for n in cv["notes"] if "which calibration needs: not scored" in n]) == 5


def test_cross_validation_groups_a_table_as_it_will_be_used() -> None:
    """A table of a few targets (SemEval's five) is cross-validated by sentence unless
    whole claims are asked for (train.cv_group: claim): leave-one-target-out selects for
    transfer to new targets, not for the table's own use."""
    from stance.model.data import grouped_by, groups_of

    frame = table()
    frame["claim"] = [f"target{i % 5}" for i in range(len(frame))]
    assert groups_of(frame) == list(frame["sentence"])
    assert grouped_by(frame) == "sentence"
    assert groups_of(frame, "claim") == list(frame["claim"])
    assert grouped_by(frame, "claim") == "claim"
    by_claim = cross_validate(frame, {**params(), "cv_group": "claim"}, REGS)
    assert by_claim["grouped_by"] == "claim" and by_claim["folds"] == 5
    # Every fold tests on one target the model never saw.
    assert all(
        sum(f["test_labels"].values()) == (frame["claim"] == frame["claim"][0]).sum()
        for f in by_claim["per_fold"][:1]
    )
    assert cross_validate(frame, params(), REGS)["grouped_by"] == "sentence"

"""Claims given as text in the model: claim roles from the registry, the text or nowhere, role
dropout, the model choice by grouped cross-validation, and leave-one-claim-out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stance.core.params import defaults
from stance.core.schema import SIMPLEST_FIRST
from stance.model.features import ActorView
from stance.model.generalise import as_text, leave_one_claim_out
from stance.model.pipeline import Registries
from stance.model.predict import predict_text
from stance.model.predictor import Predictor
from stance.model.train import choose_model, export_checked, fit, model_inputs
from stance.model.views import NUMERIC

ALIASES = {
    "PRK": ["North Korea", "Pyongyang"],
    "USA": ["Washington", "the FBI"],
    "RUS": ["Russia", "Moscow"],
    "GBR": ["Britain", "London"],
    "SONY": ["Sony Pictures", "Sony"],
}
SONY = "North Korea was responsible for the cyber-attack on Sony Pictures"
CLAIMS = {
    "sony": {"text": SONY, "accusers": ["USA"], "accused": ["PRK"]},
    "notpetya": {
        "text": "Russia was responsible for NotPetya",
        "accusers": ["GBR"],
        "accused": ["RUS"],
    },
}
REGS = Registries(aliases=ALIASES, ignore=[], claims=CLAIMS)
ROWS = [
    ("Pyongyang denied any role in the attack.", "PRK", "sony", "oppose"),
    ("North Korea rejected the accusation as groundless.", "PRK", "sony", "oppose"),
    ("The FBI blamed North Korea for the hack.", "USA", "sony", "support"),
    ("The FBI blamed North Korea for the hack.", "PRK", "sony", "neutral"),
    ("Washington accused Pyongyang of the attack.", "USA", "sony", "support"),
    ("Sony Pictures released the film on Wednesday.", "SONY", "sony", "neutral"),
    ("Moscow denied any role in NotPetya.", "RUS", "notpetya", "oppose"),
    ("Britain blamed Russia for the attack.", "GBR", "notpetya", "support"),
    ("Britain blamed Russia for the attack.", "RUS", "notpetya", "neutral"),
    ("Russia called the British accusation groundless.", "RUS", "notpetya", "oppose"),
    ("London said Moscow was behind the attack.", "GBR", "notpetya", "support"),
    ("Russia and Britain held trade talks.", "GBR", "notpetya", "neutral"),
]


def table() -> pd.DataFrame:
    return pd.DataFrame(ROWS * 2, columns=["sentence", "actor", "claim", "stance"])


def view(roles: str, dropout: float = 0.0) -> ActorView:
    return ActorView(aliases=ALIASES, claims=CLAIMS, roles=roles, role_dropout=dropout)


def roles_of(frame: pd.DataFrame) -> list[str]:
    cols = [c for c in NUMERIC if c.startswith("role_")]
    return [cols[i][5:] for i in frame[cols].to_numpy().argmax(axis=1)]


@pytest.mark.parametrize(
    "roles, claim, expected",
    [
        ("registry", "sony", ["accuser", "accused", "other"]),
        # Read from the registry claim's text: no accusers named, so USA may be one: unknown.
        ("text", "sony", ["unknown", "accused", "unknown"]),
        ("none", "sony", ["unknown", "unknown", "unknown"]),
        # A claim the registry does not hold is its own text, whatever `roles` says.
        (
            "registry",
            "The FBI says North Korea hacked Sony Pictures",
            ["accuser", "accused", "other"],
        ),
        ("registry", "Apple will release a phone", ["unknown", "unknown", "unknown"]),
    ],
)
def test_role_sources(roles: str, claim: str, expected: list[str]) -> None:
    rows = pd.DataFrame(
        {
            "sentence": ["The FBI said North Korea hacked Sony Pictures."] * 3,
            "actor": ["USA", "PRK", "SONY"],
            "claim": [claim] * 3,
        }
    )
    assert roles_of(view(roles).fit(rows).transform(rows)) == expected


def test_role_dropout_only_while_fitting() -> None:
    rows = table()
    est = view("registry", dropout=0.5)
    fitted = roles_of(est.fit_transform(rows))
    served = roles_of(est.transform(rows))
    assert "unknown" not in served
    # Dropped rows have the roles of the claim's text: the accused stays, the rest is unknown.
    text = roles_of(view("text").fit(rows).transform(rows))
    dropped = [i for i, (f, s) in enumerate(zip(fitted, served, strict=True)) if f != s]
    assert 0 < len(dropped) < len(rows)
    assert all(fitted[i] == text[i] == "unknown" for i in dropped)
    assert all(fitted[i] in (served[i], text[i]) for i in range(len(rows)))
    assert roles_of(view("registry", dropout=0.5).fit_transform(rows)) == fitted  # seeded
    assert roles_of(view("text", dropout=0.5).fit_transform(rows)) == text  # nothing to drop


def test_choose_model_records_every_kind() -> None:
    params, cv, choice = choose_model(table(), {**defaults("train"), "model": "auto"}, REGS)
    assert choice["asked"] == "auto" and set(choice["cv_macro_f1"]) == {
        "actor_aware",
        "plain",
        "union",
    }
    means, stds = choice["cv_macro_f1"], choice["cv_std"]
    best = max(means, key=lambda k: means[k] or -1)
    assert choice["best_mean"] == best
    simplest = next(k for k in SIMPLEST_FIRST if means[k] >= means[best] - stds[best])
    assert params["model"] == choice["chosen"] == simplest
    assert cv["mean"] == means[simplest]
    fixed = choose_model(table(), {**defaults("train"), "model": "plain"}, REGS)[2]
    assert fixed == {"asked": "plain", "chosen": "plain"}


@pytest.mark.parametrize(
    ("means", "chosen"),
    [
        # union is best, but actor_aware is within union's standard deviation (0.02)
        ({"plain": 0.50, "actor_aware": 0.84, "union": 0.85}, "actor_aware"),
        # a gap wider than the folds vary: the best kind is worth its features
        ({"plain": 0.50, "actor_aware": 0.80, "union": 0.85}, "union"),
        # the simplest kind within reach wins, even over two richer ones
        ({"plain": 0.845, "actor_aware": 0.85, "union": 0.86}, "plain"),
        # a kind that could not be cross-validated is never chosen
        ({"plain": None, "actor_aware": 0.70, "union": 0.85}, "union"),
    ],
)
def test_auto_prefers_the_simpler_kind_within_one_standard_deviation(
    monkeypatch: pytest.MonkeyPatch, means: dict, chosen: str
) -> None:
    from stance.model import train

    def fake_cv(frame: object, params: dict, regs: object, kinds: tuple[str, ...]) -> dict:
        def run(mean: float | None) -> dict:
            return {"mean": mean, "std": None if mean is None else 0.02}

        return {kind: run(means[kind]) for kind in kinds}

    monkeypatch.setattr(train, "cross_validate_kinds", fake_cv)
    params, cv, choice = choose_model(table(), {**defaults("train"), "model": "auto"}, REGS)
    assert params["model"] == choice["chosen"] == chosen
    assert cv["mean"] == means[chosen] and choice["best_mean"] == "union"
    assert "within one standard deviation" in choice["by"]


@pytest.mark.parametrize("kind", ["plain", "union"])
def test_char_ngram_models_have_the_export(kind: str) -> None:
    pipe = fit(table(), {**defaults("train"), "model": kind}, REGS)
    _, note = export_checked(pipe, model_inputs(table()))
    assert note["max_probability_difference"] < 1e-9


def test_predict_text_with_a_claim_given_as_text() -> None:
    pipe = Predictor.of(fit(table(), {**defaults("train"), "model": "actor_aware"}, REGS))
    # A text naming another accused than any claim the model knows: a claim of its own, its
    # roles read from the text. The row says which claim: an id made from the text, the text.
    other = "Britain says Russia was behind the attack on the ports"
    rows = predict_text(pipe, "Pyongyang denied it.", other)
    assert [r["actor"] for r in rows] == ["PRK"]
    assert rows[0]["claim"] == "britain-says-russia-behind-attack"
    assert (rows[0]["claim_text"], rows[0]["accusers"], rows[0]["accused"]) == (
        other,
        ["GBR"],
        ["RUS"],
    )
    # A claim the model knows, given by its text, is that claim.
    known = predict_text(pipe, "Pyongyang denied it.", CLAIMS["notpetya"]["text"])
    assert (known[0]["claim"], known[0]["claim_text"]) == ("notpetya", CLAIMS["notpetya"]["text"])
    # So is a text naming its accused and event (Sony Pictures, hacked by North Korea), and
    # the note says how it was resolved; the row carries the registry claim's roles.
    notes: list[str] = []
    named = predict_text(
        pipe, "Pyongyang denied it.", "The FBI says North Korea hacked Sony Pictures", notes
    )
    assert (named[0]["claim"], named[0]["claim_text"]) == ("sony", SONY)
    assert (named[0]["accusers"], named[0]["accused"]) == (["USA"], ["PRK"])
    assert len(notes) == 1 and "resolved to registry claim sony" in notes[0]


def test_leave_one_claim_out_gives_each_claim_as_text() -> None:
    frame = table().assign(source="constructed", split="train")
    assert list(as_text(frame, REGS)["claim"].unique()) == [SONY, CLAIMS["notpetya"]["text"]]
    frame.loc[frame["claim"] == "notpetya", "split"] = "test"  # never used here
    frame = pd.concat([frame, table().assign(claim="other", source="constructed", split="train")])
    loco = leave_one_claim_out(frame, {**defaults("train"), "model": "actor_aware"}, REGS)
    assert set(loco["per_claim"]) == {"sony", "other"}
    assert loco["mean_macro_f1"] == pytest.approx(
        np.mean([v["macro_f1"] for v in loco["per_claim"].values()]), abs=1e-4
    )


def test_per_claim_macro_f1_leaves_out_labels_neither_side_has() -> None:
    from stance.model.generalise import _macro_f1

    # A claim whose rows have no `oppose`: predicting them all right is 1.0, not 0.67.
    gold = ["support", "support", "neutral", "neutral"]
    assert _macro_f1(gold, gold) == 1.0
    # A wrong `oppose` counts: the label is then in the predictions, with F1 0.
    assert _macro_f1(gold, ["support", "oppose", "neutral", "neutral"]) == pytest.approx(
        (2 / 3 + 1 + 0) / 3, abs=1e-4
    )

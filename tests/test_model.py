"""Training, persistence and prediction, on small real tables, including every failure path."""

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from stance.core.tables import read_table
from stance.model.data import prepare_table
from stance.model.persist import (
    ModelError,
    ModelVersionWarning,
    card_path,
    load,
    load_predictor,
)
from stance.model.views import NUMERIC, actor_views

ROWS = [
    ("North Korea denied any role in the attack.", "PRK", "oppose"),
    ("Pyongyang rejected the accusation as groundless.", "PRK", "oppose"),
    ("Moscow said Washington had offered no proof.", "RUS", "oppose"),
    ("The Kremlin called the sanctions counterproductive.", "RUS", "oppose"),
    ("The FBI blamed North Korea for the hack.", "USA", "support"),
    ("Washington accused Pyongyang of the attack.", "USA", "support"),
    ("Britain agreed with the US assessment.", "GBR", "support"),
    ("The White House imposed sanctions over the hack.", "USA", "support"),
    ("Sony released the film on Wednesday.", "SONY", "neutral"),
    ("Kim Jong Un inspected a factory.", "PRK", "neutral"),
    ("Seoul hosted trade talks.", "KOR", "neutral"),
    ("Russia and China held naval drills.", "RUS", "neutral"),
]


def table(
    tmp: Path, rows=ROWS, name: str = "train.csv", claim: str | None = "sony-hack-2014"
) -> Path:
    frame = pd.DataFrame(rows, columns=["sentence", "actor", "stance"])
    if claim:
        frame["claim"] = claim
    path = tmp / name
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_json(path, orient="records", lines=True)
    return path


def test_train_writes_model_and_card(trained: Path) -> None:
    card = json.loads(card_path(trained).read_text())
    assert card["data"]["rows"] == 24 and card["data"]["labels"] == {
        "neutral": 8,
        "oppose": 8,
        "support": 8,
    }
    assert len(card["data"]["sha256"]) == 64 and card["sha256"]
    assert set(card["versions"]) >= {"scikit-learn", "skops", "numpy", "python"}
    assert card["params"]["logreg"]["C"] == 1.0 and card["cv"]["folds"] >= 2
    assert card["estimator"] == {
        "name": "logreg",
        "class": "LogisticRegression",
        "params": {"C": 1.0, "class_weight": "balanced", "max_iter": 3000},
    }
    assert card["export"]["max_probability_difference"] < 1e-9
    assert card["trusted_types"] == [
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "stance.model.features.ActorView",
        "stance.model.features.SharedText",
    ]
    with zipfile.ZipFile(trained) as z:  # compressed skops archive
        assert any(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_train_reads_jsonl_and_parquet(project: Path, cli, suffix: str) -> None:
    path = table(project, ROWS * 2, name=f"t{suffix}", claim=None)
    assert cli("train", "--data", str(path), "--model-out", "models/x.skops").exit_code == 0


def test_predictions_are_actor_aware(trained: Path) -> None:
    predictor, _ = load_predictor(trained)
    frame = prepare_table(
        pd.DataFrame(
            {
                "sentence": ["Pyongyang denied it, but Washington blamed North Korea."] * 2
                + ["No actor here."],
                "actor": ["PRK", "USA", "CHN"],
                "claim": ["sony-hack-2014"] * 3,
            }
        ),
        Path("x"),
        need_labels=False,
    )
    pred = predictor.predict(frame)
    scores, found = pred.scores, pred.found
    generic, windows, numeric = actor_views(
        list(frame["sentence"]),
        list(frame["actor"]),
        list(frame["claim"]),
        [None] * 3,
        predictor.registry,
        predictor.claims,
        predictor.view["window"],
    )
    assert (numeric == pred.numeric).all()  # the features the prediction was made from
    assert windows[0] != windows[1]  # one sentence, two views
    assert windows[0].startswith("ACTORX denied")  # "Pyongyang denied" for PRK
    assert generic[0] == generic[1]  # the actor-free view is shared
    hold = {name: NUMERIC.index(f"hold_{name}") for name in ("oppose", "support")}
    assert numeric[0, hold["oppose"]] == 1 and numeric[1, hold["support"]] == 1  # who holds
    assert found == [True, True, False]  # CHN is not in its sentence: predicted, flagged
    assert set(scores[2]) == {"support", "oppose", "neutral"}
    assert abs(sum(scores[0].values()) - 1) < 1e-3


def test_predict_table_and_text(trained: Path, project: Path, cli) -> None:
    src = project / "in.jsonl"
    src.write_text("\n".join(json.dumps({"sentence": s, "actor": a}) for s, a, _ in ROWS) + "\n")
    result = cli(
        "predict",
        "--input",
        str(src),
        "--output",
        "out.parquet",
        "--model",
        str(trained),
        "--batch-size",
        "5",
    )
    assert result.exit_code == 0, result.output
    out = pd.read_parquet(project / "out.parquet")
    assert len(out) == len(ROWS) and set(out["stance"]) <= {"support", "oppose", "neutral"}
    assert list(out.columns[:2]) == ["sentence", "actor"] and "scores" in out.columns
    result = cli(
        "predict", "Pyongyang denied it. The FBI blamed North Korea.", "--model", str(trained)
    )
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [(r["sentence"][:9], r["actor"]) for r in rows] == [
        ("Pyongyang", "PRK"),
        ("The FBI b", "USA"),
        ("The FBI b", "PRK"),
    ]


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_raw_text_output_follows_the_suffix(trained: Path, project: Path, cli, suffix: str) -> None:
    text = "=Pyongyang denied it. The FBI blamed North Korea."
    out = project / f"out{suffix}"
    result = cli("predict", text, "--model", str(trained), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert f"3 rows -> {out}" in result.stderr
    frame = read_table(out)
    assert list(frame["actor"]) == ["PRK", "USA", "PRK"]
    assert set(frame["stance"]) <= {"support", "oppose", "neutral"}
    if suffix == ".csv":  # the formula guard applies to raw text too
        assert all(not s.startswith("=") for s in frame["sentence"])
    result = cli("predict", text, "--model", str(trained), "--output", str(project / "o.txt"))
    assert result.exit_code != 0 and "unsupported table type '.txt'" in result.output
    assert not (project / "o.txt").exists()


def test_a_saved_web_page_is_predicted_on_its_article_text(trained: Path, cli) -> None:
    from tests.test_web import EXPECTED, WEB

    result = cli("predict", "--text-file", str(WEB / "meridian_sony.html"), "--model", str(trained))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    # Only the article's sentences: no menu, cookie banner, share bar or markup.
    assert {r["sentence"] for r in rows} <= set(EXPECTED["meridian_sony"])
    assert "Pyongyang has denied any involvement" in " ".join(r["sentence"] for r in rows)


def test_rows_without_a_claim_get_the_default_and_say_which(
    trained: Path, project: Path, cli
) -> None:
    # A claim as text that names no registry claim's event: kept, with an id made from it.
    notpetya = "Britain blamed Russia for the cyber-attack on the ports"
    rows = [{"sentence": s, "actor": a} for s, a, _ in ROWS[:4]]
    rows[1]["claim"] = notpetya
    rows[2]["claim"] = "sony-hack-2014"
    src = project / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ("predict", "--input", str(src), "--output", "out.jsonl", "--model", str(trained))
    result = cli(*args, "--batch-size", "2")
    assert result.exit_code == 0, result.output
    out = pd.read_json(project / "out.jsonl", lines=True)
    sony = "North Korea was responsible for the November 2014 cyber-attack on Sony Pictures"
    assert list(out["claim"]) == [
        "sony-hack-2014",
        "britain-blamed-russia-cyber-attack",
        "sony-hack-2014",
        "sony-hack-2014",
    ]
    assert out["claim_text"][1] == notpetya and out["claim_text"][0].startswith(sony)
    # Said once for the whole table, not per batch.
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: 2 rows of {src} name no claim: used sony-hack-2014 "
        f"({out['claim_text'][0]!r}) (the model's train.default_claim)"
    ]
    # --claim replaces the default, as an id or as text; raw text says when it used the default.
    result = cli(*args, "--claim", notpetya)
    out = pd.read_json(project / "out.jsonl", lines=True)
    assert list(out["claim"])[:2] == ["britain-blamed-russia-cyber-attack"] * 2
    assert f"used {notpetya!r} (--claim)" in result.stderr
    result = cli("predict", "Pyongyang denied it.", "--model", str(trained))
    assert json.loads(result.stdout)["claim"] == "sony-hack-2014"
    assert "1 row of the text names no claim: used sony-hack-2014" in result.stderr
    result = cli("predict", "Pyongyang denied it.", "--model", str(trained), "--claim", notpetya)
    assert json.loads(result.stdout)["claim_text"] == notpetya and "note:" not in result.stderr


def test_train_gives_rows_without_a_claim_the_default(project: Path, cli) -> None:
    path = table(project, ROWS * 2, name="t.csv", claim=None)
    result = cli("train", "--data", str(path), "--model-out", "models/x.skops")
    assert result.exit_code == 0, result.output
    assert f"note: 24 rows of {path} name no claim: used sony-hack-2014" in result.stderr
    card = json.loads(card_path(project / "models/x.skops").read_text())
    assert card["default_claim"]["claim"] == "sony-hack-2014"
    assert card["default_claim"]["rows"] == 24


def test_a_tables_own_claim_values_work_in_predict(project: Path, cli) -> None:
    """SemEval's targets ("Atheism") are neither registry ids nor accusations as text: the
    model that trained on them keeps them, so predict takes the same table's values."""
    frame = pd.DataFrame(ROWS * 2, columns=["sentence", "actor", "stance"])
    frame["claim"] = ["Atheism", "Climate"] * len(ROWS)
    frame.to_csv(project / "t.csv", index=False)
    result = cli("train", "--data", "t.csv", "--model-out", "models/x.skops")
    assert result.exit_code == 0, result.output
    card = json.loads(card_path(project / "models/x.skops").read_text())
    assert card["table_claims"] == ["Atheism", "Climate"]
    frame.drop(columns="stance").to_json(project / "in.jsonl", orient="records", lines=True)
    args = ("predict", "--input", "in.jsonl", "--output", "out.jsonl", "--model", "models/x.skops")
    result = cli(*args)
    assert result.exit_code == 0, result.output
    out = pd.read_json(project / "out.jsonl", lines=True)
    assert list(out["claim"][:2]) == ["Atheism", "Climate"] == list(out["claim_text"][:2])
    # A value the model never saw is still a mistyped id.
    pd.DataFrame([{"sentence": "Moscow denied it.", "actor": "RUS", "claim": "Atheizm"}]).to_json(
        project / "in.jsonl", orient="records", lines=True
    )
    bad = cli(*args)
    assert bad.exit_code == 1 and "'Atheizm': not a known claim id (nearest: Atheism" in bad.stderr


@pytest.mark.parametrize(
    "rows, message",
    [
        (ROWS[:1] + [("", "PRK", "oppose")], "row 2: empty 'sentence'"),
        (ROWS[:2] + [("Text.", "PRK", "agree")], "row 3: unknown label 'agree'"),
        ([r for r in ROWS if r[2] != "support"], "the training set has no 'support' rows"),
    ],
)
def test_bad_training_data(project: Path, cli, rows, message: str) -> None:
    path = table(project, rows)
    result = cli("train", "--data", str(path), "--model-out", "models/bad.skops")
    assert result.exit_code == 1
    line = result.output.strip()
    assert line.startswith("Error: ") and message in line and "\n" not in line
    assert not (project / "models/bad.skops").exists()


def test_bad_tables(project: Path, cli) -> None:
    (project / "t.csv").write_text("text,who\nx,PRK\n")
    assert "missing column 'sentence'" in cli("train", "--data", "t.csv").output
    (project / "e.csv").write_text("sentence,actor,stance\n")
    assert "the training set is empty" in cli("train", "--data", "e.csv").output
    (project / "t.txt").write_text("x")
    assert "unsupported table type '.txt'" in cli("train", "--data", "t.txt").output
    assert cli("train", "--data", "nope.csv").output.strip() == "Error: nope.csv: no such file"
    path = table(
        project,
        [
            (s, a, {"support": "for", "oppose": "against", "neutral": "observing"}[label])
            for s, a, label in ROWS * 2
        ],
        name="emergent.csv",
    )
    assert "unknown label 'against'" in cli("train", "--data", str(path)).output
    result = cli(
        "train",
        "--data",
        str(path),
        "--label-map",
        "for=support,against=oppose,observing=neutral",
        "--model-out",
        "models/mapped.skops",
    )
    assert result.exit_code == 0, result.output


def test_tampered_model_is_refused(trained: Path, cli) -> None:
    data = bytearray(trained.read_bytes())
    data[len(data) // 2] ^= 0xFF
    trained.write_bytes(bytes(data))
    result = cli("predict", "x", "--model", str(trained))
    assert result.exit_code == 1
    assert "does not match the SHA-256 in its card (tampered or replaced)" in result.output


def test_other_sklearn_version_is_refused(trained: Path, cli) -> None:
    card = json.loads(card_path(trained).read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    card_path(trained).write_text(json.dumps(card))
    result = cli("predict", "x", "--model", str(trained))
    assert "written by scikit-learn 0.24.2" in result.output and result.exit_code == 1


def test_other_patch_version_only_warns(trained: Path, cli) -> None:
    from importlib.metadata import version

    major, minor, *_ = version("scikit-learn").split(".")
    card = json.loads(card_path(trained).read_text())
    card["versions"]["scikit-learn"] = f"{major}.{minor}.999"
    card_path(trained).write_text(json.dumps(card))
    expect = f"Warning: {trained}: written by scikit-learn {major}.{minor}.999, this is "
    for args in (["Pyongyang denied it."], ["--input", "in.jsonl", "--output", "out.jsonl"]):
        (trained.parent.parent / "in.jsonl").write_text('{"sentence": "x", "actor": "PRK"}\n')
        result = cli("predict", *args, "--model", str(trained))
        assert result.exit_code == 0, result.output
        warned = [line for line in result.output.splitlines() if line.startswith("Warning:")]
        assert len(warned) == 1 and warned[0].startswith(expect), result.output
    with pytest.warns(ModelVersionWarning, match="same minor version"):
        pipe, _ = load(trained)
    assert pipe[-1].classes_.tolist() == ["neutral", "oppose", "support"]


def test_other_minor_version_is_refused_by_every_loader(trained: Path) -> None:
    from importlib.metadata import version

    major, minor, *_ = version("scikit-learn").split(".")
    card = json.loads(card_path(trained).read_text())
    card["versions"]["scikit-learn"] = f"{major}.{int(minor) + 1}.0"
    card_path(trained).write_text(json.dumps(card))
    for loader in (load, load_predictor):
        with pytest.raises(ModelError, match=f"written by scikit-learn {major}.{int(minor) + 1}.0"):
            loader(trained)


def test_model_is_read_once(trained: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What is hashed is what is loaded: one read of the bytes, none by path afterwards.
    reads = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    for loader in (load, load_predictor):
        reads.clear()
        loader(trained)
        assert reads == [trained]


def test_text_prediction_skips_sklearn(trained: Path, project: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from stance.cli import app\n"
        f"sys.argv = ['stance', 'predict', 'Pyongyang denied it.', '--model', {str(trained)!r}]\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "mods = ('sklearn', 'skops', 'pandas', 'scipy.stats')\n"
        "print(sorted(m for m in mods if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert json.loads(lines[0])["stance"] in {"support", "oppose", "neutral"}
    assert lines[-1] == "[]"


def test_untrusted_types_are_refused(project: Path, trained: Path, cli) -> None:
    import hashlib

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    evil = project / "models/evil.skops"
    sio.dump(FunctionTransformer(func=json.loads), evil)  # a function the project never ships
    card = json.loads(card_path(trained).read_text())
    card["sha256"] = hashlib.sha256(evil.read_bytes()).hexdigest()
    card_path(evil).write_text(json.dumps(card))
    # Prediction reads only the plain-data export, never code: this file has none.
    result = cli("predict", "x", "--model", str(evil))
    assert result.exit_code == 1 and "has no plain-data export" in result.output
    # And the scikit-learn pipeline is never unpickled from types the project does not ship.
    with pytest.raises(ModelError, match="refuses to load untrusted types json.loads"):
        load(evil)


def test_missing_model_and_card(project: Path, trained: Path, cli) -> None:
    assert (
        "no such model: run `stance train`"
        in cli("predict", "x", "--model", "models/none.skops").output
    )
    card_path(trained).unlink()
    assert "the model card is missing" in cli("predict", "x", "--model", str(trained)).output


def test_predict_bad_input(trained: Path, project: Path, cli) -> None:
    (project / "in.csv").write_text("sentence,actor\nfine.,PRK\n,USA\n")
    result = cli("predict", "--input", "in.csv", "--output", "o.csv", "--model", str(trained))
    assert result.output.strip().endswith("Error: in.csv: row 2: empty 'sentence'")
    assert not (project / "o.csv").exists()
    result = cli("predict", "--input", "in.csv", "--model", str(trained))
    assert result.exit_code == 2 and "--input needs --output FILE" in result.output
    result = cli("predict", "--input", "in.csv", "--output", "o.xlsx", "--model", str(trained))
    assert "unsupported table type '.xlsx'" in result.output

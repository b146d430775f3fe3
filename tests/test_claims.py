import copy
from pathlib import Path

import pytest
import yaml

from stance.core.errors import RegistryError
from stance.corpus.actors import load_registry
from stance.corpus.claims import load_claims
from tests.conftest import ROOT

SONY = {
    "id": "sony-hack-2014",
    "text": "North Korea was responsible for the November 2014 cyber-attack on Sony Pictures "
    "Entertainment",
    "accusers": ["USA"],
    "accused": ["PRK"],
    "date": "2014-12-19",
}


def test_seed_claim() -> None:
    claims = load_claims(ROOT / "data/claims.yaml", load_registry(ROOT / "data/actors.yaml"))
    claim = claims["sony-hack-2014"]
    assert claim.text == SONY["text"]
    assert (claim.accusers, claim.accused, claim.date) == (("USA",), ("PRK",), "2014-12-19")


@pytest.mark.parametrize(
    "claims, message",
    [
        ([{**SONY, "target": "x"}], "claim 'sony-hack-2014': unknown key 'target'"),
        ([{k: v for k, v in SONY.items() if k != "id"}], "claim #1: missing 'id'"),
        ([{**SONY, "accused": []}], "missing 'accused'"),
        ([{**SONY, "accused": ["XXX"]}], "accused names unknown actor 'XXX'"),
        ([{**SONY, "date": "19/12/2014"}], "date '19/12/2014' is not YYYY-MM-DD"),
        ([{**SONY, "id": "Sony Hack"}], "id must be lower-case-with-hyphens"),
        ([SONY, copy.deepcopy(SONY)], "claim id 'sony-hack-2014' is defined twice"),
    ],
)
def test_malformed_claims(tmp_path: Path, claims: list, message: str) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump({"claims": claims}), encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_claims(path, load_registry(ROOT / "data/actors.yaml"))
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


HEADER = "# Claim registry: one entry per public accusation"


def test_claims_add_from_text(project: Path, cli) -> None:
    before = (project / "data/claims.yaml").read_text(encoding="utf-8")
    result = cli(
        "claims", "add", "Britain blames Russia for the NotPetya attack", "--date", "2018-02-15"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("britain-blames-russia-notpetya-attack-2018\tGBR -> RUS\t")
    after = (project / "data/claims.yaml").read_text(encoding="utf-8")
    assert after.startswith(before) and after.startswith(HEADER)  # appended, comments kept
    claims = load_claims(project / "data/claims.yaml", load_registry(project / "data/actors.yaml"))
    added = claims["britain-blames-russia-notpetya-attack-2018"]
    assert (added.accusers, added.accused, added.date) == (("GBR",), ("RUS",), "2018-02-15")


def test_claims_add_given_roles_and_id(project: Path, cli) -> None:
    result = cli(
        "claims", "add", "Iran was responsible for the Sands casino attack",
        "--date", "2015-02-26", "--id", "sands-2014", "--accuser", "USA",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sands-2014\tUSA -> IRN\t2015-02-26")
    assert "sands-2014" in cli("claims", "list").output


def test_claims_show_text(project: Path, cli) -> None:
    out = cli("claims", "show", "North Korea was behind the Sony hack, the FBI said").output
    assert out.splitlines()[1:3] == ["accusers\tUSA", "accused\tPRK"]
    assert "accusers\tUSA" in cli("claims", "show", "sony-hack-2014").output


def test_claims_commands_are_documented() -> None:
    from tests.test_cli import written_docs

    for command in ("add", "list", "show"):
        assert f"stance claims {command}" in written_docs()


def test_ingest_resolves_a_claim_text_naming_a_registry_claim(project: Path, cli) -> None:
    """The same accused and event as sony-hack-2014, in other words: that claim, said once."""
    text = "North Korea was behind the hack of Sony Pictures"
    before = (project / "data/claims.yaml").read_text()
    result = cli("ingest", "seeds", "--claim", text, "--out-dir", "out")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: --claim {text!r}: resolved to registry claim sony-hack-2014 (same accused; "
        "target SONY); `stance claims match` shows the candidates"
    ]
    assert (project / "data/claims.yaml").read_text() == before  # nothing added
    cands = [yaml.safe_load(line) for line in (project / "out/candidates.jsonl").open()]
    assert {c["claim"] for c in cands} == {"sony-hack-2014"}


def test_ingest_takes_a_claim_as_text(project: Path, cli) -> None:
    # No registry claim names this event (the studio is not Sony Pictures to the registry).
    text = "North Korea was behind the hack of the film studio"
    before = (project / "data/claims.yaml").read_text()
    result = cli("ingest", "seeds", "--claim", text, "--out-dir", "out")
    assert result.exit_code == 0, result.output
    # Roles: the accused from the text, the accusers from the seeds ("the U.S. accused ...").
    assert (
        "note: added claim north-korea-behind-hack-film-2014 to data/claims.yaml: accusers USA "
        "(from the documents), accused PRK, date 2014-12-26"
    ) in result.stderr
    claims = load_claims(project / "data/claims.yaml", load_registry(project / "data/actors.yaml"))
    added = claims["north-korea-behind-hack-film-2014"]
    assert (added.text, added.accusers, added.accused) == (text, ("USA",), ("PRK",))
    assert (project / "data/claims.yaml").read_text().startswith(before)  # appended, kept
    cands = [yaml.safe_load(line) for line in (project / "out/candidates.jsonl").open()]
    assert {c["claim"] for c in cands} == {"north-korea-behind-hack-film-2014"}
    # The same text again (any spacing or case) is that claim: nothing is added twice.
    again = cli("ingest", "seeds", "--claim", text.upper() + "  ", "--out-dir", "out")
    assert again.exit_code == 0 and "added claim" not in again.stderr
    assert len(load_claims(project / "data/claims.yaml")) == len(claims)


def test_ingest_claim_text_with_given_roles(project: Path, cli) -> None:
    result = cli(
        "ingest", "seeds", "--out-dir", "out", "--accuser", "GBR",
        "--claim", "China was behind the hack of Sony Pictures",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "accusers GBR (from --accuser), accused CHN" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--claim", "China was behind the hack"], "no document has an actor accusing CHN"),
        (["--claim", "Atlantis was behind the hack"], "names no known actor: add the actor"),
        (["--claim", "sony-hack-2041"], "not a known claim id (nearest: sony-hack-2014"),
        (["--claim", "China was behind it", "--accuser", "UK"], "--accuser UK: not an actor id"),
    ],
)
def test_ingest_claim_text_errors_write_nothing(
    project: Path, cli, args: list[str], message: str
) -> None:
    before = (project / "data/claims.yaml").read_text()
    result = cli("ingest", "seeds", "--out-dir", "out", *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert not (project / "out").exists()
    assert (project / "data/claims.yaml").read_text() == before


def test_concurrent_adds_keep_every_entry(project: Path) -> None:
    import subprocess
    import sys

    stance = Path(sys.executable).parent / "stance"
    before = set(load_claims(project / "data/claims.yaml"))
    procs = [
        subprocess.Popen(
            [str(stance), "claims", "add", f"Russia was behind the race attack number {i}"]
            + ["--date", "2020-01-02", "--accuser", "USA", "--accused", "RUS"]
            + ["--id", f"race-claim-{i}"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(6)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    after = set(
        load_claims(project / "data/claims.yaml", load_registry(project / "data/actors.yaml"))
    )
    assert after - before == {f"race-claim-{i}" for i in range(6)}
    assert before <= after
    assert [p.name for p in (project / "data").iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("Russia was behind the Sony hack \udcff\udcfe", "bytes that are not UTF-8"),
        ("Russia was behind the \x1b[31mSony hack\x07", "control character (\\x1b at 22)"),
        ("Russia was behind the Sony hack " + "x" * 200_000, "200,032 characters"),
    ],
    ids=["not-utf8", "control", "too-long"],
)
def test_claims_add_refuses_bad_text_and_leaves_the_file(
    project: Path, cli, text: str, message: str
) -> None:
    path = project / "data/claims.yaml"
    before = path.read_bytes()
    result = cli("claims", "add", text, "--date", "2020-01-02", "--accuser", "USA")
    assert result.exit_code == 1
    assert message in result.output and result.output.startswith("Error: claim: ")
    assert path.read_bytes() == before


def test_an_alias_without_letters_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "data/actors.yaml").read_text(encoding="utf-8"))
    data["actors"][0]["aliases"].append(".*")
    path = tmp_path / "actors.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(RegistryError, match=r"alias '\.\*': has no letter or digit"):
        load_registry(path)

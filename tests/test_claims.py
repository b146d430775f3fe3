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
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("add", "list", "show"):
        assert f"stance claims {command}" in readme

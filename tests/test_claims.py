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

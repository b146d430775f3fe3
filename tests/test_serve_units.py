"""The parts of `stance serve` that need no server: tokens, item fragments, the dashboard's
rate, the model scored once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from stance.annotation.context import Context
from stance.annotation.web.auth import ANNOTATOR, LEAD, TOKENS_FILE, Principal, Tokens
from stance.annotation.web.dashboard import labels_per_hour
from stance.annotation.web.project import scored_once
from stance.annotation.web.views import Renderer, environment, guide_items
from stance.core.errors import AnnotationError

ANN, BOSS = Principal("ann", ANNOTATOR), Principal("lead", LEAD)


def test_tokens_are_kept_hashed_and_renewed_on_request(tmp_path: Path) -> None:
    tokens, new = Tokens.load_or_issue(tmp_path, [ANN, BOSS])
    assert set(new) == {ANN, BOSS} and tokens.who(new[ANN]) == ANN
    stored = (tmp_path / TOKENS_FILE).read_text()
    assert new[ANN] not in stored and hashlib.sha256(new[ANN].encode()).hexdigest() in stored
    again, fresh = Tokens.load_or_issue(tmp_path, [ANN, BOSS])
    assert fresh == {} and again.who(new[ANN]) == ANN  # a restart keeps every URL working
    assert again.csrf(ANN) == tokens.csrf(ANN) != tokens.csrf(BOSS)
    assert again.csrf_ok(ANN, tokens.csrf(ANN)) and not again.csrf_ok(ANN, tokens.csrf(BOSS))
    renewed, fresh = Tokens.load_or_issue(tmp_path, [ANN], renew=True)
    assert renewed.who(new[ANN]) is None and renewed.who(fresh[ANN]) == ANN
    assert renewed.who(None) is None and renewed.who("x" * 1000) is None
    (tmp_path / TOKENS_FILE).write_text("{oops")
    with pytest.raises(AnnotationError, match="unreadable token file; delete it or start with"):
        Tokens.load_or_issue(tmp_path, [ANN])


ITEM = {
    "id": "c1",
    "doc_id": "d",
    "sentence_id": "d:0001",
    "sentence": "Pyongyang said <script>x()</script> Washington lied.",
    "start": 100,
    "end": 151,
    "actor": "PRK",
    "mentions": [{"text": "Pyongyang", "start": 100, "end": 109}],
    "claim": "sony-hack-2014",
    "suggestion": {"support": 0.1, "oppose": 0.7, "neutral": 0.2},
}


def test_an_item_fragment_escapes_marks_and_suggests() -> None:
    ctx = Context(
        claim_text={"sony-hack-2014": "North Korea did it"},
        titles={"d": "A <b>title</b>"},
        previous={"d:0001": "Before & after."},
        others={"d:0001": [(100, 109), (136, 146)]},
        actor_names={"PRK": "North Korea"},
    )
    html = Renderer(environment(), ctx).fragment(ITEM, best="oppose")
    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "A &lt;b&gt;title&lt;/b&gt;" in html and "Before &amp; after." in html
    assert '<mark class="this"><span class="sr-only">this actor: </span>Pyongyang</mark>' in html
    assert '<span class="sr-only">other actor: </span>Washington</span>' in html
    assert "Model suggests: <strong>oppose</strong> (0.70)" in html
    blind = Renderer(environment(), ctx).fragment(ITEM)
    assert "Model suggests" not in blind


def test_labels_per_hour_leave_breaks_out() -> None:
    minute = [f"2026-01-01T10:{m:02d}:00Z" for m in range(0, 10)]  # 10 labels, 9 minutes
    assert labels_per_hour(minute) == round(10 / 540 * 3600, 1)
    with_break = minute + ["2026-01-01T12:00:00Z"]  # a 110-minute pause counts 5 minutes
    assert labels_per_hour(with_break) == round(11 / 840 * 3600, 1)
    quick = ["2026-01-01T10:00:00Z", "2026-01-01T10:00:30Z"]
    assert labels_per_hour(quick) is None  # under a minute of work: no rate yet


def test_the_model_scores_every_candidate_once() -> None:
    calls = []

    def scores(items: list[dict]) -> list[dict[str, float]]:
        calls.append(len(items))
        return [{"support": float(i)} for i, _ in enumerate(items)]

    cands = [{"id": f"c{i}"} for i in range(5)]
    once = scored_once(scores, cands)
    assert once([cands[3], cands[1]]) == [{"support": 3.0}, {"support": 1.0}]
    once(cands[:2])
    assert calls == [5]


def test_the_guide_summary_becomes_list_items() -> None:
    summary = "- `1 support`: the actor\n  accuses.\n- Unsure? Press `f`."
    assert guide_items(summary) == [
        [("1 support", True), (": the actor accuses.", False)],
        [("Unsure? Press ", False), ("f", True), (".", False)],
    ]


@pytest.mark.parametrize("missing", ["uvicorn", "starlette"])
def test_serve_without_the_web_extra_says_what_to_install(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    """What `pip install -e .` alone gives: one line naming the extra, nothing saved."""
    import sys

    from typer.testing import CliRunner

    from stance.cli import app

    assert cli("ingest", "seeds").exit_code == 0
    monkeypatch.setitem(sys.modules, missing, None)  # `import uvicorn` raises ImportError
    result = CliRunner().invoke(app, ["serve", "--team", "ann,bo", "--port", "0"])
    assert result.exit_code == 1
    assert result.stdout == ""  # no URL printed
    assert result.stderr == (
        f"Error: `stance serve` needs {missing}, which is not installed: pip install -e "
        f"'.[web]' in a checkout (pip install 'stance[web]' otherwise)\n"
    )
    assert not (project / "data/annotations" / TOKENS_FILE).exists()


def test_a_server_that_cannot_start_saves_no_tokens(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stance.annotation.web import app as web_app

    def broken(*args: object, **kwargs: object) -> None:
        raise AnnotationError("the app cannot be made")

    assert cli("ingest", "seeds").exit_code == 0
    monkeypatch.setattr(web_app, "create_app", broken)
    result = cli("serve", "--team", "ann,bo", "--port", "0")
    assert result.exit_code == 1 and "Error: the app cannot be made" in result.output
    assert "token" not in result.output
    assert not (project / "data/annotations" / TOKENS_FILE).exists()


def test_the_adjudication_table_names_a_plain_note_a_note() -> None:
    from stance.annotation.log import ItemState

    ctx = Context(
        claim_text={}, titles={}, previous={}, others={}, actor_names={"PRK": "North Korea"}
    )
    coders = {
        "ann": ItemState("x", decision="label", stance="oppose", note="quoted denial"),
        "bo": ItemState("x", decision="label", stance="neutral", flag=True, note="place?"),
    }
    html = Renderer(environment(), ctx).fragment(ITEM, coders)
    assert '<th scope="col">Flag or note</th>' in html and "Flag note" not in html
    assert "<td>quoted denial</td>" in html and "<td>flagged: place?</td>" in html


@pytest.mark.parametrize("gap, shown", [(10, "392.7"), (1, "under a minute of labelling so far")])
def test_the_dashboard_gives_web_annotators_a_rate_or_says_why_not(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch, gap: int, shown: str
) -> None:
    import datetime as dt
    import itertools

    from stance.annotation import events
    from stance.annotation.context import Paths
    from stance.annotation.web.dashboard import Agreement, dashboard
    from stance.annotation.web.project import Options, open_project

    assert cli("ingest", "seeds").exit_code == 0
    start, tick = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), itertools.count()
    monkeypatch.setattr(
        events,
        "now_utc",
        lambda: (start + dt.timedelta(seconds=gap * next(tick))).isoformat().replace("+00:00", "Z"),
    )
    with open_project(Paths(), Options(annotators=["web"])) as served:
        for _ in range(12):
            served.desks["web"].session.decide("support")
        data = dashboard(served, Agreement(samples=10))
        (row,) = [r for r in data["progress"] if r["name"] == "web"]
        html = environment().get_template("dashboard.html").render(**data, name="lead")
    assert row["web"] and row["done"] == 12
    assert shown in html


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_every_loopback_address_checks_the_host_header(host: str) -> None:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from stance.annotation.web.serve import loopback_hosts

    hosts = loopback_hosts(host)
    assert hosts is not None
    app = Starlette(
        routes=[Route("/healthz", lambda r: PlainTextResponse("ok"))],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
    )
    client = TestClient(app)
    for good in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000"):
        assert client.get("/healthz", headers={"Host": good}).status_code == 200
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert loopback_hosts("0.0.0.0") is None

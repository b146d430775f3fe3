"""`stance serve` over HTTP: tokens, 401, roles, CSRF, escaping, repeated event ids, body
limits and the refusal of a second writer, against a real server process."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from stance.annotation.queue import assign
from tests.conftest import read_jsonl
from tests.waiting import CEILING
from tests.webserver import STANCE, Server, make_project, token

pytestmark = pytest.mark.xdist_group("serve-http")  # one worker, one server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = make_project(tmp_path_factory.mktemp("serve-http"))
    s = Server(root, "--team", "ann,bo", "--overlap", "0.5")
    try:
        s.start()
        # The pages before any test labels anything: the markup document's items come first.
        s.first_pages = {n: signed_in(s, n).get("/annotate").text for n in ("ann", "bo")}
        yield s
    finally:
        s.kill()


def signed_in(server: Server, name: str) -> httpx.Client:
    c = httpx.Client(base_url=server.base, timeout=CEILING)
    r = c.post("/login", json={"token": token(server.urls[name])})
    assert r.status_code == 200, r.text
    return c


def csrf(c: httpx.Client, page: str = "/annotate") -> str:
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', c.get(page).text)
    assert found
    return found.group(1)


def event(item: str | None, event_id: str, **kw: str | None) -> dict:
    return {"event_id": event_id, "action": "label", "item": item, "stance": "oppose", **kw}


def log_lines(server: Server, name: str) -> list[dict]:
    path = server.cwd / f"data/annotations/{name}.jsonl"
    return read_jsonl(path) if path.exists() else []


def first_item(c: httpx.Client) -> str:
    return c.get("/api/state").json()["items"][0]["id"]


def test_without_a_valid_token_there_is_no_data(server: Server) -> None:
    plain = httpx.Client(base_url=server.base, timeout=CEILING)
    for path in ("/", "/annotate", "/adjudicate", "/dashboard", "/api/state"):
        r = plain.get(path)
        assert r.status_code == 401, path
        assert "Pyongyang" not in r.text and "North Korea" not in r.text
    assert plain.post("/api/events", json=event("x", "e1")).status_code == 401
    forged = httpx.Client(base_url=server.base, cookies={f"stance_{server.port}": "guess"})
    assert forged.get("/api/state").status_code == 401
    assert plain.post("/login", json={"token": "guess"}).status_code == 401
    assert plain.post("/login", json={"token": ["a"]}).status_code == 401
    assert plain.get("/static/../params.yaml").status_code == 404
    assert plain.get("/static/%2e%2e%2fparams.yaml").status_code == 404
    assert plain.get("/healthz").text == "ok"


def test_tokens_are_stored_hashed_and_traded_for_a_strict_cookie(server: Server) -> None:
    secret = token(server.urls["ann"])
    assert server.output.count(secret) == 1  # printed once, in the URL
    stored = server.cwd / "data/annotations/.serve-tokens.json"
    text = stored.read_text()
    assert secret not in text and hashlib.sha256(secret.encode()).hexdigest() in text
    assert stored.stat().st_mode & 0o777 == 0o600
    r = httpx.post(server.base + "/login", json={"token": secret})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and secret not in r.text
    assert r.json() == {"next": "/annotate"}


def test_roles(server: Server) -> None:
    ann, lead = signed_in(server, "ann"), signed_in(server, "lead")
    assert ann.get("/dashboard").status_code == 403
    assert ann.get("/adjudicate").status_code == 403
    assert lead.get("/dashboard").status_code == 200
    assert lead.get("/annotate").headers["location"] == "/adjudicate"
    assert lead.get("/adjudicate").status_code == 200


def test_posts_need_the_csrf_token_json_and_the_same_origin(server: Server) -> None:
    ann = signed_in(server, "ann")
    good = csrf(ann)
    item = first_item(ann)
    before = log_lines(server, "ann")
    assert ann.post("/api/events", json=event(item, "c1")).status_code == 403
    wrong = {"X-CSRF-Token": "0" * 64}
    assert ann.post("/api/events", json=event(item, "c2"), headers=wrong).status_code == 403
    evil = {"X-CSRF-Token": good, "Origin": "http://evil.example"}
    assert ann.post("/api/events", json=event(item, "c3"), headers=evil).status_code == 403
    form = {"X-CSRF-Token": good, "Content-Type": "text/plain"}
    body = json.dumps(event(item, "c4"))
    assert ann.post("/api/events", content=body, headers=form).status_code == 415
    bo_csrf = csrf(signed_in(server, "bo"))
    other = {"X-CSRF-Token": bo_csrf}
    assert ann.post("/api/events", json=event(item, "c5"), headers=other).status_code == 403
    assert log_lines(server, "ann") == before
    same = {"X-CSRF-Token": good, "Origin": server.base}
    assert ann.post("/api/events", json=event(item, "c6"), headers=same).status_code == 200


def test_a_repeated_event_id_is_written_once(server: Server) -> None:
    bo = signed_in(server, "bo")
    headers = {"X-CSRF-Token": csrf(bo)}
    item = first_item(bo)
    first = bo.post("/api/events", json=event(item, "retry-1"), headers=headers)
    again = bo.post("/api/events", json=event(item, "retry-1"), headers=headers)
    assert first.status_code == again.status_code == 200
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert [e["event_id"] for e in log_lines(server, "bo")].count("retry-1") == 1
    # The page names the items it holds: the answer leaves their HTML out.
    state = bo.get("/api/state").json()
    held = ",".join(i["id"] for i in state["items"])
    nxt = state["items"][0]["id"]
    r = bo.post("/api/events", json=event(nxt, "held", have=held), headers=headers).json()
    assert [("html" in i) for i in r["items"]] == [False] * (len(r["items"]) - 1) + [True]
    # The same item again under a new id is a conflict, not a second label.
    conflict = bo.post("/api/events", json=event(item, "retry-2"), headers=headers)
    assert conflict.status_code == 409 and "already decided" in conflict.json()["error"]


def test_body_limits_and_field_checks(server: Server) -> None:
    ann = signed_in(server, "ann")
    headers = {"X-CSRF-Token": csrf(ann)}
    item = first_item(ann)
    before = log_lines(server, "ann")
    huge = event(item, "big", note="x" * 100_000)
    assert ann.post("/api/events", json=huge, headers=headers).status_code == 413
    long = {**event(item, "long", note="x" * 2001), "action": "flag", "stance": None}
    r = ann.post("/api/events", json=long, headers=headers)
    assert r.status_code == 400 and "longer than 2000" in r.json()["error"]
    for bad in (
        {**event(item, "u1"), "path": "../../etc/passwd"},
        {**event(item, "u2"), "stance": 3},
        event(item, "u3", stance="agree"),
        event(item, "bad id!"),
        ["not", "an", "object"],
    ):
        assert ann.post("/api/events", json=bad, headers=headers).status_code == 400, bad
    nested = "[" * 5000 + "]" * 5000
    r = ann.post(
        "/api/events", content=nested, headers={**headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 400
    assert log_lines(server, "ann") == before


def test_an_annotator_reaches_only_their_own_queue(server: Server) -> None:
    cands = read_jsonl(server.cwd / "data/interim/candidates.jsonl")
    mine = {c["id"] for c in assign(cands, "ann", ["ann", "bo"], 0.5)}
    theirs = [c["id"] for c in assign(cands, "bo", ["ann", "bo"], 0.5) if c["id"] not in mine]
    ann = signed_in(server, "ann")
    state = ann.get("/api/state").json()
    assert state["total"] == len(mine) and {i["id"] for i in state["items"]} <= mine
    before = log_lines(server, "bo")
    r = ann.post("/api/events", json=event(theirs[0], "steal"), headers={"X-CSRF-Token": csrf(ann)})
    assert r.status_code == 404 and "not in ann's queue" in r.json()["error"]
    assert log_lines(server, "bo") == before
    assert "steal" not in {e["event_id"] for e in log_lines(server, "ann")}


def test_text_from_the_data_is_escaped(server: Server) -> None:
    pages = list(server.first_pages.values())
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>hack" not in html
    shown = "".join(pages)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown or "alert(1)" in shown
    assert "&lt;b&gt;hack&lt;/b&gt;" in shown
    lead = signed_in(server, "lead")
    assert "<script>alert" not in lead.get("/dashboard").text


def test_a_second_server_and_a_terminal_ui_are_refused(server: Server) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(STANCE), *args], cwd=server.cwd, capture_output=True, text=True, timeout=CEILING
        )

    second = run("serve", "--team", "ann", "--host", "0.0.0.0", "--port", "0")
    lines = second.stderr.strip().splitlines()
    assert second.returncode == 1, second.stderr
    assert lines[0].startswith("Warning: --host 0.0.0.0 opens the server to the network")
    assert "already served by another `stance serve`" in lines[-1] and len(lines) == 2
    busy = run("serve", "--annotator", "zed", "--port", str(server.port))
    assert busy.returncode == 1 and "cannot listen" in busy.stderr
    terminal = run("annotate", "--annotator", "ann")
    assert terminal.returncode == 1 and "already open in another process" in terminal.stderr
    assert not (server.cwd / "data/annotations/zed.jsonl").exists()
    assert httpx.get(server.base + "/healthz").status_code == 200

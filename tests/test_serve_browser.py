"""`stance serve` in a real browser (Debian's chromium, driven by Playwright): keyboard
labelling, undo, flags, reloads, `kill -9` and restart, the offline queue, the dashboard and
adjudication, 200% zoom and focus order. The logs are checked event by event."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stance.annotation.queue import assign
from tests.conftest import ROOT, read_jsonl
from tests.waiting import CEILING
from tests.webserver import Server, make_project

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="chromium is not installed (.ci/run installs it: apt-get install -y chromium)",
    ),
    pytest.mark.xdist_group("serve-browser"),  # one worker, one browser
    pytest.mark.slow,
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TEAM = ["ann", "bo"]
# STANCE_SCREENSHOTS=docs pytest tests/test_serve_browser.py refreshes the README's pictures.
SCREENSHOTS = os.environ.get("STANCE_SCREENSHOTS")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=CEILING * 1000)  # CI runs two test workers on two cores
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Server]:
    s = Server(make_project(tmp_path), "--team", ",".join(TEAM), "--overlap", "0.5")
    try:
        yield s.start()
    finally:
        s.kill()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 760})
    pg = context.new_page()
    pg.set_default_timeout(CEILING * 1000)
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    context.close()


def queue_of(server: Server, name: str, overlap: float = 0.5) -> list[dict]:
    cands = read_jsonl(server.cwd / "data/interim/candidates.jsonl")
    return assign(cands, name, TEAM, overlap)


def open_page(page: Any, server: Server, name: str) -> None:
    page.goto(server.urls[name])
    page.wait_for_url("**/annotate" if name != "lead" else "**/dashboard")


def press(page: Any, key: str, done: int, total: int) -> None:
    from playwright.sync_api import expect

    page.keyboard.press(key)
    expect(page.locator("#progress-text")).to_have_text(f"{done} / {total} done")


def saved(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#status")).to_contain_text("All decisions saved.")


def visible_text(locator: Any) -> str:
    """The text a sighted reader sees (without the words only screen readers hear)."""
    return locator.evaluate(
        "el => { const c = el.cloneNode(true);"
        " c.querySelectorAll('.sr-only').forEach(s => s.remove()); return c.textContent; }"
    )


def shown(page: Any) -> str:
    return page.locator("#item").get_attribute("data-item")


def test_keyboard_labelling_survives_reload_and_kill_9(served: Server, page: Any) -> None:
    from playwright.sync_api import expect

    q = queue_of(served, "ann")
    n = len(q)
    open_page(page, served, "ann")
    expect(page.locator("#progress-text")).to_have_text(f"0 / {n} done")
    # The sentence is shown as text, whatever markup it holds (the first document has some).
    assert visible_text(page.locator("#item .sentence")) == q[0]["sentence"]
    assert shown(page) == q[0]["id"]
    seen = [shown(page)]
    for done, key in enumerate("123", 1):
        press(page, key, done, n)
        seen.append(shown(page))
    assert seen == [c["id"] for c in q[:4]]
    # A screen reader hears the new item without leaving the keys.
    expect(page.locator("#announce")).to_contain_text(f"Next item. Actor {q[3]['actor']} (")
    press(page, "u", 2, n)  # the third item comes back
    assert shown(page) == q[2]["id"]
    page.keyboard.press("f")
    page.locator("#flag-note").fill("check the quote")
    page.keyboard.press("Enter")
    expect(page.locator("#item-state")).to_have_text("flagged: check the quote")
    press(page, "1", 3, n)
    page.keyboard.press("r")
    expect(page.locator("#response-dialog")).to_be_visible()
    page.keyboard.press("d")  # deny, for the item just labelled
    expect(page.locator("#status")).to_contain_text("Tagged deny.")
    saved(page)

    page.reload()
    expect(page.locator("#progress-text")).to_have_text(f"3 / {n} done")
    assert shown(page) == q[3]["id"]

    served.kill()  # kill -9: no chance to clean up
    served.start()
    assert "(token kept" in served.output and "#token=" not in served.output
    page.reload()  # the cookie still signs in: the token outlived the restart
    expect(page.locator("#progress-text")).to_have_text(f"3 / {n} done")
    assert shown(page) == q[3]["id"]  # nothing decided comes back
    press(page, "2", 4, n)
    saved(page)
    assert shown(page) == q[4]["id"]
    assert page.dialogs == []  # no markup from the data ever ran

    log = read_jsonl(served.cwd / "data/annotations/ann.jsonl")
    assert [(e["event"], e["id"], e["stance"], e["response"], e["note"]) for e in log] == [
        ("label", q[0]["id"], "support", None, None),
        ("label", q[1]["id"], "oppose", None, None),
        ("label", q[2]["id"], "neutral", None, None),
        ("retract", q[2]["id"], None, None, None),
        ("flag", q[2]["id"], None, None, "check the quote"),
        ("label", q[2]["id"], "support", None, None),
        ("response", q[2]["id"], None, "deny", None),
        ("label", q[3]["id"], "oppose", None, None),
    ]
    assert log[3]["target"] == log[2]["event_id"]
    assert len({e["event_id"] for e in log}) == len(log)
    assert {(e["annotator"], e["guideline_version"]) for e in log} == {("ann", "1.0")}


def test_decisions_made_offline_are_sent_when_the_server_is_back(served: Server, page: Any) -> None:
    from playwright.sync_api import expect

    q = queue_of(served, "bo")
    n = len(q)
    open_page(page, served, "bo")
    expect(page.locator("#progress-text")).to_have_text(f"0 / {n} done")
    served.kill()
    for done, key in enumerate("123", 1):
        press(page, key, done, n)  # the page goes on with the items it holds
    expect(page.locator("#pending")).to_contain_text("3 decisions waiting to be sent")
    stored = page.evaluate(
        "Object.keys(localStorage).filter(k => k.endsWith(':pending'))"
        ".map(k => JSON.parse(localStorage.getItem(k)))"
    )
    assert [[e["stance"] for e in queue] for queue in stored] == [["support", "oppose", "neutral"]]
    assert not (served.cwd / "data/annotations/bo.jsonl").read_text()
    served.start()
    saved(page)
    expect(page.locator("#pending")).to_have_text("")
    log = read_jsonl(served.cwd / "data/annotations/bo.jsonl")
    assert [(e["event"], e["id"], e["stance"]) for e in log] == [
        ("label", q[0]["id"], "support"),
        ("label", q[1]["id"], "oppose"),
        ("label", q[2]["id"], "neutral"),
    ]
    page.reload()
    expect(page.locator("#progress-text")).to_have_text(f"3 / {n} done")


def test_dashboard_adjudication_zoom_and_focus_order(tmp_path: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    server = Server(make_project(tmp_path), "--team", "ann,bo", "--overlap", "1")
    server.start()
    try:
        context = browser.new_context(viewport={"width": 1100, "height": 760})
        pages = {name: context.new_page() for name in ("ann", "bo")}
        q = queue_of(server, "ann", 1.0)
        for name, keys in (("ann", "1312"), ("bo", "2313")):
            open_page(pages[name], server, name)
            for done, key in enumerate(keys, 1):
                press(pages[name], key, done, len(q))
            saved(pages[name])
        # ann: support, neutral, support, oppose; bo: oppose, neutral, support, neutral
        lead = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
        open_page(lead, server, "lead")
        rows = lead.locator("section[aria-labelledby=progress-title] tbody tr")
        assert rows.filter(has_text="ann").first.inner_text().split("\t")[1:5] == [
            "4",
            str(len(q)),
            "0",
            "0",
        ]
        expect(lead.locator("main")).to_contain_text("Krippendorff's alpha")
        expect(lead.locator("main")).to_contain_text("ann × bo")
        if SCREENSHOTS:
            lead.screenshot(path=ROOT / SCREENSHOTS / "serve-dashboard.png", full_page=True)
        link = lead.locator(f'a[href="/adjudicate?item={q[0]["id"]}"]')
        link.click()
        lead.wait_for_url("**/adjudicate?item=*")
        assert lead.locator("#item").get_attribute("data-item") == q[0]["id"]
        coders = lead.locator("table.coders tbody").inner_text()
        assert "ann\tsupport" in coders and "bo\toppose" in coders
        lead.keyboard.press("2")
        saved(lead)
        decided = read_jsonl(server.cwd / "data/annotations/adjudications.jsonl")
        assert [(e["event"], e["id"], e["stance"], e["annotator"]) for e in decided] == [
            ("label", q[0]["id"], "oppose", "lead")
        ]

        ann = pages["ann"]
        if SCREENSHOTS:
            ann.screenshot(path=ROOT / SCREENSHOTS / "serve-annotate.png")
        # 200% zoom: half the CSS width, and nothing needs scrolling sideways.
        ann.set_viewport_size({"width": 550, "height": 380})
        ann.reload()
        width = ann.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], width
        expect(ann.locator("button[data-key='?']")).to_be_visible()
        # Focus order: skip link, then the decision keys in order, after the item.
        order = []
        for _ in range(5):
            ann.keyboard.press("Tab")
            order.append(ann.evaluate("document.activeElement.textContent.trim()"))
        assert order == ["Skip to content", "1 support", "2 oppose", "3 neutral", "s skip"]
        before = ann.evaluate(
            "document.getElementById('item').compareDocumentPosition("
            "document.getElementById('keys')) & Node.DOCUMENT_POSITION_FOLLOWING"
        )
        assert before
    finally:
        server.kill()


def prelabel(root: Path, items: list[dict], name: str) -> None:
    from stance.annotation.events import make_event
    from stance.annotation.log import AnnotationLog

    with AnnotationLog(root / f"data/annotations/{name}.jsonl", name) as log:
        for c in items:
            log.append(
                make_event(
                    "label", annotator=name, guideline_version="1.0", candidate=c, stance="neutral"
                )
            )


def test_skips_come_back_and_limit_is_this_session(tmp_path: Path, page: Any) -> None:
    from playwright.sync_api import expect

    root = make_project(tmp_path)
    cands = read_jsonl(root / "data/interim/candidates.jsonl")
    n = len(cands)
    prelabel(root, cands[: n - 3], "ann")
    server = Server(root, "--annotator", "ann", "--limit", "3").start()
    try:
        open_page(page, server, "ann")
        progress = page.locator("#progress-text")
        expect(progress).to_have_text(f"{n - 3} / {n} done; this session 0 / 3")
        a, b, c = (x["id"] for x in cands[n - 3 :])
        assert shown(page) == a
        page.keyboard.press("s")
        expect(progress).to_have_text(f"{n - 3} / {n} done, 1 skipped; this session 1 / 3")
        assert shown(page) == b
        page.keyboard.press("1")
        page.keyboard.press("2")
        expect(progress).to_have_text(f"{n - 1} / {n} done, 1 skipped; this session 3 / 3")
        expect(page.locator("#item")).to_contain_text("You decided the 3 items of this session")
        saved(page)
        # The next session: the skipped item is back, marked as such.
        server.kill()
        server.start()
        page.reload()
        expect(progress).to_have_text(f"{n - 1} / {n} done, 1 skipped; this session 0 / 3")
        assert shown(page) == a
        expect(page.locator("#item-state")).to_contain_text("skipped before")
        page.keyboard.press("3")
        expect(progress).to_have_text(f"{n} / {n} done; this session 1 / 3")
        saved(page)
    finally:
        server.kill()
    decisions = [(e["id"], e["event"]) for e in read_jsonl(root / "data/annotations/ann.jsonl")]
    assert decisions[n - 3 :] == [(a, "skip"), (b, "label"), (c, "label"), (a, "label")]


def test_the_suggestion_is_preselected_and_enter_accepts_it(
    tmp_path: Path, page: Any, tiny_model: Path
) -> None:
    from playwright.sync_api import expect

    from stance.model.persist import card_path

    root = make_project(tmp_path)
    (root / "models").mkdir()
    for src in (tiny_model, card_path(tiny_model)):
        shutil.copy(src, root / "models" / src.name)
    n = len(read_jsonl(root / "data/interim/candidates.jsonl"))
    args = ["--annotator", "ann", "--order", "uncertain", "--model", "models/m.skops"]
    server = Server(root, *args, "--blind", "0").start()
    try:
        open_page(page, server, "ann")
        hint = page.locator("#item .suggestion strong")
        expect(hint).to_be_visible()
        best = hint.text_content()
        expect(page.locator("button.suggested")).to_have_count(1)
        expect(page.locator("button.suggested")).to_contain_text(best)
        first = shown(page)
        press(page, "Enter", 1, n)
        saved(page)
    finally:
        server.kill()
    (event,) = read_jsonl(root / "data/annotations/ann.jsonl")
    assert (event["id"], event["stance"]) == (first, best)
    assert event["suggestion"] == {"label": best, "shown": True}

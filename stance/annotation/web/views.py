"""What the pages show: an item as an HTML fragment, a session as the JSON state the page
draws from, and the Jinja2 environment (autoescaping every text from the data).

Templates and static files are package data, read once at start: no request path ever reaches
the file system.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2

from stance.annotation.context import Context, segments
from stance.annotation.log import ItemState
from stance.annotation.session import Session
from stance.core.schema import DECISION_EVENTS, LABELS, RESPONSES

UPCOMING = 25  # items sent ahead, so the page goes on while the server is unreachable
HISTORY = 10  # last events sent, so the page can undo offline
SEEN = 20  # last event ids sent, so the page drops queued events the server already has
RESPONSE_KEYS = {chr(ord("a") + i): r for i, r in enumerate(RESPONSES)}


def environment() -> jinja2.Environment:
    package = resources.files("stance.annotation.web")
    templates = {
        p.name: p.read_text(encoding="utf-8")
        for p in package.joinpath("templates").iterdir()
        if p.name.endswith(".html")
    }
    return jinja2.Environment(
        loader=jinja2.DictLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def static_files() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, media type), loaded once."""
    kinds = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
    folder = resources.files("stance.annotation.web").joinpath("static")
    return {
        p.name: (p.read_bytes(), kinds[p.name[p.name.rfind(".") :]])
        for p in folder.iterdir()
        if p.name[p.name.rfind(".") :] in kinds
    }


def coder_rows(review: dict[str, ItemState]) -> list[dict[str, Any]]:
    """Each annotator's label, fine tag and note on an item under review."""
    rows = []
    for coder, st in sorted(review.items()):
        rows.append(
            {
                "coder": coder,
                "label": st.stance or ("skipped" if st.decision == "skip" else "-"),
                "response": st.response or "",
                "flag": st.flag,
                "note": st.note or "",
            }
        )
    return rows


class Renderer:
    """Item fragments, cached per item: an item's text never changes while the server runs."""

    def __init__(self, env: jinja2.Environment, ctx: Context):
        self.env, self.ctx = env, ctx
        self._cache: dict[str, str] = {}
        self._item = env.get_template("_item.html")

    def fragment(
        self,
        item: dict[str, Any],
        coders: dict[str, ItemState] | None = None,
        best: str | None = None,
    ) -> str:
        """The item's HTML; `best` is the model's label when this annotator is shown it."""
        probs = item.get("suggestion") or {}
        # A retrained model changes the suggestion: the figure shown is part of the key.
        key = f"{item['id']}:{best}:{probs.get(best, 0.0):.2f}" if best else item["id"]
        if coders is None and key in self._cache:
            return self._cache[key]
        ctx = self.ctx
        suggestion = item.get("suggestion")
        html = self._item.render(
            item=item,
            claim=ctx.claim_text.get(item["claim"], item["claim"]),
            title=ctx.titles.get(item["doc_id"]) or item["doc_id"],
            actor_name=ctx.actor_names.get(item["actor"], item["actor"]),
            previous=ctx.previous.get(item["sentence_id"]),
            runs=segments(item, ctx),
            best=best,
            best_p=suggestion[best] if suggestion and best else None,
            coders=coder_rows(coders) if coders else None,
        )
        if coders is None:
            self._cache[key] = html
        return html

    def state(
        self,
        session: Session,
        review: dict[str, dict[str, ItemState]] | None = None,
        have: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        """What the page needs to draw the session and to go on without the server for a
        while: the next items, the last events (for undo) and the ids already in the log.
        Items in `have` (the page holds their HTML) come without it: after a decision that is
        all but one, so the answer stays small."""

        def entry(item: dict[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {"id": item["id"]}
            best = session.suggested(item)
            if best is not None:
                out["suggested"] = best
            if item["id"] in session.events:  # flagged, tagged or decided: most items are not
                out["state"] = session.state_of(item["id"])
            if review is not None:  # adjudication: the coders' labels change while it runs
                out["html"] = self.fragment(item, review.get(item["id"]))
            elif item["id"] not in have:
                out["html"] = self.fragment(item, best=best)
            return out

        history = []
        for e in session.history[-HISTORY:]:
            h = {"event_id": e["event_id"], "event": e["event"], "id": e["id"]}
            if e["event"] in DECISION_EVENTS and e["id"] in session.by_id:
                h["item"] = entry(session.by_id[e["id"]])
            history.append(h)
        items = session.upcoming(UPCOMING)
        return {
            "done": session.done,
            "skipped": session.skipped,
            "total": session.total,
            "limit": session.limit,
            "left": session.left(),
            # Every item still to come is in `items`: a skip made offline can go to its end.
            "complete": len(items) < UPCOMING,
            "items": [entry(item) for item in items],
            "history": history,
            "seen": [e["event_id"] for e in session.log.state.events[-SEEN:]],
        }


def guide_items(summary: str) -> list[list[tuple[str, bool]]]:
    """The guidelines summary as list items (`- ` starts one, hard-wrapped lines join it), each
    cut into (text, is code) runs at its backticks."""
    items: list[str] = []
    for line in summary.splitlines():
        text = line.strip()
        if text.startswith("- ") or not items:
            items.append(text.removeprefix("- "))
        elif text:
            items[-1] += " " + text
    return [[(t, n % 2 == 1) for n, t in enumerate(i.split("`")) if t] for i in items if i]


def page_context(mode: str, name: str, csrf: str, summary: str) -> dict[str, Any]:
    return {
        "mode": mode,
        "name": name,
        "csrf": csrf,
        "guide": guide_items(summary),
        "labels": list(LABELS),
        "responses": list(RESPONSE_KEYS.items()),
    }

"""The full-screen, keyboard-driven labelling UI (curses), for annotators and adjudicators.

It only draws and reads keys; every decision goes through stance.annotation.session, which makes it
durable before this module draws the next item. Set STANCE_UI_TIMING=<file> to append, per key,
the milliseconds from the key press to the next item on screen (benchmarks/annotate.py).
"""

from __future__ import annotations

import curses
import os
import sys
import textwrap
import threading
import time
from typing import Any

from stance.annotation.context import Context, segments
from stance.annotation.retrain import Retrainer
from stance.annotation.session import Session
from stance.core.errors import AnnotationError
from stance.core.schema import LABELS, RESPONSES

KEYS_LABEL = {ord("1"): LABELS[0], ord("2"): LABELS[1], ord("3"): LABELS[2]}
RESPONSE_KEYS = {chr(ord("a") + i): r for i, r in enumerate(RESPONSES)}
HELP = (
    "[1] support  [2] oppose  [3] neutral  [s] skip  [f] flag  [u] undo  "
    "[r] tag previous  [R] tag current  [?] guide  [q] quit"
)


def _segments(item: dict[str, Any], ctx: Context) -> list[tuple[str, int]]:
    """The sentence cut into (text, attribute) runs: this actor bold-reverse, others underlined."""
    attrs = {
        "": curses.A_NORMAL,
        "this": curses.A_REVERSE | curses.A_BOLD | curses.color_pair(1),
        "other": curses.A_UNDERLINE | curses.color_pair(2),
    }
    return [(text, attrs[kind]) for text, kind in segments(item, ctx)]


def _wrap_runs(runs: list[tuple[str, int]], width: int) -> list[list[tuple[str, int]]]:
    """Word-wrap attributed runs to `width` columns."""
    lines: list[list[tuple[str, int]]] = [[]]
    col = 0
    for text, attr in runs:
        parts = text.replace("\n", " ").split(" ")
        for i, part in enumerate(parts):
            piece = part + (" " if i < len(parts) - 1 else "")
            if col + len(part) > width and col > 0:
                lines.append([])
                col = 0
            lines[-1].append((piece, attr))
            col += len(piece)
    return lines


def progress_line(s: Session) -> str:
    """Labelled of the queue, skipped apart (they come back), and this session's share."""
    out = f" {s.done} / {s.total} done"
    if s.skipped:
        out += f", {s.skipped} skipped"
    if s.limit is not None:
        out += f"; this session {len(s.decided_now)} / {s.limit}"
    return out + " "


def model_line(status: dict[str, Any]) -> str:
    """The model in the loop: which one scores the queue (its cross-validated macro-F1, when it
    was trained, UTC), and what the retraining does now. Short, to fit 80 columns."""
    if status["version"]:
        figure = status.get("cv_macro_f1")
        shown = f"{figure:.2f}" if isinstance(figure, float) else "-"
        clock = str(status["trained_at"])[11:19]
        out = (
            f"Model {status['version']} trained {clock} UTC on {status['rows']} labels, "
            f"CV macro-F1 {shown}"
        )
    else:
        out = f"Model: the first one, retrained every {status['every']} labels"
    return out if status["state"] == "ready" else f"{out}; {status['state']}"


class Screen:
    def __init__(
        self,
        stdscr: Any,
        session: Session,
        ctx: Context,
        retrainer: Retrainer | None = None,
        lock: Any = None,
    ):
        self.scr = stdscr
        self.s = session
        self.ctx = ctx
        self.retrainer = retrainer
        self.lock = lock if lock is not None else threading.Lock()
        self.shown: dict[str, Any] | None = None  # the retrainer's status last drawn
        self.message = " | ".join(ctx.status)
        self.scroll: tuple[str, int] | None = None  # item id, first sentence row shown
        timing = os.environ.get("STANCE_UI_TIMING")
        self.timing = open(timing, "a", buffering=1, encoding="utf-8") if timing else None

    def put(self, y: int, x: int, text: str, attr: int = 0) -> None:
        h, w = self.scr.getmaxyx()
        if 0 <= y < h and x < w:
            self.scr.addnstr(y, x, text, max(0, w - x - 1), attr)

    def draw(self) -> None:
        scr, s, ctx = self.scr, self.s, self.ctx
        scr.erase()
        h, w = scr.getmaxyx()
        if h < 12 or w < 50:
            self.put(0, 0, "Enlarge the terminal (at least 50x12).")
            scr.refresh()
            return
        item = s.current()
        head = f" stance {ctx.mode}: {s.annotator} "
        progress = progress_line(s)
        self.put(0, 0, head.ljust(w - len(progress) - 1) + progress, curses.A_REVERSE)
        if self.retrainer is not None:
            self.shown = self.retrainer.status
            self.put(1, 1, model_line(self.shown), curses.A_DIM)
        if item is None:
            if s.left() == 0:
                done = f"You decided the {s.limit} items of this session (--limit {s.limit})."
            else:
                done = "All items in your queue are done."
            self.put(2, 2, f"{done} Press q to quit, u to undo.")
            self.put(h - 1, 0, self.message[: w - 1])
            scr.refresh()
            return
        y = 2
        claim = ctx.claim_text.get(item["claim"], item["claim"])
        for line in textwrap.wrap(f"Claim: {claim}", w - 4)[:2]:
            self.put(y, 2, line, curses.A_DIM)
            y += 1
        title = ctx.titles.get(item["doc_id"]) or item["doc_id"]
        self.put(y, 2, f"Document: {title}"[: w - 4], curses.A_DIM)
        y += 2
        name = ctx.actor_names.get(item["actor"], item["actor"])
        self.put(y, 2, f"Actor: {item['actor']} ({name})", curses.A_BOLD | curses.color_pair(1))
        y += 2
        st = s.state_of(item["id"])
        notes = []
        if st["flag"]:
            notes.append("flagged" + (f": {st['note']}" if st["note"] else ""))
        if st["response"]:
            notes.append(f"response: {st['response']}")
        if s.decision(item["id"]) == "skip":
            notes.append("skipped before: it comes back until it is labelled")
        best = s.suggested(item)
        if best is not None:
            notes.append(
                f"model suggests: {best} ({item['suggestion'][best]:.2f}); Enter accepts it"
            )
        notes = (ctx.extra(item) if ctx.extra else []) + notes
        helps = textwrap.wrap(HELP, w - 2)
        footer = h - 1 - len(helps)  # the keys, then the message line: never drawn over
        bottom = footer - 1 - len(notes)  # the sentence ends above this row
        lines = _wrap_runs(_segments(item, ctx), w - 6)
        prev = ctx.previous.get(item["sentence_id"])
        if prev and bottom - y - 4 >= min(len(lines), 3):  # the sentence comes first
            self.put(y, 2, "Previous sentence:", curses.A_DIM | curses.A_BOLD)
            y += 1
            for line in textwrap.wrap(prev, w - 6)[-2:]:
                self.put(y, 4, line, curses.A_DIM)
                y += 1
            y += 1
        self.put(y, 2, "Sentence:", curses.A_BOLD)
        y += 1
        for row in self.window(lines, max(bottom - y, 1), item["id"]):
            if y >= footer:
                break
            x = 4
            for text, attr in row:
                self.put(y, x, text, attr)
                x += len(text)
            y += 1
        y += 1
        for line in notes:
            if y < footer:
                self.put(y, 4, line[: w - 6], curses.color_pair(3))
            y += 1
        for i, line in enumerate(helps):
            self.put(footer + i, 1, line, curses.A_BOLD)
        self.put(h - 1, 0, self.message[: w - 1])
        scr.refresh()

    def window(
        self, lines: list[list[tuple[str, int]]], rows: int, item_id: str
    ) -> list[list[tuple[str, int]]]:
        """The wrapped sentence cut to `rows` rows: a long one scrolls (arrow keys), starting
        where the actor's mention is, with a line saying how much is above and below."""
        if len(lines) <= rows:
            self.scroll = None
            return lines
        marked = rows >= 3  # one row each for the markers above and below
        rows = rows - 2 if marked else rows
        if self.scroll is None or self.scroll[0] != item_id:
            mine = next(
                (i for i, ln in enumerate(lines) if any(a & curses.A_REVERSE for _, a in ln)), 0
            )
            self.scroll = (item_id, max(0, mine - rows // 3))
        top = min(max(self.scroll[1], 0), len(lines) - rows)
        self.scroll = (item_id, top)
        above, below = top, len(lines) - top - rows
        if not marked:
            return lines[top : top + rows]
        marker = curses.A_DIM | curses.A_BOLD
        out: list[list[tuple[str, int]]] = [
            [(f"^ {above} more line(s) above (Up arrow)" if above else "", marker)]
        ]
        out += lines[top : top + rows]
        out.append([(f"v {below} more line(s) below (Down arrow)" if below else "", marker)])
        return out

    def prompt(self, label: str) -> str | None:
        """A one-line text input at the bottom; Enter saves, Esc cancels."""
        h, w = self.scr.getmaxyx()
        buf = ""
        while True:
            self.scr.move(h - 1, 0)
            self.scr.clrtoeol()
            self.put(h - 1, 0, f"{label}{buf}")
            self.scr.refresh()
            ch = self.scr.get_wch()
            if ch in ("\n", "\r", curses.KEY_ENTER):
                return buf
            if ch == "\x1b":
                return None
            if ch in ("\x7f", "\b", curses.KEY_BACKSPACE):
                buf = buf[:-1]
            elif isinstance(ch, str) and ch.isprintable():
                buf += ch

    def choose_response(self, target: str) -> str | None:
        h, w = self.scr.getmaxyx()
        self.scr.erase()
        self.put(1, 2, f"Fine response tag for the {target} item (Esc cancels):", curses.A_BOLD)
        for i, (k, r) in enumerate(RESPONSE_KEYS.items()):
            self.put(3 + i, 4, f"[{k}] {r}")
        self.scr.refresh()
        ch = self.scr.get_wch()
        return RESPONSE_KEYS.get(ch) if isinstance(ch, str) else None

    def show_guide(self) -> None:
        h, w = self.scr.getmaxyx()
        self.scr.erase()
        self.put(0, 0, " Guidelines summary (any key returns) ".ljust(w - 1), curses.A_REVERSE)
        y = 2
        for para in self.ctx.summary.splitlines():
            for line in textwrap.wrap(para, w - 4) or [""]:
                if y < h - 1:
                    self.put(y, 2, line)
                y += 1
        self.scr.refresh()
        self.scr.get_wch()

    def handle(self, ch: Any) -> bool:
        """Act on one key; False means quit."""
        s = self.s
        key = ord(ch) if isinstance(ch, str) and len(ch) == 1 else ch
        if key == ord("q"):
            return False
        if key in (curses.KEY_UP, curses.KEY_DOWN, curses.KEY_PPAGE, curses.KEY_NPAGE):
            if self.scroll is not None:
                step = 1 if key in (curses.KEY_UP, curses.KEY_DOWN) else 5
                down = key in (curses.KEY_DOWN, curses.KEY_NPAGE)
                self.scroll = (self.scroll[0], self.scroll[1] + (step if down else -step))
            return True
        if key in (10, 13, curses.KEY_ENTER) and s.current() is not None:
            best = s.suggested(s.current())  # type: ignore[arg-type]
            if best is None:
                self.message = "no suggestion on this item: 1, 2 or 3 labels it"
                return True
            key = ord(str(LABELS.index(best) + 1))
        if key in KEYS_LABEL or key == ord("s"):
            if s.current() is None:
                self.message = "Nothing left: u undoes the last decision, q quits."
                return True
            stance = KEYS_LABEL.get(key)
            item = s.current()
            s.decide(stance)
            self.message = f"saved: {item['actor']} {stance or 'skipped'}"  # type: ignore[index]
            if self.retrainer is not None and stance is not None:
                self.retrainer.note()  # at most starts a thread: never waits for a fit
        elif key == ord("u"):
            undone = s.undo()
            self.message = (
                f"undone: {undone['event']} {undone['actor']}" if undone else "nothing to undo"
            )
        elif key == ord("f") and self.ctx.mode == "annotate":
            if s.current() is not None:
                note = self.prompt("Flag note (Enter saves, Esc cancels): ")
                if note is not None:
                    s.flag(note)
                    self.message = "flagged"
        elif key in (ord("r"), ord("R")):
            target = "previous" if key == ord("r") else "current"
            if (s.previous() if target == "previous" else s.current()) is None:
                self.message = f"no {target} item to tag"
            else:
                tag = self.choose_response(target)
                if tag:
                    s.respond(tag, target)
                    self.message = f"{target} item tagged: {tag}"
        elif key == ord("?"):
            self.show_guide()
        return True

    def loop(self) -> None:
        with self.lock:
            self.draw()
        if self.retrainer is not None:
            self.scr.timeout(250)  # look for a new model between keys, to show it when swapped
        while True:
            try:
                ch = self.scr.get_wch()
            except curses.error:  # no key within the timeout
                if self.retrainer is not None and self.retrainer.status is not self.shown:
                    with self.lock:
                        self.draw()
                continue
            t0 = time.perf_counter()
            with self.lock:
                if ch == curses.KEY_RESIZE:
                    self.draw()
                    continue
                if not self.handle(ch):
                    return
                self.draw()
            if self.timing:
                self.timing.write(f"{(time.perf_counter() - t0) * 1000:.3f}\n")


def check_terminal() -> None:
    """Refuse, before any log is opened, to start where a full-screen UI cannot work."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise AnnotationError(
            "the labelling UI needs an interactive terminal (input or output is redirected); "
            "run it in a terminal, or bring labels made elsewhere with `stance import`"
        )
    term = os.environ.get("TERM", "")
    if term in ("", "dumb", "unknown"):
        raise AnnotationError(
            f"TERM={term or '(unset)'} cannot draw the labelling UI; run it in a terminal "
            f"emulator, tmux or screen (e.g. TERM=xterm-256color)"
        )


def run(
    session: Session, ctx: Context, retrainer: Retrainer | None = None, lock: Any = None
) -> None:
    """Run the UI until the annotator quits (q) or interrupts (Ctrl-C); with a `retrainer`,
    every key and its swaps take `lock`."""

    def main(stdscr: Any) -> None:
        curses.curs_set(0)
        if curses.has_colors():
            curses.use_default_colors()
            curses.init_pair(1, curses.COLOR_YELLOW, -1)
            curses.init_pair(2, curses.COLOR_CYAN, -1)
            curses.init_pair(3, curses.COLOR_MAGENTA, -1)
        screen = Screen(stdscr, session, ctx, retrainer, lock)
        try:
            screen.loop()
        finally:
            if screen.timing:
                screen.timing.close()

    os.environ.setdefault("ESCDELAY", "25")  # Esc must not take a second to register
    try:
        curses.wrapper(main)
    except KeyboardInterrupt:
        pass  # every decision is already on disk
    except curses.error as exc:
        raise AnnotationError(f"the terminal cannot draw the labelling UI ({exc})") from None

// The annotation page: one key, one decision, the same keys as the terminal UI.
//
// Every key press becomes an event with an id made here, queued in localStorage and sent in
// order. The server appends it to the log and fsyncs before it answers, and ignores an id it
// already has, so a retry after a lost reply never writes twice. The page draws the server's
// last state with the unanswered events replayed on it (as stance.annotation.session applies
// them), so the next item appears at once, and the page goes on while the server is away.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const main = $("main");
  const mode = main.dataset.mode;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const KEY = ["stance", location.host, mode, main.dataset.name, "pending"].join(":");
  const LABELS = { 1: "support", 2: "oppose", 3: "neutral" };
  const DECISIONS = ["label", "skip"];

  let server = JSON.parse($("state").textContent);
  const html = new Map(); // item id -> its fragment: answers leave out what the page holds
  let pending = load();
  let sending = false;
  let offline = false;
  let delay = 300;
  let message = "";
  let shown;
  let refetching = false;

  function load() {
    try {
      const v = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(v) ? v : [];
    } catch (e) {
      return [];
    }
  }

  function store() {
    try {
      localStorage.setItem(KEY, JSON.stringify(pending));
    } catch (e) {
      // Storage full or disabled: the queue still lives in this page.
    }
  }

  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes); // crypto.randomUUID needs a secure context; this does not
    return "w" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The server's state with the events it has not answered yet applied, as the session would.
  // A skipped item is not done: it goes to the end of the queue (as the session puts it), and
  // with --limit the page shows no more items than this session may still decide.
  function local() {
    const s = {
      done: server.done,
      skipped: server.skipped,
      total: server.total,
      limit: server.limit,
      left: server.left,
      items: server.items.slice(),
      history: server.history.slice(),
      marks: new Map(),
    };
    const mark = (id) => {
      if (!s.marks.has(id)) s.marks.set(id, { flag: false, note: null, response: null });
      return s.marks.get(id);
    };
    const wasSkipped = (item) => !!(item && item.state && item.state.stance === "skip");
    for (const it of s.items) s.marks.set(it.id, Object.assign({}, it.state || {}));
    for (const e of pending) {
      if (DECISIONS.includes(e.action)) {
        const i = s.items.findIndex((it) => it.id === e.item);
        if (i < 0) continue;
        const [item] = s.items.splice(i, 1);
        s.history.push({ event_id: e.event_id, event: e.action, id: e.item, item: item });
        if (wasSkipped(item)) s.skipped -= 1;
        if (e.action === "label") s.done += 1;
        else {
          s.skipped += 1;
          const back = Object.assign({}, item, { state: { stance: "skip" } });
          if (server.complete) s.items.push(back);
          mark(item.id).stance = "skip";
        }
        if (s.left !== null) s.left -= 1;
      } else if (e.action === "flag" || e.action === "response") {
        const m = mark(e.item);
        if (e.action === "flag") Object.assign(m, { flag: true, note: e.note });
        else m.response = e.response;
        s.history.push({ event_id: e.event_id, event: e.action, id: e.item });
      } else if (e.action === "undo") {
        const last = s.history.pop();
        if (!last) continue;
        if (DECISIONS.includes(last.event) && last.item) {
          s.items = s.items.filter((it) => it.id !== last.id);
          s.items.unshift(last.item);
          if (!s.marks.has(last.id)) s.marks.set(last.id, Object.assign({}, last.item.state));
          if (last.event === "label") s.done -= 1;
          else s.skipped -= 1;
          if (wasSkipped(last.item)) s.skipped += 1;
          if (s.left !== null) s.left += 1;
        } else if (last.event === "flag") {
          Object.assign(mark(last.id), { flag: false, note: null });
        } else if (last.event === "response") {
          mark(last.id).response = null;
        }
      }
    }
    if (s.left !== null) s.items = s.items.slice(0, Math.max(s.left, 0));
    return s;
  }

  function render() {
    const s = local();
    const first = s.items[0];
    const box = $("item");
    box.dataset.item = first ? first.id : "";
    if (first) {
      if (shown !== first.id) {
        if (!html.has(first.id)) {
          // Not expected (answers leave out only what the page said it holds): ask once more.
          if (!refetching) {
            refetching = true;
            refresh().then(() => html.has(first.id) && render());
          }
          return;
        }
        box.innerHTML = html.get(first.id); // rendered and escaped by the server's templates
        if (shown !== undefined) announce(box);
        shown = first.id;
      }
    } else {
      shown = null;
      const p = document.createElement("p");
      p.className = "finished";
      p.textContent =
        s.left === 0
          ? "You decided the " + s.limit + " items of this session (--limit " + s.limit + "). " +
            "u undoes the last decision."
          : s.done >= s.total
            ? "Nothing left in your queue. u undoes the last decision."
            : "Waiting for the server to send the next items; your decisions are kept in this page.";
      box.replaceChildren(p);
    }
    const m = first ? s.marks.get(first.id) || {} : {};
    const bits = [];
    if (m.flag) bits.push("flagged" + (m.note ? ": " + m.note : ""));
    if (m.response) bits.push("fine tag: " + m.response);
    if (m.stance === "skip") bits.push("skipped before: it comes back until it is labelled");
    $("item-state").textContent = bits.join(" · ");
    for (const b of document.querySelectorAll("[data-key]")) {
      const preselected = !!(first && first.suggested && LABELS[b.dataset.key] === first.suggested);
      b.classList.toggle("suggested", preselected);
      if (preselected) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
    let progress = s.done + " / " + s.total + " done";
    if (s.skipped) progress += ", " + s.skipped + " skipped";
    if (s.limit !== null) progress += "; this session " + (s.limit - s.left) + " / " + s.limit;
    $("progress-text").textContent = progress;
    $("progress").max = Math.max(s.total, 1);
    $("progress").value = s.done;
    const n = pending.length;
    $("pending").textContent =
      offline && n
        ? n + (n === 1 ? " decision" : " decisions") + " waiting to be sent: the server " +
          "cannot be reached. They are kept in this browser and sent in order when it is back."
        : "";
    $("status").textContent = [message, n === 0 ? "All decisions saved." : ""].join(" ").trim();
  }

  // Screen readers hear the next item without leaving the keys: its actor and sentence.
  function announce(box) {
    const actor = box.querySelector("dd.actor");
    const sentence = box.querySelector(".sentence");
    $("announce").textContent =
      "Next item. Actor " + (actor ? actor.textContent : "") + ". " +
      (sentence ? sentence.textContent : "");
  }

  function lastDecision(s) {
    for (let i = s.history.length - 1; i >= 0; i--) {
      if (DECISIONS.includes(s.history[i].event)) return s.history[i].id;
    }
    return null;
  }

  function act(action, extra) {
    const s = local();
    const current = s.items[0];
    const e = {
      event_id: newId(),
      action: action,
      item: null,
      stance: null,
      note: null,
      response: null,
      expect: null,
    };
    if (DECISIONS.includes(action) || action === "flag") {
      if (!current) {
        message = "Nothing to " + (action === "flag" ? "flag" : "label") + " here.";
        return render();
      }
      e.item = current.id;
    }
    if (action === "label") e.stance = extra;
    if (action === "flag") e.note = extra || null;
    if (action === "response") Object.assign(e, extra);
    if (action === "undo") {
      const last = s.history[s.history.length - 1];
      if (!last) {
        message = "Nothing to undo.";
        return render();
      }
      e.expect = last.event_id;
    }
    pending.push(e);
    store();
    message = {
      label: "Labelled " + extra + ".",
      skip: "Skipped.",
      flag: "Flagged.",
      undo: "Undone.",
      response: "Tagged " + (e.response || "") + ".",
    }[action];
    render();
    pump();
  }

  function remember(state) {
    for (const it of state.items) if (it.html) html.set(it.id, it.html);
    for (const h of state.history) if (h.item && h.item.html) html.set(h.id, h.item.html);
  }

  // The ids whose fragment the page holds, so the answer need not repeat them.
  function have() {
    const ids = server.items.map((it) => it.id).concat(server.history.map((h) => h.id));
    return ids.filter((id) => html.has(id)).slice(0, 60).join(",");
  }

  function accept(state) {
    remember(state);
    server = state;
    const seen = new Set(state.seen);
    pending = pending.filter((e) => !seen.has(e.event_id));
    store();
  }

  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

  async function refresh() {
    try {
      const r = await fetch("/api/state", { credentials: "same-origin", cache: "no-store" });
      if (r.ok) accept(await r.json());
    } catch (e) {
      offline = true;
    }
  }

  async function pump() {
    if (sending) return;
    sending = true;
    try {
      while (pending.length) {
        const e = pending[0];
        let r;
        try {
          r = await fetch("/api/events", {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
            body: JSON.stringify(Object.assign({ have: have() }, e)),
            credentials: "same-origin",
            cache: "no-store",
          });
        } catch (err) {
          offline = true; // unreachable: keep it, try again
          render();
          await sleep(delay);
          delay = Math.min(delay * 2, 2000);
          continue;
        }
        let data = null;
        try {
          data = await r.json();
        } catch (err) {
          data = null;
        }
        if (r.status === 401) {
          message = "Signed out: open your private URL again. Unsent decisions stay here.";
          offline = true;
          return render();
        }
        if (r.status >= 500 || r.status === 408 || r.status === 429) {
          offline = true; // not saved (a full disk, a restart): keep it, try again
          message = data && data.error ? "Not saved yet: " + data.error : "";
          render();
          await sleep(delay);
          delay = Math.min(delay * 2, 2000);
          continue;
        }
        offline = false;
        delay = 300;
        if (r.ok && data) {
          pending.shift();
          accept(data);
        } else {
          pending.shift(); // refused: a conflict, another queue's item, a bad value
          store();
          message = "Not saved: " + ((data && data.error) || "error " + r.status) + ".";
          await refresh();
        }
        render();
      }
    } finally {
      sending = false;
    }
  }

  // --- dialogs ---------------------------------------------------------------------------
  const flagDialog = $("flag-dialog");
  const note = $("flag-note");
  const responseDialog = $("response-dialog");
  const guide = $("guide-dialog");
  let tagged = null;
  const responseKeys = new Map();
  for (const b of responseDialog.querySelectorAll("[data-response-key]")) {
    responseKeys.set(b.dataset.responseKey, b.value);
  }

  function openFlag() {
    if (!local().items[0]) {
      message = "Nothing to flag here.";
      return render();
    }
    note.value = "";
    flagDialog.returnValue = "";
    flagDialog.showModal();
    note.focus();
  }
  note.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      flagDialog.close("save");
    }
  });
  flagDialog.addEventListener("close", () => {
    if (flagDialog.returnValue === "save") act("flag", note.value.trim());
  });

  function openResponse(which) {
    const s = local();
    tagged = which === "current" ? (s.items[0] ? s.items[0].id : null) : lastDecision(s);
    if (!tagged) {
      message = "No " + which + " item to tag.";
      return render();
    }
    $("response-target").textContent = which;
    responseDialog.returnValue = "";
    responseDialog.showModal();
  }
  responseDialog.addEventListener("keydown", (ev) => {
    if (responseKeys.has(ev.key)) {
      ev.preventDefault();
      responseDialog.close(responseKeys.get(ev.key));
    }
  });
  responseDialog.addEventListener("close", () => {
    if (responseDialog.returnValue && tagged) {
      act("response", { response: responseDialog.returnValue, item: tagged });
    }
  });

  guide.addEventListener("keydown", (ev) => {
    if (ev.key.length === 1 || ev.key === "Enter" || ev.key === "Escape") {
      ev.preventDefault();
      guide.close();
    }
  });

  // --- keys -------------------------------------------------------------------------------
  function handle(key) {
    if (key === "Enter") {
      // The model's suggestion is preselected: Enter accepts it (1-3 choose otherwise).
      const current = local().items[0];
      if (current && current.suggested) act("label", current.suggested);
      else {
        message = "No suggestion on this item: 1, 2 or 3 labels it.";
        render();
      }
      return true;
    }
    if (LABELS[key]) act("label", LABELS[key]);
    else if (key === "s") act("skip");
    else if (key === "f" && mode === "annotate") openFlag();
    else if (key === "u") act("undo");
    else if (key === "r") openResponse("previous");
    else if (key === "R") openResponse("current");
    else if (key === "?") guide.showModal();
    else return false;
    return true;
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return;
    if (document.querySelector("dialog[open]")) return; // a dialog has the keys
    const tag = ev.target && ev.target.tagName;
    if (tag === "TEXTAREA" || tag === "INPUT") return;
    if (handle(ev.key)) ev.preventDefault();
  });
  for (const b of document.querySelectorAll("[data-key]")) {
    b.addEventListener("click", () => handle(b.dataset.key));
  }
  window.addEventListener("online", () => {
    delay = 300;
    pump();
  });

  accept(server);
  shown = server.items[0] ? server.items[0].id : null; // the server drew this one
  render();
  pump();
})();

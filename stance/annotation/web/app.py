"""The web app: pages, the JSON API, sign-in, and the checks every request passes.

- Sign-in: the private URL carries the token in its fragment (`/login#token=...`), which the
  browser never sends in a request line, so no log can hold it; the page posts it once and gets
  an HttpOnly, SameSite=Strict cookie back.
- Every page and API call needs that cookie (401 and no data without it); an annotator reaches
  only their own session, the lead only the dashboard and adjudication (403 otherwise).
- Every POST needs the holder's CSRF token in a header, JSON, and a same-origin Origin.
- Bodies over MAX_BODY bytes get 413; templates escape every text from the data; static
  files are served from memory, so no path from a request reaches the file system.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from stance.annotation.log import NotSaved
from stance.annotation.session import Conflict, NotInQueue
from stance.annotation.web.auth import LEAD, Principal, Tokens
from stance.annotation.web.dashboard import Agreement, dashboard
from stance.annotation.web.project import Served
from stance.annotation.web.views import Renderer, environment, page_context, static_files
from stance.core.errors import AnnotationError

MAX_BODY = 16 * 1024  # bytes: a key press with a 2,000-character note fits several times
FIELDS = ("event_id", "action", "item", "stance", "note", "response", "expect", "have")
MAX_HAVE = 64  # item ids the page says it holds
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(served: Served, tokens: Tokens, port: int, hosts: list[str] | None) -> Starlette:
    env = environment()
    renderer = Renderer(env, served.ctx)
    statics = static_files()
    agreement = Agreement()
    cookie = f"stance_{port}"  # cookies ignore ports: two servers on one host must not mix

    def html(template: str, context: dict[str, Any], code: int = 200) -> HTMLResponse:
        return HTMLResponse(env.get_template(template).render(**context), code, SECURITY_HEADERS)

    def jsonr(data: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(data, status, SECURITY_HEADERS)

    def who(request: Request, role: str | None = None) -> Principal:
        p = tokens.who(request.cookies.get(cookie))
        if p is None:
            raise HTTPException(401, "sign in with the private URL `stance serve` printed")
        if role is not None and p.role != role:
            raise HTTPException(403, f"this page is for the {role}")
        return p

    def same_origin(request: Request) -> None:
        origin = request.headers.get("origin")
        host = request.headers.get("host", "")
        if origin is not None and origin != f"{request.url.scheme}://{host}":
            raise HTTPException(403, "cross-origin request refused")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise HTTPException(415, "send JSON")

    async def body(request: Request) -> dict[str, Any]:
        length = request.headers.get("content-length")
        if length is not None and not length.isdigit():
            raise HTTPException(400, "bad Content-Length")
        if length is not None and int(length) > MAX_BODY:
            raise HTTPException(413, f"request body over {MAX_BODY} bytes")
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY:
                raise HTTPException(413, f"request body over {MAX_BODY} bytes")
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise HTTPException(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise HTTPException(400, "expected a JSON object")
        return data

    async def health(request: Request) -> Response:
        return Response("ok", headers=SECURITY_HEADERS, media_type="text/plain")

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)

    async def static(request: Request) -> Response:
        found = statics.get(request.path_params["name"])
        if found is None:
            raise HTTPException(404, "no such file")
        return Response(found[0], headers=SECURITY_HEADERS, media_type=found[1])

    async def login_page(request: Request) -> Response:
        return html("login.html", {})

    async def login(request: Request) -> Response:
        same_origin(request)
        token = (await body(request)).get("token")
        p = tokens.who(token if isinstance(token, str) else None)
        if p is None:
            raise HTTPException(401, "this URL's token is not valid (revoked by --new-tokens?)")
        out = jsonr({"next": "/dashboard" if p.role == LEAD else "/annotate"})
        out.set_cookie(
            cookie, str(token), max_age=30 * 86400, httponly=True, samesite="strict", path="/"
        )
        return out

    async def home(request: Request) -> Response:
        p = who(request)
        return RedirectResponse("/dashboard" if p.role == LEAD else "/annotate", 303)

    def render_state(p: Principal, focus: str | None = None) -> dict[str, Any]:
        desk = served.desk(p)
        with desk.lock:
            if p.role == LEAD:
                session = served.lead_session()
                if focus and focus in session.by_id:
                    session.bring_forward(focus)
                return renderer.state(session, served.review)
            return renderer.state(desk.session)

    async def annotate_page(request: Request) -> Response:
        p = who(request)
        if p.role == LEAD:
            return RedirectResponse("/adjudicate", 303)
        state = await anyio.to_thread.run_sync(render_state, p)
        return page(p, "annotate", state)

    async def adjudicate_page(request: Request) -> Response:
        p = who(request, LEAD)
        focus = request.query_params.get("item")
        state = await anyio.to_thread.run_sync(render_state, p, focus)
        return page(p, "adjudicate", state)

    def page(p: Principal, mode: str, state: dict[str, Any]) -> Response:
        context = page_context(mode, p.name, tokens.csrf(p), served.ctx.summary)
        return html("annotate.html", {**context, "state": state, "lead": p.role == LEAD})

    async def dashboard_page(request: Request) -> Response:
        p = who(request, LEAD)

        def compute() -> dict[str, Any]:
            with served.lead.lock:
                return dashboard(served, agreement)

        data = await anyio.to_thread.run_sync(compute)
        return html("dashboard.html", {**data, "name": p.name})

    async def state(request: Request) -> Response:
        p = who(request)
        return jsonr(await anyio.to_thread.run_sync(render_state, p))

    async def events(request: Request) -> Response:
        p = who(request)
        if not tokens.csrf_ok(p, request.headers.get("x-csrf-token")):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page")
        same_origin(request)
        data = await body(request)
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise HTTPException(400, f"unknown field {unknown[0]!r:.40}")
        for key, value in data.items():
            if value is not None and not isinstance(value, str):
                raise HTTPException(400, f"{key!r} must be text or null")
        if not data.get("event_id") or not data.get("action"):
            raise HTTPException(400, "'event_id' and 'action' are required")
        if p.role == LEAD and data["action"] == "flag":
            raise HTTPException(400, "adjudication has no flag")

        have = frozenset((data.pop("have", None) or "").split(",")[:MAX_HAVE])

        def apply() -> dict[str, Any]:
            desk = served.desk(p)
            with desk.lock:
                session = served.lead_session() if p.role == LEAD else desk.session
                _, duplicate = session.apply(
                    data["action"],
                    event_id=data["event_id"],
                    item=data.get("item"),
                    stance=data.get("stance"),
                    note=data.get("note"),
                    response=data.get("response"),
                    expect=data.get("expect"),
                )
                if p.role != LEAD and served.retrainer is not None and not duplicate:
                    served.retrainer.note()  # at most starts a thread: never waits for a fit
                review = served.review if p.role == LEAD else None
                state = renderer.state(session, review, have)
                return {"saved": True, "duplicate": duplicate, **state}

        try:
            return jsonr(await anyio.to_thread.run_sync(apply))
        except NotInQueue as exc:
            raise HTTPException(404, str(exc)) from None
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        except NotSaved as exc:
            raise HTTPException(503, str(exc)) from None
        except AnnotationError as exc:
            raise HTTPException(400, str(exc)) from None

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api/") or request.method == "POST":
            return jsonr({"error": exc.detail}, exc.status_code)
        return html(
            "error.html", {"status": exc.status_code, "message": exc.detail}, exc.status_code
        )

    routes = [
        Route("/healthz", health),
        Route("/static/{name}", static),
        Route("/favicon.ico", no_icon),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/", home),
        Route("/annotate", annotate_page),
        Route("/adjudicate", adjudicate_page),
        Route("/dashboard", dashboard_page),
        Route("/api/state", state),
        Route("/api/events", events, methods=["POST"]),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)] if hosts else []
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: http_error},
    )

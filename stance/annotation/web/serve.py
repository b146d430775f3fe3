"""`stance serve`: check the options, bind, open every log, print the private URLs, serve.

Order matters: a missing web dependency and every option error come before anything is bound
or written; the port is bound before the logs are opened, so a busy port costs nothing; tokens
are written last, once the app is made, so a server that cannot start keeps no URL it never
showed.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from stance.annotation.context import Paths
from stance.annotation.web.auth import LEAD, Tokens
from stance.annotation.web.project import Options, Served, check_options, open_project
from stance.core.errors import AnnotationError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WEB_MODULES = ("starlette", "uvicorn", "jinja2")  # the `web` extra of pyproject.toml


def check_web_dependencies() -> None:
    """One clear line, before anything is written, when the `web` extra is not installed."""
    import importlib

    missing = []
    for name in WEB_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise AnnotationError(
            f"`stance serve` needs {', '.join(missing)}, which {verb} not installed: "
            f"pip install -e '.[web]' in a checkout (pip install 'stance[web]' otherwise)"
        )


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, made here so a busy port is one error line before any log opens.

    It names IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that do, and without it a
    reply written in two parts waits for the client's delayed ACK (40 ms per decision)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(256)
    except OSError as exc:
        sock.close()
        raise AnnotationError(
            f"--host {host} --port {port}: cannot listen ({exc.strerror}); pick another "
            f"port with --port"
        ) from None
    return sock


def serve(
    options: Options,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    new_tokens: bool = False,
    paths: Paths | None = None,
    say: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM); every answered decision is on disk."""
    paths = paths or Paths()
    check_web_dependencies()
    check_options(options)
    if not paths.candidates.exists():
        raise AnnotationError(f"{paths.candidates}: no such file: run `stance ingest` first")
    if host not in LOOPBACK:
        warn(
            f"--host {host} opens the server to the network: anyone who can reach this machine "
            f"can reach it (tokens are still required, but traffic is not encrypted)"
        )
    sock = bind(host, port)
    with sock, open_project(paths, options) as served:
        for w in served.warnings:
            warn(w)
        tokens, new, save = Tokens.prepare(paths.annotations, served.principals(), new_tokens)
        server = make_server(served, tokens, sock, host)
        save()
        shown = socket.gethostname() if host in ("0.0.0.0", "::") else host
        base = f"http://{'[' + shown + ']' if ':' in shown else shown}:{sock.getsockname()[1]}"
        say("Private URLs (each carries its holder's token, shown this once, stored hashed):")
        for p in served.principals():
            role = "lead: dashboard, adjudication" if p.role == LEAD else "annotator"
            if p in new:
                say(f"  {p.name}\t{role}\t{base}/login#token={new[p]}")
            else:
                say(f"  {p.name}\t{role}\t(token kept: use the URL printed before)")
        if len(new) < len(served.principals()):
            say("Lost a URL? Restart with --new-tokens: every holder gets a new one.")
        say(f"Serving {base} (Ctrl-C stops; every answered decision is already on disk)")
        try:
            server.run(sockets=[sock])
        finally:
            if served.retrainer is not None:
                served.retrainer.stop()  # a training run still going ends with the server


def loopback_hosts(host: str) -> list[str] | None:
    """The Host header values a loopback server answers (IPv6 literals come bracketed, as
    `[::1]:8000`); None, any host, off loopback."""
    if host not in LOOPBACK:
        return None
    return ["127.0.0.1", "localhost", "[::1]"]


def make_server(served: Served, tokens: Tokens, sock: socket.socket, host: str) -> Any:
    """The uvicorn server over the app, ready to run on `sock`."""
    import uvicorn

    from stance.annotation.web.app import create_app

    port = sock.getsockname()[1]
    # On loopback, a request naming another host is a DNS-rebinding attempt: refused.
    hosts = loopback_hosts(host)
    app = create_app(served, tokens, port, hosts)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # request lines are not needed, and stay out of any log
        server_header=False,
        proxy_headers=False,  # no proxy is trusted: the client's address is the socket's
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)

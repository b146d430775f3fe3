"""Access tokens for `stance serve`: one per annotator and one for the lead, stored hashed.

A token is printed once, inside its holder's private URL, when it is made. The server keeps only
its SHA-256 in data/annotations/.serve-tokens.json (mode 0600), so that file gives no access;
tokens outlive a restart, so a page left open goes on sending after `kill -9` and a restart.
The CSRF token of a holder is an HMAC of who they are under a random key from the same file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stance.core.errors import AnnotationError

TOKENS_FILE = ".serve-tokens.json"
ANNOTATOR, LEAD = "annotator", "lead"


@dataclass(frozen=True)
class Principal:
    """Who a request comes from: an annotator (their queue only) or the lead."""

    name: str
    role: str

    @property
    def key(self) -> str:
        return f"{self.role}:{self.name}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()


class Tokens:
    """Token digests -> principals, for the principals this server serves."""

    def __init__(self, by_digest: dict[str, Principal], secret: bytes):
        self._by_digest = by_digest
        self._secret = secret

    @classmethod
    def load_or_issue(
        cls, folder: Path, principals: list[Principal], renew: bool = False
    ) -> tuple[Tokens, dict[Principal, str]]:
        """The tokens of `principals`, kept from the file or made now; the new ones are
        returned in clear, to be shown once. `renew` revokes every stored token."""
        tokens, new, save = cls.prepare(folder, principals, renew)
        save()
        return tokens, new

    @classmethod
    def prepare(
        cls, folder: Path, principals: list[Principal], renew: bool = False
    ) -> tuple[Tokens, dict[Principal, str], Callable[[], None]]:
        """`load_or_issue` with the writing left to the caller (`save`): a server saves new
        tokens only once nothing can stop it from starting, so no URL it never showed is kept."""
        path = folder / TOKENS_FILE
        data: dict = {"secret": secrets.token_hex(32), "tokens": {}}
        if path.exists() and not renew:
            data = _read(path)
        new: dict[Principal, str] = {}
        for p in principals:
            if p.key not in data["tokens"]:
                new[p] = secrets.token_urlsafe(32)
                data["tokens"][p.key] = digest(new[p])
        changed = bool(new) or renew or not path.exists()

        def save() -> None:
            if changed:
                _write(path, data)

        by_digest = {data["tokens"][p.key]: p for p in principals}
        return cls(by_digest, bytes.fromhex(data["secret"])), new, save

    def who(self, token: str | None) -> Principal | None:
        if not token or len(token) > 200:
            return None
        return self._by_digest.get(digest(token))

    def csrf(self, p: Principal) -> str:
        return hmac.new(self._secret, p.key.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, p: Principal, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(self.csrf(p), value or "")


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data["tokens"], dict):
            raise TypeError
        bytes.fromhex(data["secret"])
        return data
    except (OSError, ValueError, KeyError, TypeError):
        raise AnnotationError(
            f"{path}: unreadable token file; delete it or start with --new-tokens (every "
            f"annotator then gets a new private URL)"
        ) from None


def _write(path: Path, data: dict) -> None:
    """Atomically, readable by the owner only."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise AnnotationError(f"{path}: cannot write ({exc.strerror})") from None

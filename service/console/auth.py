"""Staff sign-in for the console: credentials, signed session cookies, CSRF tokens, rate limiting, the audit log.

A session is a cookie signed with a key drawn when the service starts (so a restart signs everyone out, and no key
lies on disk); it carries who signed in, a session id (revoked at sign-out) and the CSRF token every form of the
console must send back. Run ``python -m service.console.auth`` to make the argon2 hash of a staff password.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from indexer.core.settings import Settings

log = logging.getLogger(__name__)

SESSION_COOKIE = "passerelle_staff"
SIGN_IN_CSRF_COOKIE = "passerelle_staff_signin"
MAX_ATTEMPTS = 5  # sign-in attempts per client per window, then 429
ATTEMPT_WINDOW = 60.0  # seconds
MAX_CLIENTS = 10_000  # clients whose attempts are counted at once: beyond, new ones are refused until some expire


@dataclass(frozen=True)
class Session:
    who: str
    sid: str
    csrf: str


class StaffAuth:
    """Everything the console needs to know who is signed in; one per application."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._signer = URLSafeTimedSerializer(secrets.token_bytes(32), salt="passerelle-staff")
        self._revoked: dict[str, float] = {}  # session id → when it ends anyway
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.audit = AuditLog(settings.audit_log or settings.index_dir / "audit.jsonl")

    @property
    def enabled(self) -> bool:
        return self.settings.admin_token is not None or self.settings.staff_password_hash is not None

    @property
    def max_age(self) -> int:
        return self.settings.staff_session_minutes * 60

    def check(self, secret: str) -> str | None:
        """Who ``secret`` signs in as (``admin-token`` or ``staff-password``), or ``None``."""
        token = self.settings.admin_token
        if token is not None and secrets.compare_digest(secret.encode(), token.get_secret_value().encode()):
            return "admin-token"
        hashed = self.settings.staff_password_hash
        if hashed is not None and secret:
            try:
                PasswordHasher().verify(hashed.get_secret_value(), secret)
            except (VerificationError, InvalidHashError):
                return None
            return "staff-password"
        return None

    def new_session(self, who: str) -> str:
        return self._signer.dumps({"who": who, "sid": secrets.token_urlsafe(16), "csrf": secrets.token_urlsafe(24)})

    def session(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data: Any = self._signer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("who", "sid", "csrf")):
            return None
        with self._lock:
            if data["sid"] in self._revoked:
                return None
        return Session(data["who"], data["sid"], data["csrf"])

    def revoke(self, session: Session) -> None:
        now = time.time()
        with self._lock:
            self._revoked = {sid: end for sid, end in self._revoked.items() if end > now}
            self._revoked[session.sid] = now + self.max_age

    def sign_in_token(self) -> str:
        """The CSRF token of the sign-in form, kept in its own signed cookie (there is no session yet)."""
        return self._signer.dumps({"sign-in": secrets.token_urlsafe(24)})

    def sign_in_token_ok(self, cookie: str | None, sent: str | None) -> bool:
        if not cookie or not sent:
            return False
        return secrets.compare_digest(cookie.encode(), sent.encode()) and self._valid(cookie)

    def _valid(self, value: str) -> bool:
        try:
            self._signer.loads(value, max_age=self.max_age)
        except BadSignature:
            return False
        return True

    def attempt(self, client: str) -> bool:
        """Count a sign-in attempt of ``client`` before its password is checked; ``False`` (refuse it) when the
        client has tried :data:`MAX_ATTEMPTS` times in the last minute. Counting first, under the lock, means
        concurrent attempts cannot all pass the check before any is counted."""
        now = time.monotonic()
        with self._lock:
            attempts = self._attempts.get(client)
            if attempts is None:
                if len(self._attempts) >= MAX_CLIENTS:  # prune, and when a flood fills the table, refuse newcomers
                    self._attempts = {c: a for c, a in self._attempts.items() if a and a[-1] >= now - ATTEMPT_WINDOW}
                    if len(self._attempts) >= MAX_CLIENTS:
                        return False
                attempts = self._attempts[client] = deque()
            while attempts and attempts[0] < now - ATTEMPT_WINDOW:
                attempts.popleft()
            if len(attempts) >= MAX_ATTEMPTS:
                return False
            attempts.append(now)
            return True

    def succeeded(self, client: str) -> None:
        """A right password: the client's earlier attempts no longer count."""
        with self._lock:
            self._attempts.pop(client, None)


def csrf_ok(session: Session, sent: str | None) -> bool:
    return bool(sent) and secrets.compare_digest(session.csrf.encode(), (sent or "").encode())


class AuditLog:
    """Staff actions, one JSON line each: who, when, action, target, outcome. Never passwords or file contents."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, who: str, action: str, target: str = "", **details: Any) -> None:
        line = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "who": who, "action": action,
                "target": target, **details}
        # ASCII only: every character a reader could take for a line break (U+2028, U+0085…) is escaped, so no field
        # can split or forge a line.
        text = json.dumps(line, ensure_ascii=True) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(text)
        log.info("staff %s: %s %s", who, action, target)

    def last(self, n: int = 200) -> list[dict[str, Any]]:
        """The ``n`` most recent lines, newest first (a damaged line is skipped)."""
        try:
            lines = self.path.read_text(encoding="utf-8").split("\n")[-n - 1:]  # lines end with "\n" only
        except FileNotFoundError:
            return []
        entries = []
        for line in reversed(lines):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return entries


def main() -> None:
    """Print the argon2 hash of a password typed at the prompt, for PASSERELLE_STAFF_PASSWORD_HASH."""
    import getpass

    password = getpass.getpass("Staff password: ")
    if len(password) < 12:
        raise SystemExit("choose a password of at least 12 characters")
    if getpass.getpass("Again: ") != password:
        raise SystemExit("the two passwords differ")
    print(PasswordHasher().hash(password))


if __name__ == "__main__":
    main()

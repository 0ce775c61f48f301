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
MAX_FAILURES = 5  # failed sign-ins per client per window, then 429
FAILURE_WINDOW = 60.0  # seconds


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
        self._failures: dict[str, deque[float]] = {}
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

    def limited(self, client: str) -> bool:
        """Whether ``client`` has failed too often in the last minute."""
        now = time.monotonic()
        with self._lock:
            failures = self._failures.get(client)
            while failures and failures[0] < now - FAILURE_WINDOW:
                failures.popleft()
            return failures is not None and len(failures) >= MAX_FAILURES

    def failed(self, client: str) -> None:
        with self._lock:
            if len(self._failures) > 10_000:  # a flood of addresses must not grow memory without end
                self._failures.clear()
            self._failures.setdefault(client, deque()).append(time.monotonic())


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
        text = json.dumps(line, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(text)
        log.info("staff %s: %s %s", who, action, target)

    def last(self, n: int = 200) -> list[dict[str, Any]]:
        """The ``n`` most recent lines, newest first (a damaged line is skipped)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()[-n:]
        except FileNotFoundError:
            return []
        entries = []
        for line in reversed(lines):
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

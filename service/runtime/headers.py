"""The headers every answer carries: no MIME sniffing, and a content security policy."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Every answer: no MIME sniffing, and a policy under which the browser runs only the service's own files (the web
# page has no inline script or style), sends forms only to it, and shows it in no frame.
CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every answer that has not set its own policy (the documentation pages,
    the corpus files). Plain ASGI: Starlette's BaseHTTPMiddleware would cost each search request a task hop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Servers for tests and benchmarks: a free loopback port, the service in a thread of this process, waiting for
a service process to answer, and waiting for a re-index to end. ``bench/`` imports these too."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from indexer import Embedder, Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def run_server(settings: Settings, embedder: Embedder) -> Iterator[str]:
    """Run the service in a thread of this process, on a free loopback port; yields its base URL."""
    import uvicorn

    from service import create_app

    port = free_port()
    config = uvicorn.Config(create_app(settings, embedder=embedder), host="127.0.0.1", port=port,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def wait_ready(base_url: str, process: subprocess.Popen[Any], *, timeout: float = 180) -> None:
    """Until the service ``process`` runs at ``base_url`` answers ``/health`` with 200; ``RuntimeError`` when it
    exits or ``timeout`` seconds pass first (with what it wrote on stderr, when that was piped)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=10) as http:
        while True:
            try:
                if http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                errors = process.stderr.read() if process.stderr and process.poll() is not None else ""
                raise RuntimeError(f"the server on {base_url} did not start: {errors}")
            time.sleep(0.1)


def wait_for_reindex(base_url: str, token: str, *, timeout: float = 120) -> dict[str, Any]:
    """Until the service's re-index (``GET /admin/status`` with the admin ``token``) has ended; its status."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:
        deadline = time.monotonic() + timeout
        while (status := api.get("/admin/status").json())["reindex"]["running"]:
            if time.monotonic() > deadline:
                raise RuntimeError("the re-index did not finish")
            time.sleep(0.2)
    return dict(status)

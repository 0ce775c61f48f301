"""Browse pages over HTTP: how fast the archive answers without a query (target: p50 under 50 ms).

``passerelle serve`` runs as a subprocess on a free loopback port over an index of the bundled corpus (built
first with ``passerelle index`` when ``--index-dir`` holds none of this version's format), and one client
(the standard library's ``http.client``, one keep-alive connection, as in bench_load.py) GETs browse URLs in
turn — the start page, a type, an edition, an author, a year, a sort — ``--requests`` times in all, after a
warm-up round. Prints p50/p95 per URL and over all requests.

Run::

    .venv/bin/python bench/bench_browse.py --index-dir /tmp/browse-ix --requests 200
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_load import serve

from indexer.core.generations import FORMAT_VERSION, MANIFEST, Manifest, current_generation
from indexer.core.settings import Settings
from tests.support.servers import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[1]
URLS = (
    "/?lang=en",
    "/?type=thesis",
    "/?edition=2025-sante-mentale",
    "/?by=Khoury%2C+Mariam",
    "/?year=2024&sort=oldest",
    "/?type=talk&language=de",
)


def ensure_index(index_dir: Path, models_dir: Path) -> None:
    """An index of corpus/ in ``index_dir``, of this version's format."""
    current = current_generation(index_dir)
    if current is not None and (current / MANIFEST).exists() and \
            Manifest.read(current / MANIFEST).format_version == FORMAT_VERSION:
        return
    env = os.environ | {"PASSERELLE_MODELS_DIR": str(models_dir)}
    subprocess.run([sys.executable, "-m", "service.cli", "index", str(ROOT / "corpus"), "--index-dir",
                    str(index_dir)], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, default=Path("/tmp/passerelle-browse-ix"))
    parser.add_argument("--models-dir", type=Path, default=Settings().models_dir)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    ensure_index(args.index_dir, args.models_dir)
    port = free_port()
    server = serve(args.index_dir, args.models_dir, port)
    try:
        wait_ready(f"http://127.0.0.1:{port}", server)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        times: dict[str, list[float]] = {url: [] for url in URLS}

        def get(url: str) -> float:
            started = time.perf_counter()
            connection.request("GET", url, headers={"Accept-Language": "en"})
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200 or (b'class="hit' not in body and "lang=" not in url):
                raise RuntimeError(f"{url}: HTTP {response.status}, no documents listed")
            return elapsed

        for url in URLS:  # warm-up: templates compiled, records read
            get(url)
        for n in range(args.requests):
            url = URLS[n % len(URLS)]
            times[url].append(get(url))
        connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    every = [t for values in times.values() for t in values]
    print(f"{'URL':<32} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
    for url, values in times.items():
        print(f"{url:<32} {len(values):>4} {statistics.median(values):>8.1f} {percentile(values, 0.95):>8.1f}")
    print(f"{'all':<32} {len(every):>4} {statistics.median(every):>8.1f} {percentile(every, 0.95):>8.1f}")


if __name__ == "__main__":
    main()

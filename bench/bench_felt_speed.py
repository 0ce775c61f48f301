"""Felt speed: from Enter in the search box to the results painted, in headless Chromium (Debian's).

Serves the bundled corpus with the real model (query cache off, so every query is new to the service), opens the
search page, and for each query types it, presses Enter, and times in the page from the key press to the frame
after the results were put in (two animation frames: the second one runs after the first has been painted)::

    .venv/bin/python bench/bench_felt_speed.py [--queries 40] [--index-dir DIR]

Queries: the honest-results development set (answerable and off-topic, bench/data/honest), never seen before by
the server. Prints p50/p95 of the felt time and, for comparison, of the requests' time (request sent to answer
received) for the same searches.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
from bench_load import serve

from indexer import Embedder, Settings, index_corpus
from tests.support.servers import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]

# Armed before each Enter: resolves with the milliseconds from the key press to the frame after the new results.
ARM = """() => {
  const input = document.getElementById('q');
  const live = document.getElementById('live');
  window.__felt = new Promise(resolve => {
    input.addEventListener('keydown', event => {
      if (event.key !== 'Enter') return;
      const started = performance.now();
      const observer = new MutationObserver(() => {
        observer.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - started)));
      });
      observer.observe(live, {childList: true});
    }, {once: true});
  });
}"""


def queries(limit: int) -> list[str]:
    texts = []
    for name in ("answerable.jsonl", "offtopic.jsonl"):
        for line in (ROOT / "bench" / "data" / "honest" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["query"])
    # Both kinds, interleaved: a page of "nothing fits" must be as quick as a page of results.
    half = limit // 2
    answerable, offtopic = texts[:len(texts) // 2], texts[len(texts) // 2:]
    return (answerable[:half] + offtopic[:limit - half])[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--index-dir", type=Path, help="index of the bundled corpus (built there when missing)")
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="passerelle-felt-") as scratch:
        index_dir = arguments.index_dir or Path(scratch) / "index"
        index_corpus(ROOT / "corpus", index_dir=index_dir, embedder=Embedder.from_settings(settings).load(),
                     settings=settings)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(index_dir, settings.models_dir, port)
        try:
            wait_ready(base, server)
            felt, server_ms = [], []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page()
                page.goto(base + "/?lang=fr")
                page.wait_for_selector("#results")
                # Warm-up: the first search pays for the model's first run and the page's first layout.
                for warm in ("logement", "Schule"):
                    page.evaluate(ARM)
                    page.evaluate("q => { document.getElementById('q').value = q; }", warm)
                    page.press("#q", "Enter")
                    page.evaluate("() => window.__felt")
                for query in queries(arguments.queries):
                    page.evaluate(ARM)
                    # Set without an input event: results-as-you-type must not start before Enter.
                    page.evaluate("q => { document.getElementById('q').value = q; }", query)
                    with page.expect_response(lambda r: "/?" in r.url) as answer:
                        page.press("#q", "Enter")
                    felt.append(float(page.evaluate("() => window.__felt")))
                    timing = answer.value.request.timing
                    server_ms.append(timing["responseEnd"] - timing["requestStart"])
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"felt speed over {len(felt)} new queries (Enter → results painted, headless Chromium, real model):")
    print(f"  p50 {statistics.median(felt):.1f} ms   p95 {np.percentile(felt, 95):.1f} ms   "
          f"min {min(felt):.1f} ms   max {max(felt):.1f} ms")
    if server_ms:
        print(f"  request → answer of the same searches: p50 {statistics.median(server_ms):.1f} ms   "
              f"p95 {np.percentile(server_ms, 95):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Retrieval quality on the shared evaluation sets, by mode: the figures the documentation's main table shows.

For each BEIR set in ``../shared/data/eval`` and each mode (keyword, dense, hybrid), ``passerelle eval`` with
the default settings; the figures go to ``bench/results/eval.json`` with the command, the date and the machine,
and the documentation site renders its table from that file (``docs/hooks.py``): a figure there cannot exist
without this run. Indexes are built once under ``--work`` and reused::

    .venv/bin/python bench/bench_eval.py [--work /tmp/passerelle-eval]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "data" / "eval"
RESULTS = ROOT / "bench" / "results" / "eval.json"
SETS = ("piaf-fr", "xquad-mixed", "xquad-de2en", "xquad-en2de")
MODES = ("keyword", "dense", "hybrid")
KEPT = ("ndcg@10", "recall@100", "mrr@10", "queries", "documents")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/passerelle-eval"))
    arguments = parser.parse_args()
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for name in SETS:
        for mode in MODES:
            done = subprocess.run(
                [sys.executable, "-m", "service.cli", "eval", str(EVAL / name), "--index-dir",
                 str(arguments.work / name), "--mode", mode, "--json"],
                capture_output=True, text=True, cwd=ROOT, env=os.environ | {"NO_COLOR": "1"}, check=True)
            found = json.loads(done.stdout)
            figures.setdefault(name, {})[mode] = {key: found[key] for key in KEPT}
            print(f"{name:12} {mode:8} nDCG@10 {found['ndcg@10']:.4f}", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "command": ".venv/bin/python bench/bench_eval.py", "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "sets": figures}, indent=1) + "\n",
        encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

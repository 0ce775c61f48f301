"""Extraction in a worker process: what it costs, and what the limits' defaults are measured against.

Sections (all by default; pick with ``--only``):

- ``startup``: starting a worker (the first one starts the fork server, which imports the readers once; later
  ones are forked from it), and one round trip of an empty call.
- ``per-file``: every file of the bundled corpus read in this process and in the worker, alternately, ``--rounds``
  times; medians per file and their sums.
- ``memory``: the parent's peak memory (VmHWM) over reading the bundled corpus and a zip-bomb DOCX (its ratio and
  unpacked-size checks lifted, so that only the memory cap stands), in this process or in the worker; each in a
  fresh process.
- ``index``: a full index of the bundled corpus with this tree and with ``--baseline DIR`` (the code before the
  worker, e.g. ``git archive``), alternately, each in a fresh process with the model loaded and warmed up;
  the ratio of each pair of neighbouring processes, as the machine drifts.
- ``index-ab``: in one process, full indexes of the bundled corpus alternately with files read in the worker
  and in this process (the worker swapped for a stand-in that calls directly): the worker's cost alone.
- ``survey``: for ``--survey-dir`` folders (default: the bundled corpus and ../shared/data/pdf): each file's size,
  pages, passages at the default passage length, characters per token, extraction time and the worker's memory
  peak above its start — the figures the limits' defaults are set against.
- ``ocr``: scanned PDFs of ../shared read with OCR in the worker: seconds per page read (each page gets the
  time limit again).

Run: ``PYTHONPATH=. .venv/bin/python bench/bench_extract_isolation.py [--baseline /tmp/passerelle-base]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED_PDFS = ROOT.parent / "shared" / "data" / "pdf"
MB = 2**20
SECTIONS = ["startup", "per-file", "memory", "index", "index-ab", "survey", "ocr"]


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def worker_status() -> dict[str, int]:
    """Run in the worker: its memory figures now (bytes)."""
    return {field: _status(field) for field in ("VmSize", "VmPeak", "VmRSS", "VmHWM")}


def survey_one(path: Path, corpus_root: Path) -> dict[str, Any]:
    """Run in a fresh worker: read one file (no limits but memory and time), with its time and memory peak."""
    from indexer.core.errors import ExtractionError
    from indexer.ingest.extract import Limits
    from indexer.ingest.sources import load_document

    unlimited = Limits(file_mb=10**6, unpacked_mb=10**6, compression_ratio=10**6, pages=10**7, passages=10**8,
                       passage_tokens=480)
    started = time.perf_counter()
    try:
        document = load_document(path, corpus_root=corpus_root, entry=None, ocr=False, limits=unlimited)
        pages: list[str] | None = document.pages
        reason = ""
    except ExtractionError as exc:
        pages, reason = None, exc.reason
    return {"seconds": time.perf_counter() - started, "pages": pages, "reason": reason, **worker_status()}


def _files(folder: Path) -> list[Path]:
    from indexer.ingest.sources import walk_corpus

    return [path for path, skip in walk_corpus(folder) if skip is None]


def bench_startup() -> None:
    from indexer.ingest.worker import Worker

    print("== worker start-up")
    worker = Worker(memory_mb=2048, seconds=120)
    started = time.perf_counter()
    worker.call(worker_status)
    print(f"  first worker (starts the fork server, which imports the readers): {time.perf_counter() - started:.3f} s")
    fresh = []
    for _ in range(10):
        worker.close()
        worker = Worker(memory_mb=2048, seconds=120)
        started = time.perf_counter()
        worker.call(worker_status)
        fresh.append(time.perf_counter() - started)
    print(f"  a fresh worker (forked from the fork server) and its first call: median "
          f"{statistics.median(fresh) * 1000:.1f} ms, max {max(fresh) * 1000:.1f} ms over {len(fresh)}")
    trips = []
    for _ in range(200):
        started = time.perf_counter()
        worker.call(worker_status)
        trips.append(time.perf_counter() - started)
    print(f"  round trip of a call to a running worker: median {statistics.median(trips) * 1e6:.0f} µs")
    status = worker.call(worker_status)
    print(f"  a worker's own memory: {status['VmRSS'] / MB:.0f} MB resident, {status['VmSize'] / MB:.0f} MB of "
          "address space (the cap is added to it)")
    worker.close()


def bench_per_file(rounds: int) -> None:
    from indexer.ingest.sources import load_document
    from indexer.ingest.worker import Worker

    print(f"== per file, bundled corpus ({rounds} rounds, alternately in this process and in the worker)")
    files = _files(CORPUS)
    worker = Worker(memory_mb=2048, seconds=120)
    worker.call(worker_status)  # started before timing
    inline: dict[Path, list[float]] = {path: [] for path in files}
    isolated: dict[Path, list[float]] = {path: [] for path in files}
    for round_ in range(rounds):
        for path in files:
            order = [("inline", inline), ("worker", isolated)]
            for mode, samples in order if round_ % 2 == 0 else reversed(order):
                started = time.perf_counter()
                if mode == "inline":
                    load_document(path, corpus_root=CORPUS, entry=None, ocr=False)
                else:
                    worker.call(load_document, path, corpus_root=CORPUS, entry=None, ocr=False)
                samples[path].append(time.perf_counter() - started)
    worker.close()
    print(f"  {'file':<60} {'in process':>11} {'in worker':>10} {'extra':>8}")
    extra = []
    for path in files:
        a, b = statistics.median(inline[path]), statistics.median(isolated[path])
        extra.append(b - a)
        print(f"  {path.relative_to(CORPUS).as_posix()[-60:]:<60} {a * 1000:9.1f}ms {b * 1000:8.1f}ms "
              f"{(b - a) * 1000:+6.1f}ms")
    total_a = sum(statistics.median(v) for v in inline.values())
    total_b = sum(statistics.median(v) for v in isolated.values())
    print(f"  {len(files)} files: {total_a:.3f} s in process, {total_b:.3f} s in the worker "
          f"({(total_b / total_a - 1) * 100:+.1f} %); extra per file: median {statistics.median(extra) * 1000:.2f} ms")


def _child_memory(mode: str, bomb_mb: int) -> None:
    """In a fresh process: the parent's peak memory over the corpus and a zip bomb, read in ``mode``."""
    import dataclasses

    sys.path.insert(0, str(ROOT))
    from indexer.core.errors import ExtractionError
    from indexer.ingest.extract import Limits
    from indexer.ingest.sources import load_document
    from indexer.ingest.worker import Worker
    from tests.documents import zip_bomb_docx

    with tempfile.TemporaryDirectory() as scratch:
        bomb = Path(scratch) / "bomb.docx"
        zip_bomb_docx(bomb, megabytes=bomb_mb)
        limits = dataclasses.replace(Limits.defaults(), compression_ratio=10**6, unpacked_mb=10**6)
        worker = Worker(memory_mb=2048, seconds=600) if mode == "worker" else None
        if worker is not None:
            worker.call(worker_status)
        before = _status("VmHWM")
        started = time.perf_counter()
        for path, root in [(path, CORPUS) for path in _files(CORPUS)] + [(bomb, Path(scratch))]:
            try:
                if worker is None:
                    load_document(path, corpus_root=root, entry=None, limits=limits)
                else:
                    worker.call(load_document, path, corpus_root=root, entry=None, limits=limits)
                outcome = "read"
            except ExtractionError as exc:
                outcome = exc.reason
        seconds = time.perf_counter() - started
        if worker is not None:
            worker.close()
    print(json.dumps({"mode": mode, "before_mb": before / MB, "peak_mb": _status("VmHWM") / MB,
                      "bomb": outcome, "seconds": seconds}))


def bench_memory(bomb_mb: int) -> None:
    print(f"== parent's peak memory: bundled corpus + a {bomb_mb} MB zip-bomb DOCX (ratio and unpacked checks "
          "lifted; memory cap 2048 MB)")
    for mode in ("inline", "worker"):
        out = subprocess.run([sys.executable, __file__, "--child-memory", mode, "--bomb-mb", str(bomb_mb)],
                             capture_output=True, text=True, check=True, env=_env(ROOT))
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {mode:>6}: parent peak {result['before_mb']:.0f} -> {result['peak_mb']:.0f} MB "
              f"(+{result['peak_mb'] - result['before_mb']:.0f} MB); the bomb: {result['bomb']}; "
              f"{result['seconds']:.1f} s")


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree)}


def _child_index(rounds: int) -> None:
    """In a fresh process: the model loaded and warmed up, then ``rounds`` full indexings of the corpus."""
    from indexer import Embedder, Settings, index_corpus

    settings = Settings(corpus_dir=CORPUS)
    embedder = Embedder.from_settings(settings).load()
    embedder.encode_document(["Warm-up: the first call pays for lazy initialisation."] * 8)
    times = []
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(rounds):
            started = time.perf_counter()
            report = index_corpus(CORPUS, index_dir=Path(scratch) / f"index-{round_}", embedder=embedder,
                                  settings=settings)
            times.append(time.perf_counter() - started)
    print(json.dumps({"seconds": times, "passages": report.passages, "embed_seconds": report.embed_seconds,
                      "peak_mb": _status("VmHWM") / MB}))


def bench_index(baseline: Path | None, runs: int, rounds: int) -> None:
    trees = [("this tree", ROOT)] + ([("baseline", baseline)] if baseline is not None else [])
    print(f"== full index of the bundled corpus: {runs} fresh processes per tree, alternately, {rounds} index "
          "runs each (model loaded and warmed up first)")
    results: dict[str, list[float]] = {name: [] for name, _ in trees}
    for run in range(runs):
        for name, tree in trees if run % 2 == 0 else list(reversed(trees)):
            out = subprocess.run([sys.executable, __file__, "--child-index", str(rounds)], capture_output=True,
                                 text=True, check=True, env=_env(tree), cwd=tree)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results[name].extend(result["seconds"])
            print(f"  {name:>9}: " + ", ".join(f"{s:.2f}" for s in result["seconds"]) +
                  f" s ({result['passages']} passages; parent peak {result['peak_mb']:.0f} MB)")
    for name, samples in results.items():
        print(f"  {name:>9}: median {statistics.median(samples):.2f} s, min {min(samples):.2f} s over "
              f"{len(samples)} runs")
    if baseline is not None:
        mine, base = results["this tree"], results["baseline"]
        pairs = [sum(mine[i:i + rounds]) / sum(base[i:i + rounds]) for i in range(0, len(mine), rounds)]
        print("  this tree / baseline, neighbouring processes: " + ", ".join(f"{r:.3f}" for r in pairs) +
              f"; median {statistics.median(pairs):.3f}")


class InlineWorker:
    """Stand-in for :class:`indexer.worker.Worker` that calls in this process (extraction as before the worker)."""

    def __init__(self, **options: Any) -> None:
        pass

    def call(self, function: Any, /, *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    def close(self) -> None:
        pass


def bench_index_ab(rounds: int) -> None:
    from indexer import Embedder, Settings, index_corpus
    from indexer.ingest import pipeline as build
    from indexer.ingest.worker import Worker

    print(f"== full index of the bundled corpus in one process, files read in the worker or in this process, "
          f"alternately, {rounds} rounds")
    settings = Settings(corpus_dir=CORPUS)
    embedder = Embedder.from_settings(settings).load()
    embedder.encode_document(["Warm-up: the first call pays for lazy initialisation."] * 8)
    results: dict[str, list[float]] = {"worker": [], "in process": []}
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(rounds):
            modes = [("worker", Worker), ("in process", InlineWorker)]
            for mode, kind in modes if round_ % 2 == 0 else list(reversed(modes)):
                build.Worker = kind  # type: ignore[misc]
                started = time.perf_counter()
                index_corpus(CORPUS, index_dir=Path(scratch) / f"index-{round_}-{len(mode)}", embedder=embedder,
                             settings=settings)
                results[mode].append(time.perf_counter() - started)
    build.Worker = Worker  # type: ignore[misc]
    for mode, samples in results.items():
        print(f"  {mode:>10}: " + ", ".join(f"{s:.2f}" for s in samples) +
              f" s; median {statistics.median(samples):.2f}")
    pairs = [a / b for a, b in zip(results["worker"], results["in process"], strict=True)]
    print("  worker / in process, each round: " + ", ".join(f"{r:.3f}" for r in pairs) +
          f"; median {statistics.median(pairs):.3f}")


def bench_survey(folders: list[Path]) -> None:
    from indexer import Embedder, Settings
    from indexer.ingest.chunking import chunk_page
    from indexer.ingest.worker import Worker

    settings = Settings()
    embedder = Embedder.from_settings(settings)
    print("== survey (no limits but memory 4096 MB and 600 s; OCR off): the largest of each figure")
    rows = []
    for folder in folders:
        probe = Worker(memory_mb=4096, seconds=600)
        base = probe.call(worker_status)
        probe.close()
        for path in _files(folder):
            with Worker(memory_mb=4096, seconds=600, tasks_per_worker=1) as worker:
                try:
                    result = worker.call(survey_one, path, folder)
                except Exception as exc:  # a failure of the worker itself is a figure too
                    result = {"seconds": float("nan"), "pages": None, "reason": type(exc).__name__,
                              "VmPeak": 0, "VmHWM": 0}
            passages = characters = tokens = 0
            if result["pages"]:
                for number, page in enumerate(result["pages"], start=1):
                    chunks = chunk_page(page, page=number, count_tokens=embedder.count_tokens,
                                        max_tokens=settings.passage_tokens, overlap_tokens=settings.overlap_tokens)
                    passages += len(chunks)
                    characters += len(page) - page.count(" ") - page.count("\n")
                    tokens += sum(embedder.count_tokens([page])) if page else 0
            rows.append({"file": f"{folder.name}/{path.relative_to(folder).as_posix()}", "mb": path.stat().st_size / MB,
                         "pages": len(result["pages"] or []), "passages": passages, "characters": characters,
                         "chars_per_token": characters / tokens if tokens else 0.0,
                         "seconds": result["seconds"], "reason": result["reason"],
                         "peak_vm_mb": (result["VmPeak"] - base["VmSize"]) / MB,
                         "peak_rss_mb": (result["VmHWM"] - base["VmRSS"]) / MB})
    read = [row for row in rows if not row["reason"]]
    failures = Counter(row["reason"] for row in rows if row["reason"])
    print(f"  {len(rows)} files, {len(read)} read, failures: {dict(sorted(failures.items()))}")
    for key, unit in [("mb", "MB"), ("pages", "pages"), ("passages", "passages"), ("seconds", "s"),
                      ("peak_vm_mb", "MB of address space above the worker's own"),
                      ("peak_rss_mb", "MB resident above the worker's own"),
                      ("chars_per_token", "characters/token, spaces aside")]:
        top = sorted(rows, key=lambda row: row[key] if row[key] == row[key] else -1, reverse=True)[:3]
        print(f"  largest {key}: " + "; ".join(f"{row[key]:,.1f} ({row['file'][-50:]})" for row in top) + f" [{unit}]")


def ocr_one(path: Path) -> tuple[int, float]:
    """Run in the worker: read ``path`` with OCR; pages read by OCR and seconds."""
    from indexer.ingest.extract import extract

    started = time.perf_counter()
    extracted = extract(path, ocr=True)
    return extracted.ocr_pages, time.perf_counter() - started


def bench_ocr() -> None:
    from indexer.ingest.extract import ocr_available
    from indexer.ingest.worker import Worker

    if not ocr_available():
        print("== OCR: Tesseract is not installed")
        return
    print("== OCR in the worker (scans of ../shared/data/pdf)")
    with Worker(memory_mb=2048, seconds=120) as worker:
        for name in ("francais.pdf", "multipage.pdf", "skew.pdf", "poster.pdf"):
            for path in sorted(SHARED_PDFS.rglob(name))[:1]:
                pages, seconds = worker.call(ocr_one, path)
                print(f"  {path.relative_to(SHARED_PDFS).as_posix()}: {pages} page(s) by OCR in {seconds:.1f} s "
                      f"({seconds / max(pages, 1):.1f} s a page)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=SECTIONS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bomb-mb", type=int, default=40)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--index-runs", type=int, default=6)
    parser.add_argument("--index-rounds", type=int, default=2)
    parser.add_argument("--ab-rounds", type=int, default=8)
    parser.add_argument("--survey-dir", type=Path, action="append")
    parser.add_argument("--child-memory", choices=["inline", "worker"], help=argparse.SUPPRESS)
    parser.add_argument("--child-index", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        return _child_memory(args.child_memory, args.bomb_mb)
    if args.child_index:
        return _child_index(args.child_index)
    sections = args.only or SECTIONS
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; load average "
          + " ".join(f"{load:.1f}" for load in os.getloadavg()))
    if "startup" in sections:
        bench_startup()
    if "per-file" in sections:
        bench_per_file(args.rounds)
    if "memory" in sections:
        bench_memory(args.bomb_mb)
    if "index" in sections:
        bench_index(args.baseline, args.index_runs, args.index_rounds)
    if "index-ab" in sections:
        bench_index_ab(args.ab_rounds)
    if "survey" in sections:
        bench_survey(args.survey_dir or [CORPUS, SHARED_PDFS])
    if "ocr" in sections:
        bench_ocr()
    print("load average at the end: " + " ".join(f"{load:.1f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()

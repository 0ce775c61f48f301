"""CPU speed-ups of the embedding model against plain fp32: passages/s and the nDCG@10 they cost.

Variants (``--variants``):

``fp32``        the model as Passerelle loads it (the baseline);
``bf16``        the same weights cast to bfloat16;
``int8-dyn``    ``torch.ao.quantization.quantize_dynamic`` of every ``nn.Linear`` (int8 weights, activations
                quantised on the fly);
``onnx``        ONNX Runtime, fp32 (sentence-transformers' ``backend="onnx"``);
``onnx-int8``   ONNX Runtime with ``export_dynamic_quantized_onnx_model(..., "avx512_vnni")``;
``st5-fp32``    the torch model under the ONNX environment's sentence-transformers 5 / transformers 4: the
                baseline the ONNX variants' speed is measured against, in the same process.

Variants run in two groups, one process each — torch (``fp32``, ``bf16``, ``int8-dyn``) and ONNX
(``st5-fp32``, ``onnx``, ``onnx-int8``) — and within a group the timed rounds are interleaved (round 1 of
each variant, then round 2 of each, …) so that other work on a shared machine slows all of them alike.
A speed-up is against the baseline of its own group; nDCG@10 changes are against ``fp32``.

The two ONNX variants need sentence-transformers 5.x + transformers < 4.58 + optimum-onnx, which cannot
be installed beside sentence-transformers 6.2 (optimum-onnx needs transformers < 4.58): they run in a separate virtual
environment given with ``--onnx-python`` (this script re-runs itself there as a worker and reads back
its figures). Make one, e.g.::

    python3 -m venv /tmp/onnx-venv
    /tmp/onnx-venv/bin/pip install torch==2.13.0 'sentence-transformers[onnx]==5.*' 'transformers<4.58'

Speed: passages/s (wall clock, and per CPU-second of the process) encoding the passages of the bundled
corpus (read from ``store.sqlite`` of the index given with ``--index-dir``; build it with
``passerelle index corpus --index-dir /tmp/bench-ix``), batch 32, best of ``--rounds``.
Quality: dense retrieval on BEIR sets (whole documents, one vector each; exact inner-product search;
nDCG@10 with ``indexer.evaluation``), every variant on the same queries.

A variant is worth adopting by default only when it is faster AND costs at most 0.005 nDCG@10 on every set.

Run::

    PASSERELLE_MODELS_DIR=/tmp/models .venv/bin/python bench/bench_speedups.py --index-dir /tmp/bench-ix \\
        --onnx-python /tmp/onnx-venv/bin/python
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GROUPS = {"torch": ("fp32", "bf16", "int8-dyn"), "onnx": ("st5-fp32", "onnx", "onnx-int8")}
BASELINE = {"torch": "fp32", "onnx": "st5-fp32"}
BATCH = 32

Encode = Callable[[Sequence[str], str, int], np.ndarray]  # texts, prompt, batch size -> normalised vectors


def corpus_passages(index_dir: Path) -> list[str]:
    generation = index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    with sqlite3.connect(f"file:{generation / 'store.sqlite'}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT text FROM passages ORDER BY id")]


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    """As ``indexer.evaluation.read_qrels`` (the ONNX environment has no Passerelle installed)."""
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        next(handle, None)
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and int(parts[2]) > 0:
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def read_set(dataset: Path, max_queries: int,
             max_docs: int = 0) -> tuple[list[str], list[str], list[str], list[str]]:
    """Document ids and texts (title + text), query ids and texts (those with relevance judgements).

    ``max_queries``/``max_docs`` (0: all) keep an evenly spread subset: the documents relevant to the kept
    queries, then others up to ``max_docs`` — a smaller corpus, the same for every variant.
    """
    relevance = _qrels(dataset / "qrels" / "test.tsv")
    doc_ids, docs = [], []
    with (dataset / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            entry = json.loads(line)
            title, text = (entry.get("title") or "").strip(), (entry.get("text") or "").strip()
            doc_ids.append(str(entry["_id"]))
            docs.append(f"{title}\n{text}" if title else text)
    query_ids, queries = [], []
    with (dataset / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            entry = json.loads(line)
            if entry["_id"] in relevance:
                query_ids.append(entry["_id"])
                queries.append(entry["text"])
    if max_queries and len(queries) > max_queries:  # an evenly spread, reproducible subset
        keep = np.linspace(0, len(queries) - 1, max_queries).round().astype(int)
        query_ids, queries = [query_ids[i] for i in keep], [queries[i] for i in keep]
    if max_docs and len(doc_ids) > max_docs:
        needed = {d for q in query_ids for d in relevance[q]}
        others = [i for i, d in enumerate(doc_ids) if d not in needed]
        chosen = {i for i, d in enumerate(doc_ids) if d in needed}
        spare = max(0, max_docs - len(chosen))
        if spare and others:
            chosen |= {others[int(j)] for j in np.linspace(0, len(others) - 1, min(spare, len(others)))}
        doc_ids, docs = [doc_ids[i] for i in sorted(chosen)], [docs[i] for i in sorted(chosen)]
    return doc_ids, docs, query_ids, queries


def st_encoder(model) -> Encode:  # type: ignore[no-untyped-def]
    def encode(texts: Sequence[str], prompt: str, batch_size: int) -> np.ndarray:
        vectors = model.encode(list(texts), prompt=prompt, batch_size=batch_size, normalize_embeddings=True,
                               convert_to_tensor=True, show_progress_bar=False)
        return vectors.float().cpu().numpy()
    return encode


def torch_variants(names: Sequence[str], models_dir: Path) -> dict[str, tuple[Encode, dict[str, str]]]:
    """Passerelle's Embedder (sentence-transformers 6), then copies cast or quantised."""
    import copy

    import torch

    sys.path.insert(0, str(ROOT))
    from indexer.core.model import Embedder

    embedder = Embedder(models_dir=models_dir, precision="fp32")  # the baseline; variants are cast from it
    prompts = {"query": embedder.query_prompt, "passage": embedder.document_prompt}
    encoders = {}
    for name in names:
        model = embedder._model
        if name == "bf16":
            model = copy.deepcopy(model).to(torch.bfloat16)
        elif name == "int8-dyn":
            from torch.ao.quantization import quantize_dynamic

            model = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)  # a quantised copy
        elif name != "fp32":
            raise ValueError(name)
        encoders[name] = (st_encoder(model), prompts)
    return encoders


def onnx_variants(names: Sequence[str], model_dir: Path) -> dict[str, tuple[Encode, dict[str, str]]]:
    """In the ONNX environment; exports into a private copy of the model folder (never into the shared one)."""
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    work = Path(tempfile.gettempdir()) / "passerelle-onnx-model"
    if not (work / "modules.json").exists():
        shutil.copytree(model_dir, work, dirs_exist_ok=True)
    quantized = "onnx/model_qint8_avx512_vnni.onnx"
    encoders = {}
    for name in names:
        if name == "st5-fp32":
            model = SentenceTransformer(str(work), device="cpu")
        elif name == "onnx":
            model = SentenceTransformer(str(work), device="cpu", backend="onnx")
            if not (work / "onnx" / "model.onnx").exists():
                model.save_pretrained(str(work))  # keeps the export for the int8 variant and later runs
        elif name == "onnx-int8":
            if not (work / quantized).exists():
                export_dynamic_quantized_onnx_model(
                    SentenceTransformer(str(work), device="cpu", backend="onnx"), "avx512_vnni", str(work))
            model = SentenceTransformer(str(work), device="cpu", backend="onnx", model_kwargs={"file_name": quantized})
        else:
            raise ValueError(name)
        prompts = model.prompts or {}
        if "query" not in prompts or "passage" not in prompts:
            raise RuntimeError(f"{name}: the model lost its prompts: {prompts}")
        encoders[name] = (st_encoder(model), {"query": prompts["query"], "passage": prompts["passage"]})
    return encoders


def worker(args: argparse.Namespace) -> None:
    """One group of variants in this interpreter, timed rounds interleaved; figures as JSON in --output."""
    names = [v for v in args.worker.split(",") if v]
    datasets = [Path(d) for d in args.datasets.split(",")]
    passages = corpus_passages(args.index_dir)
    if args.max_passages:
        passages = passages[: args.max_passages]
    if set(names) <= set(GROUPS["onnx"]):
        encoders = onnx_variants(names, args.models_dir / "multilingual-e5-small")
    else:
        encoders = torch_variants(names, args.models_dir)
    speeds: dict[str, list[float]] = {n: [] for n in names}
    cpu_speeds: dict[str, list[float]] = {n: [] for n in names}
    for encode, prompts in encoders.values():
        encode(passages[:BATCH], prompts["passage"], BATCH)  # warm-up
    for _ in range(args.rounds):
        for name, (encode, prompts) in encoders.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            encode(passages, prompts["passage"], BATCH)
            speeds[name].append(len(passages) / (time.perf_counter() - started))
            cpu_speeds[name].append(len(passages) / (time.process_time() - cpu_started))
    sets = [(dataset, *read_set(dataset, args.max_queries, args.max_docs)) for dataset in datasets]
    results = {}
    for name, (encode, prompts) in encoders.items():
        rankings = {}
        for dataset, doc_ids, docs, query_ids, queries in sets:
            doc_vectors = encode(docs, prompts["passage"], BATCH)
            query_vectors = encode(queries, prompts["query"], BATCH)
            order = np.argsort(-(query_vectors @ doc_vectors.T), axis=1)[:, :10]
            rankings[dataset.name] = {q: [doc_ids[i] for i in row] for q, row in zip(query_ids, order, strict=True)}
        # Best round: other work on a shared machine only ever slows a round down.
        results[name] = {"passages_per_s": max(speeds[name]), "all_speeds": speeds[name],
                         "passages_per_cpu_s": max(cpu_speeds[name]), "rankings": rankings,
                         "sizes": {"passages": len(passages), **{d.name: [len(i), len(q)] for d, i, _, q, _ in sets}},
                         "versions": versions()}
    Path(args.output).write_text(json.dumps(results), encoding="utf-8")


def versions() -> dict[str, str]:
    import importlib.metadata as metadata

    found = {}
    for package in ("torch", "sentence-transformers", "transformers", "onnxruntime", "optimum", "optimum-onnx"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    return found


def score(rankings: dict[str, dict[str, list[str]]], datasets: list[Path]) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from indexer.evaluation import ndcg_at, read_qrels

    scores = {}
    for dataset in datasets:
        relevance = read_qrels(dataset / "qrels" / "test.tsv")
        scores[dataset.name] = float(np.mean([ndcg_at(r, relevance[q], 10)
                                              for q, r in rankings[dataset.name].items()]))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, default=Path("/tmp/bench-ix"))
    parser.add_argument("--models-dir", type=Path,
                        default=Path(os.environ.get("PASSERELLE_MODELS_DIR",
                                                    Path.home() / ".cache" / "passerelle" / "models")))
    parser.add_argument("--datasets", default=f"{SHARED}/data/eval/piaf-fr,{SHARED}/data/eval/xquad-mixed")
    parser.add_argument("--groups", default="torch,onnx", help="torch, onnx or both")
    parser.add_argument("--onnx-python", default="", help="python of a venv with sentence-transformers[onnx] 5.x")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the corpus passages")
    parser.add_argument("--max-queries", type=int, default=0, help="queries per set (0: all)")
    parser.add_argument("--max-docs", type=int, default=0, help="documents per set (0: all; relevant ones kept)")
    parser.add_argument("--max-passages", type=int, default=0, help="corpus passages timed (0: all)")
    parser.add_argument("--results", type=Path, default=Path("/tmp/bench-speedups.json"),
                        help="figures of each group, kept between runs, reported together")
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    parser.add_argument("--output", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    results = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {}
    datasets = [Path(d) for d in args.datasets.split(",")]
    for group in [g for g in args.groups.split(",") if g]:
        python = args.onnx_python if group == "onnx" else sys.executable
        if not python:
            print(f"{group}: skipped (no --onnx-python)")
            continue
        with tempfile.NamedTemporaryFile(suffix=".json") as output:
            command = [python, __file__, "--worker", ",".join(GROUPS[group]), "--output", output.name,
                       "--index-dir", str(args.index_dir), "--models-dir", str(args.models_dir),
                       "--datasets", args.datasets, "--rounds", str(args.rounds),
                       "--max-queries", str(args.max_queries), "--max-docs", str(args.max_docs),
                       "--max-passages", str(args.max_passages)]
            started = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{group}: FAILED\n{done.stderr[-3000:]}")
                continue
            figures = json.loads(Path(output.name).read_text(encoding="utf-8"))
        for name, result in figures.items():
            result["ndcg"] = score(result.pop("rankings"), datasets)
            result["group"] = group
            results[name] = result
            print(f"{name}: {result['passages_per_s']:.1f} passages/s (rounds "
                  + ", ".join(f"{v:.1f}" for v in result["all_speeds"]) + "), nDCG@10 "
                  + ", ".join(f"{k} {v:.4f}" for k, v in result["ndcg"].items()) + f"; {result['versions']}")
        print(f"   ({group}: {time.perf_counter() - started:.0f} s; sizes {result['sizes']})", flush=True)
        args.results.write_text(json.dumps(results, indent=1), encoding="utf-8")
    report(results)


def report(results: dict[str, dict[str, object]]) -> None:
    if "fp32" not in results:
        print("no fp32 figures yet: run --groups torch")
        return
    quality = results["fp32"]["ndcg"]
    names = list(quality)  # type: ignore[arg-type]
    columns = " | ".join(f"nDCG@10 {n} (Δ vs fp32)" for n in names)
    print(f"\n| variant | passages/s | speed-up vs its group's baseline | passages per CPU-s | {columns} | adopt? |")
    print("|---|---|---|---|" + "---|" * len(names) + "---|")
    adopted = []
    for variant, result in results.items():
        group = str(result.get("group", "torch"))
        base = results.get(BASELINE[group])
        speed = result["passages_per_s"] / base["passages_per_s"] if base else float("nan")  # type: ignore[operator]
        deltas = {n: result["ndcg"][n] - quality[n] for n in names}  # type: ignore[index]
        baseline = variant in BASELINE.values()
        ok = not baseline and speed > 1.0 and all(d >= -0.005 for d in deltas.values())
        if ok:
            adopted.append((speed, variant))
        cells = " | ".join(f"{result['ndcg'][n]:.4f} ({deltas[n]:+.4f})" for n in names)  # type: ignore[index]
        print(f"| {variant} | {result['passages_per_s']:.1f} | {speed:.2f}× | "
              f"{result.get('passages_per_cpu_s', float('nan')):.1f} | {cells} | "
              f"{'baseline' if baseline else ('yes' if ok else 'no')} |")
    if adopted:
        print(f"\nfastest that qualifies (faster, ≤ 0.005 nDCG@10 lost on every set): {max(adopted)[1]}")
    else:
        print("\nno variant qualifies (faster AND ≤ 0.005 nDCG@10 lost on every set): keep fp32")


if __name__ == "__main__":
    main()

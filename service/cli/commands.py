"""The ``passerelle`` command: index, serve, search, eval, model."""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from indexer.core.errors import PasserelleError
from indexer.core.settings import Settings
from indexer.search.filters import FILTERS, Filters, filter_spec

if TYPE_CHECKING:  # the model library loads only for the commands that need it
    from indexer.core.model import Embedder

app = typer.Typer(help="Passerelle: multilingual semantic search over conference material and theses.",
                  no_args_is_help=True)
console = Console(stderr=True)
out = Console()

ModelOption = Annotated[str | None, typer.Option("--model", help="Embedding model (name or folder).")]
IndexDirOption = Annotated[Path | None, typer.Option("--index-dir", help="Index folder.")]
ModeOption = Annotated[str, typer.Option("--mode", help="hybrid (default), dense or keyword.")]


def with_filter_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with one option per filter declared in :data:`indexer.search.filters.FILTERS` (``--edition``,
    ``--year-from``…, with the declaration's help); it receives them together as ``filters``."""
    signature = inspect.signature(command, eval_str=True)
    options = []
    for spec in FILTERS:
        annotation: Any
        if spec.kind == "bound":
            annotation = Annotated[int | None, typer.Option(help=f"{spec.help}.")]
        else:
            kind = int if spec.kind == "year" else str
            annotation = Annotated[list[kind] | None, typer.Option(help=f"{spec.help} (repeatable).")]  # type: ignore[valid-type]
        options.append(inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                         annotation=annotation))

    @functools.wraps(command)
    def with_filters(**values: Any) -> None:
        chosen = {spec.name: values.pop(spec.name) for spec in FILTERS}
        command(**values, filters=Filters(**{name: tuple(value or ()) if filter_spec(name).is_list else value
                                             for name, value in chosen.items()}))

    kept = [parameter for parameter in signature.parameters.values() if parameter.name != "filters"]
    with_filters.__signature__ = signature.replace(parameters=[  # type: ignore[attr-defined]
        *(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in kept), *options])
    with_filters.__annotations__ = {}  # typer reads the signature above, not the wrapped function's hints
    return with_filters


def _yield_to_queries(settings: Settings) -> None:
    """Run this indexing process behind a service on the same machine: at a lower CPU priority, its threads
    sleeping rather than spinning while they wait (set before torch starts its thread pool). Alone on a machine it
    loses nothing; beside a service, searches keep their cores (bench/RESULTS-busy.md)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if settings.index_niceness:
        os.nice(settings.index_niceness)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"passerelle {version('passerelle')}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Print the installed version and exit.")] = False,
) -> None:
    """Passerelle: multilingual semantic search over conference material and theses."""


def _settings(**overrides: Any) -> Settings:
    return Settings(**{key: value for key, value in overrides.items() if value is not None})


def _embedder(settings: Settings) -> Embedder:
    from indexer.core.model import Embedder

    with console.status(f"Preparing model {settings.model}…"):
        return Embedder.from_settings(settings)


def _progress() -> Progress:
    return Progress(TextColumn("[progress.description]{task.description:<52}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=False)


# Exit codes of `passerelle index`: 0 the index is up to date (files may have failed, as reported).
EXIT_INCOMPLETE = 3  # the run could not complete: index busy, corpus folder unreadable, model error
EXIT_FILES_FAILED = 4  # with --strict: the index is up to date but some file failed


@app.command()
def index(
    corpus_dir: Annotated[Path | None, typer.Argument(help="Folder of documents (default: settings).")] = None,
    index_dir: IndexDirOption = None,
    model: ModelOption = None,
    full: Annotated[bool, typer.Option("--full", help="Rebuild from scratch instead of updating.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run's report as one JSON document.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help=f"Exit with {EXIT_FILES_FAILED} if any file failed.")]
    = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what a run would do; embed and write nothing.")]
    = False,
) -> None:
    """Index CORPUS_DIR: only what changed since the last run; report skipped and failed files, and why.

    Exit codes: 0 up to date (even with failed files), 3 the run could not complete, 4 a file failed (--strict).
    """
    from indexer.ingest.pipeline import index_corpus, plan_corpus

    settings = _settings(corpus_dir=corpus_dir, index_dir=index_dir, model=model)
    _yield_to_queries(settings)
    try:
        embedder = _embedder(settings)
        if dry_run:
            dry = plan_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=embedder,
                              settings=settings, full=full)
            if as_json:
                print(json.dumps(dry.as_dict(), ensure_ascii=False), flush=True)
            else:
                print_dry_run(dry)
            return
        # The bar animates only when a person watches both streams; in a log or a pipe it would be noise.
        watched = console.is_terminal and out.is_terminal and not as_json
        with _progress() if watched else contextlib.nullcontext() as progress, \
                _cluster(settings, embedder) as encode:
            read = encode.reader() if encode is not None and settings.cluster_reads else None
            report = index_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=embedder,
                                  settings=settings, progress=progress, full=full, encode=encode, read=read)
    except (PasserelleError, OSError) as exc:
        console.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INCOMPLETE) from exc
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False), flush=True)
    elif out.is_terminal:
        print_report(report)
    else:
        print_plain_report(report)
    if strict and report.failed:
        raise typer.Exit(EXIT_FILES_FAILED)


def _cluster(settings: Settings, embedder: Embedder) -> contextlib.AbstractContextManager[Any]:
    """The Dask cluster that embeds the passages (``PASSERELLE_CLUSTER``), or nothing: embed in this process."""
    if not settings.cluster:
        return contextlib.nullcontext()
    try:
        from indexer.ingest.cluster import ClusterEncoder, ModelSpec
    except ModuleNotFoundError as exc:
        from indexer.core.errors import ClusterError

        raise ClusterError(f"PASSERELLE_CLUSTER is set but {exc.name} is not installed: "
                           "pip install 'passerelle[cluster]'") from exc
    with console.status(f"Loading the model on the workers of {settings.cluster}…"):
        return ClusterEncoder(settings.cluster, ModelSpec.of(settings).load,
                              expect=(embedder.name, embedder.dimension), batch=settings.batch_size)


def print_dry_run(dry: Any) -> None:
    """One line a file a run would touch, as ``print_plain_report`` prints them, then the totals."""
    for outcome, paths in (("add", dry.added), ("change", dry.changed), ("move", dry.moved),
                           ("update metadata", dry.metadata_updated), ("remove", dry.removed),
                           ("re-read", dry.reread)):
        for path in paths:
            print(f"{outcome}\t{path}")
    for outcome, issues in (("duplicate", dry.duplicates), ("skipped", dry.skipped), ("failed", dry.failed)):
        for issue in issues:
            print(f"{outcome}\t{issue.path}\t{issue.reason}\t{issue.message}")
    print(f"dry run\tadd={len(dry.added)} change={len(dry.changed)} move={len(dry.moved)} "
          f"update_metadata={len(dry.metadata_updated)} remove={len(dry.removed)} reread={len(dry.reread)} "
          f"unchanged={dry.unchanged} (nothing embedded or written)", flush=True)


def print_plain_report(report: Any) -> None:
    """The summary for a log or a pipe: one line a file not indexed, full paths, no table to cut them."""
    for outcome, issues in (("duplicate", report.duplicates), ("skipped", report.skipped),
                            ("failed", report.failed)):
        for issue in issues:
            print(f"{outcome}\t{issue.path}\t{issue.reason}\t{issue.message}")
    for outcome, paths in (("moved", report.moved), ("removed", report.removed)):
        for path in paths:
            print(f"{outcome}\t{path}")
    if report.rebuilt:
        print(f"rebuilt\t{report.rebuilt}")
    languages = ",".join(f"{k}:{v}" for k, v in report.languages.items()) or "-"
    print(f"summary\tdocuments={report.documents} pages={report.pages} ocr_pages={report.ocr_pages} "
          f"passages={report.passages} embedded={report.embedded_passages} languages={languages} "
          f"added={len(report.added)} changed={len(report.changed)} moved={len(report.moved)} "
          f"removed={len(report.removed)} metadata_updated={len(report.metadata_updated)} "
          f"unchanged={report.unchanged} duplicates={len(report.duplicates)} skipped={len(report.skipped)} "
          f"failed={len(report.failed)} seconds={report.seconds:.1f} embed_seconds={report.embed_seconds:.1f} "
          f"index={report.index_path}" + ("" if report.new_generation else " (unchanged, kept)"), flush=True)


def print_report(report: Any) -> None:
    """The indexing summary: counts, what changed, and every file not indexed with the reason."""
    summary = Table(title="Indexing summary", show_header=False)
    summary.add_row("Documents", str(report.documents))
    summary.add_row("Pages", f"{report.pages}" + (f" ({report.ocr_pages} read by OCR)" if report.ocr_pages else ""))
    summary.add_row("Passages", f"{report.passages} ({report.embedded_passages} embedded in this run)")
    summary.add_row("Languages", ", ".join(f"{k} {v}" for k, v in report.languages.items()) or "-")
    summary.add_row("Added / changed / moved / removed",
                    f"{len(report.added)} / {len(report.changed)} / {len(report.moved)} / {len(report.removed)}")
    summary.add_row("Metadata updated / unchanged", f"{len(report.metadata_updated)} / {report.unchanged}")
    summary.add_row("Duplicates / skipped / failed",
                    f"{len(report.duplicates)} / {len(report.skipped)} / {len(report.failed)}")
    summary.add_row("Time", f"{report.seconds:.1f} s (embedding {report.embed_seconds:.1f} s)")
    summary.add_row("Index", report.index_path + ("" if report.new_generation else " (unchanged, kept)"))
    out.print(summary)
    if report.rebuilt:
        out.print(f"[bold]Rebuilt:[/bold] {report.rebuilt}", highlight=False)
    for title, paths in (("Moved", report.moved), ("Removed", report.removed)):
        if paths:
            out.print(f"[bold]{title}:[/bold] " + ", ".join(paths))
    for title, issues in (("Duplicates", report.duplicates), ("Skipped", report.skipped), ("Failed", report.failed)):
        if issues:
            table = Table(title=title)
            table.add_column("File")
            table.add_column("Reason")
            table.add_column("Details")
            for issue in issues:
                table.add_row(issue.path, issue.reason, issue.message)
            out.print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    index_dir: IndexDirOption = None,
    model: ModelOption = None,
) -> None:
    """Serve the index over HTTP (API docs at /docs)."""
    import uvicorn

    from service.app import create_app

    settings = _settings(host=host, port=port, index_dir=index_dir, model=model)
    from service.runtime import logs

    logs.configure(settings.log_format, level=logging.INFO)
    # log_config=None: uvicorn's lines go through the handler configured above, in the same format.
    # Forwarded headers only from the proxies named (uvicorn would believe any from 127.0.0.1); shutdown bounded, so
    # that no request can keep the service from stopping.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                access_log=settings.access_log, log_config=None, proxy_headers=bool(settings.trusted_proxies),
                forwarded_allow_ips=",".join(settings.trusted_proxies) or "",
                timeout_graceful_shutdown=settings.shutdown_grace_seconds)


@app.command()
@with_filter_options
def search(
    query: Annotated[str, typer.Argument(help="Question or keywords, any language.")],
    k: Annotated[int, typer.Option("-k", help="Number of documents.")] = 10,
    mode: ModeOption = "hybrid",
    sort: Annotated[str, typer.Option("--sort", help="relevance (default), or the matches by year: newest or "
                                                     "oldest first.")] = "relevance",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, as the HTTP API does.")] = False,
    index_dir: IndexDirOption = None,
    model: ModelOption = None,
    *,
    filters: Filters,
) -> None:
    """Search the index from the command line, with the service's search code."""
    from indexer.search.filters import parse_mode, parse_sort
    from indexer.search.searcher import Searcher

    settings = _settings(index_dir=index_dir, model=model)
    embedder = _embedder(settings)
    searcher = Searcher.open(settings, embedder)
    result = searcher.search(query, k=k, filters=filters, mode=parse_mode(mode), sort=parse_sort(sort))
    if as_json:
        from service.api.schemas import Result

        highlighter = searcher.highlighter(result.query)
        out.print_json(json.dumps({"query": result.query, "mode": result.mode, "matches": result.matches,
                                   "results": [Result.of(h, highlighter).model_dump() for h in result.hits]}))
        return
    if not result.hits:
        out.print("No result: try fewer words, other words, or another language.")
    elif not result.matches:
        out.print("[bold]No document really matches your question.[/bold] The nearest documents:")
    else:
        out.print(f"{result.matches} matching document{'s' if result.matches > 1 else ''} "
                  f"({MATCH_MARK} match, {RELATED_MARK} only related):")
    _print_hits(result.hits, searcher.highlighter(result.query), editions=searcher.index.editions())


MATCH_MARK, RELATED_MARK = "✓", "~"


def _print_hits(hits: list[Any], highlighter: Any = None, *, editions: dict[str, Any] | None = None) -> None:
    editions = editions or {}
    for rank, hit in enumerate(hits, start=1):
        document = hit.document
        # The edition by its catalogue title, as the page shows it, not its folder name.
        edition = editions[document.edition].title if document.edition in editions else document.edition
        meta = " · ".join(str(v) for v in (document.type, edition or document.year, document.language) if v)
        mark = MATCH_MARK if hit.match else RELATED_MARK
        out.print(f"{mark} [bold]{rank}. {document.title}[/bold]  [dim]{meta} · score {hit.score:.3f}[/dim]")
        out.print(f"   p. {hit.passage.page} — {hit.passage.text[:300]}", highlight=False)
        if highlighter is not None:
            words = highlighter.matched_words(hit.passage.text, hit.passage.language, terms=hit.passage.terms)
            why = ("contains: " + ", ".join(words)) if words else (
                "found by meaning" + (f" (document in {document.language})" if document.language else ""))
            out.print(f"   [dim]{why}[/dim]", highlight=False)
        out.print(f"   [dim]{document.path}  (id {document.id})[/dim]")


@app.command()
@with_filter_options
def similar(
    document_id: Annotated[str, typer.Argument(help="Id of a document (see `search` or /documents).")],
    k: Annotated[int, typer.Option("-k", help="Number of documents.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, as the HTTP API does.")] = False,
    index_dir: IndexDirOption = None,
    model: ModelOption = None,
    *,
    filters: Filters,
) -> None:
    """Documents closest in meaning to DOCUMENT_ID, in any language ("more like this")."""
    from indexer.search.searcher import Searcher

    settings = _settings(index_dir=index_dir, model=model)
    searcher = Searcher.open(settings, _embedder(settings))
    from service.searching import similar as find_similar

    answer = find_similar(searcher, document_id, k=k, index_dir=settings.index_dir, filters=filters)
    if as_json:
        print(answer.model_dump_json(), flush=True)
        return
    out.print(f"Documents like [bold]{answer.document.title}[/bold] ({MATCH_MARK} similar, {RELATED_MARK} only "
              "related):")
    for rank, result in enumerate(answer.results, start=1):
        document = result.document
        mark = MATCH_MARK if result.match else RELATED_MARK
        out.print(f"{mark} [bold]{rank}. {document.title}[/bold]  [dim]{document.type} · {document.language} · "
                  f"score {result.score:.3f}[/dim]")
        out.print(f"   [dim]{document.path}  (id {document.id})[/dim]")


@app.command(name="eval")
def evaluate(
    dataset_dir: Annotated[Path, typer.Argument(help="BEIR-layout folder.")],
    qrels: Annotated[str, typer.Option(help="Name of the qrels file in qrels/.")] = "test",
    index_dir: Annotated[Path | None, typer.Option(help="Keep the built index here and reuse it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON document.")] = False,
    mode: ModeOption = "hybrid",
    model: ModelOption = None,
    offtopic: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False,
        help="File of queries the set's corpus does not answer (one per line, or JSON lines with `query`): "
             "report the share that get no match.")] = None,
) -> None:
    """Index a BEIR-layout set and print nDCG@10, Recall@10/100, MRR@10, latency, and how the relevance
    judgement behaves: the share of queries whose relevant document is marked a match (and, with --offtopic,
    the share of off-topic queries that get no match)."""
    import tempfile

    from indexer.evaluation import evaluate as run_evaluation
    from indexer.evaluation import read_queries
    from indexer.search.filters import parse_mode

    settings = _settings(model=model)
    embedder = _embedder(settings)
    with tempfile.TemporaryDirectory(prefix="passerelle-eval-") as scratch, _progress() as progress:
        result = run_evaluation(dataset_dir, embedder=embedder, settings=settings,
                                index_dir=index_dir or Path(scratch), qrels=qrels, mode=parse_mode(mode),
                                progress=progress, offtopic=read_queries(offtopic) if offtopic else ())
    if as_json:  # one JSON document on stdout, like the other commands' --json
        print(json.dumps(result.as_json()), flush=True)
        return
    table = Table(title=f"Evaluation of {dataset_dir.name}", show_header=False)
    for key, value in result.as_json().items():
        table.add_row(key, str(value))
    out.print(table)


@app.command()
def model(model: ModelOption = None) -> None:
    """Show the active embedding model: name, location, dimension, prompts."""
    settings = _settings(model=model)
    embedder = _embedder(settings)
    table = Table(title="Embedding model", show_header=False)
    table.add_row("Name", embedder.name)
    table.add_row("Location", embedder.location)
    table.add_row("Dimension", str(embedder.dimension))
    table.add_row("Max tokens", str(embedder.max_tokens))
    table.add_row("Precision", embedder.precision + (" (auto)" if settings.precision == "auto" else ""))
    table.add_row("Device", embedder.device + (" (auto)" if settings.device == "auto" else ""))
    table.add_row("Query prompt", repr(embedder.query_prompt))
    table.add_row("Document prompt", repr(embedder.document_prompt))
    out.print(table)


def main() -> None:
    # On stderr, with time and level, so that a log file reads on its own and --json's stdout stays JSON.
    from service.runtime import logs

    try:
        log_format = Settings().log_format
    except ValidationError:  # reported by the command itself, below, with the name of the setting
        log_format = "text"
    logs.configure(log_format)
    try:
        app()
    except PasserelleError as exc:
        console.print(f"[red]Error:[/red] {exc}")
        sys.exit(2)
    except FileNotFoundError as exc:
        console.print(f"[red]Error:[/red] {exc}")
        sys.exit(2)
    except ValidationError as exc:  # a setting refused: say which and why, without the value (it may be a secret)
        if exc.title != Settings.__name__:
            raise
        for error in exc.errors(include_input=False, include_url=False):
            name = "PASSERELLE_" + "_".join(str(part) for part in error["loc"]).upper()
            console.print(f"[red]Error:[/red] invalid setting {name}: {error['msg']}", highlight=False,
                          soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()

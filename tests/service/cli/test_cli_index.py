"""`passerelle index` over the fake embedder: the saved report, output for logs, --json, exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import service.cli.commands
from indexer import FakeEmbedder, IndexReport, Settings, index_corpus
from indexer.core.errors import ModelError
from indexer.core.generations import lock_for_writing
from indexer.core.store import Index
from service.cli.commands import EXIT_FILES_FAILED, EXIT_INCOMPLETE, app, print_report
from tests.conftest import REPO
from tests.documents import write_small_corpus

runner = CliRunner()

# The real entry point in a process of its own, with the fake embedder in place of the model.
_CLI_WITH_FAKE_MODEL = ("import sys, indexer, service.cli.commands; "
                        "service.cli.commands._embedder = lambda settings: indexer.FakeEmbedder(); "
                        "sys.argv[0] = 'passerelle'; service.cli.commands.main()")


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service.cli.commands, "_embedder", lambda settings: FakeEmbedder())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_corpus(tmp_path_factory.mktemp("corpus"))


def _saved_report(index_dir: Path) -> dict[str, Any]:
    return json.loads((Index.open(index_dir, verify=False).path / "report.json").read_text(encoding="utf-8"))


def test_saved_report_equals_the_returned_and_printed_one(corpus: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "idx")
    report = index_corpus(corpus, index_dir=settings.index_dir, embedder=FakeEmbedder(), settings=settings)
    saved = _saved_report(settings.index_dir)
    assert saved == json.loads(json.dumps(report.as_dict()))
    assert saved["documents"] == 6 and saved["passages"] > 0 and saved["pages"] >= 6
    assert sum(saved["languages"].values()) == 6
    print_report(report)
    printed = capsys.readouterr().out
    assert f"{saved['passages']} (" in printed
    assert ", ".join(f"{k} {v}" for k, v in saved["languages"].items()) in printed


def test_not_a_terminal_prints_one_line_per_file_with_full_paths(fake_model: None, corpus: Path,
                                                                 tmp_path: Path) -> None:
    result = runner.invoke(app, ["index", str(corpus), "--index-dir", str(tmp_path / "idx")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "failed\t2024-archive/bad/encrypted.pdf\tencrypted\t" in "\n".join(lines)
    assert any(line.startswith("failed\t2024-archive/bad/empty.pdf\t") for line in lines)
    assert any(line.startswith("skipped\t2024-archive/bad/picture.png\tunsupported\t") for line in lines)
    assert lines[-1].startswith("summary\tdocuments=6 ")
    assert "━" not in result.stdout and "┃" not in result.stdout  # no table, no progress bar


def test_json_prints_the_saved_report(fake_model: None, corpus: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["index", str(corpus), "--index-dir", str(tmp_path / "idx"), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == _saved_report(tmp_path / "idx")
    assert set(printed) == set(IndexReport().as_dict())


def test_failed_files_exit_0_or_4_with_strict(fake_model: None, corpus: Path, tmp_path: Path) -> None:
    arguments = ["index", str(corpus), "--index-dir", str(tmp_path / "idx")]
    assert runner.invoke(app, arguments).exit_code == 0
    assert runner.invoke(app, [*arguments, "--strict"]).exit_code == EXIT_FILES_FAILED


def test_strict_without_failed_files_exits_0(fake_model: None, tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "note.md").write_text("# Note\n\nHousing First works.\n", encoding="utf-8")
    result = runner.invoke(app, ["index", str(tmp_path / "corpus"), "--index-dir", str(tmp_path / "idx"),
                                 "--strict"])
    assert result.exit_code == 0, result.output


def test_missing_corpus_exits_3(fake_model: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["index", str(tmp_path / "nowhere"), "--index-dir", str(tmp_path / "idx")])
    assert result.exit_code == EXIT_INCOMPLETE
    assert "corpus folder not found" in result.output


def test_busy_index_exits_3(fake_model: None, corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "idx").mkdir()
    with lock_for_writing(tmp_path / "idx"):
        result = runner.invoke(app, ["index", str(corpus), "--index-dir", str(tmp_path / "idx"), "--full"])
    assert result.exit_code == EXIT_INCOMPLETE, result.output


def test_model_error_exits_3(monkeypatch: pytest.MonkeyPatch, corpus: Path, tmp_path: Path) -> None:
    def broken(settings: Settings) -> FakeEmbedder:
        raise ModelError("model folder not found")

    monkeypatch.setattr(service.cli.commands, "_embedder", broken)
    result = runner.invoke(app, ["index", str(corpus), "--index-dir", str(tmp_path / "idx")])
    assert result.exit_code == EXIT_INCOMPLETE
    assert "model folder not found" in result.output


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"passerelle {version('passerelle')}"


def test_shell_completion_is_offered() -> None:
    result = runner.invoke(app, ["--help"])
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def _hashes(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_dry_run_lists_the_plan_and_leaves_the_index_untouched(fake_model: None, corpus: Path,
                                                               tmp_path: Path) -> None:
    shutil.copytree(corpus, tmp_path / "corpus")
    arguments = ["index", str(tmp_path / "corpus"), "--index-dir", str(tmp_path / "idx")]
    assert runner.invoke(app, arguments).exit_code == 0
    edition = tmp_path / "corpus" / "2025-demo"
    (edition / "eeler-leit.md").rename(edition / "eeler-leit-moved.md")
    (tmp_path / "corpus" / "2024-archive" / "notes.txt").unlink()
    (edition / "new.md").write_text("# New\n\nHousing First in Luxembourg.\n", encoding="utf-8")
    page = tmp_path / "corpus" / "2024-archive" / "page.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<p>Updated.</p></body>"), encoding="utf-8")
    before = _hashes(tmp_path / "idx")
    result = runner.invoke(app, [*arguments, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert _hashes(tmp_path / "idx") == before
    lines = set(result.stdout.splitlines())
    assert "add\t2025-demo/new.md" in lines
    assert "change\t2024-archive/page.html" in lines
    assert "move\t2025-demo/eeler-leit.md → 2025-demo/eeler-leit-moved.md" in lines
    assert "remove\t2024-archive/notes.txt" in lines
    dry = json.loads(runner.invoke(app, [*arguments, "--dry-run", "--json"]).stdout)
    assert dry["added"] == ["2025-demo/new.md"] and dry["removed"] == ["2024-archive/notes.txt"]
    assert _hashes(tmp_path / "idx") == before
    report = json.loads(runner.invoke(app, [*arguments, "--json"]).stdout)
    assert (report["added"], report["changed"], report["moved"], report["removed"]) == (
        dry["added"], dry["changed"], dry["moved"], dry["removed"])


def test_dry_run_lists_files_read_again_once_a_limit_is_raised(fake_model: None, corpus: Path,
                                                               tmp_path: Path) -> None:
    arguments = ["index", str(corpus), "--index-dir", str(tmp_path / "idx")]
    first = json.loads(runner.invoke(app, [*arguments, "--json"], env={"PASSERELLE_MAX_PAGES": "1"}).stdout)
    too_long = {f["path"] for f in first["failed"] if f["reason"] == "too large"}
    assert "2025-demo/theses/integration.pdf" in too_long
    dry = json.loads(runner.invoke(app, [*arguments, "--dry-run", "--json"]).stdout)
    assert set(dry["reread"]) == too_long and not dry["added"]


@pytest.mark.slow  # a real process: a second or two of start-up each
def test_piped_output_of_a_real_process_is_plain_lines(corpus: Path, tmp_path: Path) -> None:
    process = subprocess.run([sys.executable, "-c", _CLI_WITH_FAKE_MODEL, "index", str(corpus),
                              "--index-dir", str(tmp_path / "idx"), "--strict"],
                             capture_output=True, text=True, timeout=120, cwd=REPO)
    assert process.returncode == EXIT_FILES_FAILED, process.stderr
    lines = process.stdout.splitlines()
    assert any(line.startswith("failed\t2024-archive/bad/encrypted.pdf\tencrypted\t") for line in lines)
    assert any(line.startswith("failed\t2024-archive/bad/empty.pdf\t") for line in lines)
    assert lines[-1].startswith("summary\tdocuments=6 ")
    assert "\x1b[" not in process.stdout + process.stderr  # no colours nor animation in a log


@pytest.mark.slow  # a real process: a second or two of start-up each
def test_json_stays_alone_on_stdout_while_logs_go_to_stderr_with_time_and_level(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"

    def index(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", _CLI_WITH_FAKE_MODEL, "index", str(corpus), "--index-dir",
                               str(index_dir), *options], capture_output=True, text=True, timeout=120,
                              cwd=REPO)

    assert index().returncode == 0
    (index_dir / "CURRENT").write_text("gen-missing\n")  # the run warns that it builds on an earlier generation
    process = index("--json")
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["documents"] == 6
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING indexer\.ingest\.pipeline: building on an earlier",
                     process.stderr, re.MULTILINE), process.stderr


def test_similar_and_eval_print_one_json_document_with_json(fake_model: None, corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    assert runner.invoke(app, ["index", str(corpus), "--index-dir", str(index_dir)]).exit_code == 0
    document_id = Index.open(index_dir).all_documents()[0].id
    similar = runner.invoke(app, ["similar", document_id, "-k", "3", "--json", "--index-dir", str(index_dir)])
    assert similar.exit_code == 0, similar.output
    answer = json.loads(similar.stdout)
    assert answer["document"]["id"] == document_id and answer["k"] == 3
    assert 0 < len(answer["results"]) <= 3
    assert document_id not in {result["document"]["id"] for result in answer["results"]}

    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    (beir / "corpus.jsonl").write_text(
        '{"_id": "d1", "title": "Logement", "text": "Le logement social des jeunes adultes."}\n'
        '{"_id": "d2", "title": "Pflege", "text": "Altenpflege zu Hause in Luxemburg."}\n', encoding="utf-8")
    (beir / "queries.jsonl").write_text('{"_id": "q1", "text": "logement social"}\n'
                                        '{"_id": "q2", "text": "est-ce que le"}\n', encoding="utf-8")
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td1\t1\n", encoding="utf-8")
    evaluated = runner.invoke(app, ["eval", str(beir), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    # The query the service would refuse (function words alone) is counted, as a miss, not the end of the run.
    figures = json.loads(evaluated.stdout)
    assert figures["ndcg@10"] == 0.5 and figures["refused_queries"] == 1 and figures["queries"] == 2


def test_an_index_of_an_older_format_is_rebuilt_and_the_output_says_so(fake_model: None, corpus: Path,
                                                                       tmp_path: Path) -> None:
    index_dir = tmp_path / "idx"
    assert runner.invoke(app, ["index", str(corpus), "--index-dir", str(index_dir)]).exit_code == 0
    manifest_path = Index.open(index_dir, verify=False).path / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps({**manifest, "format_version": manifest["format_version"] - 1}),
                             encoding="utf-8")
    result = runner.invoke(app, ["index", str(corpus), "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    rebuilt = [line for line in result.stdout.splitlines() if line.startswith("rebuilt\t")]
    assert len(rebuilt) == 1 and "built in format" in rebuilt[0] and "read and embedded again" in rebuilt[0]
    again = runner.invoke(app, ["index", str(corpus), "--index-dir", str(index_dir)])
    assert "rebuilt\t" not in again.stdout and "(unchanged, kept)" in again.stdout


def test_index_runs_behind_a_service_on_the_same_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lower CPU priority and sleeping OpenMP threads (bench/RESULTS-busy.md), from the settings."""
    import service.cli.commands as commands

    niced: list[int] = []
    monkeypatch.setattr(commands.os, "nice", niced.append)
    monkeypatch.setenv("OMP_WAIT_POLICY", "unset below, restored after the test")
    monkeypatch.delenv("OMP_WAIT_POLICY")
    commands._yield_to_queries(Settings(index_niceness=10))
    assert niced == [10] and os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    commands._yield_to_queries(Settings(index_niceness=0))
    assert niced == [10]  # 0: normal priority

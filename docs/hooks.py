"""MkDocs hook: the reference pages' tables, generated from the code when the site is built, so they cannot drift.

- ``<!-- settings: … -->`` in ``settings.md``: one row per field of :class:`indexer.core.settings.Settings`
  (its environment variable, default and description);
- ``<!-- cli: … -->`` in ``cli.md``: every ``passerelle`` command with its arguments and options (typer's click
  commands, as ``--help`` shows them);
- ``<!-- figures: eval -->``: nDCG@10 by set and mode from ``bench/results/eval.json``, which
  ``bench/bench_eval.py`` writes with its command and date (a figure cannot exist without its run).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typer.main
from pydantic_core import PydanticUndefined

from indexer.core.settings import Settings

_SETTINGS = re.compile(r"<!-- settings:[^>]*-->")
_CLI = re.compile(r"<!-- cli:[^>]*-->")
_EVAL = re.compile(r"<!-- figures: eval -->")
RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _default(field: Any) -> str:
    if field.default_factory is not None:
        return "*(computed)*"
    value = field.default
    if value is PydanticUndefined or value is None:
        return "unset"
    if isinstance(value, list | tuple):
        return f"`{','.join(map(str, value))}`" if value else "empty"
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def settings_table() -> str:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `PASSERELLE_{name.upper()}` | {_default(field)} | {_cell(field.description or '')} |")
    return "\n".join(rows)


def cli_reference() -> str:
    from service.cli.commands import app

    group = typer.main.get_command(app)
    parts = []
    for name, command in sorted(getattr(group, "commands", {}).items()):
        parts += [f"### `passerelle {name}`", "", _cell(command.help or ""), "",
                  "| argument or option | meaning |", "|---|---|"]
        for parameter in command.params:
            if getattr(parameter, "param_type_name", "") == "option":
                flags = ", ".join(f"`{flag}`" for flag in [*parameter.opts, *parameter.secondary_opts])
                parts.append(f"| {flags} | {_cell(parameter.help or '')} |")
            else:
                parts.append(f"| `{(parameter.name or '').upper()}` | {_cell(getattr(parameter, 'help', '') or '')} |")
        parts.append("")
    return "\n".join(parts)


def eval_table() -> str:
    found = json.loads((RESULTS / "eval.json").read_text(encoding="utf-8"))
    rows = ["| set | queries | keyword | dense | **hybrid** | hybrid Recall@100 |", "|---|---|---|---|---|---|"]
    for name, modes in found["sets"].items():
        rows.append(f"| {name} | {modes['hybrid']['queries']} | {modes['keyword']['ndcg@10']:.3f} | "
                    f"{modes['dense']['ndcg@10']:.3f} | **{modes['hybrid']['ndcg@10']:.3f}** | "
                    f"{modes['hybrid']['recall@100']:.3f} |")
    rows += ["", f"*nDCG@10; measured {found['date']} on {found['machine']} by `{found['command']}` "
             "(`bench/results/eval.json`).*"]
    return "\n".join(rows)


def on_page_markdown(markdown: str, **_: Any) -> str:
    markdown = _SETTINGS.sub(lambda _: settings_table(), markdown)
    markdown = _EVAL.sub(lambda _: eval_table(), markdown)
    return _CLI.sub(lambda _: cli_reference(), markdown)

"""Sources: the Markdown files under ``src/<edition>/`` and their ``_edition.toml``, checked against SPEC.md."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

BUILD_DIR: Final = Path(__file__).resolve().parent
CORPUS_DIR: Final = BUILD_DIR.parents[1] / "corpus"
SOURCE_DIR_NAME: Final = "src"
SOURCE_ROOT: Final = BUILD_DIR / SOURCE_DIR_NAME
EDITION_FILE: Final = "_edition.toml"
CATALOGUE_NAME: Final = "catalogue.toml"

DOC_TYPES: Final = frozenset({"thesis", "talk", "slides", "programme", "report", "article"})
LANGUAGES: Final = frozenset({"fr", "de", "en", "lb"})
FORMATS: Final = frozenset({".pdf", ".docx", ".pptx", ".html", ".md", ".txt"})
REQUIRED_FIELDS: Final = ("file", "title", "authors", "year", "type", "language")
THESIS_FIELDS: Final = ("supervisor", "programme")
EDITION_FIELDS: Final = ("title", "year", "theme")
GENERATOR: Final = "Passerelle corpus builder (tools/corpus_builder)"


class BuildError(Exception):
    """A source cannot be built; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Edition:
    """One edition of the Journée du secteur social: a folder of sources plus ``_edition.toml``."""

    id: str
    info: dict[str, Any]
    source_dir: Path

    @property
    def title(self) -> str:
        return str(self.info["title"])

    @property
    def year(self) -> int:
        return int(self.info["year"])

    @property
    def date(self) -> dt.datetime:
        """Timestamp written into office documents instead of "now", so rebuilds are identical."""
        day = self.info.get("date")
        if isinstance(day, dt.datetime):
            return day.replace(tzinfo=None)
        if isinstance(day, str):  # a quoted "2024-10-17" works as well as a TOML date
            day = dt.date.fromisoformat(day)
        if isinstance(day, dt.date):
            return dt.datetime(day.year, day.month, day.day, 9, 0)
        return dt.datetime(self.year, 1, 1, 9, 0)

    @property
    def organiser(self) -> str:
        return str(self.info.get("organiser_short") or self.info.get("organiser") or "")


@dataclass(frozen=True)
class Source:
    """One parsed source file: its front matter (``meta``) and Markdown body."""

    path: Path
    edition: Edition
    meta: dict[str, Any]
    body: str

    @property
    def file(self) -> str:
        return str(self.meta["file"])

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def authors(self) -> list[str]:
        return [str(author) for author in self.meta["authors"]]

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors)

    @property
    def doc_type(self) -> str:
        return str(self.meta["type"])

    @property
    def language(self) -> str:
        return str(self.meta["language"])

    @property
    def year(self) -> int:
        return int(self.meta["year"])

    @property
    def keywords(self) -> list[str]:
        return [str(keyword) for keyword in self.meta.get("keywords", [])]

    @property
    def subject(self) -> str:
        """Document-info subject: the study programme for theses, otherwise the edition."""
        if self.doc_type == "thesis":
            return str(self.meta["programme"])
        return self.edition.title

    @property
    def suffix(self) -> str:
        return Path(self.file).suffix.lower()

    def relative_source(self) -> str:
        """Path of the source for messages, relative to the corpus folder when possible."""
        try:
            return str(self.path.relative_to(CORPUS_DIR.parent))
        except ValueError:
            return str(self.path)


FRONT_MATTER_RE: Final = re.compile(r"\A\+\+\+[ \t]*\n(?P<toml>.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.S)


def read_source(path: Path, *, edition: Edition) -> Source:
    """Parse one source file and check its front matter against SPEC.md."""
    # utf-8-sig and the newline fix keep sources written on other systems parseable.
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    match = FRONT_MATTER_RE.match(text)
    if match is None:
        raise BuildError(f"{path}: no TOML front matter between '+++' lines at the top")
    try:
        meta = tomllib.loads(match["toml"])
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{path}: front matter is not valid TOML: {exc}") from exc
    source = Source(path=path, edition=edition, meta=meta, body=text[match.end() :].strip("\n") + "\n")
    validate_source(source)
    return source


def validate_source(source: Source) -> None:
    """Raise BuildError if the front matter breaks a rule of SPEC.md (all problems at once)."""
    meta = source.meta
    problems: list[str] = [f"missing field '{name}'" for name in REQUIRED_FIELDS if name not in meta]
    if not problems:
        problems += _field_problems(meta)
    if problems:
        raise BuildError(f"{source.relative_source()}: " + "; ".join(problems))


def _field_problems(meta: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for name in ("file", "title", "type", "language", "supervisor", "programme", "prize"):
        if name in meta and (not isinstance(meta[name], str) or not meta[name].strip()):
            problems.append(f"'{name}' must be a non-empty string")
    for name in ("authors", "keywords"):
        value = meta.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            problems.append(f"'{name}' must be a list of non-empty strings")
    if not meta["authors"]:
        problems.append("'authors' must not be empty")
    if not isinstance(meta["year"], int) or isinstance(meta["year"], bool):
        problems.append("'year' must be an integer")
    if meta["type"] not in DOC_TYPES:
        problems.append(f"type '{meta['type']}' is not one of {sorted(DOC_TYPES)}")
    if meta["language"] not in LANGUAGES:
        problems.append(f"language '{meta['language']}' is not one of {sorted(LANGUAGES)}")
    if isinstance(meta["file"], str):
        problems += _path_problems(meta["file"], doc_type=meta["type"])
    if meta["type"] == "thesis":
        problems += [f"theses need '{name}'" for name in THESIS_FIELDS if name not in meta]
    return problems


def _path_problems(file: str, *, doc_type: str) -> list[str]:
    relative = Path(file)
    suffix = relative.suffix.lower()
    problems: list[str] = []
    if relative.is_absolute() or ".." in relative.parts or "\\" in file:
        problems.append(f"file '{file}' must be a plain path relative to the edition folder")
    # The indexer skips such paths, so a document stored there would silently never be searchable.
    if any(part.startswith(("_", ".")) for part in relative.parts):
        problems.append(f"file '{file}' has a part starting with '_' or '.', which the indexer skips")
    if relative.name == CATALOGUE_NAME or relative.name.startswith("README"):
        problems.append(f"file '{file}' uses a name reserved for catalogues/READMEs")
    if suffix not in FORMATS:
        problems.append(f"file '{file}' has an unsupported extension (use one of {sorted(FORMATS)})")
    if doc_type == "thesis" and suffix != ".pdf":
        problems.append("theses are always .pdf")
    if doc_type == "slides" and suffix != ".pptx":
        problems.append("slides are always .pptx")
    return problems


def load_edition(source_dir: Path) -> Edition:
    """Read ``_edition.toml`` of one source folder; the edition id is the folder name."""
    info_path = source_dir / EDITION_FILE
    if not info_path.is_file():
        raise BuildError(f"{source_dir}: missing {EDITION_FILE} (needs {', '.join(EDITION_FIELDS)})")
    try:
        info = tomllib.loads(info_path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{info_path}: not valid TOML: {exc}") from exc
    missing = [name for name in EDITION_FIELDS if name not in info]
    if missing:
        raise BuildError(f"{info_path}: missing {', '.join(missing)}")
    if info.get("id", source_dir.name) != source_dir.name:
        raise BuildError(f"{info_path}: id must equal the folder name '{source_dir.name}'")
    info.pop("id", None)
    return Edition(id=source_dir.name, info=info, source_dir=source_dir)


def load_sources(edition: Edition) -> list[Source]:
    """Parse all sources of an edition and check the rules that span several files."""
    sources = [read_source(path, edition=edition) for path in sorted(edition.source_dir.glob("*.md"))]
    seen: dict[str, Source] = {}
    problems: list[str] = []
    for source in sources:
        key = source.file.lower()  # case-insensitive: the corpus must also check out on macOS/Windows
        if key in seen:
            problems.append(f"'{source.file}' is produced by both {seen[key].path.name} and {source.path.name}")
        seen[key] = source
        if source.year != edition.year:
            print(f"warning: {source.relative_source()}: year {source.year} != edition year {edition.year}")
    prized = [source.path.name for source in sources if "prize" in source.meta]
    if len(prized) > 1:
        problems.append(f"at most one prize per edition, found {len(prized)}: {', '.join(prized)}")
    if problems:
        raise BuildError(f"edition {edition.id}: " + "; ".join(problems))
    return sources

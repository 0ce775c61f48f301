"""BibTeX (LaTeX), with biblatex's ``langid``; every field LaTeX-escaped."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from service.citations.item import name_text

_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                   "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))
# biblatex's language names for hyphenation (langid); the corpus's languages and their neighbours.
_LANGIDS = {"fr": "french", "de": "ngerman", "en": "english", "lb": "luxembourgish", "pt": "portuguese",
            "it": "italian", "es": "spanish", "nl": "dutch"}


def latex_escape(text: str) -> str:
    """``text`` for a BibTeX field: LaTeX's special characters escaped, the rest kept as UTF-8 (biber, bibtex8
    and modern BibTeX read it)."""
    return _LATEX_RE.sub(lambda match: _LATEX_SPECIALS[match.group()], " ".join(text.split()))


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum())


def cite_key(item: dict[str, Any]) -> str:
    """A readable key: first author's family name, year, first word of the title ("Hoffmann2025Schulische")."""
    names = item.get("author") or [{"literal": "Anonymous"}]
    first = names[0].get("family") or names[0].get("literal", "")
    year = item.get("issued", {}).get("date-parts", [[""]])[0][0]
    word = next((w for w in re.split(r"\W+", item.get("title", "")) if len(w) > 3), "")
    return f"{_ascii(first)[:20]}{year}{_ascii(word)[:20]}" or f"doc{item['id']}"


def bibtex(item: dict[str, Any]) -> str:
    """The item as a BibTeX entry: ``@mastersthesis``/``@phdthesis`` with its ``type`` for a thesis, ``@misc``
    with the event in ``howpublished`` for a talk, ``@techreport`` for a report with a publisher."""
    # Written here rather than with bibtexparser: its writer puts values verbatim, so the escaping and the
    # protecting braces below would be needed all the same.
    kind = item["type"]
    fields: list[tuple[str, str]] = []
    if kind == "thesis":
        entry = "phdthesis" if item.get("genre") == "Doctoral dissertation" else "mastersthesis"
    elif kind == "report" and item.get("publisher"):
        entry = "techreport"
    else:
        entry = "misc"
    names = [("{" + latex_escape(n["literal"]) + "}") if "literal" in n else latex_escape(name_text(n))
             for n in item.get("author", [])]
    if names:
        fields.append(("author", " and ".join(names)))
    fields.append(("title", "{" + latex_escape(item["title"]) + "}"))  # inner braces: styles keep its case
    if kind == "thesis":
        if item.get("publisher"):
            fields.append(("school", latex_escape(item["publisher"])))
        fields.append(("type", latex_escape(item["genre"])))
    elif kind == "speech":
        event = ", ".join(v for v in (item.get("event-title"), item.get("event-place")) if v)
        if event:
            fields.append(("howpublished", latex_escape(event)))
        fields.append(("note", latex_escape(item["genre"])))
    elif entry == "techreport":
        fields.append(("institution", latex_escape(item["publisher"])))
    elif item.get("publisher"):
        fields.append(("publisher", latex_escape(item["publisher"])))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        fields.append(("year", str(parts[0])))
    if len(parts) == 3:
        fields.append(("month", str(parts[1])))
    if item.get("note"):
        fields.append(("note", latex_escape(item["note"])))
    if item.get("language") in _LANGIDS:
        fields.append(("langid", _LANGIDS[item["language"]]))
    if item.get("keyword"):
        fields.append(("keywords", latex_escape(item["keyword"])))
    fields.append(("url", item["URL"]))  # verbatim in biblatex and url.sty: not escaped
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry}{{{cite_key(item)},\n{body}\n}}\n"

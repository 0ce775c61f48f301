"""RIS (EndNote, Citavi, Zotero)."""

from __future__ import annotations

from typing import Any

from service.citations.item import name_text

_RIS_TYPES = {"thesis": "THES", "speech": "CPAPER", "report": "RPRT", "article": "GEN", "document": "GEN"}


def ris(item: dict[str, Any]) -> str:
    """The item as a RIS record (TY … ER), lines ending in CRLF as the format asks."""
    kind = item["type"]
    lines = [("TY", "SLIDE" if item.get("genre") == "Presentation slides" else _RIS_TYPES[kind])]
    lines += [("AU", name_text(name)) for name in item.get("author", [])]
    lines.append(("TI", item["title"]))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        lines.append(("PY", str(parts[0])))
        if len(parts) == 3:
            lines.append(("DA", f"{parts[0]:04d}/{parts[1]:02d}/{parts[2]:02d}/"))
    if item.get("event-title"):
        lines.append(("T2", item["event-title"]))  # the conference, for a paper or slides
    if item.get("event-place"):
        lines.append(("CY", item["event-place"]))
    if item.get("publisher"):
        lines.append(("PB", item["publisher"]))
    if item.get("genre"):
        lines.append(("M3", item["genre"]))
    if item.get("language"):
        lines.append(("LA", item["language"]))
    for keyword in (item.get("keyword") or "").split(", "):
        if keyword:
            lines.append(("KW", keyword))
    if item.get("note"):
        lines.append(("N1", item["note"]))
    lines.append(("UR", item["URL"]))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}".rstrip() + "\r\n" for tag, value in lines)

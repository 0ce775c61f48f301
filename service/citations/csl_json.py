"""CSL-JSON (Zotero, Mendeley, Pandoc): the item itself, in a list as reference managers import it."""

from __future__ import annotations

import json
from typing import Any


def csl_json(item: dict[str, Any]) -> str:
    """CSL-JSON as citation managers import it: an array of items."""
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"

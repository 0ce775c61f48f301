"""Log lines of the ``passerelle`` command: one line per event, readable text or JSON (``PASSERELLE_LOG_FORMAT``).

An event's fields travel in the record's ``extra`` (``log.info("now serving …", extra={"event": "index_swap",
"generation": …})``): the JSON line carries them as keys, the text line appends them as ``key=value``. A record
with an exception names its class (``error``) and carries its traceback. Queries are never put in a field: the
only lines that hold them are uvicorn's access log, off unless ``PASSERELLE_ACCESS_LOG`` is on.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

# Every attribute a bare LogRecord has: the rest came in through ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "color_message"}
# The loggers whose INFO lines are events of Passerelle's (the rest of the libraries speak from WARNING up).
_OWN_LOGGERS = ("indexer", "service", "uvicorn", "uvicorn.error", "uvicorn.access")


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The event fields a record carries beyond the standard ones, with the class of its exception."""
    extra = {key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")}
    if record.exc_info and record.exc_info[0] is not None:
        extra.setdefault("error", record.exc_info[0].__name__)
    return extra


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, event, message, then the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "event": "log", "message": record.getMessage(),
        }
        line.update(fields(record))
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return _one_line(json.dumps(line, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """``time level logger: message key=value …``, then the traceback if any, as the command has always written."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        extra = fields(record)
        # The message on one line too (a name it quotes may hold a line break); a traceback follows on its own lines.
        text = _one_line(super().formatMessage(record)).replace("\n", "\\n").replace("\r", "\\r")
        return text + "".join(f" {key}={_plain(value)}" for key, value in extra.items()) if extra else text


def _plain(value: Any) -> str:
    text = str(value)
    return _one_line(json.dumps(text, ensure_ascii=False)) if not text or any(c.isspace() or c in "\"=" for c in text) \
        else text


# JSON leaves these as they are outside ASCII, and readers that split on every line break (Python's splitlines,
# some log shippers) would cut a line there: a file name could forge a log line.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def _one_line(text: str) -> str:
    for character, escaped in _LINE_BREAKS.items():
        text = text.replace(character, escaped)
    return text


def configure(log_format: Literal["text", "json"] = "text", *, level: int = logging.WARNING) -> None:
    """Route every log line to stderr in ``log_format``; Passerelle's own loggers (and uvicorn's) from ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in _OWN_LOGGERS:
        own = logging.getLogger(name)
        own.setLevel(level)
        own.handlers.clear()  # uvicorn's own handlers would write a second, differently shaped line
        own.propagate = True

"""Structured logs: one JSON object per line, with the request id; and no secrets.

LOGGING = {..., "formatters": {"json": {"()": "samsyn.integrations.logging.JsonFormatter"}},
"handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}}, ...}

Keys in query strings (the Open311 ``api_key``, an ``access_token``) are masked in
every line: the console handler's ``MaskSecretsFilter`` for the application's own
logs (Django's request lines, the outbound client's) and ``GunicornLogger`` for
gunicorn's access log (``gunicorn --logger-class
samsyn.integrations.logging.GunicornLogger``).
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger as _GunicornBaseLogger

# A secret-bearing parameter at the start of a query string or after & or ?.
_SECRET_PARAM = re.compile(r"(?i)(^|[?&;\s\"'])((?:api_key|access_token)=)[^&;\s\"']*")


def mask_secrets(text: str) -> str:
    """``text`` with the values of api_key and access_token parameters as ***."""
    return _SECRET_PARAM.sub(r"\1\2***", text)


class MaskSecretsFilter(logging.Filter):
    """Masks secret query parameters in a record's message (keeps the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class GunicornLogger(_GunicornBaseLogger):
    """gunicorn's logger with the request line, query string and referrer masked."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "q", "f", "{referer}i"):
            value = atoms.get(key)
            if isinstance(value, str):
                atoms[key] = mask_secrets(value)
        return atoms


request_id_var: ContextVar[str] = ContextVar("samsyn_request_id", default="")

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id_var.get()
        if rid:
            out["request_id"] = rid
        for key, value in record.__dict__.items():
            if key in _STANDARD or key in out or key.startswith("_"):
                continue
            if key == "request":  # Django's request logger: keep the path only
                out["path"] = getattr(value, "path", "")
                continue
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                value = repr(value)
            out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)

"""Why a row of an import was skipped, kept so it can be read in any language.

An importer raises ``Skip(gettext_noop("%(field)s: missing"), {"field": "id"})``.
The batch stores the English message and its values beside the text in the
importer's language; the batch page shows the reason in the reader's language
(``{{ row|skip_reason }}``), so a file imported by a Swedish-speaking coordinator,
or by a background worker, reads in English for an English-speaking colleague.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


def _plain(value: Any) -> Any:
    return value if isinstance(value, (int, float, str)) else str(value)


def reason_text(message: str, params: dict[str, Any] | None) -> str:
    """The message in the active language with its values filled in."""
    text = gettext(message)
    return text % params if params else text


class Reason(str):
    """The reason in the language of the moment, carrying its message and values."""

    message: str
    params: dict[str, Any]

    def __new__(cls, message: str, params: dict[str, Any] | None = None) -> Reason:
        plain = {k: _plain(v) for k, v in (params or {}).items()}
        obj = super().__new__(cls, reason_text(message, plain))
        obj.message = message
        obj.params = plain
        return obj

    def stored(self) -> dict[str, Any]:
        """What a batch keeps of it (JSON)."""
        return {"reason": str(self), "msg": self.message, "args": self.params}


class Skip(Exception):
    """One row is not imported; the message names the field and says why."""

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        self.reason = Reason(message, params)
        super().__init__(str(self.reason))


def skipped_row(key: Any, reason: str) -> dict[str, Any]:
    """A batch's record of a skipped row (a plain string keeps only its text)."""
    if isinstance(reason, Reason):
        return {"row": key, **reason.stored()}
    return {"row": key, "reason": reason}


def shown_reason(row: dict[str, Any]) -> str:
    """A stored skipped row's reason in the reader's language."""
    message = row.get("msg")
    if not message:
        return str(row.get("reason", ""))
    try:
        return reason_text(message, row.get("args") or None)
    except (KeyError, TypeError, ValueError):
        return str(row.get("reason", ""))

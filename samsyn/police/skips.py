"""Why a row of an import was skipped, kept so it can be read in any language.

An importer raises ``Skip(gettext_noop("%(field)s: missing"), {"field": "id"})``.
The batch stores the English message and its values beside the text in the
importer's language; the batch page shows the reason in the reader's language
(``{{ row|skip_reason }}``), so a file imported by a Swedish-speaking coordinator,
or by a background worker, reads in English for an English-speaking colleague.
"""

from __future__ import annotations

from collections.abc import Iterator
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


# How many skipped rows each reason keeps as examples; the rest are only counted.
EXAMPLES_PER_REASON = 3


# Values that name the column or the collaboration's own place: rows skipped for the
# same message and the same of these share a reason. Other values (the bad value
# itself, another town) differ from row to row and are shown only in the examples.
GROUPING_PARAMS = ("field", "column", "x", "y", "county", "municipality")


class _Elided(dict[str, Any]):
    """Fills every placeholder not given with "…" (a reason's general form)."""

    def __missing__(self, key: str) -> str:
        return "…"


def reason_label(message: str, params: dict[str, Any] | None = None) -> str:
    """The general form of a reason, in the active language: "name: in … (…), not
    in Örebro municipality" for every event about another municipality."""
    text = gettext(message)
    try:
        return text % _Elided(params or {})
    except (TypeError, ValueError):
        return text


def _grouping(reason: Any) -> tuple[str, dict[str, Any]]:
    """(group key, the values the group's label keeps) of a reason."""
    message = getattr(reason, "message", "")
    if not message:
        return str(reason), {}
    kept = {k: v for k, v in reason.params.items() if k in GROUPING_PARAMS}
    key = message + "\x1f" + "\x1f".join(f"{k}={v}" for k, v in sorted(kept.items()))
    return key, kept


class SkipSummary:
    """Skipped rows summarised by reason: a count and a few examples per reason.

    An archive of 40,000 events about other places must not become 40,000 lines of
    output or megabytes in a batch: memory and storage stay bounded by the number of
    distinct reasons. ``len()`` is the number skipped; iterating yields the kept
    examples as (key, reason), grouped by reason in the order reasons first appeared.
    """

    def __init__(self, examples: int = EXAMPLES_PER_REASON) -> None:
        self.examples = examples
        self.total = 0
        self.groups: dict[str, dict[str, Any]] = {}

    def add(self, key: Any, reason: str) -> None:
        group_key, kept = _grouping(reason)
        group = self.groups.setdefault(
            group_key,
            {
                "msg": getattr(reason, "message", ""),
                "args": kept,
                "text": str(reason),
                "count": 0,
                "examples": [],
            },
        )
        group["count"] += 1
        if len(group["examples"]) < self.examples:
            group["examples"].append((key, reason))
        self.total += 1

    def append(self, item: tuple[Any, str]) -> None:
        self.add(*item)

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        for group in self.groups.values():
            yield from group["examples"]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SkipSummary):
            return self.stored() == other.stored()
        if isinstance(other, list):
            return list(self) == other and self.total == len(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def by_reason(self) -> list[tuple[str, int, list[tuple[Any, str]]]]:
        """(general form of the reason, count, examples), most frequent first."""
        out = [
            (group_label(group), group["count"], group["examples"])
            for group in self.groups.values()
        ]
        return sorted(out, key=lambda item: -item[1])

    def stored(self) -> list[dict[str, Any]]:
        """What a batch keeps (JSON): one entry per reason, most frequent first."""
        out = [
            {
                "msg": group["msg"],
                "args": group["args"],
                "reason": group_label(group),
                "count": group["count"],
                "examples": [skipped_row(k, r) for k, r in group["examples"]],
            }
            for group in self.groups.values()
        ]
        return sorted(out, key=lambda g: -g["count"])

    def lines(self, noun: str) -> list[str]:
        """Command-line output: a heading, one line per reason with its count, and
        each reason's examples. ``noun`` names what was skipped ("rows",
        "events"), already in the reader's language."""
        if not self.total:
            return []
        out = [
            gettext("Skipped %(n)s %(noun)s, by reason:")
            % {"n": self.total, "noun": noun}
        ]
        for label, count, examples in self.by_reason():
            out.append(f"  {count} × {label}")
            out += [
                "      "
                + gettext("e.g. %(key)s: %(reason)s") % {"key": key, "reason": reason}
                for key, reason in examples
            ]
        return out


def stored_groups(skipped: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A batch's stored skips as groups. Batches stored before skips were summarised
    hold one entry per row; they are grouped here the same way."""
    if not skipped or "count" in skipped[0]:
        return skipped
    summary = SkipSummary()
    for row in skipped:
        message = row.get("msg")
        reason: str = (
            Reason(message, row.get("args") or None)
            if message
            else str(row.get("reason", ""))
        )
        summary.add(row.get("row"), reason)
    return summary.stored()


def group_label(group: dict[str, Any]) -> str:
    """A group's reason in the reader's language."""
    message = group.get("msg")
    if message:
        return reason_label(message, group.get("args"))
    return str(group.get("text") or group.get("reason", ""))

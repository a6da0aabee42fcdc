"""Skipped rows in the reader's language: ``{{ row|skip_reason }}`` for one row,
``{{ batch.skipped|skip_groups }}`` and ``{{ group|skip_group_reason }}`` for the
summary by reason."""

from __future__ import annotations

from typing import Any

from django import template

from samsyn.police.skips import group_label, shown_reason, stored_groups

register = template.Library()


@register.filter
def skip_reason(row: Any) -> str:
    return shown_reason(row) if isinstance(row, dict) else str(row)


@register.filter
def skip_groups(skipped: Any) -> list[dict[str, Any]]:
    """A batch's skips grouped by reason (older batches stored one entry a row)."""
    return stored_groups(list(skipped or []))


@register.filter
def skip_group_reason(group: Any) -> str:
    return group_label(group) if isinstance(group, dict) else str(group)

"""``{{ row|skip_reason }}``: a skipped row's reason in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template

from samsyn.police.skips import shown_reason

register = template.Library()


@register.filter
def skip_reason(row: Any) -> str:
    return shown_reason(row) if isinstance(row, dict) else str(row)

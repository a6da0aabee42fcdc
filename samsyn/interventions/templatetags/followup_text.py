"""``{{ caveat|explain }}``: a stored caveat or method note of an evaluation in the
reader's language (see :func:`samsyn.interventions.followup.explain`)."""

from __future__ import annotations

from typing import Any

from django import template

from samsyn.interventions.followup import explain as _explain

register = template.Library()


@register.filter
def explain(item: Any) -> str:
    return _explain(item)

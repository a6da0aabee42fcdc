"""`{% record_intervention_url row as url %}`: the "Record intervention" link of a
row of a situation picture (a deviation or a top place).

Empty when the viewer may not manage interventions, and in the PDF (``print``), so
the template shows the link only where it can be used.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from samsyn.areas.models import Area, Place
from samsyn.interventions.prefill import quick_url
from samsyn.organisations.access import Access, Cap

register = template.Library()


def _category_code(fig: dict[str, Any], name: str) -> str | None:
    for row in fig.get("categories") or []:
        if row.get("name") == name:
            return row.get("code")
    return None


def _deviation(fig: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    problem = _(
        "deviation in %(category)s, %(area)s: %(observed)s reports against an "
        "expected %(expected)s"
    ) % {
        "category": row.get("category", ""),
        "area": row.get("area", ""),
        "observed": row.get("observed"),
        "expected": row.get("expected"),
    }
    return {
        "problem": problem,
        "area": row.get("area_code"),
        "category": _category_code(fig, row.get("category", "")),
    }


def _top_place(access: Access, row: dict[str, Any]) -> dict[str, Any]:
    collab = access.collaboration
    key = str(row.get("trace") or "")
    if row.get("kind") == "place":
        problem = _("many reports at %(place)s: %(count)s") % {
            "place": row.get("name", ""),
            "count": row.get("count"),
        }
        place = None
        pid = key.removeprefix("place:")
        if key.startswith("place:") and pid.isdigit():
            place = Place.objects.in_collaboration(collab).filter(pk=int(pid)).first()
        return {"problem": problem, "place": place.code if place else None}
    problem = _("hotspot %(name)s: %(count)s reports") % {
        "name": row.get("name", ""),
        "count": row.get("count"),
    }
    area_name = str(row.get("name") or "").rsplit(" (", 1)[0]
    areas = (
        list(Area.objects.in_collaboration(collab).filter(name=area_name)[:2])
        if area_name
        else []
    )
    return {"problem": problem, "area": areas[0].code if len(areas) == 1 else None}


@register.simple_tag(takes_context=True)
def record_intervention_url(context: template.Context, row: dict[str, Any]) -> str:
    """The quick-capture address prefilled from `row`, or "" where not offered."""
    access = context.get("access")
    picture = context.get("picture")
    if (
        context.get("print")
        or picture is None
        or not isinstance(access, Access)
        or access.collaboration is None
        or access.collaboration.pk != picture.collaboration_id
        or not access.can(Cap.MANAGE_INTERVENTIONS)
        or not isinstance(row, dict)
    ):
        return ""
    fig = context.get("fig") or {}
    if "observed" in row:
        params = _deviation(fig, row)
    else:
        params = _top_place(access, row)
    return quick_url(picture, **params)

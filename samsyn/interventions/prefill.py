"""Recording an intervention straight from a situation picture.

The picture page links each deviation and each top place to the quick-capture form
with GET parameters (``picture``, ``area``, ``category``, ``place``, ``problem``).
Every parameter is checked against the caller's access: an unknown or foreign code
is silently dropped, so a crafted link neither fails nor tells whether the code
exists elsewhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from samsyn.areas.models import Area, Place
from samsyn.organisations.access import Access, Cap
from samsyn.reports.models import Category

if TYPE_CHECKING:
    from collections.abc import Mapping

    from samsyn.pictures.models import SituationPicture

TRIGGER_PICTURE = "picture"
PROBLEM_MAX = 500
TRIGGER_MAX = 300


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def visible_picture(access: Access, code: Any) -> SituationPicture | None:
    """The situation picture with this code if `access` may read it, else None."""
    from samsyn.pictures.models import SituationPicture

    pk = _uuid(code)
    if pk is None:
        return None
    return (
        SituationPicture.objects.visible_to(access)
        .defer("figures", "trace")
        .filter(code=pk)
        .first()
    )


def picture_name(picture: SituationPicture) -> str:
    """The picture's name, like "Week picture 2026-W47", in the UI language."""
    return _("%(kind)s picture %(label)s") % {
        "kind": picture.get_kind_display(),
        "label": picture.label,
    }


def trigger_text(picture: SituationPicture, problem: str) -> str:
    text = picture_name(picture)
    if problem:
        text = f"{text}: {problem}"
    return text[:TRIGGER_MAX]


@dataclass
class Prefill:
    """What the quick-capture form starts from, each part already access-checked."""

    picture: SituationPicture | None = None
    area: Area | None = None
    category: Category | None = None
    place: Place | None = None
    problem: str = ""
    initial: dict[str, Any] = field(default_factory=dict)


def from_query(access: Access, params: Mapping[str, str]) -> Prefill:
    """Read the GET parameters of the quick-capture form; drop anything not visible."""
    out = Prefill()
    collab = access.collaboration
    if collab is None or not access.can(Cap.VIEW_REPORTS):
        return out
    out.picture = visible_picture(access, params.get("picture"))
    code = _uuid(params.get("area"))
    if code is not None:
        out.area = Area.objects.in_collaboration(collab).filter(code=code).first()
    code = _uuid(params.get("place"))
    if code is not None:
        out.place = Place.objects.in_collaboration(collab).filter(code=code).first()
    slug = (params.get("category") or "").strip()[:50]
    if slug:
        out.category = (
            Category.objects.in_collaboration(collab).active().filter(code=slug).first()
        )
    out.problem = " ".join((params.get("problem") or "").split())[:PROBLEM_MAX]

    init: dict[str, Any] = {}
    names = [
        str(x) for x in (out.category and out.category.name, out.place or out.area) if x
    ]
    if names:
        init["title"] = " – ".join(names)[:200]
    elif out.problem:
        init["title"] = out.problem[:200]
    if out.problem:
        init["problem"] = out.problem
    if out.area is not None:
        init["area"] = out.area.pk
    if out.place is not None:
        init["place"] = out.place.pk
    if out.category is not None:
        init["category"] = out.category.pk
    if out.picture is not None:
        init["picture"] = str(out.picture.code)
        init["trigger_text"] = trigger_text(out.picture, out.problem)
    out.initial = init
    return out


def quick_url(
    picture: SituationPicture,
    *,
    problem: str = "",
    area: str | None = None,
    category: str | None = None,
    place: str | None = None,
) -> str:
    """The quick-capture address for a row of `picture`."""
    params = {"picture": str(picture.code)}
    for key, value in (("area", area), ("category", category), ("place", place)):
        if value:
            params[key] = str(value)
    if problem:
        params["problem"] = problem[:PROBLEM_MAX]
    return f"{reverse('interventions:quick')}?{urlencode(params)}"

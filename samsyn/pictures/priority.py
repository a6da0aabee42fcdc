"""The picture's prioritisation in the forum's words, with the forum's own ability.

EST asks the forum where the need is greatest and where it has the greatest
possibility to influence the problem ("möjlighet att påverka"). The need is computed
(samsyn.analysis.engine.priority) and frozen with the picture. The ability is the
forum's judgement: a coordinator sets it per area with a reason (`AreaAbility`,
versioned with the picture). Samsyn only suggests a level from what it knows:
partner organisations reporting in the area, organisations responsible for places
there, and interventions under way there.

    priority = need x (0.5 + 0.5 x ability),  ability: low 0, medium 0.5, high 1

An area the forum has not assessed is taken as medium, and says so.

`suggestions` runs when the figures are generated (stored with them);
`priority_rows` runs when the picture is shown, so a new assessment changes the
ranks at once without touching the frozen figures.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from samsyn.areas.models import Area
from samsyn.organisations.models import Collaboration

ABILITY_FLOOR = 0.5
LEVELS: dict[str, float] = {"low": 0.0, "medium": 0.5, "high": 1.0}
LEVEL_LABELS = {
    "low": gettext_lazy("low"),
    "medium": gettext_lazy("medium"),
    "high": gettext_lazy("high"),
}
# The need components of engine.priority, in the forum's words.
COMPONENT_LABELS = {
    "harm": gettext_lazy("Reports, weighted by harm"),
    "harm_per_1000": gettext_lazy("Reports per 1,000 residents"),
    "trend": gettext_lazy("Trend over the period"),
    "deviation_weeks": gettext_lazy("Weeks with a deviation"),
    "police_crimes": gettext_lazy("Police-reported crime"),
}
NAMES_SHOWN = 4


def _num(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if float(value).is_integer():
        return formats.number_format(int(value), use_l10n=True)
    return formats.number_format(round(float(value), digits), digits, use_l10n=True)


def level_label(level: str) -> str:
    label = LEVEL_LABELS.get(level)
    return str(label) if label is not None else ""


def rule_text() -> str:
    """The rule, written out in the reader's language with their decimal sign."""
    return _(
        "Priority = need × (%(floor)s + %(rest)s × ability to influence). The "
        "ability is the forum's own assessment: low counts as 0, medium as "
        "%(medium)s, high as 1."
    ) % {
        "floor": _num(ABILITY_FLOOR, 1),
        "rest": _num(1 - ABILITY_FLOOR, 1),
        "medium": _num(LEVELS["medium"], 1),
    }


# ------------------------------------------------------------------ suggestions
def suggest_level(partners: int, owners: int, interventions: int) -> str:
    """Low, medium or high from what Samsyn knows about an area.

    One point each for at least two partner organisations reporting there, at
    least one organisation responsible for places there, and at least one
    intervention under way: 0 points low, 1 medium, 2 or 3 high.
    """
    points = (partners >= 2) + (owners >= 1) + (interventions >= 1)
    return "low" if points == 0 else "medium" if points == 1 else "high"


def suggestions(
    collab: Collaboration, since: date, until: date, area_refs: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Per area ref: the suggested level and the names behind it.

    Names come from reports that are not restricted only (an organisation seen
    only in a restricted report is not named to everyone), and from the
    intervention register (decided or ongoing, overlapping the period, linked to
    the area, its district or a place in it).
    """
    from samsyn.interventions.models import Intervention
    from samsyn.lib.weeks import local_midnight
    from samsyn.reports.models import Report

    refs = set(area_refs)
    areas = {
        a.pk: a for a in Area.objects.in_collaboration(collab).filter(ref__in=refs)
    }
    partners: dict[int, set[str]] = defaultdict(set)
    owners: dict[int, set[str]] = defaultdict(set)
    rows = (
        Report.objects.filter(
            collaboration=collab,
            restricted=False,
            area_id__in=list(areas),
            occurred_at__gte=local_midnight(since),
            occurred_at__lt=local_midnight(until),
        )
        .order_by()
        .values_list("area_id", "organisation__name", "owner__name")
        .distinct()
    )
    for area_id, org, owner in rows:
        partners[area_id].add(org)
        if owner:
            owners[area_id].add(owner)
    ivs: dict[int, set[str]] = defaultdict(set)
    qs = Intervention.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=since),
        collaboration=collab,
        status__in=[Intervention.Status.DECIDED, Intervention.Status.ONGOING],
        starts_on__lt=until,
    )
    by_parent: dict[int, list[int]] = defaultdict(list)
    for a in areas.values():
        if a.parent_id:
            by_parent[a.parent_id].append(a.pk)
    for title, area_id in qs.values_list("title", "areas"):
        for pk in [area_id, *by_parent.get(area_id, [])]:
            if pk in areas:
                ivs[pk].add(title)
    for title, area_id in qs.values_list("title", "places__area_id"):
        if area_id in areas:
            ivs[area_id].add(title)
    out = {}
    for pk, a in areas.items():
        p, o, i = sorted(partners[pk]), sorted(owners[pk]), sorted(ivs[pk])
        out[a.ref] = {
            "level": suggest_level(len(p), len(o), len(i)),
            "partners": p,
            "owners": o,
            "interventions": i,
        }
    return out


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    if more > 0:
        shown += " " + ngettext("and %(n)s more", "and %(n)s more", more) % {"n": more}
    return shown


REASONS = (
    (
        "partners",
        ngettext_lazy(
            "%(n)s organisation reported here in the period: %(names)s.",
            "%(n)s organisations reported here in the period: %(names)s.",
            "n",
        ),
        gettext_lazy("No partner organisation reported here in the period."),
    ),
    (
        "owners",
        ngettext_lazy(
            "%(n)s organisation is responsible for places here: %(names)s.",
            "%(n)s organisations are responsible for places here: %(names)s.",
            "n",
        ),
        gettext_lazy("No organisation is known to be responsible for places here."),
    ),
    (
        "interventions",
        ngettext_lazy(
            "%(n)s intervention is under way here: %(names)s.",
            "%(n)s interventions are under way here: %(names)s.",
            "n",
        ),
        gettext_lazy("No intervention is under way here."),
    ),
)


def suggestion_reasons(s: Mapping[str, Any]) -> list[str]:
    """The suggestion's reasons as sentences in the reader's language."""
    out = []
    for key, some, none in REASONS:
        names = s.get(key) or []
        if names:
            out.append(str(some % {"n": len(names), "names": _names(names)}))
        else:
            out.append(str(none))
    return out


# ------------------------------------------------------------------ the table
def _pct(score: Any) -> int | None:
    if score is None:
        return None
    try:
        f = float(score)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    return max(0, min(100, round(100 * f)))


def _raw_text(name: str, raw: Any) -> str:
    if raw is None:
        return _("no data")
    return _num(raw, 2 if name == "trend" else 1)


def priority_rows(
    rows: list[dict[str, Any]],
    abilities: Mapping[str, Any],
    suggested: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """The rows as the page shows them, ranked with the forum's ability.

    ``rows`` are the frozen rows of engine.priority; ``abilities`` maps an area
    ref to its current `AreaAbility` (anything with ``level`` and ``reason``).
    Ranks are whole numbers, ties share the best rank; an area without need data
    has no rank. The top ``limit`` areas are shown, and every assessed area.
    """
    suggested = suggested or {}
    out = []
    for r in rows:
        need = r.get("need")
        ab = abilities.get(r["area"])
        value = LEVELS[ab.level] if ab is not None else LEVELS["medium"]
        prio = (
            None
            if need is None
            else need * (ABILITY_FLOOR + (1 - ABILITY_FLOOR) * value)
        )
        comps = [
            {
                "label": str(COMPONENT_LABELS[c["component"]]),
                "value": _raw_text(c["component"], c.get("raw")),
                "pct": _pct(c.get("score")),
                "missing": bool(c.get("missing")),
            }
            for c in r.get("components", [])
            if c.get("group") == "need" and c.get("component") in COMPONENT_LABELS
        ]
        s = suggested.get(r["area"])
        out.append(
            {
                "area": r["area"],
                "name": r.get("area_name") or r["area"],
                "reports": r.get("reports", 0),
                "need": need,
                "need_text": _num(need),
                "need_pct": _pct(need),
                "coverage_pct": _pct(r.get("need_coverage")),
                "components": comps,
                "ability": ab,
                "ability_level": ab.level if ab is not None else "",
                "ability_label": level_label(ab.level) if ab is not None else "",
                "ability_reason": ab.reason if ab is not None else "",
                "suggestion": (
                    {
                        "level": s["level"],
                        "label": level_label(s["level"]),
                        "reasons": suggestion_reasons(s),
                    }
                    if s
                    else None
                ),
                "priority": prio,
                "priority_text": _num(prio),
                "priority_pct": _pct(prio),
            }
        )
    ranked = sorted(
        (x for x in out if x["priority"] is not None), key=lambda x: -x["priority"]
    )
    prev, prev_rank = None, 0
    for i, x in enumerate(ranked, start=1):
        rank = prev_rank if prev is not None and x["priority"] == prev else i
        x["rank"] = rank
        prev, prev_rank = x["priority"], rank
    for x in out:
        x.setdefault("rank", None)
    out.sort(key=lambda x: (x["rank"] is None, x["rank"] or 0, x["name"]))
    shown = [x for i, x in enumerate(out) if i < limit or x["ability"] is not None]
    return shown


def priority_notes(rows: list[dict[str, Any]]) -> list[str]:
    """What the need's parts are, in the reader's language."""
    police = any(r.get("police_crimes") is not None for r in rows)
    return [
        _(
            "Police-reported crime counts the imported crime files' crimes in "
            "each area in the period."
        )
        if police
        else _(
            "Police-reported crime is missing (no imported crime with a position "
            "falls in the period): need is computed from the other components, "
            "and the share of the need that had data is shown per area."
        ),
        _(
            "Deviation weeks: weeks in the period whose all-category count was "
            "flagged high against the seasonal baseline."
        ),
    ]

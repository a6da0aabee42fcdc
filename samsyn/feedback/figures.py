"""The public page's figures: count, protect (disclosure.py), shape for templates.

Only non-restricted reports located in one of the collaboration's finest areas, in
a shown category, within the settings' window count. Nothing about a single report
(code, text, place, time) leaves this module: only counts per area and category.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count
from django.utils import timezone

from samsyn.areas.models import Area
from samsyn.feedback.disclosure import Figure, ProtectedTable, protect_table
from samsyn.feedback.models import PublicFeedbackSettings
from samsyn.interventions.followup import verdict
from samsyn.interventions.models import Intervention
from samsyn.lib.svgchart import describe
from samsyn.reports.models import Category, Report


def public_areas(settings_: PublicFeedbackSettings) -> list[Area]:
    """The areas with a public page: the finest level the collaboration has."""
    qs = Area.objects.in_collaboration(settings_.collaboration)
    level = Area.Level.AREA if qs.leaves().exists() else Area.Level.DISTRICT
    return list(qs.filter(level=level).order_by("name"))


def shown_categories(settings_: PublicFeedbackSettings) -> list[Category]:
    chosen = list(settings_.categories.filter(active=True))
    if chosen:
        return chosen
    return list(Category.objects.in_collaboration(settings_.collaboration).active())


@dataclass
class PublicFigures:
    start: date
    end: date  # exclusive
    areas: list[Area]
    categories: list[Category]
    table: ProtectedTable

    @property
    def last_day(self) -> date:
        from datetime import timedelta

        return self.end - timedelta(days=1)

    def area_rows(self) -> list[tuple[Area, Figure]]:
        return [(a, self.table.row_totals[a.pk]) for a in self.areas]

    def category_rows(self, area: Area | None = None) -> list[tuple[Category, Figure]]:
        if area is None:
            return [(c, self.table.col_totals[c.pk]) for c in self.categories]
        return [(c, self.table.cells[(area.pk, c.pk)]) for c in self.categories]

    def total(self, area: Area | None = None) -> Figure:
        return self.table.total if area is None else self.table.row_totals[area.pk]


def public_figures(
    settings_: PublicFeedbackSettings, today: date | None = None
) -> PublicFigures:
    start, end = settings_.window(today)
    tz = timezone.get_current_timezone()
    areas = public_areas(settings_)
    categories = shown_categories(settings_)
    rows = (
        Report.objects.filter(
            collaboration=settings_.collaboration,
            restricted=False,
            area__in=areas,
            category__in=categories,
            occurred_at__gte=datetime.combine(start, time.min, tz),
            occurred_at__lt=datetime.combine(end, time.min, tz),
        )
        .values_list("area_id", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells = {(a, c): n for a, c, n in rows}
    table = protect_table(
        cells,
        settings_.collaboration.min_public_count,
        [a.pk for a in areas],
        [c.pk for c in categories],
    )
    return PublicFigures(start, end, areas, categories, table)


def bar_chart(
    rows: list[tuple[str, Figure]], *, label: str, hidden_label: str = "hidden"
) -> str:
    """A horizontal SVG bar chart. A hidden figure gets no bar, only the word
    `hidden_label`: any length would suggest a value it may not have."""
    from html import escape

    width, bar_h, gap, label_w = 420, 22, 8, 170
    shown = [f.value for _, f in rows if f.value is not None]
    top = max([*shown, 1])
    height = len(rows) * (bar_h + gap) + gap
    # role="img" hides the drawn numbers from a screen reader: the label gives them.
    text = describe(
        label,
        [name for name, _ in rows],
        [f.value for _, f in rows],
        missing=hidden_label,
    )
    parts = [
        f'<svg class="fb-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(text)}">'
        f"<title>{escape(text)}</title>"
    ]
    span = width - label_w - 50
    for i, (name, fig) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        short = name if len(name) <= 24 else name[:23] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.7:.0f}" text-anchor="end" '
            f'font-size="12">{escape(short)}</text>'
        )
        if fig.value is None:
            parts.append(
                f'<text class="fb-chart-hidden" x="{label_w}" '
                f'y="{y + bar_h * 0.7:.0f}" font-size="13" font-style="italic" '
                f'fill="#5b6570">{escape(hidden_label)}</text>'
            )
            continue
        w = span * fig.value / top
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="#1f4e79" rx="2"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.7:.0f}" '
            f'font-size="13">{fig.value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def published_interventions(
    settings_: PublicFeedbackSettings, area: Area | None = None
) -> list[dict[str, Any]]:
    """What residents may read about the interventions chosen for publication:
    title, kind, areas, period, status and the plain verdict (marked preliminary
    when made before the period ended); no notes, no problem text, no partners,
    no figures."""
    qs = (
        Intervention.objects.filter(
            collaboration=settings_.collaboration, published_to_residents=True
        )
        .exclude(status__in=[Intervention.Status.PROPOSED])
        .prefetch_related("areas", "evaluations")
    )
    if area is not None:
        qs = qs.filter(areas=area)
    out = []
    for iv in qs:
        ev = iv.latest_evaluation()
        said = verdict(ev) if ev else None
        out.append(
            {
                "title": iv.title,
                "kind": iv.get_kind_display(),
                "areas": [a.name for a in iv.areas.all()],
                "starts_on": iv.starts_on,
                "ends_on": iv.ends_on,
                "status": iv.get_status_display(),
                # One sentence from the rule table; a result made before the
                # period ended says first that it is preliminary.
                "verdict": said.headline if said else "",
                "preliminary": said.preliminary_line if said else "",
            }
        )
    return out

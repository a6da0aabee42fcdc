"""The periodic summary for staff and reporters: what was reported, what it led to,
and thanks per organisation. One dict feeds the page, the PDF and the e-mail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samsyn.interventions.followup import verdict
from samsyn.interventions.models import Intervention
from samsyn.lib.dates import check_week, in_range
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Report, ReportStatusChange

WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    key: str  # "2026-W47" or "2026-11"
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        if "W" in self.key:
            return _("week %(week)s, %(start)s – %(end)s") % {
                "week": self.key,
                "start": self.start.isoformat(),
                "end": self.last_day.isoformat(),
            }
        return _("month %(month)s") % {"month": self.key}


def parse_period(value: str | None, today: date | None = None) -> Period:
    """'2026-W47' (ISO week) or '2026-11' (month); default: last complete week.

    Raises ValueError for anything else."""
    today = today or timezone.localdate()
    if not value:
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=1)
        year, week, _day = monday.isocalendar()
        return Period(f"{year}-W{week:02d}", monday, monday + timedelta(weeks=1))
    if m := WEEK_RE.match(value):
        year, week = check_week(int(m.group(1)), int(m.group(2)))
        start = date.fromisocalendar(year, week, 1)
        return Period(f"{year}-W{week:02d}", start, start + timedelta(weeks=1))
    if m := MONTH_RE.match(value):
        year, month = int(m.group(1)), int(m.group(2))
        start = in_range(date(year, month, 1))
        end = date(year + month // 12, month % 12 + 1, 1)
        return Period(f"{year}-{month:02d}", start, end)
    raise ValueError(value)


def build_summary(
    collaboration: Collaboration, period: Period, *, include_restricted: bool = False
) -> dict[str, Any]:
    tz = timezone.get_current_timezone()
    since = datetime.combine(period.start, time.min, tz)
    until = datetime.combine(period.end, time.min, tz)
    reports = Report.objects.filter(
        collaboration=collaboration, occurred_at__gte=since, occurred_at__lt=until
    )
    if not include_restricted:
        reports = reports.filter(restricted=False)
    by_category = list(
        reports.values("category__name_sv", "category__name_en", "category__code")
        .annotate(n=Count("id"))
        .order_by("-n", "category__code")
    )
    en = (get_language() or "sv").startswith("en")
    for row in by_category:
        row["name"] = row["category__name_en"] if en else row["category__name_sv"]
    by_org = list(
        reports.values("organisation__name", "organisation__slug")
        .annotate(n=Count("id"), people=Count("reporter", distinct=True))
        .order_by("-n", "organisation__name")
    )
    changes = ReportStatusChange.objects.filter(
        collaboration=collaboration, created__gte=since, created__lt=until
    )
    if not include_restricted:
        changes = changes.filter(report__restricted=False)
    fixed = changes.filter(status=Report.Status.FIXED).values("report").distinct()
    open_now = Report.objects.filter(collaboration=collaboration).open_issues()
    if not include_restricted:
        open_now = open_now.filter(restricted=False)
    ivs = Intervention.objects.filter(collaboration=collaboration).exclude(
        status=Intervention.Status.PROPOSED
    )
    started = ivs.filter(starts_on__gte=period.start, starts_on__lt=period.end)
    ended = ivs.filter(
        Q(ends_on__gte=period.start, ends_on__lt=period.end)
        | Q(evaluations__created__gte=since, evaluations__created__lt=until)
    ).distinct()
    return {
        "collaboration": collaboration,
        "period": period,
        "total": sum(r["n"] for r in by_category),
        "by_category": by_category,
        "by_organisation": by_org,
        "fixed": fixed.count(),
        "open_issues": open_now.count(),
        "started": [_intervention(iv) for iv in started.order_by("starts_on")],
        "ended": [_intervention(iv) for iv in ended.order_by("ends_on")],
    }


def _intervention(iv: Intervention) -> dict[str, Any]:
    ev = iv.latest_evaluation()
    said = verdict(ev) if ev else None
    return {
        "title": iv.title,
        "kind": iv.get_kind_display(),
        "owner": iv.owner.name,
        "status": iv.get_status_display(),
        "starts_on": iv.starts_on,
        "ends_on": iv.ends_on,
        "verdict": said.headline if said else "",
        "preliminary": said.preliminary_line if said else "",
    }

"""State changes of the guard planning: generate and publish plans, report visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from samsyn.accounts.models import User
from samsyn.analysis import engine
from samsyn.analysis.data import load_report_columns
from samsyn.areas.models import Area, Place
from samsyn.lib.geo import to_wgs84
from samsyn.lib.weeks import local_midnight, week_start
from samsyn.meetings.models import Decision
from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration, Organisation, record
from samsyn.patrols import risk, wording
from samsyn.patrols.models import PatrolPlan, PatrolSettings, PatrolVisit, VisitReport
from samsyn.reports.actions import IdempotencyConflict, submit_report
from samsyn.reports.models import Category

PATROL_SOURCE = "patrol"  # Report.source of reports made from a guard visit
RANKING_KEPT = 40  # top of the ranking stored with a plan, for explaining it


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def shifts_of(settings: PatrolSettings) -> list[risk.Shift]:
    out = []
    for day in range(7):
        pair = settings.shift_for(day)
        if pair:
            out.append(
                risk.Shift(
                    day, day * 1440 + _minutes(pair[0]), day * 1440 + _minutes(pair[1])
                )
            )
    return out


def _locations(
    collab: Collaboration, x: np.ndarray, y: np.ndarray, harm: np.ndarray, n_cells: int
) -> list[risk.Location]:
    refs = dict(Area.objects.filter(collaboration=collab).values_list("pk", "ref"))
    names = dict(Area.objects.filter(collaboration=collab).values_list("pk", "name"))
    places = [
        risk.Location(
            key=f"place:{p.pk}",
            label=p.name,
            x=p.x,
            y=p.y,
            kind="place",
            place_id=p.pk,
            area_ref=refs.get(p.area_id, "") if p.area_id else "",
        )
        for p in Place.objects.filter(collaboration=collab).order_by("pk")
    ]
    cells = []
    # A hotspot cell that already holds a named place is planned as that place.
    for c in risk.hotspot_cells(x, y, harm, top=n_cells + len(places)):
        if any(abs(p.x - c.x) <= 125 and abs(p.y - c.y) <= 125 for p in places):
            continue
        lon, lat = to_wgs84(c.x, c.y)
        area_id = Area.locate_id(collab, float(lon), float(lat))
        # Guards need a name: the area, with the square's km coordinates. The
        # stored label is a fallback; pages word it again from the figures
        # (wording.location_label) in the reader's language.
        where = names.get(area_id, "") if area_id else ""
        # People find a square by the nearest named place, not its coordinates.
        nearest = min(
            ((p.label, ((p.x - c.x) ** 2 + (p.y - c.y) ** 2) ** 0.5) for p in places),
            key=lambda t: t[1],
            default=None,
        )
        near, near_m = nearest if nearest else ("", 0.0)
        cells.append(
            risk.Location(
                key=c.key,
                label=(
                    wording.near_label(near, near_m, where)
                    if near
                    else wording.square_label(c.x, c.y, 2 * c.radius_m, where)
                ),
                x=c.x,
                y=c.y,
                kind="cell",
                area_ref=refs.get(area_id, "") if area_id else "",
                radius_m=c.radius_m,
                area_name=where,
                near=near,
                near_m=round(near_m),
            )
        )
        if len(cells) >= n_cells:
            break
    return places + cells


def _flagged_areas(collab: Collaboration, monday: datetime, access: Access) -> set[str]:
    """Areas with a high deviation in the week before the planned one."""
    year, week, _ = (monday.date() - timedelta(days=7)).isocalendar()
    try:
        result = engine.weekly(collab, year, week, access)
    except engine.AnalysisInputError:
        return set()
    return {
        r["area"]
        for r in result["rows"]
        if r["level"] == "area" and r["status"] == "high"
    }


def _decision_keys(collab: Collaboration, places: list[risk.Location]) -> set[str]:
    """Places and areas named by open meeting decisions.

    The link is loose on purpose: a decision counts if it is linked to the place or
    area, or if its text mentions the place's name.
    """
    keys: set[str] = set()
    decisions = Decision.objects.filter(collaboration=collab).open()
    for d in decisions.prefetch_related("places", "areas"):
        keys |= {f"place:{p.pk}" for p in d.places.all()}
        keys |= {f"area:{a.ref}" for a in d.areas.all()}
        text = d.text.casefold()
        keys |= {
            loc.key
            for loc in places
            if loc.kind == "place" and loc.label.casefold() in text
        }
    return keys


def reason_text(w: risk.RiskWindow) -> str:
    """The reason as plain text at generation time (stored for the API and as a
    fallback; pages word it from the figures with wording.reason)."""
    return wording.reason(_window_dict(w), "")


def _window_dict(w: risk.RiskWindow) -> dict[str, Any]:
    """A window's figures, stored with a visit and in the plan's ranking: enough
    to word its reason and, for a square, its name when shown."""
    loc = w.location
    where: dict[str, Any] = {"kind": loc.kind}
    if loc.kind == "cell":
        where |= {
            "area": loc.area_name,
            "cell_m": 2 * loc.radius_m,
            **({"near": loc.near, "near_m": loc.near_m} if loc.near else {}),
            "x": loc.x,
            "y": loc.y,
        }
    return {
        "location": w.location.label,
        **where,
        "key": w.location.key,
        "weekday": w.weekday,
        "hour": w.hour,
        "score": round(w.score, 4),
        "history": round(w.history, 4),
        "trend": round(w.trend, 4),
        "deviation": round(w.deviation, 4),
        "decision": round(w.decision, 4),
    }


def rank_windows(
    collab: Collaboration,
    iso_year: int,
    iso_week: int,
    access: Access,
    settings: PatrolSettings | None = None,
    now: datetime | None = None,
) -> tuple[risk.RiskTable, list[risk.RiskWindow]]:
    """Risk per candidate location and hour of week for the planned week.

    History ends at the start of the planned week (or now, if that is earlier).
    """
    settings = settings or PatrolSettings.for_collaboration(collab)
    monday = local_midnight(week_start(iso_year, iso_week))
    until = min(now or timezone.now(), monday)
    since = until - timedelta(weeks=settings.history_weeks)
    cols = load_report_columns(collab, since, until, access=access)
    ok = cols.category >= 0
    harm = np.where(ok, cols.category_harm[np.where(ok, cols.category, 0)], 0.0)
    locations = _locations(collab, cols.x, cols.y, harm, settings.hotspot_cells)
    table = risk.risk_table(
        cols.t,
        cols.x,
        cols.y,
        harm,
        locations,
        now=until.timestamp(),
        params=risk.RiskParams(weeks=settings.history_weeks),
        flagged_areas=_flagged_areas(collab, monday, access),
        decision_keys=_decision_keys(collab, locations),
    )
    return table, table.ranked()


@transaction.atomic
def generate_patrol_plan(
    collab: Collaboration,
    iso_year: int,
    iso_week: int,
    *,
    by: User,
    now: datetime | None = None,
) -> PatrolPlan:
    """A new draft plan for an ISO week: the highest-risk windows in the shifts.

    Made from the reports every reader of a published plan may see
    (``Access.everyone``): guards, reporters and the steering group read it, so a
    restricted report must not draw a visit, name a square or move a figure, even
    when the planner may see it. Restricted reports therefore do not steer the
    guards (docs/security.md, "Restricted reports").
    """
    settings = PatrolSettings.for_collaboration(collab)
    access = Access.everyone(collab)
    table, ranked = rank_windows(collab, iso_year, iso_week, access, settings, now)
    slots = risk.schedule(
        ranked,
        shifts_of(settings),
        teams=settings.teams,
        visit_minutes=settings.visit_minutes,
        speed_kmh=settings.speed_kmh,
        max_per_location_week=settings.max_visits_per_place,
    )
    monday = local_midnight(week_start(iso_year, iso_week))
    plan = PatrolPlan.objects.create(
        collaboration=collab,
        iso_year=iso_year,
        iso_week=iso_week,
        created_by=by,
        inputs={
            "teams": settings.teams,
            "shifts": settings.shifts,
            "visit_minutes": settings.visit_minutes,
            "speed_kmh": settings.speed_kmh,
            "history_weeks": settings.history_weeks,
            "max_visits_per_place": settings.max_visits_per_place,
            "n_reports": table.n_reports,
            "n_locations": len(table.locations),
        },
        ranking=[_window_dict(w) for w in ranked[:RANKING_KEPT]],
    )
    order: dict[tuple[int, int], int] = {}
    visits = []
    for s in slots:
        day = s.start // 1440
        n = order[(s.team, day)] = order.get((s.team, day), 0) + 1
        visits.append(
            PatrolVisit(
                plan=plan,
                team=s.team,
                place_id=s.location.place_id,
                x=s.location.x,
                y=s.location.y,
                label=s.location.label,
                # Wall-clock arithmetic on an aware local datetime: right across DST.
                starts_at=monday + timedelta(minutes=s.start),
                ends_at=monday + timedelta(minutes=s.end),
                score=s.window.score,
                components=_window_dict(s.window),
                reason=reason_text(s.window),
                order=n,
            )
        )
    PatrolVisit.objects.bulk_create(visits)
    record(
        by,
        "patrol_plan.generated",
        plan,
        data={"week": plan.week_label, "visits": len(visits)},
    )
    return plan


class AlreadyPublished(Exception):
    pass


@transaction.atomic
def publish_patrol_plan(plan: PatrolPlan, *, by: User) -> PatrolPlan:
    """Make the plan visible to the guards. Nothing is sent yet; it is audited."""
    plan = PatrolPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_published:
        raise AlreadyPublished
    plan.status = PatrolPlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_at"])
    record(by, "patrol_plan.published", plan, data={"week": plan.week_label})
    return plan


@transaction.atomic
def save_patrol_settings(settings: PatrolSettings, *, by: User) -> PatrolSettings:
    settings.save()
    record(
        by,
        "patrol_settings.saved",
        settings.collaboration,
        data={
            "teams": settings.teams,
            "shifts": settings.shifts,
            "visit_minutes": settings.visit_minutes,
            "speed_kmh": settings.speed_kmh,
        },
    )
    return settings


@dataclass
class Reported:
    visit_report: VisitReport
    created: bool


def report_visit(
    access: Access,
    visit: PatrolVisit,
    *,
    by: User,
    organisation: Organisation,
    outcome: str,
    note: str = "",
    people_count: int | None = None,
    category: Category | None = None,
    done_at: datetime | None = None,
) -> Reported:
    """Store what the guards did at a visit, once (a retry returns the first).

    Dialogue and action also become a Report (source "patrol", idempotency key =
    the visit's code) so they flow into the picture; presence and nothing to report
    stay patrol activity (see VisitReport).
    """
    existing = VisitReport.objects.filter(visit=visit).first()
    if existing is not None:
        return Reported(existing, created=False)
    done_at = done_at or timezone.now()
    try:
        with transaction.atomic():
            report = None
            if outcome in VisitReport.INCIDENT_OUTCOMES:
                assert category is not None  # noqa: S101 - the form requires it
                lon, lat = to_wgs84(visit.x, visit.y)
                data = {
                    "category_obj": category,
                    "category": category.code,
                    "organisation_obj": organisation,
                    "organisation": organisation.slug,
                    "lon": round(float(lon), 7),
                    "lat": round(float(lat), 7),
                    "occurred_at": done_at,
                    "place_obj": visit.place,
                    "place": str(visit.place.code) if visit.place else "",
                    "people_count": people_count,
                    "description": note,
                    "severity": 1,
                }
                try:
                    report = submit_report(
                        access,
                        data,
                        by=by,
                        idempotency_key=str(visit.code),
                        source=PATROL_SOURCE,
                    ).report
                except IdempotencyConflict as exc:
                    report = exc.report
            vr = VisitReport.objects.create(
                collaboration=visit.plan.collaboration,
                visit=visit,
                outcome=outcome,
                people_count=people_count,
                note=note,
                done_at=done_at,
                reported_by=by,
                organisation=organisation,
                report=report,
            )
            record(
                by,
                "patrol_visit.reported",
                visit,
                collaboration=visit.plan.collaboration,
                data={
                    "outcome": outcome,
                    "report": str(report.code) if report else None,
                },
            )
    except IntegrityError:
        # Two taps racing: the one-per-visit constraint decided, return the winner.
        existing = VisitReport.objects.filter(visit=visit).first()
        if existing is None:
            raise
        return Reported(existing, created=False)
    return Reported(vr, created=True)

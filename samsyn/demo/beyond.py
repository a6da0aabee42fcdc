"""The demo beyond the reporters: surveys, residents' reports, safety walks, check-ins.

Small and deterministic (a few dozen rows), written after the reports so that the
situation picture, the moderation queue, the walk pages and the coverage matrix all
have something to show:

- survey results (a police-style problem index 0-6) per DeSO for three years, with
  the planted divergence of ``DemoData.truths["perceived_divergence"]``;
- residents' reports: some waiting for moderation, some accepted, one rejected and one
  merged as a duplicate — several in the planted area, where reporters see little;
- a completed safety walk with a drawn route, observations and follow-ups (two owned
  reports and a proposed intervention), and a planned one;
- check-ins for the current week from the housing company; the guard company has not
  checked in yet, so the coverage matrix shows an organisation missing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.utils import timezone
from shapely.geometry import Point, Polygon

from samsyn.accounts.models import User
from samsyn.areas.models import Area
from samsyn.demo.generator import SURVEY_INDICATOR, SURVEY_SOURCE, DemoData
from samsyn.lib.geo import to_sweref
from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category

# (category, text, status, days from this week's Monday 00:00, in the planted DeSO):
# last week's accepted ones show in last week's picture; this week's wait in the
# moderation queue. Times after "now" are moved to just before it.
RESIDENT_REPORTS: tuple[tuple[str, str, str, float, bool], ...] = (
    ("unsafe_lighting", "Mörkt på gångvägen, flera lampor är trasiga.", "accepted", -5.2, True),
    ("gathering", "Grupp som står vid tunneln på kvällarna, känns otryggt.", "accepted", -4.6, True),
    ("unsafe_vegetation", "Buskarna är så höga att man inte ser någon.", "accepted", -3.3, True),
    ("littering", "Mycket skräp vid lekplatsen.", "accepted", -6.4, False),
    ("loud_music", "Bilar med hög musik på parkeringen sent.", "accepted", -1.1, False),
    ("reckless_driving", "Mopeder kör fort på gång- och cykelbanan.", "pending", 0.6, False),
    ("unsafe_lighting", "Lampan vid busshållplatsen är släckt.", "pending", 0.4, True),
    ("vandalism_graffiti", "Nytt klotter på tunneln.", "pending", 0.2, False),
    ("littering", "Köp billiga klockor på www.example.com", "rejected", -2.0, False),
    ("unsafe_lighting", "Det är jättemörkt längs gångvägen.", "duplicate", -4.4, True),
)  # fmt: skip

# (category, what was seen, what should be done, follow-up) along the walk's route.
WALK_OBSERVATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("unsafe_lighting", "Tre trasiga lampor längs gångvägen mot skolan.",
     "Byt armaturerna och laga lamporna.", "report:orebro_kommun"),
    ("unsafe_vegetation", "Höga buskar skymmer sikten vid busshållplatsen.",
     "Klipp ner buskarna till knähöjd.", "report:orebrobostader"),
    ("unsafe_desolate", "Öde parkering utan naturlig övervakning på kvällen.",
     "Belysning och en väg som leder förbi parkeringen.", "intervention:orebro_kommun"),
    ("vandalism_graffiti", "Klotter på elskåpet.", "Sanera.", ""),
)  # fmt: skip


def add_beyond(collab: Collaboration, data: DemoData, now: datetime) -> dict[str, Any]:
    """Write all of the above; returns a summary for the truths file."""
    planted = Area.objects.get(
        collaboration=collab, ref=data.truths["perceived_divergence"]["deso"]
    )
    coordinator = User.objects.get(username="coordinator")
    orgs = {o.slug.replace("-", "_"): o for o in collab.organisations.all()}
    surveys = _surveys(collab, data)
    residents = _resident_reports(collab, data, planted, coordinator, now)
    walks = _walks(collab, planted, data, coordinator, orgs, now)
    missing = _check_ins_this_week(collab, orgs, now)
    return {
        "surveys": surveys,
        "resident_reports": residents,
        "walks": walks,
        "checkins_this_week_missing": missing,
    }


def _surveys(collab: Collaboration, data: DemoData) -> int:
    from samsyn.surveys.models import SurveyMapping, SurveyResult

    SurveyMapping.objects.create(
        collaboration=collab,
        name="Polisens trygghetsmätning (DeSO)",
        area_column="deso",
        year_column="ar",
        value_column="problemindex",
        respondents_column="svarande",
        source=SURVEY_SOURCE,
        indicator=SURVEY_INDICATOR,
    )
    area_id = dict(
        Area.objects.filter(collaboration=collab, level=Area.Level.AREA).values_list(
            "ref", "pk"
        )
    )
    rows = SurveyResult.objects.bulk_create(
        SurveyResult(
            collaboration=collab,
            area_id=area_id[data.areas[s.deso_index].code],
            year=s.year,
            source=SURVEY_SOURCE,
            indicator=SURVEY_INDICATOR,
            value=s.value,
            respondents=s.respondents,
        )
        for s in data.surveys
    )
    return len(rows)


def _inside(
    poly: Polygon, rng: np.random.Generator, n: int
) -> list[tuple[float, float]]:
    """``n`` points (lon, lat) inside the polygon, near its middle."""
    c = poly.representative_point()
    minx, miny, maxx, maxy = poly.bounds
    out: list[tuple[float, float]] = []
    while len(out) < n:
        lon = c.x + rng.normal(0, (maxx - minx) / 8)
        lat = c.y + rng.normal(0, (maxy - miny) / 8)
        if poly.contains(Point(lon, lat)):
            out.append((round(lon, 6), round(lat, 6)))
    return out


def _resident_reports(
    collab: Collaboration,
    data: DemoData,
    planted: Area,
    coordinator: User,
    now: datetime,
) -> dict[str, int]:
    from samsyn.residents.actions import (
        accept_resident_report,
        merge_resident_report,
        reject_resident_report,
    )
    from samsyn.residents.models import ModerationEvent, ResidentReport

    rng = np.random.default_rng([data.seed, 11])
    cats = {c.code: c for c in Category.objects.filter(collaboration=collab)}
    planted_poly = data.areas[data.truths["perceived_divergence"]["deso_index"]]
    in_planted = iter(
        _inside(planted_poly.geom_wgs84, rng, sum(1 for r in RESIDENT_REPORTS if r[4]))
    )
    busy = [p for p in data.places if p.place_type == "public"][:6]
    first_lighting: ResidentReport | None = None
    counts: dict[str, int] = {}
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    for i, (code, text, status, days, is_planted) in enumerate(RESIDENT_REPORTS):
        when = min(monday + timedelta(days=days), now - timedelta(minutes=30 + i))
        if is_planted:
            lon, lat = next(in_planted)
        else:
            p = busy[i % len(busy)]
            lon = round(p.lon + float(rng.normal(0, 0.0004)), 6)
            lat = round(p.lat + float(rng.normal(0, 0.0002)), 6)
        x, y = to_sweref(lon, lat)
        report = ResidentReport.objects.create(
            collaboration=collab,
            category=cats[code],
            occurred_at=when,
            lon=lon,
            lat=lat,
            x=round(float(x), 1),
            y=round(float(y), 1),
            area_id=Area.locate_id(collab, lon, lat),
            text=text,
            form_digest=hashlib.sha256(f"demo-resident-{i}".encode()).hexdigest(),
            created=when,
        )
        ModerationEvent.objects.create(
            report=report,
            collaboration=collab,
            status=ResidentReport.Status.PENDING,
            created=report.created,
        )
        if status == "accepted":
            accept_resident_report(report, by=coordinator)
            if code == "unsafe_lighting" and first_lighting is None:
                first_lighting = report
        elif status == "rejected":
            reject_resident_report(report, by=coordinator, reason="Reklam")
        elif status == "duplicate" and first_lighting is not None:
            merge_resident_report(report, first_lighting, by=coordinator)
        counts[status] = counts.get(status, 0) + 1
    return counts


def _route(poly: Polygon) -> list[list[float]]:
    """A loop through the area: its outline pulled 60 % towards its middle."""
    c = poly.representative_point()
    ring = list(poly.exterior.coords)
    step = max(1, len(ring) // 7)
    pts = [
        [round(c.x + 0.4 * (x - c.x), 6), round(c.y + 0.4 * (y - c.y), 6)]
        for x, y in ring[::step]
    ]
    return [*pts, pts[0]]


def _walks(
    collab: Collaboration,
    planted: Area,
    data: DemoData,
    coordinator: User,
    orgs: dict[str, Organisation],
    now: datetime,
) -> dict[str, Any]:
    """A walk done two weeks ago in the planted area, and one planned."""
    from samsyn.walks.actions import (
        finish_walk,
        observation_to_intervention,
        observation_to_report,
        plan_walk,
        record_observation,
    )
    from samsyn.walks.models import WalkObservation

    today = timezone.localtime(now).date()
    poly = data.areas[data.truths["perceived_divergence"]["deso_index"]].geom_wgs84
    route = _route(poly)
    done = plan_walk(
        collab,
        {
            "title": f"Trygghetsvandring {planted.name}",
            "area": planted,
            "date": today - timedelta(days=14),
            "route": {"type": "LineString", "coordinates": route},
            "organisations": [
                orgs[k] for k in ("orebro_kommun", "polisen_orebro", "orebrobostader")
            ],
            "residents_count": 7,
        },
        by=coordinator,
    )
    access = Access.for_user(coordinator, collab)
    cats = {c.code: c for c in Category.objects.filter(collaboration=collab)}
    walked = timezone.make_aware(
        datetime.combine(done.date, datetime.min.time()).replace(hour=18)
    )
    follow_ups = {"reports": 0, "interventions": 0}
    for i, (code, note, action, follow) in enumerate(WALK_OBSERVATIONS):
        lon, lat = route[1 + i % (len(route) - 2)]
        obs = record_observation(
            done,
            {
                "lon": lon,
                "lat": lat,
                "category": cats[code],
                "note": note,
                "suggested_action": action,
            },
            by=coordinator,
        )
        WalkObservation.objects.filter(pk=obs.pk).update(
            created=walked + timedelta(minutes=12 * i)
        )
        obs.refresh_from_db()
        kind, _, owner = follow.partition(":")
        if kind == "report":
            observation_to_report(obs, access, owner=orgs[owner], by=coordinator)
            follow_ups["reports"] += 1
        elif kind == "intervention":
            observation_to_intervention(obs, owner=orgs[owner], by=coordinator)
            follow_ups["interventions"] += 1
    finish_walk(done, by=coordinator)

    b = data.truths["displacement"]["place_b"]
    other = Area.objects.get(collaboration=collab, ref=b["deso"])
    planned = plan_walk(
        collab,
        {
            "title": f"Trygghetsvandring {other.name}",
            "area": other,
            "date": today + timedelta(days=10),
            "route": {
                "type": "LineString",
                "coordinates": _route(
                    next(a.geom_wgs84 for a in data.areas if a.code == b["deso"])
                ),
            },
            "organisations": [orgs[k] for k in ("orebro_kommun", "trygghetsvakter")],
            "residents_count": 0,
        },
        by=coordinator,
    )
    return {
        "done": {"code": str(done.code), "area": planted.ref, **follow_ups},
        "planned": {"code": str(planned.code), "area": other.ref},
    }


def _check_ins_this_week(
    collab: Collaboration, orgs: dict[str, Organisation], now: datetime
) -> list[str]:
    """The housing company checked in all its areas this week; the guards not yet."""
    from samsyn.coverage.models import CheckIn, Coverage

    y, w, _ = timezone.localtime(now).isocalendar()
    housing = orgs["orebrobostader"]
    reporter = User.objects.get(username="reporter")
    areas = list(
        Coverage.objects.active()
        .filter(organisation=housing)
        .select_related("area")
        .order_by("area__ref")
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            collaboration=collab,
            organisation=housing,
            area=c.area,
            iso_year=y,
            iso_week=w,
            status=(
                CheckIn.Status.ITEMS_SEEN
                if i % 4 == 0
                else CheckIn.Status.NOTHING_TO_REPORT
            ),
            categories=["littering"] if i % 4 == 0 else [],
            by=reporter,
            created=now - timedelta(hours=2),
        )
        for i, c in enumerate(areas)
    )
    return [orgs["trygghetsvakter"].slug]


def remove_beyond(collab: Collaboration) -> None:
    """Delete the rows whose category is protected before the collaboration goes."""
    from samsyn.residents.models import ModerationEvent, ResidentReport
    from samsyn.walks.models import Walk, WalkObservation

    WalkObservation.objects.filter(collaboration=collab).delete()
    Walk.objects.filter(collaboration=collab).delete()
    ModerationEvent.objects.filter(collaboration=collab).delete()
    ResidentReport.objects.filter(collaboration=collab).update(merged_into=None)
    ResidentReport.objects.filter(collaboration=collab).delete()

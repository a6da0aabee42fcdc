"""Write a generated demo (samsyn.demo.generator) into the database.

Builds a whole collaboration: organisations of every kind, one demo user per role,
districts and areas from SCB's DeSO boundaries for Örebro, named places and years of
reports. The planted truths (hotspots, the emerging one, the displaced one and its
intervention, quiet areas, a deviation) are written to a JSON file so analysis can be
checked against them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from shapely.geometry import mapping, shape

from samsyn.accounts.models import User
from samsyn.areas.models import Area, Place
from samsyn.demo.generator import (
    ENV_STATUS_CODES,
    PLACE_TYPE_CODES,
    DemoData,
    generate,
    load_deso,
)
from samsyn.demo.routing import add_demo_routing
from samsyn.lib.backend_sql import (
    bulk_insert,
    datetime_db_values,
    reset_sequence,
    uuid_db_value,
)
from samsyn.lib.geo import area_km2, geometry_to_wkb
from samsyn.lib.progress import Progress
from samsyn.organisations.actions import add_member, create_collaboration
from samsyn.organisations.models import Collaboration, Membership, Organisation
from samsyn.reports.models import Category, Report, ReportStatusChange

SLUG = "orebro"
DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo-only password
DESO_FILE = "orebro-deso.geojson"

# username -> (organisation code in the generator, role)
DEMO_USERS: dict[str, tuple[str, str]] = {
    "reporter": ("orebrobostader", Membership.Role.REPORTER),
    "coordinator": ("orebro_kommun", Membership.Role.COORDINATOR),
    "analyst": ("orebro_kommun", Membership.Role.ANALYST),
    "police": ("polisen_orebro", Membership.Role.ORG_LEAD),
    "steering": ("orebrobostader", Membership.Role.STEERING),
    "admin": ("orebro_kommun", Membership.Role.ADMIN),
}
# Physical-environment categories and who fixes them.
DEFAULT_OWNERS = {
    "vandalism_graffiti": "orebrobostader",
    "vandalism_glass": "orebrobostader",
    "vandalism_other": "orebrobostader",
    "littering": "orebro_kommun",
    "unsafe_lighting": "orebro_kommun",
    "unsafe_vegetation": "orebro_kommun",
    "unsafe_desolate": "orebro_kommun",
}


def find_data_dir() -> Path | None:
    """SAMSYN_DATA_DIR, else the checkout's data/ folder (else ../shared/data)."""
    import os

    candidates = [
        os.environ.get("SAMSYN_DATA_DIR", ""),
        str(settings.BASE_DIR / "data"),
        str(settings.BASE_DIR.parent / "shared" / "data"),
    ]
    for c in candidates:
        if c and (Path(c) / DESO_FILE).exists():
            return Path(c)
    return None


def demo_end(now: datetime | None = None) -> datetime:
    """The start of next ISO week (Monday 00:00 Stockholm) in UTC.

    Generated weeks then line up with ISO weeks; reports after `now` are dropped.
    """
    local = timezone.localtime(now or timezone.now())
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    ) + timedelta(days=7)
    return monday.astimezone(UTC)


@dataclass
class LoadResult:
    collaboration: Collaboration
    reports: int
    truths_path: Path
    data: DemoData


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


def load_demo(
    *,
    seed: int = 2026,
    n_reports: int = 60_000,
    now: datetime | None = None,
    truths_path: Path | None = None,
    progress: Callable[[str], None] = lambda s: None,
    rows_progress: Progress | None = None,
) -> LoadResult:
    data_dir = find_data_dir()
    if data_dir is None:
        raise FileNotFoundError(
            f"{DESO_FILE} not found: set SAMSYN_DATA_DIR to the shared data folder"
        )
    now = now or timezone.now()
    progress("generating reports")
    deso = load_deso(data_dir / DESO_FILE)
    data = generate(deso, seed=seed, n_reports=n_reports, end=demo_end(now))
    with transaction.atomic():
        collab = _load_structure(data)
        progress("writing reports")
        written = _load_reports(collab, data, now, rows_progress)
        progress("adding synthetic police data")
        from samsyn.demo.police import add_demo_police

        police = add_demo_police(collab, data, now)
        progress("adding interventions")
        from samsyn.interventions.demo import add_demo_interventions

        add_demo_interventions(collab, data.truths, now=now)
        _open_public_pages(collab)
        _check_ins(collab, now)
        progress("adding surveys, residents' reports, walks and check-ins")
        from samsyn.demo.beyond import add_beyond

        beyond = add_beyond(collab, data, now)
        progress("adding pictures, meetings, decisions and the annual report")
        from samsyn.demo.cycle import add_cycle

        cycle = add_cycle(collab, now)
    truths_path = truths_path or settings.BASE_DIR / "var" / "demo-truths.json"
    truths_path.parent.mkdir(parents=True, exist_ok=True)
    truths = {
        **data.truths,
        "collaboration": SLUG,
        "reports_written": written,
        "police": police,
        "beyond": beyond,
        "cycle": cycle,
        "routing": add_demo_routing(collab, data, now),
    }
    truths_path.write_text(json.dumps(truths, indent=2, ensure_ascii=False))
    return LoadResult(collab, written, truths_path, data)


def _load_structure(data: DemoData) -> Collaboration:
    collab = create_collaboration(
        slug=SLUG,
        name="EST Örebro",
        municipality_code="1880",
        municipality_name="Örebro",
        period_kind=Collaboration.PeriodKind.TERTIAL,
    )
    orgs: dict[str, Organisation] = {}
    for o in data.organisations:
        orgs[o.code] = Organisation.objects.create(
            collaboration=collab,
            slug=o.code.replace("_", "-"),
            name=o.name,
            kind=o.type,
        )
    for username, (org_code, role) in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(DEMO_PASSWORD)
        user.first_name = username.capitalize()
        user.save()
        add_member(user, orgs[org_code], role)
    for code, org_code in DEFAULT_OWNERS.items():
        Category.objects.filter(collaboration=collab, code=code).update(
            default_owner=orgs[org_code]
        )
    # Districts are the union of their DeSO; areas are the DeSO.
    districts: list[Area] = []
    for d in data.districts:
        union = shapely.union_all(
            [shape(data_geometry(data, i)) for i in d.area_indices]
        )
        geom = mapping(shapely.set_precision(union, 1e-6))
        districts.append(_area(collab, Area.Level.DISTRICT, d.code, d.name, geom, None))
    Area.objects.bulk_create(districts)
    by_ref = {a.ref: a for a in Area.objects.filter(collaboration=collab)}
    district_of = {i: by_ref[d.code] for d in data.districts for i in d.area_indices}
    areas = [
        _area(
            collab,
            Area.Level.AREA,
            a.code,
            a.name,
            data_geometry(data, i),
            district_of[i],
            population=a.population,
        )
        for i, a in enumerate(data.areas)
    ]
    Area.objects.bulk_create(areas)
    Collaboration.objects.filter(pk=collab.pk).update(
        areas_version=F("areas_version") + 1
    )
    collab.refresh_from_db()
    area_ids = dict(
        Area.objects.filter(collaboration=collab, level=Area.Level.AREA).values_list(
            "ref", "pk"
        )
    )
    Place.objects.bulk_create(
        Place(
            collaboration=collab,
            area_id=area_ids[p.deso_code],
            name=p.name,
            place_type=p.place_type,
            lon=p.lon,
            lat=p.lat,
            x=p.x,
            y=p.y,
        )
        for p in data.places
    )
    return collab


def data_geometry(data: DemoData, i: int) -> dict[str, Any]:
    geom = mapping(data.areas[i].geom_wgs84)
    return {
        "type": geom["type"],
        "coordinates": json.loads(json.dumps(geom["coordinates"])),
    }


def _area(
    collab: Collaboration,
    level: str,
    ref: str,
    name: str,
    geometry: dict[str, Any],
    parent: Area | None,
    population: int | None = None,
) -> Area:
    minx, miny, maxx, maxy = shape(geometry).bounds
    return Area(
        collaboration=collab,
        level=level,
        ref=ref,
        name=name,
        population=population,
        geometry=geometry,
        geometry_wkb=geometry_to_wkb(geometry),
        min_lon=minx,
        min_lat=miny,
        max_lon=maxx,
        max_lat=maxy,
        area_km2=round(area_km2(geometry), 4),
        parent=parent,
    )


def _load_reports(
    collab: Collaboration,
    data: DemoData,
    now: datetime,
    progress: Progress | None = None,
) -> int:
    r = data.reports
    keep = np.nonzero(r.occurred_at <= int(now.timestamp()) - 300)[0]
    n = len(keep)
    if progress is not None:
        progress.update(0, n)
    rng = np.random.default_rng(data.seed + 1)
    org_ids = [
        Organisation.objects.get(collaboration=collab, slug=o.code.replace("_", "-")).pk
        for o in data.organisations
    ]
    cats = {c.code: c for c in Category.objects.filter(collaboration=collab)}
    cat_ids = np.array([cats[c].pk for c in data.category_codes], dtype=np.int64)
    owner_ids = np.array(
        [cats[c].default_owner_id or 0 for c in data.category_codes], dtype=np.int64
    )
    counts_people = np.array([cats[c].counts_people for c in data.category_codes])
    area_by_ref = dict(
        Area.objects.filter(collaboration=collab, level=Area.Level.AREA).values_list(
            "ref", "pk"
        )
    )
    area_ids = np.array([area_by_ref[a.code] for a in data.areas], dtype=np.int64)
    place_by_name = dict(
        Place.objects.filter(collaboration=collab).values_list("name", "pk")
    )
    place_ids = np.array(
        [place_by_name[p.name] for p in data.places] + [0], dtype=np.int64
    )
    reporter = User.objects.get(username="reporter")
    reporter_org = org_ids[[o.code for o in data.organisations].index("orebrobostader")]

    start_id = (Report.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    ids = np.arange(start_id, start_id + n, dtype=np.int64)
    occurred = r.occurred_at[keep]
    created = occurred + r.received_delay_s[keep].astype(np.int64)
    created = np.minimum(created, int(now.timestamp()))
    occ_txt = datetime_db_values(occurred)
    cre_txt = datetime_db_values(created)
    cat = r.category[keep].astype(np.int64)
    org = r.organisation[keep].astype(np.int64)
    env = r.env_status[keep]
    place = r.place[keep]
    # The demo reporter owns the housing company's reports of the last two weeks, so
    # "My reports" shows something.
    mine = (org == [o.code for o in data.organisations].index("orebrobostader")) & (
        occurred >= int(now.timestamp()) - 14 * 86_400
    )
    codes = [uuid_db_value(uuid.UUID(bytes=b, version=4)) for b in _uuid_bytes(rng, n)]
    templates = data.description_templates
    desc_idx = r.description[keep]

    columns = [
        "id", "code", "collaboration_id", "organisation_id", "reporter_id",
        "category_id", "occurred_at", "lon", "lat", "x", "y", "area_id", "place_id",
        "place_type", "people_count", "severity", "description", "restricted",
        "status", "owner_id", "source", "idempotency_key", "idempotency_fingerprint",
        "created", "updated",
    ]  # fmt: skip

    def rows() -> Iterator[tuple[Any, ...]]:
        lon, lat, x, y = r.lon[keep], r.lat[keep], r.x[keep], r.y[keep]
        deso, sev, people = r.deso[keep], r.severity[keep], r.people_count[keep]
        ptype, restricted = r.place_type[keep], r.restricted[keep]
        for i in range(n):
            if progress is not None:
                progress.advance()
            c = int(cat[i])
            status = ENV_STATUS_CODES[env[i]] if env[i] >= 0 else ""
            yield (
                int(ids[i]),
                codes[i],
                collab.pk,
                org_ids[int(org[i])],
                reporter.pk
                if mine[i] and org_ids[int(org[i])] == reporter_org
                else None,
                int(cat_ids[c]),
                occ_txt[i],
                float(lon[i]),
                float(lat[i]),
                round(float(x[i]), 2),
                round(float(y[i]), 2),
                int(area_ids[deso[i]]),
                int(place_ids[place[i]]) if place[i] >= 0 else None,
                PLACE_TYPE_CODES[ptype[i]],
                int(people[i]) if counts_people[c] else None,
                int(sev[i]),
                templates[c][int(desc_idx[i])],
                bool(restricted[i]),
                status,
                int(owner_ids[c]) if status and owner_ids[c] else None,
                Report.Source.DEMO,
                None,
                "",
                cre_txt[i],
                cre_txt[i],
            )

    written = bulk_insert(Report._meta.db_table, columns, rows())
    reset_sequence(Report._meta.db_table)
    _load_status_history(collab, ids, env, created, cat, owner_ids)
    return written


def _load_status_history(
    collab: Collaboration,
    ids: np.ndarray,
    env: np.ndarray,
    created: np.ndarray,
    cat: np.ndarray,
    owner_ids: np.ndarray,
) -> None:
    """History rows for the physical-environment reports: reported, then on to the
    final status a few days later (assigned after a day, fixed within weeks)."""
    rows: list[tuple[Any, ...]] = []
    sel = np.nonzero(env >= 0)[0]
    day = 86_400
    steps_t: list[int] = []
    for i in sel:
        final = int(env[i])
        t0 = int(created[i])
        owner = int(owner_ids[int(cat[i])]) or None
        seq = [(0, t0)]
        if final >= 1:
            seq.append((1, t0 + day))
        if final >= 2:
            seq.append((final, t0 + day * (3 + (int(ids[i]) % 20))))
        for status, t in seq:
            rows.append(
                (int(ids[i]), collab.pk, ENV_STATUS_CODES[status], owner, "", None)
            )
            steps_t.append(t)
    times = datetime_db_values(np.array(steps_t, dtype=np.int64))
    bulk_insert(
        ReportStatusChange._meta.db_table,
        [
            "report_id",
            "collaboration_id",
            "status",
            "owner_id",
            "note",
            "changed_by_id",
            "created",
        ],
        (row + (times[k],) for k, row in enumerate(rows)),
    )


def _uuid_bytes(rng: np.random.Generator, n: int) -> list[bytes]:
    raw = rng.bytes(16 * n)
    return [raw[i * 16 : (i + 1) * 16] for i in range(n)]


def remove_demo() -> bool:
    """Delete the demo collaboration and everything in it (for --reset)."""
    collab = Collaboration.objects.filter(slug=SLUG).first()
    if collab is None:
        return False
    with transaction.atomic():
        ReportStatusChange.objects.filter(collaboration=collab).delete()
        # Raw delete: a million reports through the ORM's collector takes minutes.
        Report.objects.filter(collaboration=collab)._raw_delete(connection.alias)
        from samsyn.demo.beyond import remove_beyond

        remove_beyond(collab)
        collab.delete()
    return True


# Categories residents may report with (a reduced list, as the collaboration chooses).
RESIDENT_CATEGORIES = (
    "vandalism_graffiti",
    "littering",
    "gathering",
    "reckless_driving",
    "loud_music",
    "unsafe_lighting",
    "unsafe_vegetation",
)


def _open_public_pages(collab: Collaboration) -> None:
    """Switch on the public feedback page and residents' reporting for the demo, and
    publish the evaluated interventions, so every public page has something to show."""
    from samsyn.feedback.models import PublicFeedbackSettings
    from samsyn.interventions.models import Intervention
    from samsyn.residents.models import ResidentSettings

    resident = ResidentSettings.objects.create(collaboration=collab, enabled=True)
    resident.categories.set(
        Category.objects.filter(collaboration=collab, code__in=RESIDENT_CATEGORIES)
    )
    PublicFeedbackSettings.objects.create(collaboration=collab, enabled=True)
    Intervention.objects.filter(
        collaboration=collab, status=Intervention.Status.EVALUATED
    ).update(published_to_residents=True)


def _check_ins(collab: Collaboration, now: datetime) -> None:
    """The housing company and the guards cover the most populous areas and checked
    in for last week — all but a few, so the picture shows areas "not covered"."""
    from samsyn.coverage.actions import set_coverage
    from samsyn.coverage.models import CheckIn

    areas = list(
        Area.objects.filter(collaboration=collab, level=Area.Level.AREA).order_by(
            "-population", "ref"
        )[:24]
    )
    last_week = (timezone.localtime(now) - timedelta(days=7)).isocalendar()
    reporter = User.objects.get(username="reporter")
    for slug, share in (("orebrobostader", areas[:16]), ("trygghetsvakter", areas[8:])):
        org = Organisation.objects.get(collaboration=collab, slug=slug)
        set_coverage(org, share, by=None)
        CheckIn.objects.bulk_create(
            CheckIn(
                collaboration=collab,
                organisation=org,
                area=area,
                iso_year=last_week[0],
                iso_week=last_week[1],
                status=(
                    CheckIn.Status.ITEMS_SEEN
                    if i % 3 == 0
                    else CheckIn.Status.NOTHING_TO_REPORT
                ),
                categories=["littering"] if i % 3 == 0 else [],
                by=reporter,
            )
            for i, area in enumerate(share[:-3])  # the last three were missed
        )

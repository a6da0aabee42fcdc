"""Synthetic police data for the demo: reported crimes and police events for Örebro.

Nothing here comes from the police. The demo needs police data so that the EST step of
setting residents' and partners' reports beside police-reported crime can be seen; real
extracts cannot be shipped. So the demo derives both from its own synthetic reports:

- **Reported crimes** (anmälda brott): a share of the reports in categories that are
  crimes (vandalism, violence, robbery, burglary, drugs, fire, reckless driving) is
  "reported to the police", plus a background of crimes no partner saw. Each crime is
  placed as a real extract places it at best: on a 100 m SWEREF 99 TM grid (the centre of
  the 100 m square it fell in), never at the report's exact point; its area is looked up
  from that position, as the importer does. Volumes therefore follow the reports per
  area, category and week. All rows belong to one import batch whose file name and
  options say "synthetic"; case numbers start with "DEMO-".
- **Police events** (the public events feed): one in about fifteen of those crimes is
  also "published" as an event for Örebro kommun, worded as the feed words its titles
  ("7 december 21.10, Skadegörelse, Örebro") and with a summary that says it is
  synthetic. Like real events they are known at municipality level only (decision 0006).

See docs/demo.md.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from samsyn.areas.models import Area
from samsyn.demo.generator import DemoData
from samsyn.lib.geo import to_wgs84
from samsyn.organisations.models import Collaboration
from samsyn.police.models import ImportBatch, PoliceEvent, ReportedCrime
from samsyn.reports.models import Category

SYNTHETIC_FILE = "syntetiska-polisanmalningar-demo.csv"
SYNTHETIC_EVENTS = "syntetiska-polishandelser-demo.json"
SYNTHETIC_SUMMARY = "Syntetisk demohändelse: inte från Polisens händelseflöde."
GRID_M = 100.0
# Event ids far above the feed's (which are below 10^7), so they never collide.
EVENT_ID_BASE = 9_000_000_000
# Örebro län's centroid, as the feed gives it for every event in the county.
COUNTY_CENTROID = (59.535036, 15.006573)

# Category → (share of its reports that become a police report, crime type, event type).
CRIME_SHARE: dict[str, tuple[float, str, str]] = {
    "vandalism_graffiti": (0.15, "Skadegörelse genom klotter", "Skadegörelse"),
    "vandalism_glass": (0.30, "Skadegörelse", "Skadegörelse"),
    "vandalism_other": (0.25, "Skadegörelse", "Skadegörelse"),
    "fire": (0.40, "Mordbrand eller anlagd brand", "Brand"),
    "drugs": (0.30, "Narkotikabrott", "Narkotikabrott"),
    "threats_violence": (0.60, "Misshandel eller olaga hot", "Misshandel"),
    "robbery": (0.80, "Rån", "Rån"),
    "burglary": (0.80, "Inbrott", "Inbrott"),
    "staff_incident": (0.30, "Olaga hot mot anställd", "Olaga hot"),
    "reckless_driving": (0.10, "Trafikbrott", "Trafikbrott"),
}
# Crimes no partner reported, as a share of those derived from reports; spread by
# population and left without a category (kept as the police's own type).
BACKGROUND_SHARE = 0.25
BACKGROUND_TYPE = "Stöld"
EVENT_SHARE = 1 / 15

_MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
    "september", "oktober", "november", "december",
)  # fmt: skip


def _hash(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()


def _snap(v: np.ndarray) -> np.ndarray:
    return np.floor(v / GRID_M) * GRID_M + GRID_M / 2


def add_demo_police(
    collab: Collaboration, data: DemoData, now: datetime
) -> dict[str, Any]:
    """Write the synthetic crimes and events; returns counts for the demo's truths."""
    rng = np.random.default_rng(data.seed + 7)
    r = data.reports
    cats = {c.code: c for c in Category.objects.filter(collaboration=collab)}
    cutoff = int(now.timestamp()) - 3600
    share = np.array(
        [CRIME_SHARE.get(c, (0.0, "", ""))[0] for c in data.category_codes]
    )
    chosen = np.nonzero(
        (rng.random(len(r)) < share[r.category]) & (r.occurred_at <= cutoff)
    )[0]
    # Police reports come in later than the event, within days.
    t = r.occurred_at[chosen] + rng.integers(0, 1800, len(chosen))
    x, y = _snap(r.x[chosen]), _snap(r.y[chosen])
    cat = r.category[chosen].astype(int)
    # Background: positions of other reports in a random area (by population) and time.
    n_bg = int(len(chosen) * BACKGROUND_SHARE)
    pop = np.array([a.population for a in data.areas], float)
    bg_area = rng.choice(len(data.areas), size=n_bg, p=pop / pop.sum())
    pick = np.array(
        [
            rng.choice(ix) if len(ix := np.nonzero(r.deso == a)[0]) else 0
            for a in range(len(data.areas))
        ]
    )
    bg_src = pick[bg_area]
    bg_t = rng.integers(int(r.occurred_at.min()), cutoff, n_bg)
    jitter = rng.normal(0, 300, (2, n_bg))
    x = np.concatenate([x, _snap(r.x[bg_src] + jitter[0])])
    y = np.concatenate([y, _snap(r.y[bg_src] + jitter[1])])
    t = np.concatenate([t, bg_t])
    cat = np.concatenate([cat, np.full(n_bg, -1)])
    lon, lat = to_wgs84(x, y)

    batch = ImportBatch.objects.create(
        collaboration=collab,
        kind=ImportBatch.Kind.CRIMES,
        status=ImportBatch.Status.DONE,
        file_name=SYNTHETIC_FILE,
        finished_at=now,
        new_count=len(t),
        options={"synthetic": True, "grid_m": GRID_M, "source": "demo"},
    )
    rows = []
    for i in np.argsort(t, kind="stable"):
        code = data.category_codes[cat[i]] if cat[i] >= 0 else ""
        crime_type = CRIME_SHARE[code][1] if code else BACKGROUND_TYPE
        a_lon, a_lat = round(float(lon[i]), 6), round(float(lat[i]), 6)
        area_id = Area.locate_id(collab, a_lon, a_lat)
        case = f"DEMO-{len(rows) + 1:06d}"
        rows.append(
            ReportedCrime(
                collaboration=collab,
                batch=batch,
                case_number=case,
                occurred_at=datetime.fromtimestamp(int(t[i]), UTC),
                crime_type=crime_type,
                category=cats.get(code) if code else None,
                x=float(x[i]),
                y=float(y[i]),
                lon=a_lon,
                lat=a_lat,
                area_id=area_id,
                outside=area_id is None,
                precision=ReportedCrime.Precision.POINT,
                content_hash=_hash(case, int(t[i]), crime_type, x[i], y[i]),
                imported_at=now,
            )
        )
    ReportedCrime.objects.bulk_create(rows, batch_size=1000)

    events = _events(collab, rows, rng, now)
    ImportBatch.objects.create(
        collaboration=collab,
        kind=ImportBatch.Kind.EVENTS,
        status=ImportBatch.Status.DONE,
        file_name=SYNTHETIC_EVENTS,
        finished_at=now,
        new_count=events,
        options={"synthetic": True, "source": "demo"},
    )
    return {"synthetic_crimes": len(rows), "synthetic_events": events}


def _events(
    collab: Collaboration, crimes: list[ReportedCrime], rng: Any, now: datetime
) -> int:
    """Publish a share of the crimes as municipality-level events for Örebro."""
    types = {v[1]: v[2] for v in CRIME_SHARE.values()}
    out = []
    for n, crime in enumerate(crimes):
        if rng.random() >= EVENT_SHARE or crime.category_id is None:
            continue
        local = timezone.localtime(crime.occurred_at)
        published = crime.occurred_at + timedelta(minutes=int(rng.integers(20, 600)))
        if published > now:
            continue
        kind = types.get(crime.crime_type, "Övrigt")
        name = (
            f"{local.day} {_MONTHS[local.month - 1]} {local.hour}.{local.minute:02d}, "
            f"{kind}, Örebro"
        )
        out.append(
            PoliceEvent(
                collaboration=collab,
                external_id=EVENT_ID_BASE + n,
                occurred_at=crime.occurred_at,
                published_at=published,
                name=name,
                summary=SYNTHETIC_SUMMARY,
                url="",
                type=kind,
                location_name="Örebro län",
                place_name="Örebro",
                precision=PoliceEvent.Precision.MUNICIPALITY,
                centroid_lat=COUNTY_CENTROID[0],
                centroid_lon=COUNTY_CENTROID[1],
                content_hash=_hash(EVENT_ID_BASE + n, name),
                imported_at=now,
                updated=now,
            )
        )
    PoliceEvent.objects.bulk_create(out, batch_size=1000)
    return len(out)

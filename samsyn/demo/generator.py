"""Deterministic demo data for Samsyn: an EST collaboration in Örebro kommun.

Pure code (numpy, shapely, pyproj; no Django). ``generate`` returns a :class:`DemoData`
whose reports are parallel numpy arrays, so that a million reports take a few seconds.
A database loader, written separately, turns the arrays into rows.

The data are synthetic. The DeSO polygons and populations are real (SCB, CC0), but every
named place, its position and every report are invented. Some place names echo real
Örebro neighbourhoods; their positions are NOT where those places really are.

Planted truths (``DemoData.truths``) let the analytics be checked against known answers:
persistent hotspots, one emerging hotspot, one displacement case around a dated
intervention, a few quiet DeSO and one weekly spike of one category in one DeSO.
All randomness comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, shape

from samsyn.reports.checklist import CATEGORY_CODES, STANDARD_CHECKLIST

WEEK_S = 7 * 86_400
HOUR_S = 3_600

#: Physical-environment status codes (``Reports.env_status``); -1 = not applicable.
ENV_STATUS_CODES: tuple[str, ...] = (
    "reported",
    "assigned",
    "fixed",
    "closed_not_fixed",
)
#: Place type codes (``Reports.place_type``).
PLACE_TYPE_CODES: tuple[str, ...] = ("public", "semi_public")

_TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
_TO_WGS84 = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)

# ---------------------------------------------------------------------------
# Data classes


@dataclass(frozen=True)
class DesoArea:
    """One SCB DeSO area with its geometry in WGS84 (lon/lat) and SWEREF 99 TM (m)."""

    code: str
    name: str
    regso: str
    population: int
    geom_wgs84: Polygon
    geom_sweref: Polygon


@dataclass(frozen=True)
class District:
    """A kommundel: one RegSO and the indices (into ``DemoData.areas``) of its DeSO."""

    code: str
    name: str
    area_indices: tuple[int, ...]


@dataclass(frozen=True)
class Organisation:
    """A member organisation of the collaboration; ``type`` as in the domain model."""

    code: str
    name: str
    type: str


@dataclass(frozen=True)
class Place:
    """A named place (invented position) inside one DeSO."""

    name: str
    x: float
    y: float
    lon: float
    lat: float
    deso_index: int
    deso_code: str
    place_type: str  # "public" | "semi_public"


@dataclass
class Reports:
    """Parallel arrays, one element per report, sorted by ``occurred_at``."""

    occurred_at: np.ndarray  # int64, epoch seconds UTC
    received_delay_s: np.ndarray  # int32, seconds from occurrence to sending
    x: np.ndarray  # float64, SWEREF 99 TM easting (m)
    y: np.ndarray  # float64, SWEREF 99 TM northing (m)
    lon: np.ndarray  # float64, WGS84, 6 decimals
    lat: np.ndarray  # float64, WGS84, 6 decimals
    deso: np.ndarray  # int32, index into DemoData.areas
    category: np.ndarray  # int16, index into CATEGORY_CODES
    organisation: np.ndarray  # int16, index into DemoData.organisations
    severity: np.ndarray  # int8, 1..4 (1 = minor, most common)
    people_count: np.ndarray  # int16, 0 when the category does not count people
    place: np.ndarray  # int32, index into DemoData.places, -1 = none
    place_type: np.ndarray  # int8, index into PLACE_TYPE_CODES
    description: np.ndarray  # int16, index into description_templates[category]
    env_status: np.ndarray  # int8, index into ENV_STATUS_CODES, -1 = n/a
    restricted: np.ndarray  # bool, police restricted the report

    def __len__(self) -> int:
        return int(self.occurred_at.shape[0])

    def field_names(self) -> tuple[str, ...]:
        """Names of the array fields, in declaration order."""
        return tuple(self.__dataclass_fields__)


@dataclass(frozen=True)
class SurveyRow:
    """One resident survey value (a police-style problem index, 0-6) for one DeSO."""

    deso_index: int
    year: int
    value: float
    respondents: int


@dataclass
class DemoData:
    """Everything the loader needs, plus the planted truths."""

    seed: int
    start: datetime  # aware UTC, first instant covered
    end: datetime  # aware UTC, end (exclusive)
    n_weeks: int
    category_codes: tuple[str, ...]
    districts: list[District]
    areas: list[DesoArea]
    organisations: list[Organisation]
    places: list[Place]
    reports: Reports
    description_templates: tuple[tuple[str, ...], ...]  # [category][template]
    truths: dict[str, Any] = field(default_factory=dict)
    surveys: list[SurveyRow] = field(default_factory=list)

    def description_text(self, i: int) -> str:
        """The description text of report ``i``."""
        c = int(self.reports.category[i])
        return self.description_templates[c][int(self.reports.description[i])]


# ---------------------------------------------------------------------------
# Static content

ORGANISATIONS: tuple[Organisation, ...] = (
    Organisation("orebro_kommun", "Örebro kommun", "municipality"),
    Organisation("polisen_orebro", "Lokalpolisområde Örebro", "police"),
    Organisation("orebrobostader", "Örebrobostäder", "housing"),
    Organisation("trygghetsvakter", "Trygghetsvakterna (väktarbolag)", "guard"),
    Organisation("raddningstjansten", "Nerikes brandkår", "rescue"),
    Organisation("fritid", "Fritidsgårdar och fältare", "other"),
    Organisation("hemtjanst", "Hemtjänsten", "municipality"),
)
_POLICE = 1

# (name, place type). The first six have roles in the planted truths.
_SPECIAL_PLACES: dict[str, tuple[str, str]] = {
    "persistent_0": ("Resecentrum", "public"),
    "persistent_1": ("Stortorget", "public"),
    "persistent_2": ("Vivalla centrum", "public"),
    "emerging": ("Parkeringshuset Kungsgatan", "semi_public"),
    "displacement_a": ("Gångtunneln Baronbackarna", "public"),
    "displacement_b": ("Lekplatsen Ekparken", "public"),
}
_OTHER_PLACES: tuple[tuple[str, str], ...] = (
    ("Järntorget", "public"),
    ("Busstorget", "public"),
    ("Baronbackarnas torg", "public"),
    ("Brickebackens centrum", "public"),
    ("Varbergatorget", "public"),
    ("Oxhagens centrum", "public"),
    ("Markbackens centrum", "public"),
    ("Stadsparken", "public"),
    ("Slottsparken", "public"),
    ("Centralparken Västhaga", "public"),
    ("Gångtunneln Rynningeviken", "public"),
    ("Lekplatsen Mosås", "public"),
    ("Hamnplan", "public"),
    ("Idrottsparken", "public"),
    ("Busshållplatsen Navet", "public"),
    ("Cykelbanan vid Svartån", "public"),
    ("Gång- och cykelbron Vivalla", "public"),
    ("Sörbyplan", "public"),
    ("Tybble centrum", "public"),
    ("Adolfsbergs torg", "public"),
    ("Skogsdungen vid Lillån", "public"),
    ("Hagaparken", "public"),
    ("Skolgården Västra", "semi_public"),
    ("Skolgården Vivalla", "semi_public"),
    ("Parkeringshuset Krämaren", "semi_public"),
    ("Trapphusen Rostagatan", "semi_public"),
    ("Garaget Holmen", "semi_public"),
    ("Köpcentrets entré Marieberg", "semi_public"),
    ("Biblioteket Vivalla", "semi_public"),
    ("Fritidsgården Oxhagen", "semi_public"),
    ("Gallerian Krämaren", "semi_public"),
    ("Källargången Baronbackarna", "semi_public"),
    ("Tvättstugan Lindhult", "semi_public"),
    ("Idrottshallens entré Brickeberg", "semi_public"),
)

# Short, factual Swedish texts per category. No names, numbers or contact details.
_TEMPLATES: dict[str, tuple[str, ...]] = {
    "vandalism_graffiti": (
        "Nytt klotter på fasaden vid entrén.",
        "Klotter på elskåp och skyltar längs gångvägen.",
        "Taggar sprejade i trapphuset.",
        "Omfattande klotter på busskuren.",
    ),
    "vandalism_glass": (
        "Krossad ruta i busskuren, glas på marken.",
        "Sönderslagen glasdörr vid entrén.",
        "Glassplitter på lekplatsen.",
        "Krossat fönster i källarplanet.",
    ),
    "vandalism_other": (
        "Sönderbruten parkbänk.",
        "Trasig belysningsstolpe efter skadegörelse.",
        "Uppbrutet förråd, dörren skadad.",
        "Papperskorgar nedrivna och utspridda.",
    ),
    "fire": (
        "Brand i papperskorg, släckt på plats.",
        "Bilbrand på parkeringen, räddningstjänsten larmad.",
        "Anlagd brand i container.",
        "Brandrök i trapphus, barnvagn hade tänts på.",
    ),
    "littering": (
        "Mycket skräp och fimpar runt bänkarna.",
        "Grovavfall dumpat bredvid miljöstugan.",
        "Nedskräpat efter helgen, flaskor och matförpackningar.",
        "Överfulla papperskorgar, skräp sprids av vinden.",
    ),
    "gathering": (
        "Grupp ungdomar samlade vid entrén, högljudda.",
        "Större grupp vuxna som dricker alkohol i parken.",
        "Ungdomar samlas i trapphuset sent på kvällen.",
        "Grupp som uppträder hotfullt mot förbipasserande.",
        "Ungdomar samlade vid mopeder, stökigt.",
    ),
    "drugs": (
        "Misstänkt langning vid gångvägen.",
        "Lukt av cannabis i trapphuset.",
        "Sprutor hittade i buskaget.",
        "Personer som upprepat möts kort och går åt olika håll.",
    ),
    "threats_violence": (
        "Slagsmål mellan några personer, avbröts när väktare kom.",
        "Hot mot förbipasserande.",
        "Bråk utanför butiken, en person skadad.",
        "Personer som hotade varandra högljutt.",
    ),
    "robbery": (
        "Rån mot person vid busshållplatsen enligt vittne.",
        "Ungdom rånad på mobiltelefon.",
        "Försök till rån vid bankomaten.",
    ),
    "burglary": (
        "Inbrott i källarförråd.",
        "Inbrott i lokal, dörren uppbruten.",
        "Försök till inbrott i cykelrum.",
    ),
    "staff_incident": (
        "Personal blev hotad under arbetspass.",
        "Personal blev bespottad och trakasserad.",
        "Personal förföljdes till bilen.",
    ),
    "reckless_driving": (
        "Mopeder kör på gång- och cykelbanan.",
        "Bilar i hög fart genom bostadsområdet.",
        "Motorcross kör på gräsytorna.",
        "Fordon som spinner och driftar på parkeringen.",
    ),
    "loud_music": (
        "Hög musik från parkerad bil sent på kvällen.",
        "Bilar med hög musik cirkulerar i området.",
        "Musik från bilstereo stör de boende.",
    ),
    "sleeping_place": (
        "Person sover i trapphuset.",
        "Tillfällig sovplats under bron.",
        "Madrasser och filtar i cykelrummet.",
    ),
    "stash": (
        "Stenar samlade i hög vid gångvägen.",
        "Misstänkt gömt tillhygge i buskaget.",
        "Föremål gömt i rabatten, polisen underrättad.",
    ),
    "unsafe_lighting": (
        "Belysningen ur funktion längs gångvägen.",
        "Mörkt vid entrén, lampan trasig.",
        "Gatlyktor släckta i hela kvarteret.",
        "Blinkande belysning i gångtunneln.",
    ),
    "unsafe_vegetation": (
        "Igenvuxna buskar skymmer sikten vid gångvägen.",
        "Höga häckar gör platsen svåröverskådlig.",
        "Träd skymmer belysningen.",
    ),
    "unsafe_desolate": (
        "Öde och mörk passage som upplevs otrygg.",
        "Tom lokal med igenspikade fönster.",
        "Avlägsen hållplats utan insyn.",
    ),
    "social_media": (
        "Rykten i sociala medier om bråk i helgen.",
        "Uppmaningar att samlas spreds i sociala medier.",
        "Oro i sociala medier efter en händelse i området.",
    ),
    "upcoming_event": (
        "Skollov börjar, fler ungdomar ute väntas.",
        "Fotbollsmatch i helgen, mycket folk i centrum.",
        "Valborgsfirande väntas samla många i parken.",
        "Konsert i stadsparken på lördag.",
    ),
}

# Share of background reports per category (relative).
_CATEGORY_WEIGHT: dict[str, float] = {
    "vandalism_graffiti": 8,
    "vandalism_glass": 4,
    "vandalism_other": 5,
    "fire": 2.5,
    "littering": 15,
    "gathering": 13,
    "drugs": 5,
    "threats_violence": 3,
    "robbery": 0.4,
    "burglary": 1.5,
    "staff_incident": 1.5,
    "reckless_driving": 5,
    "loud_music": 5,
    "sleeping_place": 2.5,
    "stash": 0.3,
    "unsafe_lighting": 6,
    "unsafe_vegetation": 3,
    "unsafe_desolate": 4,
    "social_media": 1.5,
    "upcoming_event": 1,
}
# Seasonal effect per category: (amplitude, day of year of the peak).
_SEASON: dict[str, tuple[float, float]] = {
    "unsafe_lighting": (0.8, 355),
    "unsafe_desolate": (0.4, 345),
    "burglary": (0.25, 340),
    "gathering": (0.55, 190),
    "loud_music": (0.6, 190),
    "reckless_driving": (0.4, 180),
    "littering": (0.35, 200),
    "unsafe_vegetation": (0.65, 200),
    "fire": (0.2, 0),
}
_DEFAULT_SEASON = (0.15, 190.0)
# Share of a category reported on daytime rounds rather than in the evening.
_DAYTIME: dict[str, float] = {
    "littering": 0.6,
    "vandalism_graffiti": 0.4,
    "unsafe_vegetation": 0.7,
    "social_media": 0.6,
    "upcoming_event": 0.8,
    "sleeping_place": 0.5,
    "unsafe_lighting": 0.2,
}
# Local-hour profiles, hours 0..23.
_EVENING = np.array(
    [1.6, 1.2, 0.8, 0.35, 0.2, 0.2, 0.3, 0.45, 0.55, 0.6, 0.65, 0.7]
    + [0.75, 0.8, 0.95, 1.3, 1.5, 1.65, 1.8, 2.0, 2.2, 2.3, 2.2, 2.0]
)
_DAY = np.array(
    [0.3, 0.2, 0.1, 0.05, 0.05, 0.1, 0.4, 1.0, 1.5, 1.7, 1.7, 1.6]
    + [1.5, 1.6, 1.6, 1.5, 1.3, 1.1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
)
# Organisation mix per category: municipality, police, housing, guard, rescue,
# field workers, home care.
_ORG_DEFAULT = (0.15, 0.08, 0.30, 0.32, 0.02, 0.08, 0.05)
_ORG_MIX: dict[str, tuple[float, ...]] = {
    "vandalism_graffiti": (0.2, 0.03, 0.37, 0.32, 0.0, 0.05, 0.03),
    "vandalism_glass": (0.2, 0.05, 0.35, 0.32, 0.0, 0.05, 0.03),
    "vandalism_other": (0.2, 0.05, 0.35, 0.32, 0.0, 0.05, 0.03),
    "fire": (0.05, 0.15, 0.10, 0.15, 0.50, 0.02, 0.03),
    "littering": (0.35, 0.01, 0.35, 0.20, 0.0, 0.04, 0.05),
    "gathering": (0.08, 0.12, 0.25, 0.40, 0.0, 0.12, 0.03),
    "drugs": (0.05, 0.30, 0.15, 0.35, 0.0, 0.13, 0.02),
    "threats_violence": (0.05, 0.35, 0.12, 0.35, 0.0, 0.10, 0.03),
    "robbery": (0.02, 0.60, 0.05, 0.30, 0.0, 0.02, 0.01),
    "burglary": (0.03, 0.45, 0.30, 0.20, 0.0, 0.0, 0.02),
    "staff_incident": (0.15, 0.05, 0.15, 0.20, 0.05, 0.10, 0.30),
    "reckless_driving": (0.10, 0.35, 0.10, 0.40, 0.0, 0.05, 0.0),
    "loud_music": (0.10, 0.35, 0.10, 0.40, 0.0, 0.05, 0.0),
    "sleeping_place": (0.20, 0.05, 0.35, 0.30, 0.0, 0.05, 0.05),
    "stash": (0.05, 0.45, 0.10, 0.35, 0.0, 0.05, 0.0),
    "unsafe_lighting": (0.35, 0.05, 0.25, 0.20, 0.0, 0.05, 0.10),
    "unsafe_vegetation": (0.35, 0.05, 0.25, 0.20, 0.0, 0.05, 0.10),
    "unsafe_desolate": (0.35, 0.05, 0.25, 0.20, 0.0, 0.05, 0.10),
    "social_media": (0.10, 0.30, 0.05, 0.10, 0.0, 0.45, 0.0),
    "upcoming_event": (0.30, 0.40, 0.05, 0.10, 0.05, 0.10, 0.0),
}
# Probability that a report not at a named place is semi-public.
_SEMI_PUBLIC: dict[str, float] = {
    "staff_incident": 0.6,
    "burglary": 0.5,
    "sleeping_place": 0.5,
    "drugs": 0.35,
    "fire": 0.15,
    "reckless_driving": 0.02,
    "loud_music": 0.02,
    "unsafe_lighting": 0.1,
    "unsafe_vegetation": 0.05,
    "unsafe_desolate": 0.1,
}
# People count (log-median, log-sd) for categories that count people.
_PEOPLE: dict[str, tuple[float, float]] = {
    "gathering": (math.log(6), 0.6),
    "drugs": (math.log(2.5), 0.5),
    "threats_violence": (math.log(3), 0.6),
    "sleeping_place": (math.log(1.2), 0.4),
}

_MIX_PERSISTENT = {
    "gathering": 0.30,
    "drugs": 0.15,
    "littering": 0.12,
    "vandalism_graffiti": 0.08,
    "vandalism_glass": 0.05,
    "threats_violence": 0.10,
    "loud_music": 0.08,
    "unsafe_desolate": 0.04,
    "robbery": 0.03,
    "staff_incident": 0.05,
}
_MIX_DISPLACEMENT = {
    "gathering": 0.35,
    "drugs": 0.25,
    "threats_violence": 0.10,
    "vandalism_glass": 0.10,
    "unsafe_lighting": 0.10,
    "robbery": 0.05,
    "littering": 0.05,
}
_MIX_EMERGING = {
    "gathering": 0.40,
    "drugs": 0.20,
    "loud_music": 0.10,
    "reckless_driving": 0.10,
    "vandalism_other": 0.10,
    "threats_violence": 0.10,
}

# Shares of n_reports per planted component.
_SHARE_PERSISTENT = 0.02  # each of three places
_SHARE_DISPLACEMENT_A = 0.015  # A's level before the intervention (over all weeks)
_SHARE_EMERGING = 0.004
_SHARE_ORDINARY_PLACES = 0.12
_SHARE_CLUSTERED = 0.40  # of background, scattered around local spots
_DROP_A = 0.70  # A loses 70 % after the intervention
_GAIN_B = 0.70  # B gains 70 % of A's former level
_SCATTER_SIGMA_M = 25.0
_SCATTER_MAX_M = 60.0
_INTERVENTION_WEEKS_BEFORE_END = 26
_EMERGING_RAMP_WEEKS = 10
_QUIET_FACTOR = 0.01
_N_QUIET = 4
_SPIKE_CATEGORY = "fire"


# ---------------------------------------------------------------------------
# Geography


def load_deso(path: str | Path) -> list[DesoArea]:
    """Read the DeSO GeoJSON and project each polygon to SWEREF 99 TM (EPSG:3006)."""
    with open(path, encoding="utf-8") as fh:
        collection = json.load(fh)
    areas = []
    for feature in collection["features"]:
        props = feature["properties"]
        geom = shape(feature["geometry"])
        sweref = shapely.transform(geom, _lonlat_to_sweref, interleaved=False)
        areas.append(
            DesoArea(
                code=str(props["code"]),
                name=str(props.get("name") or f"DeSO {props['code']}"),
                regso=str(props["regso"]),
                population=int(props["population"]),
                geom_wgs84=geom,
                geom_sweref=sweref,
            )
        )
    return areas


def _lonlat_to_sweref(
    lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    return _TO_SWEREF.transform(lon, lat)


def sweref_to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert SWEREF 99 TM metres to WGS84 lon/lat, rounded to 6 decimals."""
    lon, lat = _TO_WGS84.transform(np.asarray(x, float), np.asarray(y, float))
    return np.round(lon, 6), np.round(lat, 6)


# Demo names for areas. SCB names its RegSO areas, but that list is not part of the
# data shipped with the demo, and DeSO areas have no names at all. Rather than guess
# names, each RegSO (a district) is named after where it lies, seen from Stortorget:
# "Centrum" within 1.5 km, then "Inre", "Yttre" and "Landsbygd" with the compass
# direction, numbered by distance where several share a name; its DeSO add a letter.
# These are descriptive demo names, not official ones (docs/demo.md).
_CENTRE_LONLAT = (15.2066, 59.2741)
_DIRECTIONS = (
    "norr", "nordost", "öster", "sydost", "söder", "sydväst", "väster", "nordväst",
)  # fmt: skip
_RINGS_KM = ((1.5, "Centrum"), (4.5, "Inre"), (9.0, "Yttre"))


def describe_position(x: float, y: float) -> tuple[str, float]:
    """A descriptive name ("Inre sydväst") for a SWEREF 99 TM point, and its distance (km)."""
    cx, cy = _TO_SWEREF.transform(*_CENTRE_LONLAT)
    dx, dy = x - cx, y - cy
    km = math.hypot(dx, dy) / 1000
    bearing = (math.degrees(math.atan2(dx, dy)) + 360) % 360
    direction = _DIRECTIONS[int(((bearing + 22.5) % 360) // 45)]
    for limit, ring in _RINGS_KM:
        if km < limit:
            return (ring if ring == "Centrum" else f"{ring} {direction}"), km
    return f"Landsbygd {direction}", km


def build_districts(areas: list[DesoArea]) -> list[District]:
    """Group DeSO by RegSO into districts, each with a descriptive demo name."""
    groups: dict[str, list[int]] = {}
    for i, a in enumerate(areas):
        groups.setdefault(a.regso, []).append(i)
    described: dict[str, tuple[str, float]] = {}
    for r, ix in groups.items():
        p = shapely.union_all([areas[i].geom_sweref for i in ix]).representative_point()
        described[r] = describe_position(p.x, p.y)
    names: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}
    for r, (name, _km) in described.items():
        by_name.setdefault(name, []).append(r)
    for name, regsos in by_name.items():
        regsos.sort(key=lambda r: (described[r][1], r))
        for n, r in enumerate(regsos, start=1):
            names[r] = name if len(regsos) == 1 else f"{name} {n}"
    return [
        District(code=r, name=names[r], area_indices=tuple(ix))
        for r, ix in sorted(groups.items())
    ]


def name_areas(areas: list[DesoArea], districts: list[District]) -> list[DesoArea]:
    """The DeSO renamed after their district: "Inre norr 2", or "Inre norr 2 B" when the
    district has several (lettered in code order)."""
    renamed = list(areas)
    for d in districts:
        for k, i in enumerate(sorted(d.area_indices, key=lambda i: areas[i].code)):
            name = d.name if len(d.area_indices) == 1 else f"{d.name} {chr(65 + k)}"
            renamed[i] = replace(areas[i], name=name)
    return renamed


def _uniform_in(rng: np.random.Generator, poly: Polygon, m: int) -> np.ndarray:
    """``m`` uniform points inside ``poly`` (vectorised rejection sampling), shape (m, 2)."""
    if m <= 0:
        return np.empty((0, 2))
    shapely.prepare(poly)
    x0, y0, x1, y1 = poly.bounds
    ratio = max(poly.area / ((x1 - x0) * (y1 - y0)), 0.01)
    parts: list[np.ndarray] = []
    have = 0
    while have < m:
        k = int((m - have) / ratio * 1.25) + 16
        px = rng.uniform(x0, x1, k)
        py = rng.uniform(y0, y1, k)
        ok = shapely.contains_xy(poly, px, py)
        pts = np.column_stack([px[ok], py[ok]])
        parts.append(pts)
        have += len(pts)
    return np.concatenate(parts)[:m]


def _scatter(rng: np.random.Generator, m: int, sigma: float, rmax: float) -> np.ndarray:
    """Offsets of a 2-D Gaussian (sd ``sigma``) truncated at radius ``rmax``."""
    u = rng.random(m)
    tail = 1.0 - math.exp(-(rmax**2) / (2 * sigma**2))
    r = sigma * np.sqrt(-2.0 * np.log1p(-u * tail))
    a = rng.uniform(0, 2 * math.pi, m)
    return np.column_stack([r * np.cos(a), r * np.sin(a)])


def _inner(poly: Polygon) -> Polygon | None:
    """The part of ``poly`` far enough from its edge for scattered place events."""
    for d in (120.0, 90.0, _SCATTER_MAX_M + 10.0):
        g = poly.buffer(-d)
        if not g.is_empty and g.area > 20_000:
            return g
    return None


# ---------------------------------------------------------------------------
# Time


def stockholm_utc_offset(epoch_s: np.ndarray) -> np.ndarray:
    """UTC offset in seconds of Europe/Stockholm (EU rules) at UTC instants ``epoch_s``."""
    t = np.asarray(epoch_s, dtype=np.int64)
    if t.size == 0:
        return np.zeros(0, dtype=np.int64)
    y0 = datetime.fromtimestamp(int(t.min()), UTC).year - 1
    y1 = datetime.fromtimestamp(int(t.max()), UTC).year + 1
    bounds = []
    for y in range(y0, y1 + 1):
        for month in (3, 10):
            d = date(y, month, 31)
            d -= timedelta(days=(d.weekday() + 1) % 7)  # last Sunday
            bounds.append(
                int(datetime(d.year, d.month, d.day, 1, tzinfo=UTC).timestamp())
            )
    idx = np.searchsorted(np.array(bounds, dtype=np.int64), t, side="right")
    return np.where(idx % 2 == 1, 7200, 3600).astype(np.int64)


def _hour_features(start_s: int, n_hours: int) -> dict[str, np.ndarray]:
    t = start_s + HOUR_S * np.arange(n_hours, dtype=np.int64)
    local = t + stockholm_utc_offset(t)
    days = local // 86_400
    d64 = days.astype("datetime64[D]")
    doy = (d64 - d64.astype("datetime64[Y]")).astype(np.int64)
    return {
        "t": t,
        "hour": (local // HOUR_S) % 24,
        "weekday": (days + 3) % 7,  # Monday = 0
        "doy": doy,
    }


def _trend(n_hours: int) -> np.ndarray:
    """Slight growth in reporting as the rollout matures (0.75 → 1.25)."""
    return 0.75 + 0.5 * np.arange(n_hours) / max(n_hours - 1, 1)


def _category_intensity(feat: dict[str, np.ndarray], n_hours: int) -> np.ndarray:
    """Relative intensity per category and hour, shape (n_categories, n_hours)."""
    hour, wd, doy = feat["hour"], feat["weekday"], feat["doy"]
    trend = _trend(n_hours)
    fri_sat_evening = ((wd == 4) | (wd == 5)) & (hour >= 18)
    after_midnight = ((wd == 5) | (wd == 6)) & (hour < 3)
    weekend = np.where(fri_sat_evening | after_midnight, 1.7, 1.0)
    weekend = weekend * np.where((wd == 4) | (wd == 5), 1.1, 1.0)
    out = np.empty((len(CATEGORY_CODES), n_hours))
    for c, code in enumerate(CATEGORY_CODES):
        amp, peak = _SEASON.get(code, _DEFAULT_SEASON)
        season = 1.0 + amp * np.cos(2 * math.pi * (doy - peak) / 365.25)
        w_day = _DAYTIME.get(code, 0.1)
        prof = w_day * _DAY[hour] + (1 - w_day) * _EVENING[hour] * weekend
        out[c] = trend * season * prof
    return out


def _sample_times(
    rng: np.random.Generator,
    cats: np.ndarray,
    intensity: np.ndarray,
    start_s: int,
    mult: np.ndarray | None = None,
) -> np.ndarray:
    """Epoch seconds for events of categories ``cats``, drawn from the hourly intensity.

    ``mult`` (optional) multiplies the intensity per hour.
    """
    out = np.empty(len(cats), dtype=np.int64)
    order = np.argsort(cats, kind="stable")
    sorted_cats = cats[order]
    bounds = np.searchsorted(sorted_cats, np.arange(len(CATEGORY_CODES) + 1))
    for c in range(len(CATEGORY_CODES)):
        lo, hi = bounds[c], bounds[c + 1]
        if hi == lo:
            continue
        w = intensity[c] if mult is None else intensity[c] * mult
        cdf = np.cumsum(w)
        h = np.searchsorted(cdf, rng.random(hi - lo) * cdf[-1], side="right")
        h = np.minimum(h, len(cdf) - 1)
        out[order[lo:hi]] = start_s + h * HOUR_S
    out += rng.integers(0, HOUR_S, len(cats))
    return out


def _sample_in_weeks(
    rng: np.random.Generator,
    cats: np.ndarray,
    weeks: np.ndarray,
    intensity: np.ndarray,
    start_s: int,
) -> np.ndarray:
    """Epoch seconds for events whose week is fixed, following that week's rhythm."""
    out = np.empty(len(cats), dtype=np.int64)
    per_week = intensity.reshape(intensity.shape[0], -1, 168)
    cdf = np.cumsum(per_week, axis=2)
    cdf /= cdf[:, :, -1:]
    u = rng.random(len(cats))
    for c in np.unique(cats):
        sel = np.flatnonzero(cats == c)
        rows = cdf[c, weeks[sel]]
        h = np.minimum((u[sel, None] >= rows).sum(axis=1), 167)
        out[sel] = start_s + (weeks[sel] * 168 + h) * HOUR_S
    out += rng.integers(0, HOUR_S, len(cats))
    return out


def _weekly_counts(levels: np.ndarray) -> np.ndarray:
    """Round expected weekly counts to integers while keeping the running total."""
    cum = np.rint(np.cumsum(levels)).astype(np.int64)
    return np.diff(cum, prepend=0)


def _iso_week(epoch_s: int) -> tuple[int, int, str]:
    local = epoch_s + int(stockholm_utc_offset(np.array([epoch_s]))[0])
    d = datetime.fromtimestamp(local, UTC).date()
    iso = d.isocalendar()
    monday = d - timedelta(days=d.weekday())
    return iso.year, iso.week, monday.isoformat()


# ---------------------------------------------------------------------------
# Places


def _choose_places(
    rng: np.random.Generator, areas: list[DesoArea], quiet_excluded: set[int]
) -> tuple[list[tuple[str, str, float, float, int]], dict[str, int]]:
    """Invent positions for the named places; returns places and role → place index."""
    pop = np.array([a.population for a in areas], float)
    urban = np.array([a.code[4] == "C" for a in areas])
    inner = [_inner(a.geom_sweref) for a in areas]
    per_deso: Counter[int] = Counter()
    placed: list[tuple[str, str, float, float, int]] = []
    roles: dict[str, int] = {}

    def far_enough(x: float, y: float, min_d: float = 300.0) -> bool:
        return all(math.hypot(x - p[2], y - p[3]) >= min_d for p in placed)

    def put(role: str | None, name: str, kind: str, x: float, y: float, d: int) -> None:
        if role is not None:
            roles[role] = len(placed)
        placed.append((name, kind, float(x), float(y), d))
        per_deso[d] += 1

    ranked = [int(i) for i in np.argsort(-pop, kind="stable") if urban[i]]

    def place_in(role: str | None, name: str, kind: str, candidates: list[int]) -> None:
        for d in candidates:
            if per_deso[d] >= 2 or d in quiet_excluded or inner[d] is None:
                continue
            for x, y in _uniform_in(rng, inner[d], 40):
                if far_enough(x, y):
                    put(role, name, kind, x, y, d)
                    return
        raise RuntimeError(f"no position found for {name}")

    # Persistent hotspots in the most populous urban DeSO, the emerging one next.
    for k, d in zip(range(3), ranked[::3], strict=False):
        name, kind = _SPECIAL_PLACES[f"persistent_{k}"]
        place_in(f"persistent_{k}", name, kind, [d, *ranked])
    name, kind = _SPECIAL_PLACES["emerging"]
    place_in("emerging", name, kind, ranked[1:])

    # Displacement pair: A and B in neighbouring urban DeSO, 380–480 m apart.
    used = {p[4] for p in placed}
    tree = shapely.STRtree([a.geom_sweref for a in areas])
    found = False
    for da in ranked[4:]:
        if da in used or da in quiet_excluded:
            continue
        neigh = tree.query(areas[da].geom_sweref, predicate="dwithin", distance=1.0)
        for db in sorted((int(n) for n in neigh), key=lambda i: -pop[i]):
            if db == da or db in used or not urban[db] or db in quiet_excluded:
                continue
            if inner[da] is None or inner[db] is None:
                continue
            pa = _uniform_in(rng, inner[da], 300)
            pb = _uniform_in(rng, inner[db], 300)
            dist = np.hypot(
                pa[:, None, 0] - pb[None, :, 0], pa[:, None, 1] - pb[None, :, 1]
            )
            ia, ib = np.nonzero((dist >= 380) & (dist <= 480))
            for i, j in zip(ia, ib, strict=True):
                if far_enough(*pa[i], 600) and far_enough(*pb[j], 600):
                    na, ka = _SPECIAL_PLACES["displacement_a"]
                    nb, kb = _SPECIAL_PLACES["displacement_b"]
                    put("displacement_a", na, ka, pa[i, 0], pa[i, 1], da)
                    put("displacement_b", nb, kb, pb[j, 0], pb[j, 1], db)
                    found = True
                    break
            if found:
                break
        if found:
            break
    if not found:
        raise RuntimeError("no displacement pair found")

    # Ordinary places: urban DeSO drawn by population, at most two per DeSO.
    urban_ix = np.flatnonzero(urban)
    p_urban = pop[urban_ix] / pop[urban_ix].sum()
    for name, kind in _OTHER_PLACES:
        order = rng.choice(urban_ix, size=len(urban_ix), replace=False, p=p_urban)
        place_in(None, name, kind, [int(d) for d in order])
    return placed, roles


# ---------------------------------------------------------------------------
# Generation


def _mix_vector(mix: dict[str, float]) -> np.ndarray:
    p = np.array([mix.get(c, 0.0) for c in CATEGORY_CODES])
    return p / p.sum()


def _cum_rows(rows: list[tuple[float, ...]] | np.ndarray) -> np.ndarray:
    m = np.asarray(rows, float)
    m = m / m.sum(axis=1, keepdims=True)
    c = np.cumsum(m, axis=1)
    c[:, -1] = 1.0
    return c


def _pick_rows(
    rng: np.random.Generator, cum: np.ndarray, row: np.ndarray
) -> np.ndarray:
    u = rng.random(len(row))
    return (u[:, None] >= cum[row]).sum(axis=1)


def generate(
    deso: list[DesoArea],
    *,
    seed: int = 2026,
    n_reports: int = 60_000,
    end: datetime,
    years: int = 3,
) -> DemoData:
    """Generate demo reports for the DeSO ``deso`` over ``years`` years ending at ``end``.

    ``end`` must be timezone-aware (normally the end of the current ISO week). The
    result is a pure function of the arguments.
    """
    if end.tzinfo is None:
        raise ValueError("end must be timezone-aware")
    if n_reports < 1_000:
        raise ValueError("n_reports must be at least 1000")
    rng = np.random.default_rng(seed)
    end_s = int(end.timestamp())
    n_weeks = int(round(years * 365.2425 / 7))
    start_s = end_s - n_weeks * WEEK_S
    n_hours = n_weeks * 168
    feat = _hour_features(start_s, n_hours)
    intensity = _category_intensity(feat, n_hours)
    n_areas = len(deso)
    n_cat = len(CATEGORY_CODES)
    cat_index = {c: i for i, c in enumerate(CATEGORY_CODES)}
    pop = np.array([a.population for a in deso], float)
    kind = np.array([{"A": 0.4, "B": 0.7}.get(a.code[4], 1.0) for a in deso])

    # Quiet DeSO: urban, below-median population.
    urban_idx = np.array([i for i, a in enumerate(deso) if a.code[4] == "C"])
    small = urban_idx[pop[urban_idx] <= np.median(pop[urban_idx])]
    quiet = np.sort(rng.choice(small, size=_N_QUIET, replace=False))
    quiet_set = {int(q) for q in quiet}

    placed, roles = _choose_places(rng, deso, quiet_set)
    n_places = len(placed)
    place_xy = np.array([[p[2], p[3]] for p in placed])
    place_deso = np.array([p[4] for p in placed], dtype=np.int32)
    place_kind = np.array([PLACE_TYPE_CODES.index(p[1]) for p in placed], dtype=np.int8)
    plon, plat = sweref_to_wgs84(place_xy[:, 0], place_xy[:, 1])
    places = [
        Place(p[0], round(p[2], 1), round(p[3], 1), float(plon[i]), float(plat[i]),
              int(p[4]), deso[p[4]].code, p[1])
        for i, p in enumerate(placed)
    ]  # fmt: skip

    # Planted components. Persistent hotspots follow the general rhythms; the others
    # get an exact count per week (their level ignores season and trend), so that
    # the planted change is measurable with any seed.
    week_of_hour = np.arange(n_hours) // 168
    week = np.arange(n_weeks)
    intervention_s = end_s - _INTERVENTION_WEEKS_BEFORE_END * WEEK_S
    after_w = week >= n_weeks - _INTERVENTION_WEEKS_BEFORE_END
    ramp_start = n_weeks - _EMERGING_RAMP_WEEKS
    ramp_j = np.maximum(week - ramp_start + 1.0, 0.0)
    ramp = np.where(ramp_j > 0, ramp_j**1.5, 0.05)
    ramp *= n_reports * _SHARE_EMERGING / ramp.sum()

    comps: list[dict[str, Any]] = []  # place-based components
    for k in range(3):
        comps.append({"place": roles[f"persistent_{k}"], "mix": _MIX_PERSISTENT,
                      "n": round(n_reports * _SHARE_PERSISTENT), "weeks": None})  # fmt: skip
    level_a = n_reports * _SHARE_DISPLACEMENT_A / n_weeks  # per week before
    for role, mix, levels in (
        (
            "displacement_a",
            _MIX_DISPLACEMENT,
            np.where(after_w, 1 - _DROP_A, 1.0) * level_a,
        ),
        (
            "displacement_b",
            _MIX_DISPLACEMENT,
            np.where(after_w, _GAIN_B, 0.0) * level_a,
        ),
        ("emerging", _MIX_EMERGING, ramp),
    ):
        counts = _weekly_counts(levels)
        comps.append({"place": roles[role], "mix": mix, "n": int(counts.sum()),
                      "weeks": np.repeat(week, counts)})  # fmt: skip

    # Ordinary place events: all places except the emerging one, lognormal weights.
    pw = rng.lognormal(0.0, 0.6, n_places)
    pw[roles["emerging"]] = 0.0  # quiet until its ramp
    pw[roles["displacement_a"]] = 0.0  # A's whole level is its own component
    n_ord = round(n_reports * _SHARE_ORDINARY_PLACES)
    n_special = sum(c["n"] for c in comps)
    n_bg = n_reports - n_special - n_ord  # spike added later, taken from background
    if n_bg <= 0:
        raise ValueError("n_reports too small")

    # ---- background: DeSO ∝ population × urbanity × local risk, quiet DeSO damped
    risk = rng.lognormal(0.0, 0.5, n_areas)
    w_deso = pop * kind * risk
    w_deso[quiet] = pop[quiet] * _QUIET_FACTOR
    base_p = _mix_vector(_CATEGORY_WEIGHT)
    bg_cat = rng.choice(n_cat, size=n_bg, p=base_p).astype(np.int16)
    bg_deso = rng.choice(n_areas, size=n_bg, p=w_deso / w_deso.sum()).astype(np.int32)
    bg_t = _sample_times(rng, bg_cat, intensity, start_s)
    bg_xy = np.empty((n_bg, 2))
    order = np.argsort(bg_deso, kind="stable")
    bounds = np.searchsorted(bg_deso[order], np.arange(n_areas + 1))
    for d in range(n_areas):
        lo, hi = bounds[d], bounds[d + 1]
        m = hi - lo
        if m == 0:
            continue
        poly = deso[d].geom_sweref
        pts = _uniform_in(rng, poly, m)
        n_cl = int(m * _SHARE_CLUSTERED)
        if n_cl:
            spots = _uniform_in(rng, poly, 6)
            cl = spots[rng.integers(0, 6, n_cl)] + rng.normal(0.0, 120.0, (n_cl, 2))
            ok = shapely.contains_xy(poly, cl[:, 0], cl[:, 1])
            pts[:n_cl][ok] = cl[ok]
        bg_xy[order[lo:hi]] = pts

    # ---- place-based events
    parts_place: list[np.ndarray] = []
    parts_cat: list[np.ndarray] = []
    parts_t: list[np.ndarray] = []
    ord_place = rng.choice(n_places, size=n_ord, p=pw / pw.sum()).astype(np.int32)
    ord_cat = rng.choice(n_cat, size=n_ord, p=base_p).astype(np.int16)
    parts_place.append(ord_place)
    parts_cat.append(ord_cat)
    parts_t.append(_sample_times(rng, ord_cat, intensity, start_s))
    for comp in comps:
        k = int(comp["n"])
        cats = rng.choice(n_cat, size=k, p=_mix_vector(comp["mix"])).astype(np.int16)
        parts_place.append(np.full(k, comp["place"], dtype=np.int32))
        parts_cat.append(cats)
        if comp["weeks"] is None:
            parts_t.append(_sample_times(rng, cats, intensity, start_s))
        else:
            parts_t.append(
                _sample_in_weeks(rng, cats, comp["weeks"], intensity, start_s)
            )
    pl_place = np.concatenate(parts_place)
    pl_cat = np.concatenate(parts_cat)
    pl_t = np.concatenate(parts_t)
    pl_xy = place_xy[pl_place] + _scatter(
        rng, len(pl_place), _SCATTER_SIGMA_M, _SCATTER_MAX_M
    )
    pl_deso = place_deso[pl_place]

    # ---- planted spike: one category in one DeSO during one recent week
    spike_cat = cat_index[_SPIKE_CATEGORY]
    busy = [int(d) for d in np.argsort(-pop * kind * risk, kind="stable")
            if deso[d].code[4] == "C" and d not in quiet_set
            and d not in {int(x) for x in place_deso[[roles[r] for r in roles]]}]  # fmt: skip
    spike_deso = busy[int(rng.integers(0, 5))]
    weeks_ago = int(rng.integers(2, 8))  # 2..7 weeks before the current week
    spike_week = n_weeks - weeks_ago
    cut = start_s + spike_week * WEEK_S
    earlier = int(
        ((bg_deso == spike_deso) & (bg_cat == spike_cat) & (bg_t < cut)).sum()
    )
    earlier += int(
        ((pl_deso == spike_deso) & (pl_cat == spike_cat) & (pl_t < cut)).sum()
    )
    usual = earlier / max(spike_week, 1)
    n_spike = int(round(6 * usual + 4 * math.sqrt(usual) + 10))
    week_mask = (
        (week_of_hour == spike_week) & (feat["weekday"] >= 1) & (feat["weekday"] <= 5)
    )
    sp_cat = np.full(n_spike, spike_cat, dtype=np.int16)
    sp_t = _sample_times(rng, sp_cat, intensity, start_s, week_mask.astype(float))
    sp_xy = _uniform_in(rng, deso[spike_deso].geom_sweref, n_spike)

    # ---- assemble; the spike replaces as many (randomly ordered) background events,
    # so that exactly n_reports are returned.
    n_bg -= n_spike
    bg_t, bg_xy, bg_cat, bg_deso = (
        bg_t[:n_bg],
        bg_xy[:n_bg],
        bg_cat[:n_bg],
        bg_deso[:n_bg],
    )
    n = n_bg + len(pl_place) + n_spike
    t = np.concatenate([bg_t, pl_t, sp_t])
    xy = np.concatenate([bg_xy, pl_xy, sp_xy])
    cat = np.concatenate([bg_cat, pl_cat, sp_cat])
    dso = np.concatenate([bg_deso, pl_deso, np.full(n_spike, spike_deso, np.int32)])
    plc = np.concatenate(
        [np.full(n_bg, -1, np.int32), pl_place, np.full(n_spike, -1, np.int32)]
    )
    srt = np.argsort(t, kind="stable")
    t, xy, cat, dso, plc = t[srt], xy[srt], cat[srt], dso[srt], plc[srt]

    org_cum = _cum_rows([_ORG_MIX.get(c, _ORG_DEFAULT) for c in CATEGORY_CODES])
    organisation = _pick_rows(rng, org_cum, cat).astype(np.int16)

    harm = np.array([c.harm_weight for c in STANDARD_CHECKLIST])
    sev_rows = np.where(harm[:, None] <= 1.0, [0.60, 0.28, 0.10, 0.02],
               np.where(harm[:, None] <= 2.0, [0.45, 0.33, 0.17, 0.05],
               np.where(harm[:, None] <= 4.0, [0.35, 0.33, 0.22, 0.10],
                        [0.28, 0.32, 0.25, 0.15])))  # fmt: skip
    severity = (_pick_rows(rng, _cum_rows(sev_rows), cat) + 1).astype(np.int8)

    counts_people = np.array([c.counts_people for c in STANDARD_CHECKLIST])
    mu = np.array([_PEOPLE.get(c, (0.0, 0.0))[0] for c in CATEGORY_CODES])
    sd = np.array([_PEOPLE.get(c, (0.0, 0.0))[1] for c in CATEGORY_CODES])
    raw = np.rint(np.exp(mu[cat] + sd[cat] * rng.standard_normal(n)))
    people = np.where(counts_people[cat], np.clip(raw, 1, 25), 0).astype(np.int16)

    semi = np.array([_SEMI_PUBLIC.get(c, 0.2) for c in CATEGORY_CODES])
    ptype = (rng.random(n) < semi[cat]).astype(np.int8)
    at_place = plc >= 0
    ptype[at_place] = place_kind[plc[at_place]]

    n_tpl = np.array([len(_TEMPLATES[c]) for c in CATEGORY_CODES])
    description = np.floor(rng.random(n) * n_tpl[cat]).astype(np.int16)

    u = rng.random(n)
    delay = np.where(
        u < 0.80,
        30 + rng.exponential(8 * 60, n),
        np.where(
            u < 0.97,
            600 + rng.exponential(2 * HOUR_S, n),
            rng.uniform(6, 48, n) * HOUR_S,
        ),
    )
    delay = np.minimum(delay, 7 * 86_400).astype(np.int32)

    physical = np.array([c.physical_environment for c in STANDARD_CHECKLIST])
    age_days = (end_s - t) / 86_400
    resolved = rng.random(n) < 1 - np.exp(-np.maximum(age_days, 0) / 10)
    status = np.where(
        resolved,
        np.where(rng.random(n) < 0.92, 2, 3),
        np.where(rng.random(n) < 0.6, 0, 1),
    )
    env_status = np.where(physical[cat], status, -1).astype(np.int8)

    restricted = (organisation == _POLICE) & (rng.random(n) < 0.03)
    lon, lat = sweref_to_wgs84(xy[:, 0], xy[:, 1])

    reports = Reports(
        occurred_at=t.astype(np.int64),
        received_delay_s=delay,
        x=xy[:, 0].copy(),
        y=xy[:, 1].copy(),
        lon=lon,
        lat=lat,
        deso=dso.astype(np.int32),
        category=cat.astype(np.int16),
        organisation=organisation,
        severity=severity,
        people_count=people,
        place=plc.astype(np.int32),
        place_type=ptype,
        description=description,
        env_status=env_status,
        restricted=restricted,
    )

    # ---- truths
    def place_truth(i: int) -> dict[str, Any]:
        p = places[i]
        return {"place_index": i, "name": p.name, "x": p.x, "y": p.y, "lon": p.lon,
                "lat": p.lat, "deso": p.deso_code, "place_type": p.place_type}  # fmt: skip

    ia, ib = roles["displacement_a"], roles["displacement_b"]
    sy, sw, smon = _iso_week(start_s + spike_week * WEEK_S + 86_400)
    ey, ew, emon = _iso_week(start_s + ramp_start * WEEK_S + 86_400)
    start_dt = datetime.fromtimestamp(start_s, UTC)
    iv_local = intervention_s + int(stockholm_utc_offset(np.array([intervention_s]))[0])
    truths: dict[str, Any] = {
        "seed": seed,
        "parameters": {
            "n_reports": int(n),
            "years": years,
            "n_weeks": n_weeks,
            "start": start_dt.isoformat(),
            "end": datetime.fromtimestamp(end_s, UTC).isoformat(),
            "note": "Synthetic data; place positions are invented, not real addresses.",
        },
        "persistent_hotspots": [
            {**place_truth(roles[f"persistent_{k}"]), "n_extra_events": comps[k]["n"]}
            for k in range(3)
        ],
        "emerging_hotspot": {
            **place_truth(roles["emerging"]),
            "ramp_weeks": _EMERGING_RAMP_WEEKS,
            "ramp_start_iso_year": ey,
            "ramp_start_iso_week": ew,
            "ramp_start_date": emon,
            "n_extra_events": comps[5]["n"],
        },
        "displacement": {
            "intervention": {
                "title": "Belysning och kameror vid gångtunneln",
                "kind": "situational",
                "start": datetime.fromtimestamp(iv_local, UTC).date().isoformat(),
                "start_utc": datetime.fromtimestamp(intervention_s, UTC).isoformat(),
                "place": places[ia].name,
                "place_index": ia,
                "deso": places[ia].deso_code,
                "target_radius_m": 100,
                "buffer_radius_m": 600,
            },
            "place_a": place_truth(ia),
            "place_b": place_truth(ib),
            "distance_m": round(float(np.hypot(*(place_xy[ia] - place_xy[ib]))), 1),
            "a_drop_fraction": _DROP_A,
            "b_gain_fraction_of_a_level": _GAIN_B,
        },
        "quiet_deso": [deso[int(q)].code for q in quiet],
        "spike": {
            "iso_year": sy,
            "iso_week": sw,
            "week_start": smon,
            "deso": deso[spike_deso].code,
            "deso_index": spike_deso,
            "category": _SPIKE_CATEGORY,
            "n_events": n_spike,
            "usual_weekly_mean": round(usual, 3),
        },
    }

    districts = build_districts(deso)
    surveys, truths["perceived_divergence"] = _plant_surveys(
        deso, reports, quiet, end_s, seed
    )

    return DemoData(
        seed=seed,
        start=start_dt,
        end=datetime.fromtimestamp(end_s, UTC),
        n_weeks=n_weeks,
        category_codes=CATEGORY_CODES,
        districts=districts,
        areas=name_areas(list(deso), districts),
        organisations=list(ORGANISATIONS),
        places=places,
        reports=reports,
        description_templates=tuple(_TEMPLATES[c] for c in CATEGORY_CODES),
        truths=truths,
        surveys=surveys,
    )


SURVEY_SOURCE = "Polisens trygghetsmätning"
SURVEY_INDICATOR = "problemindex"
# The planted area's index in the three survey years: rising from low to the top.
_PLANTED_INDEX = (1.2, 2.3, 4.4)


def _local_years(epoch_s: np.ndarray) -> np.ndarray:
    local = epoch_s + stockholm_utc_offset(epoch_s)
    days = (local // 86_400).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(int) + 1970


def _percentiles(values: np.ndarray) -> np.ndarray:
    """Average-rank percentiles in [0, 1], as samsyn.surveys.summary ranks them."""
    from scipy.stats import rankdata

    if len(values) < 2:
        return np.full(len(values), 0.5)
    return (rankdata(values, method="average") - 1) / (len(values) - 1)


def _plant_surveys(
    deso: list[DesoArea],
    reports: Reports,
    quiet: np.ndarray,
    end_s: int,
    seed: int,
) -> tuple[list[SurveyRow], dict[str, Any]]:
    """A problem index (0-6, higher = more problems) per DeSO for three years.

    Everywhere the index follows the area's rank by reports per 1,000 residents,
    with noise; in one quiet DeSO it rises to the top while its reports stay near
    zero - the divergence the perceived-vs-reported comparison must flag. Its own
    random stream, so the reports and earlier truths do not change.
    """
    rng = np.random.default_rng([seed, 8])
    last = int(_local_years(np.array([end_s - 60 * 86_400]))[0])
    years = [last - 2, last - 1, last]
    pop = np.array([a.population for a in deso], float)
    has_pop = np.nonzero(pop > 0)[0]
    target = int(max((int(q) for q in quiet), key=lambda q: (pop[q], -q)))
    report_years = _local_years(reports.occurred_at)
    rows: list[SurveyRow] = []
    target_reports = []
    for k, year in enumerate(years):
        n = np.bincount(reports.deso[report_years == year], minlength=len(deso))
        target_reports.append(int(n[target]))
        pct = np.zeros(len(deso))
        pct[has_pop] = _percentiles(n[has_pop] * 1000 / pop[has_pop])
        noise = rng.normal(0.0, 0.25, len(deso))
        value = np.clip(0.9 + 2.8 * pct + noise + 0.1 * (k - 2), 0.0, 6.0)
        value[target] = _PLANTED_INDEX[k]
        respondents = np.clip(pop * 0.05, 25, 300) * rng.uniform(0.8, 1.2, len(deso))
        rows.extend(
            SurveyRow(int(i), year, round(float(value[i]), 1), int(respondents[i]))
            for i in has_pop
        )
    truth = {
        "deso": deso[target].code,
        "deso_index": target,
        "source": SURVEY_SOURCE,
        "indicator": SURVEY_INDICATOR,
        "years": years,
        "index": list(_PLANTED_INDEX),
        "reports_per_year": target_reports,
        "flag": "perceived_high_reported_low",
        "flag_year": years[-1],
    }
    return rows, truth


def summary(data: DemoData) -> dict[str, Any]:
    """Counts per year (local), category, organisation and the ten busiest DeSO."""
    r = data.reports
    local = r.occurred_at + stockholm_utc_offset(r.occurred_at)
    years = (local // 86_400).astype("datetime64[D]").astype("datetime64[Y]").astype(
        int
    ) + 1970
    yv, yc = np.unique(years, return_counts=True)
    cc = np.bincount(r.category, minlength=len(data.category_codes))
    oc = np.bincount(r.organisation, minlength=len(data.organisations))
    dc = np.bincount(r.deso, minlength=len(data.areas))
    top = np.argsort(-dc, kind="stable")[:10]
    return {
        "total": len(r),
        "per_year": {int(y): int(c) for y, c in zip(yv, yc, strict=True)},
        "per_category": {data.category_codes[i]: int(cc[i]) for i in range(len(cc))},
        "per_organisation": {
            data.organisations[i].code: int(oc[i]) for i in range(len(oc))
        },
        "top_deso": {data.areas[int(i)].code: int(dc[i]) for i in top},
        "at_named_place": int((r.place >= 0).sum()),
        "restricted": int(r.restricted.sum()),
    }

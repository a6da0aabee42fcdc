"""The standard EST checklist that every new collaboration starts from.

Drawn from Örebro's original EST checklist and later municipal practice.
Codes are stable identifiers used by the API, imports and analysis; names are shown in
Swedish by default and translated through the normal gettext machinery.
This module holds plain data only, so that pure code (the demo generator, the
analysis tests) can use it without Django.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StandardCategory:
    code: str
    name_sv: str
    name_en: str
    group: str
    physical_environment: bool = False
    counts_people: bool = False
    harm_weight: float = 1.0  # relative harm for prioritisation (1 = nuisance)


STANDARD_CHECKLIST: tuple[StandardCategory, ...] = (
    StandardCategory(
        "vandalism_graffiti",
        "Skadegörelse – klotter",
        "Vandalism – graffiti",
        "vandalism",
        physical_environment=True,
        harm_weight=1.0,
    ),  # noqa: E501
    StandardCategory(
        "vandalism_glass",
        "Skadegörelse – krossat glas",
        "Vandalism – broken glass",
        "vandalism",
        physical_environment=True,
        harm_weight=1.5,
    ),  # noqa: E501
    StandardCategory(
        "vandalism_other",
        "Skadegörelse – övrigt",
        "Vandalism – other",
        "vandalism",
        physical_environment=True,
        harm_weight=1.5,
    ),  # noqa: E501
    StandardCategory(
        "fire", "Brand eller anlagd brand", "Fire or arson", "fire", harm_weight=4.0
    ),  # noqa: E501
    StandardCategory(
        "littering",
        "Nedskräpning",
        "Littering",
        "environment",
        physical_environment=True,
        harm_weight=0.5,
    ),  # noqa: E501
    StandardCategory(
        "gathering",
        "Samling av personer som skapar otrygghet",
        "Gathering of people creating insecurity",
        "people",
        counts_people=True,
        harm_weight=2.0,
    ),  # noqa: E501
    StandardCategory(
        "drugs",
        "Misstänkt narkotikaförsäljning eller -bruk",
        "Suspected drug dealing or use",
        "people",
        counts_people=True,
        harm_weight=3.0,
    ),  # noqa: E501
    StandardCategory(
        "threats_violence",
        "Hot, våld eller slagsmål",
        "Threats, violence or fights",
        "crime",
        counts_people=True,
        harm_weight=5.0,
    ),  # noqa: E501
    StandardCategory("robbery", "Rån", "Robbery", "crime", harm_weight=5.0),
    StandardCategory("burglary", "Inbrott", "Burglary", "crime", harm_weight=3.0),
    StandardCategory(
        "staff_incident",
        "Incident mot personal",
        "Incident against staff",
        "crime",
        harm_weight=4.0,
    ),  # noqa: E501
    StandardCategory(
        "reckless_driving",
        "Olaglig trafik eller vårdslös körning",
        "Illegal traffic or reckless driving",
        "traffic",
        harm_weight=2.0,
    ),  # noqa: E501
    StandardCategory(
        "loud_music",
        "Hög musik från fordon",
        "Loud music from vehicles",
        "traffic",
        harm_weight=1.0,
    ),  # noqa: E501
    StandardCategory(
        "sleeping_place",
        "Olovlig sovplats",
        "Unauthorised sleeping place",
        "people",
        counts_people=True,
        harm_weight=1.0,
    ),  # noqa: E501
    StandardCategory(
        "stash",
        "Gömda vapen eller stenar",
        "Stashed weapons or stones",
        "crime",
        harm_weight=4.0,
    ),  # noqa: E501
    StandardCategory(
        "unsafe_lighting",
        "Otrygg plats – belysning",
        "Unsafe place – lighting",
        "unsafe_place",
        physical_environment=True,
        harm_weight=1.5,
    ),  # noqa: E501
    StandardCategory(
        "unsafe_vegetation",
        "Otrygg plats – vegetation och sikt",
        "Unsafe place – vegetation and sight lines",
        "unsafe_place",
        physical_environment=True,
        harm_weight=1.5,
    ),  # noqa: E501
    StandardCategory(
        "unsafe_desolate",
        "Otrygg plats – öde eller övrigt",
        "Unsafe place – desolate or other",
        "unsafe_place",
        physical_environment=True,
        harm_weight=1.5,
    ),  # noqa: E501
    StandardCategory(
        "social_media",
        "Rykten eller oro i sociala medier",
        "Rumours or unrest on social media",
        "signals",
        harm_weight=1.0,
    ),  # noqa: E501
    StandardCategory(
        "upcoming_event",
        "Kommande händelse som kan påverka läget",
        "Upcoming event that may affect the situation",
        "signals",
        harm_weight=0.5,
    ),  # noqa: E501
)

CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in STANDARD_CHECKLIST)

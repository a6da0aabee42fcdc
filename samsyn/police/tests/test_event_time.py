"""Police events are dated by the time in their title, not by their publication.

"15 augusti 23.09, Trafikolycka, personskada, Stockholm" was published 16 August at
07:59: it happened on 15 August at 23:09 local time. Decision 0006.
"""

from __future__ import annotations

import copy
import importlib
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from samsyn.annual.figures import police_figures
from samsyn.lib.weeks import parse_period
from samsyn.pictures.figures import compute_figures
from samsyn.police.actions import import_police_events, parse_datetime
from samsyn.police.models import PoliceEvent
from samsyn.police.tests.test_import_police_events import _sample
from samsyn.police.titles import (
    SOURCE_PUBLISHED,
    SOURCE_TITLE,
    SOURCE_TITLE_DAY,
    event_time,
)

STHLM = ZoneInfo("Europe/Stockholm")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STHLM)


def by_id(external_id: int) -> dict[str, Any]:
    return copy.deepcopy(next(e for e in _sample() if e["id"] == external_id))


# ------------------------------------------------------------------ the rule itself
def test_it_reads_the_time_from_a_real_title_not_the_publication():
    event = by_id(649599)
    assert event["name"].startswith("15 augusti 23.09, Trafikolycka, personskada")
    published = parse_datetime(event["datetime"])
    assert published == local(2026, 8, 16, 7, 59, 59)

    got = event_time(event["name"], published)

    assert got.source == SOURCE_TITLE
    assert got.at == local(2026, 8, 15, 23, 9)
    assert got.at.tzinfo is UTC


@pytest.mark.parametrize(
    "title,published,expected,source",
    [
        # "23.09" and "23:09" are the same time
        (
            "15 augusti 23:09, Brand, Örebro",
            local(2026, 8, 16, 7, 59),
            local(2026, 8, 15, 23, 9),
            SOURCE_TITLE,
        ),  # noqa: E501
        (
            "5 augusti 7.02, Brand, Örebro",
            local(2026, 8, 5, 9, 0),
            local(2026, 8, 5, 7, 2),
            SOURCE_TITLE,
        ),  # noqa: E501
        (
            "15 Augusti 23.09, Brand, Örebro",
            local(2026, 8, 16, 7, 59),
            local(2026, 8, 15, 23, 9),
            SOURCE_TITLE,
        ),  # noqa: E501
        # across New Year: the year is the one nearest the publication
        (
            "31 december 23.50, Misshandel, Örebro",
            local(2027, 1, 1, 0, 20),
            local(2026, 12, 31, 23, 50),
            SOURCE_TITLE,
        ),  # noqa: E501
        (
            "1 januari 00.10, Brand, Örebro",
            local(2026, 12, 31, 23, 59),
            local(2027, 1, 1, 0, 10),
            SOURCE_TITLE,
        ),  # noqa: E501
        # winter time is UTC+1, summer time UTC+2
        (
            "15 januari 23.09, Brand, Örebro",
            local(2026, 1, 16, 7, 0),
            datetime(2026, 1, 15, 22, 9, tzinfo=UTC),
            SOURCE_TITLE,
        ),  # noqa: E501
        (
            "15 juli 23.09, Brand, Örebro",
            local(2026, 7, 16, 7, 0),
            datetime(2026, 7, 15, 21, 9, tzinfo=UTC),
            SOURCE_TITLE,
        ),  # noqa: E501
        # summer time starts 29 March 2026 at 02:00: 02.30 does not exist locally and
        # is read with the winter offset
        (
            "29 mars 02.30, Brand, Örebro",
            local(2026, 3, 29, 9, 0),
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            SOURCE_TITLE,
        ),  # noqa: E501
        (
            "29 mars 03.30, Brand, Örebro",
            local(2026, 3, 29, 9, 0),
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            SOURCE_TITLE,
        ),  # noqa: E501
        # summer time ends 25 October 2026 at 03:00: 02.30 comes twice, the first counts
        (
            "25 oktober 02.30, Brand, Örebro",
            local(2026, 10, 25, 9, 0),
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            SOURCE_TITLE,
        ),  # noqa: E501
        # a day without a time: midday, or the publication when that came earlier
        (
            "15 augusti, Brand, Örebro",
            local(2026, 8, 16, 7, 59),
            local(2026, 8, 15, 12, 0),
            SOURCE_TITLE_DAY,
        ),  # noqa: E501
        (
            "16 augusti, Brand, Örebro",
            local(2026, 8, 16, 7, 59),
            local(2026, 8, 16, 7, 59),
            SOURCE_TITLE_DAY,
        ),  # noqa: E501
        # no usable date: the publication time, flagged
        (
            "Trafikolycka, Örebro",
            local(2026, 8, 16, 7, 59),
            local(2026, 8, 16, 7, 59),
            SOURCE_PUBLISHED,
        ),  # noqa: E501
        (
            "15 augustus 23.09, Brand, Örebro",
            local(2026, 8, 16, 7, 59),
            local(2026, 8, 16, 7, 59),
            SOURCE_PUBLISHED,
        ),  # noqa: E501
        (
            "31 april 10.00, Brand, Örebro",
            local(2026, 5, 1, 7, 0),
            local(2026, 5, 1, 7, 0),
            SOURCE_PUBLISHED,
        ),  # noqa: E501
        (
            "15 augusti 24.10, Brand, Örebro",
            local(2026, 8, 16, 7, 59),
            local(2026, 8, 16, 7, 59),
            SOURCE_PUBLISHED,
        ),  # noqa: E501
        ("", local(2026, 8, 16, 7, 59), local(2026, 8, 16, 7, 59), SOURCE_PUBLISHED),
    ],
)
def test_it_dates_titles(title, published, expected, source):
    got = event_time(title, published)
    assert (got.at, got.source) == (expected, source)


def test_a_29_february_title_is_dated_in_the_leap_year():
    got = event_time("29 februari 23.55, Brand, Örebro", local(2028, 3, 1, 6, 0))
    assert got.at == local(2028, 2, 29, 23, 55)


def test_every_real_title_has_a_time_at_or_shortly_before_its_publication():
    moved_day = 0
    for event in _sample():
        published = parse_datetime(event["datetime"])
        got = event_time(event["name"], published)
        assert got.source == SOURCE_TITLE, event["name"]
        # "Sammanfattning natt" is titled 07.00 and published seconds before
        assert got.at <= published + timedelta(minutes=1), event["name"]
        assert published - got.at < timedelta(days=2), event["name"]
        moved_day += (
            got.at.astimezone(STHLM).date() != published.astimezone(STHLM).date()
        )
    assert moved_day == 32  # of 500 land on the day before their publication


# ------------------------------------------------------------------------ the import
@pytest.fixture
def stockholm(north):  # type: ignore[no-untyped-def]
    north.municipality_name = "Stockholm"
    north.save(update_fields=["municipality_name"])
    return north


def test_the_import_keeps_both_times(stockholm):
    summary = import_police_events(
        stockholm, [by_id(649599)], county_name="Stockholms län"
    )

    assert summary.new == 1
    ev = PoliceEvent.objects.get(external_id=649599)
    assert ev.occurred_at == local(2026, 8, 15, 23, 9)
    assert ev.published_at == local(2026, 8, 16, 7, 59, 59)
    assert ev.time_source == PoliceEvent.TimeSource.TITLE
    # Importing the same file again changes nothing.
    again = import_police_events(
        stockholm, [by_id(649599)], county_name="Stockholms län"
    )
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


def _new_year_event() -> dict[str, Any]:
    event = by_id(649599)
    event["id"] = 900_001
    event["name"] = "31 december 23.50, Misshandel, Stockholm"
    event["type"] = "Misshandel"
    event["datetime"] = "2027-01-01 0:20:05 +01:00"
    return event


# The New Year tests look back from mid-January 2027, when 2026 and its week 53 have
# ended (a running period counts only its elapsed weeks).
AFTER_NEW_YEAR = local(2027, 1, 15, 10, 0)


@time_machine.travel(AFTER_NEW_YEAR, tick=False)
def test_the_annual_report_counts_an_event_in_the_year_it_happened(stockholm):
    import_police_events(stockholm, [_new_year_event()], county_name="Stockholms län")

    assert police_figures(stockholm, 2026)["events"]["this"] == 1
    assert police_figures(stockholm, 2027)["events"]["this"] == 0


@time_machine.travel(AFTER_NEW_YEAR, tick=False)
def test_the_picture_lists_an_event_in_the_week_it_happened(stockholm, west_area):
    # Thursday 31 December 2026 is in ISO week 53; the publication is in it too,
    # but on Friday 1 January: the picture shows the time of the event.
    import_police_events(stockholm, [_new_year_event()], county_name="Stockholms län")
    week = parse_period("week", "2026-W53")
    figures, _trace = compute_figures(stockholm, week, None)
    assert figures["police"]["municipality_count"] == 1
    assert figures["police"]["municipality_events"][0]["occurred_at"] == (
        "2026-12-31 23:50"
    )
    # A picture of December (the month) has it; January does not.
    december, _ = compute_figures(stockholm, parse_period("month", "2026-12"), None)
    january, _ = compute_figures(stockholm, parse_period("month", "2027-01"), None)
    assert december["police"]["municipality_count"] == 1
    assert january["police"]["municipality_count"] == 0


# --------------------------------------------------------------------- the migration
def test_the_migration_moves_the_stored_time_to_published_and_reads_the_title(north):
    migration = importlib.import_module(
        "samsyn.police.migrations.0003_event_time_from_title"
    )
    published = local(2026, 8, 16, 7, 59, 59)
    rows = [
        ("15 augusti 23.09, Trafikolycka, personskada, Örebro", published),
        ("Trafikolycka, Örebro", published),
    ]
    for n, (name, when) in enumerate(rows, start=1):
        PoliceEvent.objects.create(
            collaboration=north,
            external_id=n,
            # as stored before: the publication in occurred_at
            occurred_at=when,
            published_at=date(2000, 1, 1).isoformat() + "T00:00Z",
            name=name,
            type="Trafikolycka",
            location_name="Örebro län",
            place_name="Örebro",
            precision=PoliceEvent.Precision.MUNICIPALITY,
            centroid_lat=59.27,
            centroid_lon=15.21,
        )

    migration.date_from_titles(apps, None)

    dated = PoliceEvent.objects.get(external_id=1)
    assert dated.occurred_at == local(2026, 8, 15, 23, 9)
    assert dated.published_at == published
    assert dated.time_source == PoliceEvent.TimeSource.TITLE
    fallback = PoliceEvent.objects.get(external_id=2)
    assert fallback.occurred_at == fallback.published_at == published
    assert fallback.time_source == PoliceEvent.TimeSource.PUBLISHED

"""Dates, times, numbers and week numbers follow Swedish conventions.

Swedish (the default): ISO dates ("2026-11-22") or "22 november 2026", the 24-hour
clock in Europe/Stockholm time, a decimal comma and a non-breaking space between
thousands, and ISO-8601 week numbers ("vecka 47"; around New Year the ISO week-year,
so 1 January 2027 is in "vecka 53, 2026"). English pages keep the ISO dates, the
24-hour clock and the week numbers ("week 47").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

from samsyn import settings as project_settings
from samsyn.lib.weeks import iso_week, week_key, week_label

NBSP = "\xa0"
DAY = date(2026, 11, 22)
# 13:05 UTC is 14:05 in Stockholm in November (CET, UTC+1).
MOMENT = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_the_settings_choose_swedish_and_stockholm() -> None:
    # The project's own settings (conftest.py switches the test run to English).
    assert project_settings.LANGUAGE_CODE == "sv"
    assert [code for code, _name in project_settings.LANGUAGES] == ["sv", "en"]
    assert settings.USE_I18N is True
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Europe/Stockholm"
    assert settings.FORMAT_MODULE_PATH == ["samsyn.formats"]
    # Not on: it would put a space into every number, years and ids included.
    assert not getattr(settings, "USE_THOUSAND_SEPARATOR", False)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_weeks_start_on_monday(language: str) -> None:
    with translation.override(language):
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


def test_swedish_dates_and_times() -> None:
    with translation.override("sv"):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == "2026-11-22"
        assert formats.date_format(DAY, "DATE_FORMAT") == "22 november 2026"
        assert render("{{ d|date }}", d=DAY) == "22 november 2026"
        assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=DAY) == "2026-11-22"
        # Aware datetimes are shown in Stockholm time, 24-hour clock.
        assert render("{{ t|time }}", t=MOMENT) == "14:05"
        assert (
            render('{{ t|date:"SHORT_DATETIME_FORMAT" }}', t=MOMENT)
            == "2026-11-22 14:05"
        )
        assert render("{{ t|date:'DATETIME_FORMAT' }}", t=MOMENT) == (
            "22 november 2026 14:05"
        )
        assert render("{{ t|date:'l' }}", t=MOMENT) == "söndag"


def test_english_dates_keep_iso_and_the_24_hour_clock() -> None:
    with translation.override("en"):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == "2026-11-22"
        assert formats.date_format(DAY, "DATE_FORMAT") == "22 November 2026"
        assert render("{{ t|time }}", t=MOMENT) == "14:05"
        afternoon = datetime(2026, 7, 1, 20, 30, tzinfo=UTC)  # 22:30 CEST
        assert render("{{ t|time }}", t=afternoon) == "22:30"


def test_swedish_numbers_have_a_decimal_comma_and_spaced_thousands() -> None:
    with translation.override("sv"):
        assert formats.number_format(1234567.5, 1, force_grouping=True) == (
            f"1{NBSP}234{NBSP}567,5"
        )
        assert render("{{ x|floatformat:1 }}", x=2.25) == "2,3"
        assert render('{{ x|floatformat:"0g" }}', x=1234567) == f"1{NBSP}234{NBSP}567"
        assert render("{% load humanize %}{{ n|intcomma }}", n=48213) == f"48{NBSP}213"
        # Without grouping asked for, a year stays a year.
        assert render("{{ y }}", y=2026) == "2026"


def test_english_numbers() -> None:
    with translation.override("en"):
        assert render("{{ x|floatformat:1 }}", x=2.25) == "2.3"
        assert render("{% load humanize %}{{ n|intcomma }}", n=48213) == "48,213"


@pytest.mark.parametrize(
    ("value", "year", "week"),
    [
        (date(2026, 11, 22), 2026, 47),  # a Sunday: still week 47
        (date(2026, 11, 23), 2026, 48),  # Monday starts the week
        (date(2026, 12, 31), 2026, 53),  # 2026 has 53 ISO weeks
        (date(2027, 1, 3), 2026, 53),  # ... that end in January 2027
        (date(2027, 1, 4), 2027, 1),
        (date(2024, 12, 30), 2025, 1),  # week 1 of 2025 starts in December
        (date(2021, 1, 1), 2020, 53),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), 2026, 53),  # 00:30 local, Fri
        (datetime(2027, 1, 3, 23, 30, tzinfo=UTC), 2027, 1),  # 00:30 local, Monday
        ("2026-W47", 2026, 47),
        ((2026, 53), 2026, 53),
    ],
)
def test_iso_weeks_use_the_iso_week_year(value: object, year: int, week: int) -> None:
    assert iso_week(value) == (year, week)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["2025-W53", "2026-W00", "2026-47", "week 47", 47])
def test_iso_week_refuses_what_is_not_a_week(bad: object) -> None:
    with pytest.raises(ValueError):
        iso_week(bad)  # type: ignore[arg-type]


def test_week_labels_in_swedish_and_english() -> None:
    with translation.override("sv"):
        assert week_label(DAY) == "vecka 47"
        assert week_label(date(2027, 1, 1), with_year=True) == "vecka 53, 2026"
        assert week_label("2025-W01", with_year=True) == "vecka 1, 2025"
    with translation.override("en"):
        assert week_label(DAY) == "week 47"
        assert week_label(date(2027, 1, 1), with_year=True) == "week 53, 2026"
    assert week_key(date(2024, 12, 30)) == "2025-W01"


def test_the_week_filter() -> None:
    source = '{% load weeks %}{{ d|week }} · {{ k|week:"year" }} · {{ x|week }}'
    with translation.override("sv"):
        assert render(source, d=DAY, k="2026-W53", x="not a week") == (
            "vecka 47 · vecka 53, 2026 · not a week"
        )
    with translation.override("en"):
        assert render(source, d=DAY, k="2026-W53", x="") == "week 47 · week 53, 2026 · "


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label"), [("sv", "Vecka 10, 2026"), ("en", "Week 10, 2026")]
)
def test_a_page_shows_the_week_in_words(client, alice, language, label) -> None:  # type: ignore[no-untyped-def]
    client.force_login(alice)
    page = client.get("/coverage/?week=2026-W10", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    body = page.content.decode()
    assert label in body
    assert "Week 2026-W10" not in body and "Vecka 2026-W10" not in body


def test_the_day_filter_writes_swedish_month_abbreviations_in_lower_case() -> None:
    source = '{% load weeks %}{{ t|day:"D j M H:i" }} · {{ d|day }} · {{ n|day }}'
    when = datetime(2026, 11, 24, 9, 0)
    with translation.override("sv"):
        assert render(source, t=when, d=date(2026, 3, 5), n=None) == (
            "tis 24 nov 09:00 · 5 mar 2026 · "
        )
    with translation.override("en"):
        assert render(source, t=when, d=date(2026, 3, 5), n="") == (
            "Tue 24 Nov 09:00 · 5 Mar 2026 · "
        )


def test_no_template_writes_a_month_abbreviation_with_date() -> None:
    """``date:"j M"`` gives "24 Nov" in Swedish too; templates use ``day`` instead."""
    root = Path(__file__).resolve().parents[2] / "templates"
    bad = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("*.html")
        for match in re.finditer(r'\|date:"([^"]*)"', path.read_text(encoding="utf-8"))
        if not re.fullmatch(r"[A-Z_]+", match.group(1)) and "M" in match.group(1)
    ]
    assert bad == []

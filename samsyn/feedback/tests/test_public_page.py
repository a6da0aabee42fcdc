"""The public page: aggregated, suppressed, delayed; embeddable only as /embed/."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from samsyn.feedback.models import PublicFeedbackSettings
from samsyn.interventions import actions as iv_actions
from samsyn.tests.support import INSIDE_WEST, make_report


@pytest.fixture
def page(north, north_org, west_area, east_area, bob):
    ps = PublicFeedbackSettings.objects.create(collaboration=north, enabled=True)
    start, end = ps.window()
    when = timezone.make_aware(
        timezone.datetime.combine(
            start + timedelta(days=3), timezone.datetime.min.time()
        )
    )
    for _ in range(12):
        make_report(north_org, category="littering", occurred_at=when, reporter=bob)
    for _ in range(2):  # a small count
        make_report(
            north_org,
            category="gathering",
            occurred_at=when,
            reporter=bob,
            description="SECRET-TEXT near the kiosk",
        )
    return ps


def numbers(html: str) -> list[int]:
    cells = re.findall(r'class="num">\s*([^<]+?)\s*<', html)
    big = re.findall(r'class="fb-big">([^<]+)<', html)
    return [int(x) for x in cells + big if x.strip().isdigit()]


def test_it_shows_no_figure_below_the_minimum_and_no_report_details(page, north):
    html = Client().get("/feedback/public/north/").content.decode()
    html += (
        Client()
        .get(f"/feedback/public/north/{page.collaboration.areas.get(ref='W').code}/")
        .content.decode()
    )
    assert numbers(html), "the page shows figures"
    assert all(n == 0 or n >= north.min_public_count for n in numbers(html))
    assert 'class="fb-hidden"' in html
    from samsyn.reports.models import Report

    for r in Report.objects.filter(collaboration=north):
        assert str(r.code) not in html
    assert "SECRET-TEXT" not in html
    assert str(INSIDE_WEST[0]) not in html and str(INSIDE_WEST[1]) not in html
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


def test_it_never_calls_a_hidden_figure_small(page, north, west_area):
    # West has 12 littering and 2 gatherings. Hiding the 2 forces the 12 to be
    # hidden as well (else 14 - 12 gives it away): the page must not say that
    # the 12 are "fewer than 5", only that the figure is hidden.
    html = Client().get(f"/feedback/public/north/{west_area.code}/").content.decode()
    html += (
        Client().get(f"/feedback/public/north/{west_area.code}/embed/").content.decode()
    )
    html += Client().get("/feedback/public/north/").content.decode()
    assert "12" not in re.findall(r'class="num">\s*([^<]+?)\s*<', html)
    assert "fewer than" not in html and "&lt;5" not in html
    assert html.count('class="fb-hidden"') >= 3
    assert "a hidden figure may be any number from 1 up" in html


def test_it_never_counts_a_report_from_yesterday(
    north, north_org, west_area, east_area
):
    ps = PublicFeedbackSettings.objects.create(collaboration=north, enabled=True)
    yesterday = timezone.now() - timedelta(days=1)
    for _ in range(20):
        make_report(north_org, category="littering", occurred_at=yesterday)
    html = Client().get("/feedback/public/north/").content.decode()
    assert re.search(r'class="fb-big">0<', html)
    start, end = ps.window(date(2026, 11, 20))
    assert end <= date(2026, 11, 20) - timedelta(days=ps.delay_days)
    assert end.weekday() == 0 and (end - start).days == 7 * ps.period_weeks


def test_it_lets_only_the_embed_be_framed(page):
    client = Client()
    plain = client.get("/feedback/public/north/")
    assert plain["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in plain["Content-Security-Policy"]
    embed = client.get("/feedback/public/north/embed/")
    assert embed.status_code == 200
    assert not embed.has_header("X-Frame-Options")
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert 'class="topbar"' not in embed.content.decode()
    page.frame_ancestors = "https://www.kommun.se"
    page.save()
    embed = client.get("/feedback/public/north/embed/")
    assert "frame-ancestors https://www.kommun.se" in embed["Content-Security-Policy"]
    assert "public" in embed["Cache-Control"] and "max-age=" in embed["Cache-Control"]


def test_it_is_404_when_disabled_or_missing(page, south):
    page.enabled = False
    page.save()
    assert Client().get("/feedback/public/north/").status_code == 404
    assert Client().get("/feedback/public/north/embed/").status_code == 404
    assert Client().get("/feedback/public/south/").status_code == 404


def test_it_sends_cache_headers(page):
    response = Client().get("/feedback/public/north/")
    assert "public" in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]


def test_it_lists_only_published_interventions_without_internal_notes(
    page, north, north_org, alice, west_area
):
    shown = iv_actions.register_intervention(
        north,
        {
            "title": "Better lighting on the path",
            "kind": "situational",
            "owner": north_org,
            "starts_on": date(2026, 5, 4),
            "problem": "INTERNAL-PROBLEM",
        },
        by=alice,
    )
    shown.published_to_residents = True
    shown.status = "ongoing"
    shown.save()
    shown.areas.add(west_area)
    hidden = iv_actions.register_intervention(
        north,
        {
            "title": "Quiet plan",
            "kind": "enforcement",
            "owner": north_org,
            "starts_on": date(2026, 5, 4),
        },
        by=alice,
    )
    hidden.status = "ongoing"
    hidden.save()
    html = Client().get("/feedback/public/north/").content.decode()
    assert "Better lighting on the path" in html
    assert "Quiet plan" not in html
    assert "INTERNAL-PROBLEM" not in html
    area_html = Client().get(f"/feedback/public/north/{west_area.code}/").content
    assert b"Better lighting on the path" in area_html


def test_it_lets_a_coordinator_change_the_settings(north, alice, bob):
    client = Client()
    client.force_login(bob)
    assert client.get("/feedback/settings/").status_code == 404
    client.force_login(alice)
    response = client.post(
        "/feedback/settings/",
        {
            "enabled": "on",
            "delay_days": "21",
            "period_weeks": "8",
            "intro": "Hello",
            "frame_ancestors": "https://www.kommun.se",
        },
    )
    assert response.status_code == 302
    ps = PublicFeedbackSettings.objects.get(collaboration=north)
    assert (
        ps.enabled and ps.delay_days == 21 and ps.origins() == ["https://www.kommun.se"]
    )
    page = client.get("/feedback/settings/").content.decode()
    assert "/feedback/public/north/embed/" in page and "&lt;iframe" in page
    from samsyn.organisations.models import AuditEvent

    assert AuditEvent.objects.filter(action="feedback.public_settings_saved").exists()
    bad = client.post(
        "/feedback/settings/",
        {"delay_days": "21", "period_weeks": "8", "frame_ancestors": "'self'; x"},
    )
    assert bad.status_code == 422


def test_the_settings_form_has_hints_and_swedish_errors(alice, north):
    client = Client(headers={"accept-language": "sv"})
    client.force_login(alice)
    page = client.get("/feedback/settings/").content.decode()
    assert "Några meningar överst på sidan" in page
    assert 'min="7"' in page and 'inputmode="numeric"' in page
    response = client.post(
        "/feedback/settings/",
        {"delay_days": "3", "period_weeks": "200", "frame_ancestors": "kommun"},
    )
    body = response.content.decode()
    assert "Kontrollera de markerade fälten nedan." in body
    assert "Använd en fördröjning på minst 7 dagar." in body
    assert "Inte en webbadress av typen https://www.kommun.se: kommun" in body

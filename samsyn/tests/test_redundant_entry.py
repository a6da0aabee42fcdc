"""WCAG 3.3.7 (redundant entry): in a flow of several steps nothing already entered is
asked for again. The report's "Check before you send … Send anyway" step keeps every
field, a resident's report that is refused for now keeps what was written, the
two-factor step asks only for the code and goes on to the page first asked for, and a
situation picture whose period is not understood keeps the kind and area chosen."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from samsyn.reports.models import Report
from samsyn.residents import guard
from samsyn.residents.models import ResidentReport, ResidentSettings

STOCKHOLM = {"lat": "59.3293", "lon": "18.0686"}  # outside every area: a warning


def _value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def _checked(html: str, name: str) -> list[str]:
    return [
        re.search(r'\bvalue="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
        for tag in re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', html)
        if re.search(r"\bchecked\b", tag)
    ]


def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*\bselected', select.group(1))
    return chosen.group(1) if chosen else None


def _textarea(html: str, name: str) -> str:
    area = re.search(
        rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', html, re.S
    )
    assert area, name
    return area.group(1).strip()


@pytest.mark.django_db
def test_send_anyway_keeps_every_field_of_the_report(
    client: Client, bob: Any, west_area: Any
) -> None:
    client.force_login(bob)
    occurred = timezone.localtime().replace(second=0, microsecond=0)
    entered = {
        "category": "gathering",
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        **STOCKHOLM,
        "place_type": "semi_public",
        "people_count": "7",
        "severity": "3",
        "description": "Sju personer vid fontänen, högljudda",
        "idempotency_key": str(uuid.uuid4()),
    }
    asked = client.post("/reports/new/", entered)
    assert asked.status_code == 200 and not Report.objects.exists()
    html = asked.content.decode()
    assert 'name="confirm"' in html  # the warnings step
    # Everything entered is on the page again, in the form "Send anyway" posts.
    assert _checked(html, "category") == ["gathering"]
    assert _value(html, "occurred_at") == entered["occurred_at"]
    assert _value(html, "lat") == STOCKHOLM["lat"]
    assert _value(html, "lon") == STOCKHOLM["lon"]
    assert _selected(html, "place_type") == "semi_public"
    assert _value(html, "people_count") == "7"
    assert _checked(html, "severity") == ["3"]
    assert _textarea(html, "description") == entered["description"]
    assert _value(html, "idempotency_key") == entered["idempotency_key"]
    confirm = re.search(r'name="confirm" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]

    sent = client.post("/reports/new/", {**entered, "confirm": confirm})
    assert sent.status_code == 302
    report = Report.objects.get()
    assert report.category.code == "gathering"
    assert report.people_count == 7 and report.severity == 3
    assert report.place_type == "semi_public"
    assert report.description == entered["description"]
    assert timezone.localtime(report.occurred_at) == occurred


@pytest.mark.django_db
def test_a_residents_report_refused_for_now_keeps_what_was_written(
    north: Any, west_area: Any
) -> None:
    page = ResidentSettings.objects.create(
        collaboration=north, enabled=True, min_seconds=30
    )
    page.categories.set(north.categories.filter(code__in=["littering", "fire"]))
    entered = {
        "category": "littering",
        "lat": "59.27",
        "lon": "15.2",
        "area": str(west_area.code),
        "text": "Mycket skräp vid lekplatsen",
        # Sent at once: faster than a person writes, refused until min_seconds pass.
        "token": guard.make_token(north),
    }
    refused = Client().post(f"/residents/{north.slug}/report/", entered)
    assert refused.status_code == 400 and not ResidentReport.objects.exists()
    html = refused.content.decode()
    assert _checked(html, "category") == ["littering"]
    assert _value(html, "lat") == "59.27" and _value(html, "lon") == "15.2"
    assert _selected(html, "area") == str(west_area.code)
    assert _textarea(html, "text") == entered["text"]


@pytest.mark.django_db
def test_the_code_step_asks_only_for_the_code_and_returns_to_the_page_asked_for(
    settings: Any, alice: Any
) -> None:
    settings.SAMSYN_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    client = Client()
    asked_for = "/meetings/decisions/"
    signed = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "pw", "next": asked_for},
    )
    assert signed.status_code == 302
    step = client.get(signed["Location"])
    html = step.content.decode()
    # No name or password again: one field, the code, which the phone may fill in.
    fields = set(re.findall(r'<input[^>]*\bname="([^"]+)"', html)) - {
        "csrfmiddlewaretoken",
        "next",
        "language",
    }
    assert fields == {"token"}
    assert _value(html, "next") == asked_for


@pytest.mark.django_db
def test_a_period_not_understood_keeps_the_kind_and_area_chosen(
    client: Client, alice: Any, west_area: Any
) -> None:
    client.force_login(alice)
    back = client.post(
        "/pictures/generate/",
        {"kind": "month", "month": "2026-13", "scope": str(west_area.code)},
    )
    assert back.status_code == 400
    html = back.content.decode()
    assert "field-error" in html
    # The form comes back with what was chosen, for the person to correct the period.
    assert re.search(r'<input[^>]*name="kind"[^>]*value="month"[^>]*checked', html)
    assert _selected(html, "scope") == str(west_area.code)

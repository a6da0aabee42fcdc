"""The members' summary: page, PDF, e-mail digest; and a reporter's own reports."""

from __future__ import annotations

from datetime import date, timedelta

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from samsyn.feedback.summary import parse_period
from samsyn.interventions import actions as iv_actions
from samsyn.organisations.models import AuditEvent
from samsyn.reports.actions import change_status  # noqa: F401
from samsyn.reports.models import Report, ReportStatusChange
from samsyn.tests.support import make_report


def _week_ago() -> tuple[str, timezone.datetime]:
    period = parse_period(None)
    when = timezone.make_aware(
        timezone.datetime.combine(
            period.start + timedelta(days=1), timezone.datetime.min.time()
        )
    )
    return period.key, when


def _data(north_org, north_police, bob, petra, alice, west_area):
    key, when = _week_ago()
    for _ in range(3):
        make_report(north_org, category="littering", occurred_at=when, reporter=bob)
    make_report(north_police, category="gathering", occurred_at=when, reporter=petra)
    fixed = make_report(
        north_org, category="unsafe_lighting", occurred_at=when, reporter=bob
    )
    ReportStatusChange.objects.create(
        report=fixed,
        collaboration=fixed.collaboration,
        status=Report.Status.FIXED,
        created=when + timedelta(hours=2),
    )
    iv = iv_actions.register_intervention(
        north_org.collaboration,
        {
            "title": "Evening walks",
            "kind": "dialogue",
            "owner": north_org,
            "starts_on": when.date(),
        },
        by=alice,
    )
    iv.status = "decided"
    iv.save()
    iv.areas.add(west_area)
    return key, fixed


def test_it_summarises_what_was_reported_and_what_it_led_to(
    north_org, north_police, bob, petra, alice, west_area
):
    key, _fixed = _data(north_org, north_police, bob, petra, alice, west_area)
    client = Client()
    client.force_login(bob)
    html = client.get(f"/feedback/summary/?period={key}").content.decode()
    assert "5</strong>" in html  # five reports
    assert "Thank you, North kommun" in html and "Thank you, North police" in html
    assert "1 problem in the physical environment was fixed" in html
    assert "Evening walks" in html
    assert client.get("/feedback/summary/?period=nonsense").status_code == 404
    assert client.get("/feedback/summary/?period=2026-11").status_code == 200


def test_it_prints_the_summary_as_pdf(
    north_org, north_police, bob, petra, alice, west_area
):
    key, _ = _data(north_org, north_police, bob, petra, alice, west_area)
    client = Client()
    client.force_login(alice)
    response = client.get(f"/feedback/summary/pdf/?period={key}")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    from samsyn.lib.tests.pdfcheck import pdf_accessibility_problems

    assert pdf_accessibility_problems(response.content) == []
    assert "Evening walks" in text


def test_it_emails_the_digest_to_active_members(
    settings, north_org, north_police, bob, petra, alice, west_area, carl
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for user in (bob, alice, carl):
        user.email = f"{user.username}@example.org"
        user.save()
    key, _ = _data(north_org, north_police, bob, petra, alice, west_area)
    call_command("send_feedback_digest", "--collaboration", "north", "--period", key)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.org",
        "bob@example.org",
    ]
    message = mail.outbox[0]
    assert "Evening walks" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "Thank you, North kommun" in html
    event = AuditEvent.objects.get(action="feedback.digest_sent")
    assert event.data["recipients"] == 2 and event.data["period"] == key


def test_it_shows_a_reporter_what_happened_to_their_reports(
    north_org, north_police, bob, petra, alice, west_area
):
    _key, fixed = _data(north_org, north_police, bob, petra, alice, west_area)
    client = Client()
    client.force_login(bob)
    html = client.get("/feedback/mine/").content.decode()
    assert str(fixed.code) in html
    assert "Fixed" in html
    assert "Evening walks" in html
    petra_reports = Report.objects.filter(reporter=petra)
    assert all(str(r.code) not in html for r in petra_reports)


def test_it_parses_weeks_and_months():
    assert parse_period("2026-W47").start == date(2026, 11, 16)
    assert parse_period("2026-12").end == date(2027, 1, 1)
    assert parse_period(None, date(2026, 11, 20)).key == "2026-W46"


def test_it_never_says_zero_reporters_for_reports_without_a_known_sender(
    north_org, north_police, bob
):
    key, when = _week_ago()
    for _ in range(4):
        make_report(north_police, category="gathering", occurred_at=when, reporter=None)
    make_report(north_org, category="littering", occurred_at=when, reporter=bob)
    client = Client(headers={"accept-language": "sv"})
    client.force_login(bob)
    html = client.get(f"/feedback/summary/?period={key}").content.decode()
    rows = {
        org: html.split(f"Tack, {org}")[1].split("</tr>")[0]
        for org in ("North police", "North kommun")
    }
    assert '<td class="num">—</td>' in rows["North police"]
    assert '<td class="num">1</td>' in rows["North kommun"]
    assert "Kända rapportörer" in html and ">0</td>" not in rows["North police"]

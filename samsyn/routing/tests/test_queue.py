"""The owner's queue, "inte vårt", the reporter's notice, rules' bad input."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError, RestrictedError
from PIL import Image

from samsyn.organisations.models import AuditEvent, Membership
from samsyn.reports.models import Report
from samsyn.routing.actions import RuleError, save_rule
from samsyn.routing.models import FixPhoto, ReporterNotice, RoutingRule
from samsyn.routing.tests.conftest import OFF_ESTATE, ON_ESTATE, category
from samsyn.routing.tests.test_routing import post_api
from samsyn.tests.support import api_client, member

pytestmark = pytest.mark.django_db


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_the_queue_lists_own_open_reports_oldest_first(
    client, bob, rules, housing_staff, now, time_machine
):
    # Six days ago: the five-day promise is broken, so it is marked overdue.
    time_machine.move_to(now - timedelta(days=6))
    first = post_api(bob, ON_ESTATE)
    time_machine.move_to(now)
    second = post_api(bob, ON_ESTATE, "vandalism_glass")
    other = post_api(bob, OFF_ESTATE)  # the municipality's
    client.force_login(housing_staff)
    page = client.get("/routing/queue/")
    assert page.status_code == 200
    codes = [i["report"].code for i in page.context["items"]]
    assert codes == [first.code, second.code]
    assert other.code not in codes
    assert [i["overdue"] for i in page.context["items"]] == [True, False]
    assert page.content.decode().count("rt-item-overdue") == 1
    api = api_client(housing_staff).get("/api/v1/routing/queue").json()
    assert [i["code"] for i in api] == [str(first.code), str(second.code)]
    assert [i["overdue"] for i in api] == [True, False]


def test_the_owner_marks_it_fixed_with_a_photo_and_the_reporter_hears(
    client, bob, rules, housing_staff, django_capture_on_commit_callbacks
):
    report = post_api(bob, ON_ESTATE)
    client.force_login(housing_staff)
    upload = SimpleUploadedFile("lamp.jpg", jpeg_with_exif(), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/routing/queue/{report.code}/",
            {"action": "done", "status": "fixed", "note": "Ny lampa", "photo": upload},
        )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.FIXED
    photo = FixPhoto.objects.get()
    with photo.photo.open("rb") as f, Image.open(f) as stored:
        assert 0x010F not in stored.getexif()  # metadata stripped
    assert client.get(f"/routing/photos/{photo.code}/").status_code == 200
    notice = ReporterNotice.objects.get(user=bob)
    assert notice.report == report and notice.status == Report.Status.FIXED
    assert bob.notifications.filter(kind="report_fixed").count() == 1
    client.force_login(bob)
    page = client.get("/routing/notices/").content.decode()
    assert "Ny lampa" in page


def test_a_member_marks_it_fixed_through_the_api(
    bob, rules, housing_staff, django_capture_on_commit_callbacks
):
    report = post_api(bob, ON_ESTATE)
    with django_capture_on_commit_callbacks(execute=True):
        r = api_client(housing_staff).post(
            f"/api/v1/reports/{report.code}/status",
            {"status": "fixed", "note": "Klart"},
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    notice = ReporterNotice.objects.get(report=report)
    assert (notice.user, notice.note) == (bob, "Klart")


def test_inte_vart_goes_back_to_the_coordinators(
    client, bob, alice, rules, housing_staff
):
    report = post_api(bob, ON_ESTATE)
    client.force_login(housing_staff)
    r = client.post(
        f"/routing/queue/{report.code}/",
        {"action": "decline", "reason": "Kommunens gångväg"},
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.REPORTED and report.owner is None
    rules["estates"].refresh_from_db()
    assert rules["estates"].needs_review
    assert rules["estates"].review_note == "Kommunens gångväg"
    assert AuditEvent.objects.filter(action="report.declined").exists()
    assert client.get("/routing/queue/").context["items"] == []
    client.force_login(alice)
    page = client.get("/routing/rules/").content.decode()
    assert "Kommunens gångväg" in page


def test_a_decline_needs_a_reason(client, bob, rules, housing_staff):
    report = post_api(bob, ON_ESTATE)
    client.force_login(housing_staff)
    r = client.post(f"/routing/queue/{report.code}/", {"action": "decline"})
    assert r.status_code == 422
    report.refresh_from_db()
    assert report.status == Report.Status.ASSIGNED


def test_a_restricted_report_is_hidden_from_an_owner_who_may_not_see_it(
    bob, rules, north_housing, housing_staff, django_capture_on_commit_callbacks
):
    r = api_client(bob).post(
        "/api/v1/reports",
        {
            "category": "unsafe_lighting",
            "lat": ON_ESTATE[1],
            "lon": ON_ESTATE[0],
            "restricted": True,
        },
        content_type="application/json",
    )
    report = Report.objects.get(code=r.json()["id"])
    assert report.owner == north_housing
    assert api_client(housing_staff).get("/api/v1/routing/queue").json() == []
    assert housing_staff.notifications.count() == 0


def test_a_notice_names_only_the_reporters_own_report(
    bob, petra, alice, rules, django_capture_on_commit_callbacks
):
    from samsyn.reports.actions import change_status

    mine = post_api(bob, OFF_ESTATE)
    theirs = post_api(petra, OFF_ESTATE, "vandalism_glass")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(mine, by=alice, status=Report.Status.FIXED, note="Lagad")
        change_status(theirs, by=alice, status=Report.Status.CLOSED_NOT_FIXED)
    assert list(
        ReporterNotice.objects.filter(user=bob).values_list("report", flat=True)
    ) == [mine.pk]
    body = bob.notifications.get(kind="report_fixed").body
    assert "Lagad" in body
    assert str(theirs.code) not in body and "krossat" not in body.lower()


def test_someone_outside_the_owner_has_no_queue_item(client, bob, rules, sam):
    report = post_api(bob, ON_ESTATE)
    client.force_login(sam)  # steering group: no queue
    assert client.get("/routing/queue/").status_code == 404
    client.force_login(bob)  # the municipality's reporter: not theirs
    assert client.get(f"/routing/queue/{report.code}/").status_code == 404


# --- rules: bad input -------------------------------------------------------------


def test_a_rule_for_an_organisation_outside_the_collaboration_is_refused(
    north, south_org, alice
):
    rule = RoutingRule(collaboration=north, owner=south_org)
    with pytest.raises(RuleError) as exc:
        save_rule(rule, by=alice)
    assert "not a member" in str(exc.value)
    assert not RoutingRule.objects.exists()


def test_two_equally_specific_rules_are_refused(
    client, north, north_org, north_police, alice
):
    RoutingRule.objects.create(
        collaboration=north, category=category(north, "littering"), owner=north_org
    )
    client.force_login(alice)
    r = client.post(
        "/routing/rules/",
        {
            "category": category(north, "littering").pk,
            "where": "anywhere",
            "owner": north_police.pk,
            "promised_days": 10,
            "active": "on",
            "action": "save",
        },
    )
    assert r.status_code == 422
    assert "equally" in r.content.decode()
    assert RoutingRule.objects.count() == 1


def test_the_preview_counts_history_without_writing(
    client, north, bob, alice, north_org, west_area
):
    for _ in range(3):
        post_api(bob, OFF_ESTATE)
    post_api(bob, OFF_ESTATE, "vandalism_glass")
    client.force_login(alice)
    r = client.post(
        "/routing/rules/",
        {
            "category": category(north, "unsafe_lighting").pk,
            "where": "anywhere",
            "owner": north_org.pk,
            "promised_days": 7,
            "active": "on",
            "action": "preview",
        },
    )
    assert r.status_code == 200
    preview = r.context["preview"]
    assert (preview.total, preview.to_owner, preview.today) == (4, 3, 0)
    assert not RoutingRule.objects.exists()


def test_an_organisation_with_rules_or_properties_cannot_be_deleted(
    rules, north_housing
):
    with pytest.raises((RestrictedError, ProtectedError)):
        north_housing.delete()


def test_staff_role_sees_the_queue(client, bob, rules, north_housing):
    reporter = member(north_housing, Membership.Role.REPORTER, "rita")
    post_api(bob, ON_ESTATE)
    client.force_login(reporter)
    assert len(client.get("/routing/queue/").context["items"]) == 1

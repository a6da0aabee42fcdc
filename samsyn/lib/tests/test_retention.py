"""Retention (purge_free_text), GDPR export (export_user_data) and erasure
(remove_user): personal data goes, the facts that are counted stay."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from samsyn.accounts.models import ApiToken
from samsyn.lib.retention import export_user_data, purge_free_text, remove_user
from samsyn.organisations.models import AuditEvent, record
from samsyn.reports.models import DeletionLog, Report, ReportStatusChange
from samsyn.tests.support import INSIDE_EAST, make_report


def counts(collab):
    return sorted(
        (tuple("" if v is None else str(v) for v in row))
        for row in Report.objects.filter(collaboration=collab)
        .values("category__code", "area_id", "people_count", "severity", "status")
        .annotate(n=Count("id"))
        .values_list(
            "category__code", "area_id", "people_count", "severity", "status", "n"
        )
    )


@pytest.fixture
def old_and_new(north, north_org, bob, west_area, east_area):
    north.retention_days = 365
    north.save()
    now = timezone.now()
    old = [
        make_report(
            north_org,
            category=cat,
            reporter=bob,
            description="Glas överallt",
            created=now - timedelta(days=400 + i),
            occurred_at=now - timedelta(days=401 + i),
            people_count=4 if cat == "gathering" else None,
            idempotency_key=f"old-{i}",
            lonlat=INSIDE_EAST if i % 2 else (15.20, 59.27),
        )
        for i, cat in enumerate(["gathering", "gathering", "littering", "gathering"])
    ]
    new = make_report(
        north_org,
        reporter=bob,
        description="Fem unga vid kiosken",
        created=now - timedelta(days=10),
        idempotency_key="new-1",
    )
    return old, new


def test_it_purges_free_text_and_reporter_of_old_reports_only(north, bob, old_and_new):
    old, new = old_and_new
    [result] = [r for r in purge_free_text() if r.collaboration == north]
    assert result.reports == 4
    for r in Report.objects.filter(pk__in=[o.pk for o in old]):
        assert (r.description, r.reporter_id, r.idempotency_key) == ("", None, None)
    new.refresh_from_db()
    assert (new.description, new.reporter_id) == ("Fem unga vid kiosken", bob.pk)


def test_it_keeps_counts_per_category_and_area_identical(north, old_and_new):
    before = counts(north)
    total = Report.objects.count()
    purge_free_text()
    assert counts(north) == before
    assert Report.objects.count() == total


def test_it_logs_each_run_in_the_deletion_log_and_the_audit(north, old_and_new):
    purge_free_text()
    log = DeletionLog.objects.get(collaboration=north)
    assert (log.kind, log.count) == (DeletionLog.Kind.FREE_TEXT, 4)
    assert timezone.now() - timedelta(days=366) < log.cutoff
    event = AuditEvent.objects.get(
        action="reports.free_text_purged", collaboration=north
    )
    assert event.data["reports"] == 4
    # A second run finds nothing more, and says so.
    purge_free_text()
    assert list(
        DeletionLog.objects.filter(collaboration=north).values_list("count", flat=True)
    ) == [0, 4]


def test_it_empties_status_notes_of_old_reports(north_org, alice, north):
    north.retention_days = 30
    north.save()
    lamp = make_report(
        north_org,
        category="unsafe_lighting",
        created=timezone.now() - timedelta(days=40),
    )
    ReportStatusChange.objects.create(
        report=lamp, collaboration=north, status="fixed", note="Bytt", changed_by=alice
    )
    [result] = [r for r in purge_free_text() if r.collaboration == north]
    assert result.notes == 1
    assert lamp.status_changes.get().note == ""


def test_it_changes_nothing_on_a_dry_run(north, old_and_new):
    call_command("purge_free_text", "--dry-run", stdout=(out := _Out()))
    assert "north: would purge 4 reports" in out.text
    assert Report.objects.exclude(description="").count() == 5
    assert not DeletionLog.objects.exists()


def test_it_runs_as_a_command(north, old_and_new):
    call_command("purge_free_text", "--collaboration", "north", stdout=(out := _Out()))
    assert "north: purged 4 reports" in out.text
    assert Report.objects.exclude(description="").count() == 1


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_it_exports_everything_about_a_user(bob, alice, north_org, tmp_path):
    report = make_report(north_org, reporter=bob, description="Trasig lampa")
    make_report(north_org, reporter=alice, description="Inte Bobs")
    ApiToken.issue(bob)
    record(alice, "accounts.role_changed", bob, collaboration=north_org.collaboration)
    data = export_user_data(bob)
    assert data["user"]["username"] == "bob"
    assert [m["role"] for m in data["memberships"]] == ["reporter"]
    assert [r["code"] for r in data["reports"]] == [str(report.code)]
    assert data["reports"][0]["description"] == "Trasig lampa"
    assert len(data["api_tokens"]) == 1
    assert "accounts.role_changed" in [e["action"] for e in data["audit_events"]]
    out = tmp_path / "bob.json"
    call_command("export_user_data", "bob", "--output", str(out), stderr=_Out())
    assert json.loads(out.read_text())["reports"][0]["code"] == str(report.code)
    assert AuditEvent.objects.filter(action="accounts.user_data_exported").exists()


def test_it_removes_a_user_but_keeps_their_reports_facts(bob, north, north_org):
    reports = [make_report(north_org, reporter=bob) for _ in range(3)]
    _token, _raw = ApiToken.issue(bob)
    before = counts(north)
    log = remove_user(bob)
    bob.refresh_from_db()
    assert not bob.is_active and not bob.has_usable_password()
    assert bob.username.startswith("removed-") and bob.email == ""
    assert not bob.memberships.filter(active=True).exists()
    assert not ApiToken.objects.active().filter(user=bob).exists()
    assert Report.objects.filter(pk__in=[r.pk for r in reports]).count() == 3
    assert not Report.objects.filter(reporter=bob).exists()
    assert counts(north) == before
    assert (log.kind, log.count, log.collaboration) == ("user", 3, north)
    assert AuditEvent.objects.filter(
        action="accounts.user_removed", target_code=str(bob.code)
    ).exists()


def test_it_removes_a_user_from_the_command_line(bob, client):
    call_command("remove_user", "bob", "--yes", stdout=_Out())
    bob.refresh_from_db()
    assert not bob.is_active
    assert not client.login(username="bob", password="x")

"""Large exports run as jobs (stored file, progress, audited download); small ones
stay immediate; the `samsyn export` command writes a file with progress."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from samsyn.integrations.export_jobs import build_export
from samsyn.jobs.models import Job
from samsyn.organisations.models import AuditEvent, Membership
from samsyn.tests.support import make_report

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _codes(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    # The first column is the code, headed "code" (machine layout) or in words.
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return [r[0] for r in rows[1:]]


QUERY = {"kind": "reports", "format": "csv"}


def test_a_large_export_is_a_job_with_the_same_content(
    settings, north_org, north_police, alice
):
    reports = [make_report(north_org) for _ in range(3)]
    secret = make_report(north_police, restricted=True)
    client = _client(alice)
    immediate = client.get("/integrations/export/", QUERY)
    assert immediate["Content-Type"].startswith("text/csv")
    assert set(_codes(immediate.content)) == {str(r.code) for r in [*reports, secret]}

    settings.SAMSYN_EXPORT_JOB_ROWS = 2
    pending = client.get("/integrations/export/", QUERY)
    assert pending.status_code == 200
    assert pending["Content-Type"].startswith("text/html")
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert job.owner == alice and job.status == Job.Status.DONE
    assert job.stage == "Saving the file"
    assert job.done == job.total == 4
    assert f"/integrations/export/{job.code}/download/" in pending.content.decode()

    download = client.get(job.result_url)
    assert download.status_code == 200
    assert download.content == immediate.content
    assert download["Content-Disposition"] == immediate["Content-Disposition"]
    built = AuditEvent.objects.filter(action="export.reports").order_by("id")
    assert [e.data.get("job") for e in built] == [None, str(job.code)]
    assert built[1].data["count"] == 4
    fetched = AuditEvent.objects.get(action="export.download")
    assert fetched.actor == alice
    assert fetched.data == {"job": str(job.code), "kind": "reports", "format": "csv"}


def test_the_job_shows_progress_while_queued_and_a_worker_finishes_it(
    settings, north_org, bob
):
    settings.SAMSYN_EXPORT_JOB_ROWS = 1
    settings.TASKS = DUMMY
    for _ in range(2):
        make_report(north_org)
    client = _client(bob)
    page = client.get("/integrations/export/", {**QUERY, "format": "geojson"})
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert job.status == Job.Status.QUEUED
    html = page.content.decode()
    assert f'hx-get="/jobs/{job.code}/progress/"' in html
    # Asking again finds the same unfinished job.
    client.get("/integrations/export/", {**QUERY, "format": "geojson"})
    assert Job.objects.filter(kind=Job.Kind.EXPORT).count() == 1
    # Not ready yet: the download is the pending page, not a file.
    early = client.get(f"/integrations/export/{job.code}/download/")
    assert early["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="export.download").exists()

    query = {"format": ["geojson"], "kind": ["reports"]}
    assert (
        build_export.call(
            bob.pk, job.collaboration_id, "reports", "geojson", query, job.pk
        )
        == 2
    )
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    doc = json.loads(client.get(job.result_url).content)
    assert len(doc["features"]) == 2


def test_nobody_else_gets_the_job_or_its_file(settings, north_org, alice, bob, carl):
    settings.SAMSYN_EXPORT_JOB_ROWS = 0
    make_report(north_org)
    _client(alice).get("/integrations/export/", QUERY)
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    url = f"/integrations/export/{job.code}/download/"
    assert _client(alice).get(url).status_code == 200
    for other in (bob, carl):  # a colleague; another collaboration's coordinator
        client = _client(other)
        assert client.get(url).status_code == 404
        assert client.get(f"/jobs/{job.code}/").status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page

    # The file was built with alice's rights: once they change, it is not hers.
    Membership.objects.filter(user=alice, role=Membership.Role.COORDINATOR).update(
        role=Membership.Role.REPORTER
    )
    assert _client(alice).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="export.download").count() == 1


def test_small_exports_stay_immediate(north_org, bob):
    make_report(north_org)
    r = _client(bob).get("/integrations/export/", QUERY)
    assert r["Content-Type"].startswith("text/csv")
    assert not Job.objects.exists()


def test_the_command_exports_with_progress_lines(tmp_path, north_org, north_police):
    public = make_report(north_org)
    secret = make_report(north_police, restricted=True)
    out = tmp_path / "reports.csv"
    stdout, stderr = io.StringIO(), io.StringIO()
    args = ["--collaboration", "north", "--kind", "reports", "--format", "csv"]
    call_command("export", *args, "--output", str(out), stdout=stdout, stderr=stderr)
    assert _codes(out.read_bytes()) == [str(public.code)]
    log = stderr.getvalue()
    assert "\r" not in log  # not a terminal: plain lines
    assert "reports (csv): Reading the rows" in log
    assert "Writing the file 1/1 rows (100%)" in log
    assert "done in" in log
    assert "1 rows written" in stdout.getvalue()
    event = AuditEvent.objects.get(action="export.reports")
    assert event.actor is None
    assert event.data["include_restricted"] is False and event.data["count"] == 1

    call_command(
        "export", *args, "--output", str(out), "--include-restricted", stderr=stderr
    )
    assert set(_codes(out.read_bytes())) == {str(public.code), str(secret.code)}


def test_the_command_refuses_an_unknown_collaboration(tmp_path, north):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "export", "--collaboration", "nowhere", "--output", str(tmp_path / "x")
        )

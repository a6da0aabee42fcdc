"""Retention for jobs: old files go, the job says so, old rows and stray folders go."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from samsyn.jobs.cleanup import purge_jobs
from samsyn.jobs.files import open_result, save_result
from samsyn.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.SAMSYN_JOB_FILE_DAYS = 7
    settings.SAMSYN_JOB_KEEP_DAYS = 90
    return tmp_path


def finished_job(collab, owner, *, days_ago: float, status=Job.Status.DONE) -> Job:  # type: ignore[no-untyped-def]
    when = timezone.now() - timedelta(days=days_ago)
    return Job.objects.create(
        collaboration=collab,
        owner=owner,
        kind=Job.Kind.EXPORT,
        status=status,
        created=when,
        finished=when,
        updated=when,
        result_url="/integrations/export/x/",
    )


def test_a_file_older_than_the_limit_is_removed_and_the_job_says_so(north, alice):
    old = finished_job(north, alice, days_ago=8)
    new = finished_job(north, alice, days_ago=6)
    save_result(old, "rapporter.csv", b"a;b\n1;2\n")
    save_result(new, "rapporter.csv", b"a;b\n3;4\n")

    result = purge_jobs()

    assert (result.files, result.bytes, result.rows) == (1, 8, 0)
    assert open_result(old) is None
    assert open_result(new) == ("rapporter.csv", b"a;b\n3;4\n")
    old.refresh_from_db()
    assert old.result_removed is not None and old.result_url == ""
    new.refresh_from_db()
    assert new.result_removed is None

    c = Client()
    c.force_login(alice)
    html = c.get(f"/jobs/{old.code}/progress/").content.decode()
    assert "The file was removed on" in html and "kept 7 days" in html
    assert "Open the result" not in html


def test_a_second_run_removes_nothing_more(north, alice):
    save_result(finished_job(north, alice, days_ago=8), "a.pdf", b"%PDF")
    assert purge_jobs().files == 1
    again = purge_jobs()
    assert (again.files, again.rows, again.orphans) == (0, 0, 0)


def test_running_and_queued_jobs_are_never_touched(north, alice):
    running = finished_job(north, alice, days_ago=200, status=Job.Status.RUNNING)
    save_result(running, "half.csv", b"x")
    result = purge_jobs()
    assert (result.files, result.rows) == (0, 0)
    assert Job.objects.filter(pk=running.pk).exists()
    assert open_result(running) == ("half.csv", b"x")


def test_old_jobs_are_deleted_with_their_files(north, alice, media):
    ancient = finished_job(north, alice, days_ago=100, status=Job.Status.FAILED)
    save_result(ancient, "x.csv", b"12345")
    kept = finished_job(north, alice, days_ago=30)

    result = purge_jobs()

    assert (result.rows, result.files, result.bytes) == (1, 1, 5)
    assert not Job.objects.filter(pk=ancient.pk).exists()
    assert Job.objects.filter(pk=kept.pk).exists()
    assert not (media / "jobs" / str(ancient.code)).exists()


def test_a_folder_with_no_job_is_removed_and_a_foreign_one_is_left(media):
    stray = media / "jobs" / str(uuid.uuid4())
    stray.mkdir(parents=True)
    (stray / "old.csv").write_bytes(b"x")
    foreign = media / "jobs" / "not-a-job"
    foreign.mkdir()

    assert purge_jobs().orphans == 1
    assert not stray.exists()
    assert foreign.exists()


def test_a_dry_run_counts_and_changes_nothing(north, alice):
    job = finished_job(north, alice, days_ago=8)
    save_result(job, "a.csv", b"abc")
    ancient = finished_job(north, alice, days_ago=120)

    out = io.StringIO()
    call_command("purge_jobs", "--dry-run", stdout=out)

    assert "would remove 1 job files (3 bytes), 1 old jobs" in out.getvalue()
    assert open_result(job) == ("a.csv", b"abc")
    assert Job.objects.filter(pk=ancient.pk).exists()
    job.refresh_from_db()
    assert job.result_removed is None


def test_the_command_takes_its_limits_from_options(north, alice):
    job = finished_job(north, alice, days_ago=2)
    save_result(job, "a.csv", b"abc")
    out = io.StringIO()
    call_command("purge_jobs", "--file-days", "1", stdout=out)
    assert "removed 1 job files" in out.getvalue()
    assert open_result(job) is None


def test_a_removed_walk_pdf_offers_a_fresh_one_not_the_old_job(north, alice):
    job = finished_job(north, alice, days_ago=8)
    job.kind = Job.Kind.OTHER
    job.save()
    save_result(job, "walk.pdf", b"%PDF")
    purge_jobs()
    job.refresh_from_db()
    from django.template.loader import render_to_string

    html = render_to_string(
        "walks/pdf_pending.html",
        {"job": job, "walk": type("W", (), {"code": uuid.uuid4()})},
    )
    assert "The PDF has been removed" in html
    assert f"job={job.code}" not in html

"""Task workers that die: their tasks go back to the queue and run once elsewhere."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from samsyn.jobs.models import Job, WorkerBeat
from samsyn.jobs.workers import (
    Heartbeat,
    beat,
    recover_stale_claims,
    release_own_claims,
)
from samsyn.pictures.models import PictureEvent

pytestmark = pytest.mark.django_db

STALE = 30


@pytest.fixture
def queue_in_database(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SAMSYN_WORKER_STALE_SECONDS = STALE
    settings.SAMSYN_TASK_MAX_ATTEMPTS = 3


def picture_pdf_in_queue(north, alice):  # type: ignore[no-untyped-def]
    from samsyn.lib.weeks import parse_period
    from samsyn.pictures.actions import generate_picture
    from samsyn.pictures.tasks import queue_picture_pdf

    picture = generate_picture(
        north, "week", parse_period("week", "2026-W46"), None, by=alice
    )
    job = queue_picture_pdf(picture)
    task = DBTaskResult.objects.get()
    return picture, job, task


def claimed(task: DBTaskResult, worker: str, at) -> DBTaskResult:  # type: ignore[no-untyped-def]
    task.claim(worker)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=at)
    task.refresh_from_db()
    return task


def run_worker(worker_id: str) -> None:
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--worker-id",
        worker_id,
        stdout=io.StringIO(),
    )


# The worker commits as it goes (as in production): a real transaction per statement.
@pytest.mark.django_db(transaction=True)
def test_a_pdf_whose_worker_died_is_queued_again_and_finished_once_by_another(
    queue_in_database, north, east_area, alice, now, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    picture, job, task = picture_pdf_in_queue(north, alice)
    # Worker A claimed it and got as far as laying it out, then was killed -9.
    claimed(task, "worker-a", now - timedelta(seconds=STALE + 5))
    Job.objects.filter(pk=job.pk).update(status="running", stage="Laying out the PDF")
    WorkerBeat.objects.create(
        worker_id="worker-a", seen=now - timedelta(seconds=STALE + 1)
    )

    assert recover_stale_claims(now=now) == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == "READY"

    run_worker("worker-b")

    task.refresh_from_db()
    job.refresh_from_db()
    picture.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.worker_ids == ["worker-a", "worker-b"]
    assert job.status == Job.Status.DONE
    assert picture.pdf and picture.pdf_built_for == picture.updated
    assert (
        PictureEvent.objects.filter(picture=picture, kind=PictureEvent.Kind.PDF).count()
        == 1
    )
    assert not WorkerBeat.objects.filter(worker_id="worker-b").exists()


def test_a_task_of_a_live_worker_stays_with_it(
    queue_in_database, north, east_area, alice, now
):
    _picture, _job, task = picture_pdf_in_queue(north, alice)
    claimed(task, "worker-a", now - timedelta(minutes=10))  # a long PDF
    beat("worker-a", now=now - timedelta(seconds=STALE - 5))

    assert recover_stale_claims(now=now) == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_a_task_just_claimed_is_left_alone_even_without_a_heartbeat(
    queue_in_database, north, east_area, alice, now
):
    _picture, _job, task = picture_pdf_in_queue(north, alice)
    claimed(task, "worker-a", now - timedelta(seconds=STALE - 1))

    assert recover_stale_claims(now=now) == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_a_task_that_lost_its_worker_too_often_fails(
    queue_in_database, north, east_area, alice, now
):
    _picture, _job, task = picture_pdf_in_queue(north, alice)
    for worker in ("a", "b"):
        task.claim(worker)
    claimed(task, "c", now - timedelta(minutes=5))

    assert recover_stale_claims(now=now) == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert "3 times" in task.traceback


def test_a_worker_that_lost_the_database_hands_back_only_its_own_tasks(
    queue_in_database, north, east_area, alice, now
):
    from samsyn.lib.weeks import parse_period
    from samsyn.pictures.actions import generate_picture
    from samsyn.pictures.tasks import queue_picture_pdf

    _picture, _job, mine = picture_pdf_in_queue(north, alice)
    other_picture = generate_picture(
        north, "week", parse_period("week", "2026-W45"), None, by=alice
    )
    queue_picture_pdf(other_picture)
    theirs = DBTaskResult.objects.exclude(pk=mine.pk).get()
    claimed(mine, "worker-a", now)
    claimed(theirs, "worker-b", now)

    assert release_own_claims("worker-a") == [str(mine.pk)]
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("READY", "RUNNING")


def test_the_heartbeat_recovers_only_after_a_whole_healthy_period(
    queue_in_database, north, east_area, alice, now
):
    _picture, _job, task = picture_pdf_in_queue(north, alice)
    claimed(task, "worker-a", now - timedelta(minutes=5))  # its worker is gone
    ticks = iter([100.0, 100.0, 100.0 + STALE - 1, 100.0 + STALE])
    heart = Heartbeat("worker-b", clock=lambda: next(ticks))

    heart.tick()  # first beat after (re)connecting: healthy from 100
    heart.tick()  # healthy for STALE - 1 s: others may not have beaten again yet
    task.refresh_from_db()
    assert task.status == "RUNNING"
    heart.tick()  # healthy for STALE s: its own view of who is alive is complete
    task.refresh_from_db()
    assert task.status == "READY"
    assert WorkerBeat.objects.filter(worker_id="worker-b").exists()


def test_a_pdf_task_run_again_after_its_file_was_kept_only_ends_the_job(
    north, east_area, alice, settings, tmp_path
):
    # Its worker died between keeping the file and marking the task done.
    settings.MEDIA_ROOT = tmp_path
    from samsyn.lib.weeks import parse_period
    from samsyn.pictures.actions import generate_picture
    from samsyn.pictures.tasks import build_picture_pdf, queue_picture_pdf

    picture = generate_picture(
        north, "week", parse_period("week", "2026-W46"), None, by=alice
    )
    job = queue_picture_pdf(picture)  # the immediate backend builds it
    Job.objects.filter(pk=job.pk).update(status="running", stage="Saving the PDF")

    build_picture_pdf.call(picture.pk, job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (
        PictureEvent.objects.filter(picture=picture, kind=PictureEvent.Kind.PDF).count()
        == 1
    )

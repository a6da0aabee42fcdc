"""Jobs: the polled progress part, who may see a job, and the PDF pages using it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from samsyn.jobs.models import Job
from samsyn.jobs.runner import job_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(north, alice):  # type: ignore[no-untyped-def]
    return Job.objects.create(
        collaboration=north,
        owner=alice,
        kind=Job.Kind.IMPORT,
        label="brott.csv",
        status=Job.Status.RUNNING,
        stage="Checking rows",
        done=250,
        total=1000,
    )


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_the_progress_part_shows_stage_and_figures_and_polls_while_running(
    running, alice
):
    r = client_for(alice).get(f"/jobs/{running.code}/progress/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Checking rows" in html
    assert "250 of 1,000 (25%)" in html  # grouped in the reader's language
    assert 'value="25"' in html
    assert 'hx-trigger="every 1s"' in html
    assert r["Cache-Control"] == "no-store"


def test_a_finished_job_stops_polling_and_links_its_result(running, alice):
    Job.objects.filter(pk=running.pk).update(
        status=Job.Status.DONE, done=1000, result_url="/police/imports/1/"
    )
    html = client_for(alice).get(f"/jobs/{running.code}/progress/").content.decode()
    assert "hx-trigger" not in html
    assert 'href="/police/imports/1/"' in html


def test_a_failed_job_says_why(running, alice):
    Job.objects.filter(pk=running.pk).update(status=Job.Status.FAILED, error="bad")
    html = client_for(alice).get(f"/jobs/{running.code}/progress/").content.decode()
    assert "It stopped: bad" in html


def test_an_owned_job_is_the_owners_only(running, bob, anna, carl):
    for user in (bob, anna, carl):
        assert (
            client_for(user).get(f"/jobs/{running.code}/progress/").status_code == 404
        )
        assert client_for(user).get(f"/jobs/{running.code}/").status_code == 404
    assert running.label not in client_for(bob).get("/jobs/").content.decode()


def test_a_shared_job_is_visible_to_members_of_its_collaboration_only(north, bob, carl):
    job = Job.objects.create(collaboration=north, kind=Job.Kind.PICTURE_PDF)
    assert client_for(bob).get(f"/jobs/{job.code}/progress/").status_code == 200
    assert client_for(carl).get(f"/jobs/{job.code}/progress/").status_code == 404


def test_anonymous_is_sent_to_log_in(running):
    r = Client().get(f"/jobs/{running.code}/progress/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_progress_is_persisted_through_the_runner(north, alice):
    job, created = Job.queue(Job.Kind.EXPORT, collaboration=north, owner=alice)
    assert created and job.status == Job.Status.QUEUED
    with job_progress(job.pk, interval=0) as p:
        p.stage("Writing rows", total=4)
        p.advance(3)
        job.refresh_from_db()
        assert (job.status, job.stage, job.done, job.total) == (
            "running",
            "Writing rows",
            3,
            4,
        )
        assert job.started is not None and job.finished is None
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == 4 and job.finished


def test_queueing_the_same_subject_twice_finds_the_running_job(north):
    a, created_a = Job.queue(Job.Kind.PICTURE_PDF, collaboration=north, subject="x:1")
    b, created_b = Job.queue(Job.Kind.PICTURE_PDF, collaboration=north, subject="x:1")
    assert created_a and not created_b and a.pk == b.pk
    Job.objects.filter(pk=a.pk).update(status=Job.Status.DONE)
    c, created_c = Job.queue(Job.Kind.PICTURE_PDF, collaboration=north, subject="x:1")
    assert created_c and c.pk != a.pk


def test_a_command_prints_progress_lines_when_not_on_a_terminal(north, tmp_path):
    import json

    from samsyn.tests.support import SQUARE_EAST, SQUARE_WEST

    path = tmp_path / "areas.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": ref, "name": ref},
                        "geometry": geom,
                    }
                    for ref, geom in (("W", SQUARE_WEST), ("E", SQUARE_EAST))
                ],
            }
        )
    )
    err = io.StringIO()
    call_command(
        "import_areas",
        str(path),
        "--collaboration",
        "north",
        "--level",
        "area",
        stdout=io.StringIO(),
        stderr=err,
    )
    lines = err.getvalue().splitlines()
    assert "areas: Checking features 0/2 (0%)" in lines
    assert "areas: Writing areas 0/2 (0%)" in lines
    assert lines[-1].startswith("areas: Writing areas 2/2 (100%) (done in")
    assert "\r" not in err.getvalue()


def _picture(north, alice):  # type: ignore[no-untyped-def]
    from samsyn.lib.weeks import parse_period
    from samsyn.pictures.actions import generate_picture

    return generate_picture(
        north, "week", parse_period("week", "2026-W46"), None, by=alice
    )


def test_the_pdf_page_shows_the_running_jobs_stage(north, east_area, alice, bob):
    from samsyn.pictures.tasks import queue_picture_pdf

    picture = _picture(north, alice)
    # A worker has started on it (no PDF yet): the page shows how far it is.
    job, _ = Job.queue(
        Job.Kind.PICTURE_PDF,
        collaboration=north,
        subject=Job.subject_for(picture, picture.updated.timestamp()),
    )
    job.record(status="running", stage="Laying out the PDF", done=1, total=3)
    assert queue_picture_pdf(picture).pk == job.pk  # not queued a second time
    r = client_for(bob).get(f"/pictures/{picture.code}/pdf/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Laying out the PDF" in html and "1 of 3 (33%)" in html
    assert f'hx-get="/jobs/{job.code}/progress/"' in html


def test_building_a_pdf_records_its_stages_and_links_the_file(
    north, east_area, alice, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from samsyn.pictures.tasks import queue_picture_pdf

    picture = _picture(north, alice)
    job = queue_picture_pdf(picture)  # the immediate backend runs it at once
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (job.done, job.total, job.stage) == (3, 3, "Saving the PDF")
    assert job.result_url == f"/pictures/{picture.code}/pdf/"
    assert job.owner is None  # the picture's PDF is the collaboration's
    picture.refresh_from_db()
    assert picture.pdf

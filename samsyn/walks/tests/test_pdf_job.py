"""The walk report PDF runs as a job: a pending page with the picture PDF's stages
while it is built, the file for the reader who asked once it is done."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from samsyn.jobs.models import Job
from samsyn.walks.models import Walk
from samsyn.walks.tasks import build_walk_pdf
from samsyn.walks.tests.helpers import make_observation

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def walk(north):
    walk = Walk.objects.create(
        collaboration=north, title="Evening walk", date=date(2026, 5, 4)
    )
    make_observation(walk)
    return walk


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pdf_is_a_job_with_stages_and_progress(settings, walk, alice, bob, carl):
    settings.TASKS = DUMMY
    client = _client(alice)
    page = client.get(f"/walks/{walk.code}/pdf/")
    assert page["Content-Type"].startswith("text/html")
    job = Job.objects.get()
    assert job.owner == alice and job.status == Job.Status.QUEUED
    assert f'hx-get="/jobs/{job.code}/progress/"' in page.content.decode()
    client.get(f"/walks/{walk.code}/pdf/")  # reloading finds the same job
    assert Job.objects.count() == 1

    build_walk_pdf.call(walk.pk, "http://testserver/", job.pk)
    job.refresh_from_db()
    assert (job.status, job.stage, job.done, job.total) == (
        Job.Status.DONE,
        "Saving the PDF",
        3,
        3,
    )
    pdf = client.get(job.result_url)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="walk-2026-05-04.pdf"' in pdf["Content-Disposition"]
    # Another member, or another collaboration: no such job for them.
    assert _client(bob).get(job.result_url).status_code == 404
    assert _client(carl).get(job.result_url).status_code == 404
    assert client.get(f"/walks/{walk.code}/pdf/?job=nonsense").status_code == 404


def test_a_job_for_another_walk_is_not_served(walk, north, alice):
    other = Walk.objects.create(collaboration=north, title="B", date=date(2026, 5, 5))
    client = _client(alice)
    assert client.get(f"/walks/{walk.code}/pdf/").content.startswith(b"%PDF")
    job = Job.objects.get()
    assert client.get(f"/walks/{other.code}/pdf/?job={job.code}").status_code == 404


def test_the_same_walk_in_the_same_language_is_served_without_building_again(
    walk, alice
):
    client = _client(alice)
    first = client.get(f"/walks/{walk.code}/pdf/")  # built at once (immediate tasks)
    assert first["Content-Type"] == "application/pdf"
    assert Job.objects.count() == 1
    again = client.get(f"/walks/{walk.code}/pdf/")
    assert again["Content-Type"] == "application/pdf"
    assert Job.objects.count() == 1  # the done job's file, not a new job
    client.get(f"/walks/{walk.code}/pdf/", headers={"Accept-Language": "sv"})
    assert Job.objects.count() == 2  # another language is another file
    make_observation(walk, note="Broken lamp by the stairs")
    changed = client.get(f"/walks/{walk.code}/pdf/")
    assert changed["Content-Type"] == "application/pdf"
    assert Job.objects.count() == 3  # the walk changed: a new file


def test_a_worker_writes_the_pdf_in_the_language_of_the_reader_who_asked(walk, alice):
    import io

    from django.utils import translation
    from pypdf import PdfReader

    job = Job.objects.create(
        collaboration=walk.collaboration, owner=alice, kind=Job.Kind.OTHER
    )
    with translation.override("sv"):  # the worker's own language
        build_walk_pdf.call(walk.pk, "http://testserver/", job.pk, "en")
    from samsyn.jobs.files import open_result

    _name, data = open_result(job)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Observations" in text and "Iakttagelser" not in text

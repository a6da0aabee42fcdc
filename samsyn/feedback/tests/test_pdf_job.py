"""The feedback summary PDF runs as a job, like the picture PDF."""

from __future__ import annotations

import pytest
from django.test import Client

from samsyn.feedback.summary import parse_period
from samsyn.feedback.tasks import build_summary_pdf
from samsyn.jobs.models import Job

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_summary_pdf_is_a_job_with_stages(settings, north_org, alice, bob, carl):
    settings.TASKS = DUMMY
    key = parse_period(None).key
    client = _client(alice)
    page = client.get(f"/feedback/summary/pdf/?period={key}")
    assert page["Content-Type"].startswith("text/html")
    job = Job.objects.get()
    assert job.owner == alice and job.status == Job.Status.QUEUED
    assert f'hx-get="/jobs/{job.code}/progress/"' in page.content.decode()

    build_summary_pdf.call(north_org.collaboration_id, key, True, job.pk)
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
    assert f"feedback-north-{key}.pdf" in pdf["Content-Disposition"]
    assert _client(bob).get(job.result_url).status_code == 404
    assert _client(carl).get(job.result_url).status_code == 404
    # The same job under another period is not this period's PDF.
    other = job.result_url.replace(key, "2026-01")
    assert client.get(other).status_code == 404


def test_an_unchanged_summary_is_served_from_the_done_job(north_org, alice):
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from samsyn.tests.support import make_report

    period = parse_period(None)
    key = period.key
    client = _client(alice)
    url = f"/feedback/summary/pdf/?period={key}"
    assert client.get(url)["Content-Type"] == "application/pdf"  # immediate tasks
    assert client.get(url)["Content-Type"] == "application/pdf"
    assert Job.objects.count() == 1
    inside = datetime.combine(period.start + timedelta(days=1), time(12))
    make_report(  # the period's figures change
        north_org, occurred_at=timezone.make_aware(inside)
    )
    assert client.get(url)["Content-Type"] == "application/pdf"
    assert Job.objects.count() == 2

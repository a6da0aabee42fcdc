"""The one picture form (a kind, then a period from a list) and generation as a job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from samsyn.analysis.engine import local_midnight
from samsyn.jobs.models import Job
from samsyn.lib.weeks import period_for
from samsyn.pictures.forms import PictureForm
from samsyn.pictures.models import SituationPicture
from samsyn.tests.support import make_report

pytestmark = pytest.mark.django_db


def test_it_lists_the_periods_newest_first_with_the_running_one_marked(north, now):
    today = timezone.localdate()
    with translation.override("sv"):
        form = PictureForm(collaboration=north, today=today)
        weeks = form.fields["week"].choices
        years = form.fields["year"].choices
        tertials = form.fields[north.period_kind].choices
    running = period_for("week", today)
    assert weeks[0][0] == running.label
    assert weeks[0][1].endswith("(pågår)")
    assert "vecka" in weeks[0][1]
    assert weeks[1][0] == period_for("week", today - timedelta(days=7)).label
    assert not weeks[1][1].endswith("(pågår)")
    # The weekly meeting looks back on the last complete week.
    assert form.fields["week"].initial == weeks[1][0]
    assert years[0] == (str(today.year), f"{today.year} (pågår)")
    assert years[1][0] == str(today.year - 1)
    assert tertials[0][0] == period_for(north.period_kind, today, north).label
    assert tertials[0][1].endswith("(pågår)")
    assert [k for k, _ in form.fields["kind"].choices] == [
        "week",
        "month",
        north.period_kind,
        "year",
    ]


def test_it_generates_a_picture_as_a_job_and_ends_on_the_picture(
    north, north_org, west_area, east_area, alice, client
):
    today = timezone.localdate()
    period = period_for(north.period_kind, today, north)
    make_report(
        north_org, occurred_at=local_midnight(period.start) + timedelta(hours=9)
    )
    client.force_login(alice)
    r = client.post(
        "/pictures/generate/",
        {"kind": north.period_kind, north.period_kind: period.label},
    )
    picture = SituationPicture.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/pictures/{picture.code}/"
    assert picture.kind == north.period_kind and picture.label == period.label
    job = Job.objects.get(kind=Job.Kind.PICTURE)
    assert job.status == Job.Status.DONE
    assert job.result_url == f"/pictures/{picture.code}/"
    assert job.done == job.total
    assert job.stage  # the last step it named
    # The progress part sends the polling page on to the picture.
    part = client.get(f"/jobs/{job.code}/progress/", headers={"HX-Request": "true"})
    assert part["HX-Redirect"] == f"/pictures/{picture.code}/"
    page = client.get(f"/pictures/generating/{job.code}/")
    assert page.status_code == 302 and page["Location"] == job.result_url
    # Asked again, the picture opens as it was: no second job.
    again = client.post(
        "/pictures/generate/",
        {"kind": north.period_kind, north.period_kind: period.label},
    )
    assert again["Location"] == f"/pictures/{picture.code}/"
    assert Job.objects.count() == 1


def test_it_shows_the_progress_of_a_picture_still_being_made(north, alice, client):
    job, _created = Job.queue(
        Job.Kind.PICTURE, collaboration=north, subject="picture:x", label="2026-T3"
    )
    client.force_login(alice)
    r = client.get(f"/pictures/generating/{job.code}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'hx-get="/jobs/{job.code}/progress/"' in html
    assert "HX-Redirect" not in client.get(
        f"/jobs/{job.code}/progress/", headers={"HX-Request": "true"}
    )


def test_it_refuses_a_period_not_in_the_list_and_writes_nothing(north, alice, client):
    client.force_login(alice)
    with translation.override("sv"):
        r = client.post(
            "/pictures/generate/",
            {"kind": "week", "week": "1999-W01"},
            headers={"Accept-Language": "sv"},
        )
    assert r.status_code == 400
    assert "field-error" in r.content.decode()
    assert not SituationPicture.objects.exists()
    assert not Job.objects.exists()
    r = client.post("/pictures/generate/", {"kind": "decade", "week": "2026-W01"})
    assert r.status_code == 400
    assert not SituationPicture.objects.exists()


def test_it_still_takes_the_start_pages_one_button_form(
    north, west_area, alice, client
):
    week = period_for("week", timezone.localdate() - timedelta(days=7))
    client.force_login(alice)
    r = client.post("/pictures/generate/", {"kind": "week", "period": week.label})
    picture = SituationPicture.objects.get()
    assert r["Location"] == f"/pictures/{picture.code}/"
    assert picture.label == week.label

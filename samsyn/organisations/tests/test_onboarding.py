"""The onboarding page: each step's state comes from the collaboration's data, the
page is the administrator's, and `samsyn doctor --collaboration` checks the same."""

from __future__ import annotations

from datetime import UTC, datetime, time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from samsyn.meetings.models import Forum
from samsyn.organisations.models import AuditEvent, Membership, Organisation
from samsyn.organisations.onboarding import onboarding_steps
from samsyn.police.models import PoliceEvent
from samsyn.reports.checklist import STANDARD_CHECKLIST
from samsyn.reports.models import Category
from samsyn.tests.support import CollaborationFactory, make_area, member


@pytest.fixture
def fresh(db):  # type: ignore[no-untyped-def]
    """A collaboration just created: no checklist, no areas, one organisation with
    its administrator."""
    collab = CollaborationFactory(
        slug="nyby", name="Nyby EST", municipality_code="", checklist=False
    )
    org = Organisation.objects.create(
        collaboration=collab,
        slug="nyby-kommun",
        name="Nyby kommun",
        kind="municipality",
    )
    admin = member(org, Membership.Role.ADMIN, "nyby-admin")
    return collab, org, admin


def states(collab) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {step.key: step.done for step in onboarding_steps(collab)}


def police_event(collab, n: int, precision: str = "municipality") -> PoliceEvent:  # type: ignore[no-untyped-def]
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    return PoliceEvent.objects.create(
        collaboration=collab,
        external_id=n,
        occurred_at=at,
        published_at=at,
        name=f"2 mars 10.30, Stöld, {collab.municipality_name}",
        type="Stöld",
        location_name="Nyby län",
        place_name=collab.municipality_name,
        precision=precision,
        centroid_lat=59.27,
        centroid_lon=15.21,
    )


def test_each_step_is_done_only_when_its_data_is_there(fresh) -> None:
    collab, org, admin = fresh
    assert states(collab) == dict.fromkeys(
        ["municipality", "areas", "checklist", "organisations", "people", "police"]
        + ["forum"],
        False,
    )

    collab.municipality_name, collab.municipality_code = "Nyby", "9999"
    collab.save()
    make_area(collab, ref="N1", name="Norr")
    Category.objects.all().delete()
    from samsyn.organisations.actions import seed_checklist

    seed_checklist(collab)
    police = Organisation.objects.create(
        collaboration=collab, slug="nyby-polis", name="Polisen Nyby", kind="police"
    )
    member(police, Membership.Role.REPORTER, "nyby-polis")
    member(org, Membership.Role.COORDINATOR, "nyby-samordnare")
    police_event(collab, 1, precision="county")
    assert states(collab)["police"] is False  # county context is not the municipality
    police_event(collab, 2)
    Forum.objects.create(
        collaboration=collab,
        name="Veckomöte EST",
        kind=Forum.Kind.WEEKLY,
        weekday=Forum.Weekday.TUESDAY,
        start_time=time(9, 0),
    )

    assert all(states(collab).values())
    steps = {s.key: s for s in onboarding_steps(collab)}
    assert steps["areas"].figures == {"areas": 1, "districts": 0}
    assert steps["police"].figures == {"own": 1, "county": 1}
    assert steps["forum"].status == "Veckomöte EST, Tuesday at 09:00"


def test_an_organisation_without_people_keeps_its_step_open(fresh) -> None:
    collab, org, admin = fresh
    Organisation.objects.create(
        collaboration=collab, slug="nyby-polis", name="Polisen Nyby", kind="police"
    )
    step = next(s for s in onboarding_steps(collab) if s.key == "organisations")
    assert not step.done
    assert step.todo == "Invite someone to Polisen Nyby."


def test_the_administrator_sees_the_steps_and_adds_the_checklist(fresh) -> None:
    collab, org, admin = fresh
    client = Client()
    client.force_login(admin)

    page = client.get("/onboarding/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "0 of 7 steps done" in text
    assert f"{len(STANDARD_CHECKLIST)} of the standard ones missing" in text
    assert "samsyn doctor --collaboration nyby" in text

    added = client.post("/onboarding/checklist/")

    assert added.status_code == 302
    assert Category.objects.filter(collaboration=collab).count() == len(
        STANDARD_CHECKLIST
    )
    entry = AuditEvent.objects.get(action="checklist.standard_added")
    assert entry.actor == admin and len(entry.data["codes"]) == len(STANDARD_CHECKLIST)
    again = client.get("/onboarding/").content.decode()
    assert "1 of 7 steps done" in again
    # Twice adds nothing more.
    client.post("/onboarding/checklist/")
    assert Category.objects.filter(collaboration=collab).count() == len(
        STANDARD_CHECKLIST
    )


@pytest.mark.parametrize(
    "role",
    [r for r in Membership.Role.values if r != Membership.Role.ADMIN],
)
def test_only_administrators_see_the_page(fresh, role: str) -> None:
    collab, org, admin = fresh
    client = Client()
    client.force_login(member(org, role, f"nyby-{role}"))
    assert client.get("/onboarding/").status_code == 404
    assert client.post("/onboarding/checklist/").status_code == 404
    assert not Category.objects.filter(collaboration=collab).exists()


def doctor(slug: str) -> list[str]:
    """`samsyn doctor --offline --collaboration SLUG`'s lines (it exits 1 when the
    server's own configuration has an error; onboarding steps are warnings)."""
    out = StringIO()
    try:
        call_command("doctor", "--offline", "--collaboration", slug, stdout=out)
    except SystemExit:
        pass
    return out.getvalue().splitlines()


def test_doctor_checks_a_collaborations_onboarding(fresh) -> None:
    collab, org, admin = fresh
    lines = doctor("nyby")
    assert (
        "[WARN] nyby: Boundaries: districts and areas: 0 areas in 0 districts" in lines
    )
    assert any(line.strip().startswith("→ Import the boundaries") for line in lines)

    make_area(collab, ref="N1", name="Norr")

    assert (
        "[ok  ] nyby: Boundaries: districts and areas: 1 areas in 0 districts"
        in doctor("nyby")
    )

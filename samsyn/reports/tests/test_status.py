"""Status of physical-environment reports: reported → assigned → fixed / closed."""

from __future__ import annotations

import pytest

from samsyn.reports.actions import TransitionNotAllowed, change_status
from samsyn.reports.models import Report, ReportStatusChange
from samsyn.tests.support import make_report


@pytest.fixture
def lamp(north_org):
    return make_report(north_org, category="unsafe_lighting")


def post_status(client, report, **data):
    return client.post(f"/reports/{report.code}/status/", data)


def history(report):
    return list(
        ReportStatusChange.objects.filter(report=report).values_list(
            "status", "owner__slug", "changed_by__username", "note"
        )
    )


def test_it_moves_a_report_from_reported_to_assigned_to_fixed(
    client, alice, lamp, north_housing
):
    client.force_login(alice)
    response = post_status(
        client, lamp, status="assigned", owner="north-housing", note="Ring elbolaget"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{lamp.code}/"
    post_status(client, lamp, status="fixed", note="Lampan bytt")
    lamp.refresh_from_db()
    assert (lamp.status, lamp.owner) == ("fixed", north_housing)
    assert history(lamp) == [
        ("assigned", "north-housing", "alice", "Ring elbolaget"),
        ("fixed", "north-housing", "alice", "Lampan bytt"),
    ]
    page = client.get(f"/reports/{lamp.code}/").content.decode()
    assert page.index("Ring elbolaget") < page.index("Lampan bytt")


def test_it_rejects_a_transition_that_is_not_allowed(client, alice, lamp):
    client.force_login(alice)
    post_status(client, lamp, status="fixed")
    post_status(client, lamp, status="assigned", owner="north-kommun")
    lamp.refresh_from_db()
    assert lamp.status == "fixed"
    assert [h[0] for h in history(lamp)] == ["fixed"]
    with pytest.raises(TransitionNotAllowed):
        change_status(lamp, by=alice, status="closed_not_fixed")
    with pytest.raises(TransitionNotAllowed):
        change_status(lamp, by=alice, status="no-such-status")


def test_it_needs_an_owner_to_assign(client, alice, lamp):
    client.force_login(alice)
    response = post_status(client, lamp, status="assigned")
    assert response.status_code == 302
    lamp.refresh_from_db()
    assert lamp.status == "reported"
    assert history(lamp) == []
    with pytest.raises(TransitionNotAllowed):
        change_status(lamp, by=alice, status=Report.Status.ASSIGNED)


def test_it_assigns_to_an_owner_already_set(alice, north_org):
    report = make_report(north_org, category="littering", owner=north_org)
    change_status(report, by=alice, status="assigned")
    assert report.status == "assigned" and report.owner == north_org


def test_it_appends_history_and_never_rewrites_it(alice, lamp, north_org):
    change_status(lamp, by=alice, status="assigned", owner=north_org, note="a")
    first = ReportStatusChange.objects.get()
    before = (first.pk, first.status, first.note, first.created)
    change_status(lamp, by=alice, status="reported", note="b")
    change_status(lamp, by=alice, status="closed_not_fixed", note="c")
    first.refresh_from_db()
    assert (first.pk, first.status, first.note, first.created) == before
    assert [h[0] for h in history(lamp)] == ["assigned", "reported", "closed_not_fixed"]
    lamp.refresh_from_db()
    assert lamp.status == "closed_not_fixed"  # the column is the latest entry


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("alice", True),  # coordinator: any report
        ("bob", True),  # member of the owner organisation
        ("anna", True),
        ("petra", False),  # police, not the owner
        ("sam", False),  # steering group
        ("carl", False),  # another collaboration
    ],
)
def test_it_lets_only_coordinators_and_the_owner_change_status(
    request, client, north_org, who, allowed
):
    report = make_report(north_org, category="unsafe_lighting", owner=north_org)
    client.force_login(request.getfixturevalue(who))
    response = post_status(client, report, status="fixed")
    assert response.status_code == (302 if allowed else 404)
    report.refresh_from_db()
    assert report.status == ("fixed" if allowed else "reported")
    detail = client.get(f"/reports/{report.code}/")
    if who == "carl":
        assert detail.status_code == 404
    else:
        assert (detail.context["status_form"] is not None) is allowed


def test_it_has_no_status_for_other_categories(client, alice, north_org):
    report = make_report(north_org, category="fire")
    client.force_login(alice)
    assert post_status(client, report, status="fixed").status_code == 404
    assert client.get(f"/reports/{report.code}/").context["status_form"] is None


def test_it_refuses_personal_data_in_the_note(client, alice, lamp):
    client.force_login(alice)
    post_status(client, lamp, status="fixed", note="ring 070-123 45 67")
    lamp.refresh_from_db()
    assert lamp.status == "reported"
    assert history(lamp) == []

"""The policy table: what each role may do, and Access computed from memberships."""

from __future__ import annotations

import pytest

from samsyn.organisations.access import POLICY, Access, Cap
from samsyn.organisations.models import Membership

Role = Membership.Role
C = Cap

EXPECTED = {
    Role.REPORTER: {C.VIEW_REPORTS, C.CREATE_REPORT},
    Role.COORDINATOR: {
        C.VIEW_REPORTS,
        C.CREATE_REPORT,
        C.VIEW_RESTRICTED,
        C.CHANGE_STATUS_ANY,
        C.VIEW_ANALYSIS,
        C.MANAGE_CHECKLIST,
        C.MANAGE_AREAS,
        C.IMPORT_DATA,
        C.APPROVE_PICTURE,
        C.MANAGE_MEETINGS,
        C.MANAGE_INTERVENTIONS,
        C.PUBLISH_FEEDBACK,
        C.PLAN_PATROLS,
        C.MODERATE_RESIDENTS,
        C.MANAGE_WEBHOOKS,
    },
    Role.ANALYST: {C.VIEW_REPORTS, C.VIEW_RESTRICTED, C.VIEW_ANALYSIS},
    Role.ORG_LEAD: {C.VIEW_REPORTS, C.CREATE_REPORT, C.VIEW_ANALYSIS},
    Role.STEERING: {C.VIEW_REPORTS, C.VIEW_ANALYSIS},
    Role.ADMIN: {
        C.VIEW_REPORTS,
        C.MANAGE_CHECKLIST,
        C.MANAGE_AREAS,
        C.MANAGE_PEOPLE,
        C.VIEW_AUDIT,
        C.IMPORT_DATA,
        C.MANAGE_WEBHOOKS,
    },
}


def test_it_gives_every_role_an_entry():
    assert set(POLICY) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_it_grants_each_role_exactly_its_capabilities(role):
    assert set(POLICY[role]) == EXPECTED[role]


@pytest.mark.parametrize(
    ("who", "caps"),
    [
        ("alice", EXPECTED[Role.COORDINATOR]),
        ("bob", EXPECTED[Role.REPORTER]),
        ("anna", EXPECTED[Role.ANALYST]),
        ("sam", EXPECTED[Role.STEERING]),
        ("adam", EXPECTED[Role.ADMIN]),
    ],
)
def test_it_computes_access_from_memberships(request, north, who, caps):
    access = Access.for_user(request.getfixturevalue(who), north)
    assert access.is_member
    assert {c for c in Cap if access.can(c)} == caps


def test_it_gives_nothing_outside_ones_collaborations(carl, north):
    access = Access.for_user(carl, north)
    assert not access.is_member
    assert not any(access.can(c) for c in Cap)
    assert access.reporting_organisations() == []


def test_it_gives_nothing_to_anonymous_users(north):
    from django.contrib.auth.models import AnonymousUser

    access = Access.for_user(AnonymousUser(), north)
    assert access.user is None and not access.is_member


def test_it_ignores_inactive_memberships(bob, north):
    Membership.objects.filter(user=bob).update(active=False)
    bob.__dict__.pop("_membership_cache", None)
    assert not Access.for_user(bob, north).is_member


def test_it_combines_roles_held_in_several_organisations(bob, north, north_police):
    Membership.objects.create(user=bob, organisation=north_police, role=Role.ANALYST)
    access = Access.for_user(bob, north)
    assert access.can(Cap.VIEW_RESTRICTED) and access.can(Cap.CREATE_REPORT)
    # Reporting is per organisation: bob reports for the kommun, only analyses police.
    assert access.reporting_organisations() == [
        bob.memberships.get(role="reporter").organisation_id
    ]


def test_it_lets_coordinators_and_owner_staff_change_status(
    alice, bob, sam, petra, north, north_org, north_police
):
    assert Access.for_user(alice, north).can_change_status(None)
    assert Access.for_user(alice, north).can_change_status(north_police.pk)
    assert Access.for_user(bob, north).can_change_status(north_org.pk)
    assert not Access.for_user(bob, north).can_change_status(north_police.pk)
    assert not Access.for_user(bob, north).can_change_status(None)
    assert not Access.for_user(sam, north).can_change_status(north_org.pk)
    assert Access.for_user(petra, north).can_change_status(north_police.pk)

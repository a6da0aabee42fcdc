"""Creating collaborations, organisations and memberships."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from samsyn.organisations.models import Collaboration, Membership, Organisation, record
from samsyn.reports.checklist import STANDARD_CHECKLIST
from samsyn.reports.models import Category


@transaction.atomic
def create_collaboration(
    *, slug: str, name: str, by: Any = None, **fields: Any
) -> Collaboration:
    """A new collaboration with the standard EST checklist."""
    collab = Collaboration.objects.create(slug=slug, name=name, **fields)
    seed_checklist(collab)
    record(by, "collaboration.created", collab, data={"slug": slug})
    return collab


@transaction.atomic
def add_standard_checklist(collab: Collaboration, *, by: Any) -> list[Category]:
    """Add the standard categories the collaboration's checklist lacks (the
    onboarding page's button), with an audit entry naming them."""
    added = seed_checklist(collab)
    record(
        by,
        "checklist.standard_added",
        collab,
        data={"codes": [c.code for c in added]},
    )
    return added


def seed_checklist(collab: Collaboration) -> list[Category]:
    """Add any standard checklist category the collaboration lacks (idempotent)."""
    have = set(
        Category.objects.filter(collaboration=collab).values_list("code", flat=True)
    )
    new = [
        Category(
            collaboration=collab,
            code=c.code,
            name_sv=c.name_sv,
            name_en=c.name_en,
            group=c.group,
            physical_environment=c.physical_environment,
            counts_people=c.counts_people,
            harm_weight=c.harm_weight,
            sort_order=i,
        )
        for i, c in enumerate(STANDARD_CHECKLIST)
        if c.code not in have
    ]
    return Category.objects.bulk_create(new)


def add_organisation(
    collab: Collaboration, *, slug: str, name: str, kind: str, by: Any = None
) -> Organisation:
    org = Organisation.objects.create(
        collaboration=collab, slug=slug, name=name, kind=kind
    )
    record(by, "organisation.created", org, data={"slug": slug, "kind": kind})
    return org


def add_member(
    user: Any, organisation: Organisation, role: str, *, by: Any = None
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role, "active": True}
    )
    record(
        by,
        "membership.granted",
        organisation,
        data={"user": user.get_username(), "role": role},
    )
    return membership

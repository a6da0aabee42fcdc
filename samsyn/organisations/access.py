"""Who may do what: the one policy table, and the per-request access object.

Views and API endpoints never decide access themselves. They ask `Access` for a
capability, and fetch tenant rows only through QuerySets scoped by it
(`Report.objects.visible_to(access)`), so an object in another collaboration or a
restricted report is a 404, never a 403 (no existence leak).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from samsyn.organisations.models import Collaboration, Membership

if TYPE_CHECKING:
    from samsyn.accounts.models import User

Role = Membership.Role


class Cap(StrEnum):
    """Capabilities. Roles map to sets of these in POLICY below."""

    VIEW_REPORTS = "view_reports"
    CREATE_REPORT = "create_report"
    VIEW_RESTRICTED = "view_restricted"  # all restricted reports, not only own org's
    CHANGE_STATUS_ANY = "change_status_any"  # physical-environment status, any owner
    VIEW_ANALYSIS = "view_analysis"
    MANAGE_CHECKLIST = "manage_checklist"
    MANAGE_AREAS = "manage_areas"
    MANAGE_PEOPLE = "manage_people"
    VIEW_AUDIT = "view_audit"
    IMPORT_DATA = "import_data"  # police events and reported-crime extracts
    APPROVE_PICTURE = "approve_picture"  # approve a situation picture
    MANAGE_MEETINGS = "manage_meetings"  # forums, meetings, minutes, decisions
    MANAGE_INTERVENTIONS = "manage_interventions"  # register, status, evaluate
    PUBLISH_FEEDBACK = "publish_feedback"  # the public feedback page's settings
    PLAN_PATROLS = "plan_patrols"  # guard plans: generate, publish, settings
    MODERATE_RESIDENTS = "moderate_residents"  # residents' reports: queue, settings
    MANAGE_WEBHOOKS = "manage_webhooks"  # webhooks: receivers, secrets, delivery log


# The declared policy. Tests walk every URL against this table.
POLICY: dict[str, frozenset[Cap]] = {
    Role.REPORTER: frozenset({Cap.VIEW_REPORTS, Cap.CREATE_REPORT}),
    Role.COORDINATOR: frozenset(
        {
            Cap.VIEW_REPORTS,
            Cap.CREATE_REPORT,
            Cap.VIEW_RESTRICTED,
            Cap.CHANGE_STATUS_ANY,
            Cap.IMPORT_DATA,
            Cap.VIEW_ANALYSIS,
            Cap.MANAGE_CHECKLIST,
            Cap.MANAGE_AREAS,
            Cap.MANAGE_INTERVENTIONS,
            Cap.MANAGE_MEETINGS,
            Cap.APPROVE_PICTURE,
            Cap.PLAN_PATROLS,
            Cap.PUBLISH_FEEDBACK,
            Cap.MODERATE_RESIDENTS,
            Cap.MANAGE_WEBHOOKS,
        }
    ),
    Role.ANALYST: frozenset({Cap.VIEW_REPORTS, Cap.VIEW_RESTRICTED, Cap.VIEW_ANALYSIS}),
    Role.ORG_LEAD: frozenset({Cap.VIEW_REPORTS, Cap.CREATE_REPORT, Cap.VIEW_ANALYSIS}),
    Role.STEERING: frozenset({Cap.VIEW_REPORTS, Cap.VIEW_ANALYSIS}),
    Role.ADMIN: frozenset(
        {
            Cap.VIEW_REPORTS,
            Cap.MANAGE_CHECKLIST,
            Cap.MANAGE_AREAS,
            Cap.MANAGE_PEOPLE,
            Cap.VIEW_AUDIT,
            Cap.IMPORT_DATA,
            Cap.MANAGE_WEBHOOKS,
        }
    ),
}


@dataclass
class Access:
    """What one user may do in one collaboration (computed once per request)."""

    user: User | None
    collaboration: Collaboration | None
    roles: frozenset[str] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    # organisation id -> roles held in it (status changes depend on the owner org)
    roles_by_org: dict[int, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def for_user(cls, user: User | None, collaboration: Collaboration | None) -> Access:
        if user is None or not user.is_authenticated or collaboration is None:
            return cls(user=None, collaboration=collaboration)
        memberships = user.memberships_in(collaboration)
        by_org: dict[int, set[str]] = {}
        for m in memberships:
            by_org.setdefault(m.organisation_id, set()).add(m.role)
        return cls(
            user=user,
            collaboration=collaboration,
            roles=frozenset(m.role for m in memberships),
            organisation_ids=frozenset(by_org),
            roles_by_org={k: frozenset(v) for k, v in by_org.items()},
        )

    @classmethod
    def everyone(cls, collaboration: Collaboration) -> Access:
        """What every member of the collaboration may see: no restricted report,
        not even one organisation's own.

        For artefacts made by one person and read by people who may not see
        restricted reports (guard plans, read by guards, reporters and the steering
        group): made from this access, they cannot reveal a restricted-only place or
        count to anyone.
        """
        return cls(
            user=None,
            collaboration=collaboration,
            roles=frozenset({Role.STEERING}),
        )

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    def can(self, cap: Cap) -> bool:
        return any(cap in POLICY.get(role, frozenset()) for role in self.roles)

    def can_report_for(self, organisation_id: int) -> bool:
        roles = self.roles_by_org.get(organisation_id, frozenset())
        return any(Cap.CREATE_REPORT in POLICY.get(r, frozenset()) for r in roles)

    def reporting_organisations(self) -> list[int]:
        return sorted(o for o in self.organisation_ids if self.can_report_for(o))

    def can_change_status(self, owner_organisation_id: int | None) -> bool:
        """Coordinators change any status; the owner organisation's staff their own."""
        if self.can(Cap.CHANGE_STATUS_ANY):
            return True
        if owner_organisation_id is None:
            return False
        roles = self.roles_by_org.get(owner_organisation_id, frozenset())
        return bool(roles - {Role.STEERING})

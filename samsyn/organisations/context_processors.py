from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from samsyn.organisations.access import Cap
from samsyn.organisations.middleware import get_access
from samsyn.organisations.models import Membership


def collaboration(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    access = get_access(request)
    return {
        "access": access,
        "active_collaboration": access.collaboration,
        "my_collaborations": list(request.user.collaborations()),
        "can_report": access.can(Cap.CREATE_REPORT),
        "can_analyse": access.can(Cap.VIEW_ANALYSIS),
        "can_manage_checklist": access.can(Cap.MANAGE_CHECKLIST),
        "can_import": access.can(Cap.IMPORT_DATA),
        "can_manage_areas": access.can(Cap.MANAGE_AREAS),
        "can_view_audit": access.can(Cap.VIEW_AUDIT),
        "can_moderate_residents": access.can(Cap.MODERATE_RESIDENTS),
        # Reporters (field staff) get their own short menu.
        "is_reporter_only": access.roles == {Membership.Role.REPORTER},
        "can_route": access.can(Cap.CHANGE_STATUS_ANY),
        # Members whose organisation fixes things have a queue (samsyn.routing).
        "has_fix_queue": access.can(Cap.VIEW_REPORTS)
        and any(access.can_change_status(o) for o in access.organisation_ids),
        "can_onboard": access.can(Cap.MANAGE_PEOPLE),
    }

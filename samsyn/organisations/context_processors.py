from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from samsyn.organisations.access import Cap
from samsyn.organisations.middleware import get_access


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
        "can_view_audit": access.can(Cap.VIEW_AUDIT),
        "can_moderate_residents": access.can(Cap.MODERATE_RESIDENTS),
        "can_onboard": access.can(Cap.MANAGE_PEOPLE),
    }

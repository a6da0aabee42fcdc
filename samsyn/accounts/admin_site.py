"""The Django admin under the second-factor rule.

The admin shows every collaboration's data (restricted reports, API tokens, TOTP
devices), so it admits a staff member only when their session counts under the same
rule as every page (``session_counts``): with SAMSYN_REQUIRE_2FA, staff and
superusers must have entered their code. ``TwoFactorMiddleware`` already sends them
to enrol or verify first; this keeps the admin closed even without it.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from samsyn.accounts.middleware import session_counts


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and session_counts(request.user)

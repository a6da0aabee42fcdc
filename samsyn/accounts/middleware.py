"""Two-factor enforcement and the security headers Django does not send itself."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from samsyn.organisations.models import Membership


def requires_two_factor(user: object) -> bool:
    """Whether the user must use a second factor (roles, or an enrolled device)."""
    if user_has_device(user, confirmed=True):
        return True
    if not settings.SAMSYN_REQUIRE_2FA:
        return False
    return Membership.objects.filter(
        user=user, active=True, role__in=settings.SAMSYN_2FA_ROLES
    ).exists()


class TwoFactorMiddleware:
    """After the password, a user who needs a second factor sees only the OTP pages.

    Needing one means: an enrolled (confirmed) device, or, with SAMSYN_REQUIRE_2FA,
    a coordinator, analyst or administrator role in any collaboration. Such a user
    is sent to verify (or to enrol first); only those pages, sign-out, language,
    static files and the health check stay open. API requests with a bearer token
    authenticate on their own and pass; API requests on an unverified session are
    refused.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or user.is_verified()  # type: ignore[union-attr]
            or self._open(request)
            or not requires_two_factor(user)
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Two-factor verification is required.")}, status=401
            )
        target = (
            "accounts:otp_verify"
            if user_has_device(user, confirmed=True)
            else "accounts:otp_setup"
        )
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse(target)}?{query}")

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith((settings.STATIC_URL, "/healthz", "/i18n/")):
            return True
        if path.startswith("/api/") and request.headers.get(
            "Authorization", ""
        ).startswith("Bearer "):
            return True
        open_pages = (
            reverse("accounts:otp_setup"),
            reverse("accounts:otp_verify"),
            reverse("accounts:logout"),
        )
        return path in open_pages


class SecurityHeadersMiddleware:
    """Permissions-Policy (Django sends the other headers itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.SAMSYN_PERMISSIONS_POLICY
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response

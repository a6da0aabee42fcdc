"""Two-factor enforcement and the security headers Django does not send itself."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from samsyn.organisations.models import Membership


def requires_two_factor(user: object) -> bool:
    """Whether the user must use a second factor.

    Always once they enrolled a device; with SAMSYN_REQUIRE_2FA also for staff and
    superusers (the Django admin sees every collaboration) and for the roles in
    SAMSYN_2FA_ROLES in any collaboration.
    """
    if user_has_device(user, confirmed=True):
        return True
    if not settings.SAMSYN_REQUIRE_2FA:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(
        user=user, active=True, role__in=settings.SAMSYN_2FA_ROLES
    ).exists()


def session_counts(user: object) -> bool:
    """The one rule for a request authenticated by its session (pages, the API's
    session authentication, the Django admin): the session counts only when its user
    is verified with the second factor, or needs none.

    Bearer tokens are the other path and do not pass through here: a request that
    presents one is judged by the token alone (``samsyn.api.TokenAuth``).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    return not requires_two_factor(user)


class TwoFactorMiddleware:
    """After the password, a user who needs a second factor sees only the OTP pages.

    Needing one means: an enrolled (confirmed) device, or, with SAMSYN_REQUIRE_2FA,
    a coordinator, analyst or administrator role in any collaboration. Such a user
    is sent to verify (or to enrol first); only those pages, sign-out, language,
    static files and the health check stay open. API requests on an unverified
    session are refused with 401. API requests that present a bearer token pass on
    to the API, which judges them by the token alone; the unverified session's user
    is taken off such a request, so nothing downstream can fall back to it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or session_counts(user):
            return self.get_response(request)
        if self._bearer(request):
            request.user = AnonymousUser()
            return self.get_response(request)
        if self._open(request):
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
    def _bearer(request: HttpRequest) -> bool:
        return request.path.startswith("/api/") and bool(
            request.headers.get("Authorization")
        )

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith((settings.STATIC_URL, "/healthz", "/i18n/")):
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

"""Sign-in, two-factor enrolment and verification, single sign-on, the audit log."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from samsyn.accounts import oidc
from samsyn.accounts.forms import AuditFilterForm, OtpForm
from samsyn.accounts.middleware import requires_two_factor
from samsyn.accounts.models import User
from samsyn.organisations.access import Cap
from samsyn.organisations.middleware import get_access
from samsyn.organisations.models import AuditEvent, record
from samsyn.reports.models import Report

AUDIT_PAGE_SIZE = 50


def _next(request: HttpRequest, default: str = "home") -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(default)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_name"] = settings.SAMSYN_OIDC_NAME if oidc.enabled() else None
        return context

    def get_success_url(self) -> str:
        # Straight to the code (or enrolment) page instead of a detour via `next`.
        url = super().get_success_url()
        user = self.request.user
        if requires_two_factor(user):
            step = (
                "accounts:otp_verify"
                if user_has_device(user, confirmed=True)
                else "accounts:otp_setup"
            )
            return f"{reverse(step)}?{_query_next(url)}"
        return url


def _query_next(url: str) -> str:
    return urlencode({"next": url})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, confirm with a code."""
    user = request.user
    if user_has_device(user, confirmed=True):
        if not user.is_verified():  # type: ignore[union-attr]
            return redirect(
                f"{reverse('accounts:otp_verify')}?{_query_next(_next(request))}"
            )
        return render(request, "accounts/otp_enabled.html")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=_("Authenticator app"), confirmed=False
        )
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record(user, "2fa.enrolled", user, request=request)
            messages.success(request, _("Two-factor sign-in is now on."))
            return redirect(_next(request))
        form.add_error("token", _("That code is not right. Try the newest one."))
    qr = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#1b1f24", light="#ffffff", omitsize=False
    )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": qr,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request),
            "required": requires_two_factor(user),
        },
    )


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in: the code from the user's authenticator app."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_next(request))
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect(
            f"{reverse('accounts:otp_setup')}?{_query_next(_next(request))}"
        )
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        for device in devices:
            if device.verify_token(token):
                otp_login(request, device)
                record(user, "login.2fa", user, request=request)
                return redirect(_next(request))
        record(user, "login.2fa_failed", user, request=request)
        form.add_error("token", _("That code is not right. Try the newest one."))
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": _next(request)}
    )


def oidc_login(request: HttpRequest) -> HttpResponse:
    """Send the browser to the single sign-on provider."""
    if not oidc.enabled():
        raise Http404
    redirect_uri = request.build_absolute_uri(reverse("accounts:oidc_callback"))
    try:
        url = oidc.begin(request, redirect_uri, _next(request))
    except oidc.OidcError:
        messages.error(request, _("Single sign-on is not available right now."))
        return redirect("accounts:login")
    return redirect(url)


def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back; signs in a pre-linked user."""
    if not oidc.enabled():
        raise Http404
    try:
        user, next_url = oidc.complete(request)
    except oidc.OidcError as exc:
        record(None, "login.oidc_failed", data={"reason": str(exc)}, request=request)
        messages.error(request, exc.user_message)
        return redirect("accounts:login")
    request.samsyn_login_method = "oidc"  # type: ignore[attr-defined]
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(next_url)


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    """The collaboration's audit log, for administrators."""
    access = get_access(request)
    if not access.can(Cap.VIEW_AUDIT):
        raise Http404
    collab = access.collaboration
    members = User.objects.filter(
        memberships__organisation__collaboration=collab
    ).distinct()
    member_codes = [str(c) for c in members.values_list("code", flat=True)]
    # The collaboration's own entries, and its members' sign-ins (which belong to
    # no collaboration).
    events = AuditEvent.objects.filter(
        Q(collaboration=collab)
        | Q(collaboration__isnull=True, actor__in=members)
        | Q(
            collaboration__isnull=True,
            target_type="accounts.user",
            target_code__in=member_codes,
        )
    )
    actions = list(
        events.order_by("action").values_list("action", flat=True).distinct()
    )
    actors = [
        (str(u.code), u.get_full_name() or u.get_username())
        for u in members.order_by("username")
    ]
    form = AuditFilterForm(request.GET or None, actions=actions, actors=actors)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["actor"]:
            events = events.filter(actor__code=data["actor"])
        if data["since"]:
            events = events.filter(created__date__gte=data["since"])
        if data["until"]:
            events = events.filter(created__date__lte=data["until"])
    page = Paginator(
        events.select_related("actor").order_by("-id"), AUDIT_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    _hide_unseen_reports(page.object_list, access)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _hide_unseen_reports(events: Any, access: Any) -> None:
    """Mask entries about reports the viewer may not see (restricted reports).

    An administrator reads the log but not other organisations' restricted reports;
    the entry stays listed (who did what, when) without the report's code or details.
    """
    report_events = [e for e in events if e.target_type == "reports.report"]
    codes = {e.target_code for e in report_events}
    if not codes:
        return
    seen = {
        str(c)
        for c in Report.objects.visible_to(access)
        .filter(code__in=codes)
        .values_list("code", flat=True)
    }
    for event in report_events:
        if event.target_code not in seen:
            event.hidden = True

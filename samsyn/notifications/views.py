"""Notification settings and the delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from samsyn.notifications.actions import save_preferences
from samsyn.notifications.forms import PreferencesForm
from samsyn.notifications.models import Kind, Notification, NotificationPreference
from samsyn.organisations.access import Cap
from samsyn.organisations.middleware import get_access


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Each person's own settings and the last notifications meant for them."""
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            save_preferences(
                request.user, set(form.cleaned_data["kinds"]), by=request.user
            )
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notifications:preferences")
    else:
        off = set(
            NotificationPreference.objects.filter(
                user=request.user, enabled=False
            ).values_list("kind", flat=True)
        )
        form = PreferencesForm(
            initial={"kinds": [k for k in Kind.values if k not in off]}
        )
    log = Notification.objects.for_user(request.user)[:50]
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "log": log,
            "can_see_all": get_access(request).can(Cap.VIEW_AUDIT),
        },
    )


@login_required
def delivery_log(request: HttpRequest) -> HttpResponse:
    """Administrators: every notification of the collaboration and its status."""
    access = get_access(request)
    if not access.can(Cap.VIEW_AUDIT):
        raise Http404
    qs = Notification.objects.visible_to(access).select_related("user")
    status = request.GET.get("status", "")
    if status in Notification.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "notifications/log.html",
        {"log": qs[:200], "status": status, "statuses": Notification.Status.choices},
    )

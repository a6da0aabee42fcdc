"""Sign-ins, sign-in failures and sign-outs go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from samsyn.organisations.models import record


@receiver(user_logged_in, dispatch_uid="samsyn_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    method = getattr(request, "samsyn_login_method", "password")
    record(user, "login", user, data={"method": method}, request=request)


@receiver(user_logged_out, dispatch_uid="samsyn_audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(user, "logout", user, request=request)


@receiver(user_login_failed, dispatch_uid="samsyn_audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    target = get_user_model().objects.filter(username=username).first()
    locked = bool(getattr(request, "axes_locked_out", False))
    record(
        None,
        "login.failed",
        target,
        data={"username": username, "locked_out": locked},
        request=request,
    )

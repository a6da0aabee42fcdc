"""TOTP two-factor sign-in: enrolment, verification, enforcement by role."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from samsyn.organisations.models import AuditEvent
from samsyn.tests.support import api_client


@pytest.fixture
def required(settings):  # type: ignore[no-untyped-def]
    settings.SAMSYN_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(username: str) -> tuple[Client, object]:
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": username, "password": "pw", "next": "/reports/"},
    )
    return client, response


def test_it_sends_a_coordinator_to_enrolment_and_nowhere_else(required, alice):
    client, response = sign_in("alice")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/?next=")
    for path in ("/", "/reports/", "/accounts/audit/", "/admin/"):
        blocked = client.get(path)
        assert blocked.status_code == 302
        assert blocked["Location"].startswith("/accounts/2fa/?next=")
    assert client.get("/api/v1/ping").status_code == 401
    assert client.get("/static/css/site.css").status_code in (200, 404)
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code, inline


def test_it_turns_on_two_factor_with_a_confirmed_code(required, alice):
    client, _ = sign_in("alice")
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed
    wrong = client.post("/accounts/2fa/", {"token": "000000", "next": "/reports/"})
    assert wrong.status_code == 200 and b"not right" in wrong.content
    right = client.post(
        "/accounts/2fa/", {"token": code_for(device), "next": "/reports/"}
    )
    assert right.status_code == 302 and right["Location"] == "/reports/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/reports/").status_code == 200
    assert AuditEvent.objects.filter(action="2fa.enrolled", actor=alice).exists()


def test_it_asks_for_the_code_at_every_sign_in_once_enrolled(required, bob):
    # bob's reporter role does not require it, but he turned it on himself.
    device = TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    client, response = sign_in("bob")
    assert response["Location"].startswith("/accounts/2fa/verify/?next=")
    assert client.get("/reports/").status_code == 302
    wrong = client.post("/accounts/2fa/verify/", {"token": "123456"})
    assert b"not right" in wrong.content
    ok = client.post(
        "/accounts/2fa/verify/", {"token": code_for(device), "next": "/reports/"}
    )
    assert ok["Location"] == "/reports/"
    assert client.get("/reports/").status_code == 200
    actions = set(AuditEvent.objects.filter(actor=bob).values_list("action", flat=True))
    assert {"login", "login.2fa", "login.2fa_failed"} <= actions


def test_it_does_not_require_it_of_reporters(required, bob):
    client, response = sign_in("bob")
    assert response["Location"] == "/reports/"
    assert client.get("/reports/").status_code == 200


@pytest.mark.parametrize("who", ["anna", "adam", "carl"])
def test_it_requires_it_of_analysts_admins_and_coordinators(required, request, who):
    request.getfixturevalue(who)
    client, response = sign_in(who)
    assert response["Location"].startswith("/accounts/2fa/")


def test_it_leaves_token_authenticated_api_clients_alone(required, alice):
    assert api_client(alice).get("/api/v1/ping").status_code == 200


def test_it_lets_an_unverified_user_sign_out(required, alice):
    client, _ = sign_in("alice")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_is_off_for_roles_when_the_setting_is_off(settings, alice):
    settings.SAMSYN_REQUIRE_2FA = False
    client, response = sign_in("alice")
    assert response["Location"] == "/reports/"
    assert client.get("/reports/").status_code == 200


# --- one rule: a session counts only when verified ------------------------------------


@pytest.mark.parametrize("enrolled", [False, True])
@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/reports"),
        ("get", "/api/v1/exports/reports.csv"),
        ("get", "/api/v1/analysis/hotspots"),
        ("post", "/api/v1/reports"),
    ],
)
def test_a_junk_bearer_token_does_not_lift_an_unverified_session(
    required, alice, enrolled, method, path
):
    if enrolled:
        TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    client, _ = sign_in("alice")
    assert client.get("/api/v1/reports").status_code == 401
    response = getattr(client, method)(
        path, content_type="application/json", HTTP_AUTHORIZATION="Bearer x"
    )
    assert response.status_code == 401


def test_a_bad_token_never_falls_back_to_a_verified_session(required, alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    client, _ = sign_in("alice")
    client.post("/accounts/2fa/verify/", {"token": code_for(device)})
    assert client.get("/api/v1/reports").status_code == 200
    # A request that presents a token is judged by that token alone.
    junk = client.get("/api/v1/reports", HTTP_AUTHORIZATION="Bearer x")
    assert junk.status_code == 401


def test_the_api_applies_the_rule_itself(required, alice, rf):
    """Even without the middleware, the API's session authentication needs a
    verified session for a user who must use a second factor."""
    from django.contrib.sessions.backends.db import SessionStore

    from samsyn.api import SessionAuth

    request = rf.get("/api/v1/reports")
    request.session = SessionStore()
    request.user = alice
    alice.is_verified = lambda: False  # type: ignore[attr-defined]
    assert SessionAuth().authenticate(request, "cookie") is None
    alice.is_verified = lambda: True  # type: ignore[attr-defined]
    assert SessionAuth().authenticate(request, "cookie") == alice


# --- staff and superusers -------------------------------------------------------------


@pytest.fixture
def root(db):  # type: ignore[no-untyped-def]
    from samsyn.accounts.models import User

    return User.objects.create_superuser("root", "root@example.org", "pw")


def admin_sign_in(username: str) -> tuple[Client, object]:
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": "pw", "next": "/admin/"},
    )
    return client, response


def test_a_superuser_needs_the_second_factor_in_the_admin(required, root):
    client, response = admin_sign_in("root")
    assert response.status_code == 302
    for path in ("/admin/", "/admin/reports/report/?restricted__exact=1"):
        blocked = client.get(path)
        assert blocked.status_code == 302
        assert blocked["Location"].startswith("/accounts/2fa/?next=")
    # The enrolment page exists for someone with no membership at all.
    assert client.get("/accounts/2fa/").status_code == 200
    device = TOTPDevice.objects.get(user=root)
    done = client.post("/accounts/2fa/", {"token": code_for(device), "next": "/admin/"})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/reports/report/").status_code == 200


def test_staff_need_it_too(required, db):
    from samsyn.accounts.models import User

    User.objects.create_user("clerk", password="pw", is_staff=True)
    client, _ = admin_sign_in("clerk")
    blocked = client.get("/admin/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/accounts/2fa/")


def test_the_admin_site_applies_the_rule_itself(required, root, rf):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = root
    root.is_verified = lambda: False  # type: ignore[attr-defined]
    assert not admin.site.has_permission(request)
    root.is_verified = lambda: True  # type: ignore[attr-defined]
    assert admin.site.has_permission(request)


def test_the_admin_is_open_to_a_superuser_when_the_requirement_is_off(settings, root):
    settings.SAMSYN_REQUIRE_2FA = False
    client, _ = admin_sign_in("root")
    assert client.get("/admin/").status_code == 200

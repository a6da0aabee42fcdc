"""Lockout after repeated failed sign-ins (django-axes)."""

from __future__ import annotations

from django.test import Client

from samsyn.organisations.models import AuditEvent


def attempt(password: str, ip: str = "192.0.2.20", username: str = "bob") -> object:
    return Client(REMOTE_ADDR=ip).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def test_it_locks_out_after_five_failures_for_that_username_and_address(bob):
    for _ in range(4):
        assert attempt("nope").status_code == 200
    fifth = attempt("nope")
    assert fifth.status_code == 429
    locked = attempt("pw")  # even the right password
    assert locked.status_code == 429
    assert b"Too many attempts" in locked.content
    assert b"15 minutes" in locked.content
    # Another address is not locked out, nor another user from this address.
    assert attempt("pw", ip="192.0.2.21").status_code == 302
    assert AuditEvent.objects.filter(action="login.failed").count() >= 5


def test_it_forgets_failures_after_a_successful_sign_in(bob):
    for _ in range(4):
        attempt("nope")
    assert attempt("pw").status_code == 302
    for _ in range(4):
        assert attempt("nope").status_code == 200

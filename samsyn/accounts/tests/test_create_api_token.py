"""`samsyn create_api_token USERNAME` prints a token that works once, stored as a hash."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from samsyn.accounts.models import ApiToken
from samsyn.organisations.models import AuditEvent


def create(*args: str) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_it_prints_a_token_that_authenticates(bob):
    raw = create("bob", "--name", "mobile app")
    assert raw.startswith(ApiToken.PREFIX)
    response = Client().get(
        "/api/v1/categories", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    assert len(response.json()) == 20
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.read_only) == (bob, "mobile app", False)
    assert AuditEvent.objects.filter(action="api_token.created").count() == 1


def test_it_stores_only_a_hash(bob):
    raw = create("bob")
    token = ApiToken.objects.get()
    assert token.key_hash == ApiToken.hash(raw) != raw
    assert raw not in token.key_hash
    assert token.hint == raw[:10] and len(raw) > 30


def test_it_makes_a_new_token_every_time(bob):
    assert create("bob") != create("bob")
    assert ApiToken.objects.count() == 2


def test_it_makes_read_only_tokens(bob):
    raw = create("bob", "--read-only")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/reports").status_code == 200
    response = client.post(
        "/api/v1/reports",
        {"category": "fire", "lat": 59.27, "lon": 15.2},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_it_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        create("nobody")
    assert not ApiToken.objects.exists()


def test_it_stops_working_for_an_inactive_user(bob):
    raw = create("bob")
    bob.is_active = False
    bob.save()
    response = Client().get(
        "/api/v1/categories", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 401

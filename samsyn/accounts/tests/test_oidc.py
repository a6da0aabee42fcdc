"""Single sign-on end to end against a fake OpenID provider on 127.0.0.1.

The provider is a small WSGI app in a thread: discovery document, JWKS and token
endpoint. It signs ID tokens with an RSA key made here from Python integers, so the
test needs no cryptography package either.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.test import Client

from samsyn.accounts import oidc
from samsyn.accounts.models import OidcIdentity, User
from samsyn.organisations.models import AuditEvent

CLIENT_ID = "samsyn-test"
CLIENT_SECRET = "s3cret-for-tests"  # noqa: S105


# --- a throwaway RSA key (test only) -----------------------------------------------


def _small_primes(limit: int) -> list[int]:
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
    return [i for i in range(3, limit) if sieve[i]]


SMALL_PRIMES = _small_primes(20000)


def _probable_prime(bits: int) -> int:
    while True:
        n = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if any(n % p == 0 for p in SMALL_PRIMES):
            continue
        d, r = n - 1, 0
        while d % 2 == 0:
            d //= 2
            r += 1
        for _ in range(16):
            a = secrets.randbelow(n - 3) + 2
            x = pow(a, d, n)
            if x in (1, n - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, n)
                if x == n - 1:
                    break
            else:
                break
        else:
            return n


def _rsa_key() -> tuple[int, int, int]:
    e = 65537
    while True:
        p, q = _probable_prime(1024), _probable_prime(1024)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            return p * q, e, pow(e, -1, phi)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64(n: int) -> str:
    return _b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class FakeProvider:
    def __init__(self) -> None:
        self.n, self.e, self.d = _rsa_key()
        self.codes: dict[str, dict[str, Any]] = {}
        self.issuer = ""
        self.override: dict[str, Any] = {}

    def sign(self, claims: dict[str, Any], kid: str = "k1") -> str:
        header = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid}).encode())
        body = _b64(json.dumps(claims).encode())
        signing_input = f"{header}.{body}".encode()
        k = (self.n.bit_length() + 7) // 8
        t = oidc.SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
        em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        sig = pow(int.from_bytes(em, "big"), self.d, self.n).to_bytes(k, "big")
        return f"{header}.{body}.{_b64(sig)}"

    def authorise(self, location: str, *, sub: str, email: str = "") -> str:
        """What the provider does after the user signs in there: issue a code."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "sub": sub, "email": email}
        return code

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/.well-known/openid-configuration":
            return self._json(
                start_response,
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "jwks_uri": f"{self.issuer}/jwks",
                },
            )
        if path == "/jwks":
            key = {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256"}
            key |= {"n": _int_b64(self.n), "e": _int_b64(self.e)}
            return self._json(start_response, {"keys": [key]})
        if path == "/token" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {
                k: v[0]
                for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()
            }
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if environ.get("HTTP_AUTHORIZATION") != f"Basic {basic}":
                return self._json(
                    start_response, {"error": "invalid_client"}, "401 Unauthorized"
                )
            grant = self.codes.pop(form.get("code", ""), None)
            challenge = _b64(
                hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            )
            if (
                grant is None
                or grant["code_challenge"] != challenge
                or grant["redirect_uri"] != form.get("redirect_uri")
            ):
                return self._json(
                    start_response, {"error": "invalid_grant"}, "400 Bad Request"
                )
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "sub": grant["sub"],
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
            }
            if grant["email"]:
                claims |= {"email": grant["email"], "email_verified": True}
            claims |= self.override
            return self._json(
                start_response, {"id_token": self.sign(claims), "token_type": "Bearer"}
            )
        return self._json(start_response, {"error": "not found"}, "404 Not Found")

    @staticmethod
    def _json(start_response: Any, data: Any, status: str = "200 OK") -> list[bytes]:
        body = json.dumps(data).encode()
        start_response(status, [("Content-Type", "application/json")])
        return [body]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    server = make_server("127.0.0.1", 0, fake, handler_class=_Quiet)
    fake.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def sso(settings, provider):  # type: ignore[no-untyped-def]
    settings.SAMSYN_OIDC_ISSUER = provider.issuer
    settings.SAMSYN_OIDC_CLIENT_ID = CLIENT_ID
    settings.SAMSYN_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.SAMSYN_OIDC_NAME = "Test IdP"
    # The fake provider listens on loopback, which outbound calls refuse unless
    # allowed (an on-premise provider is allowed the same way).
    settings.SAMSYN_OUTBOUND_ALLOW = ["127.0.0.1"]
    oidc._cache.clear()
    provider.override = {}
    return provider


def start(client: Client, provider: FakeProvider) -> str:
    response = client.get("/accounts/sso/", {"next": "/reports/"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{provider.issuer}/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["state"][0] and query["nonce"][0]
    return location


def test_it_signs_in_a_linked_user_end_to_end(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    client = Client()
    assert b"Sign in with Test IdP" in client.get("/accounts/login/").content
    location = start(client, sso)
    code = sso.authorise(location, sub="idp-bob")
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get("/accounts/sso/callback/", {"code": code, "state": state})
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert client.get("/reports/").status_code == 200
    event = AuditEvent.objects.get(action="login", actor=bob)
    assert event.data == {"method": "oidc"}


def test_it_links_a_verified_email_the_admin_entered_then_keeps_the_subject(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, email="bob@example.org")
    client = Client()
    location = start(client, sso)
    code = sso.authorise(location, sub="idp-77", email="Bob@example.org")
    state = parse_qs(urlsplit(location).query)["state"][0]
    client.get("/accounts/sso/callback/", {"code": code, "state": state})
    assert OidcIdentity.objects.get(user=bob).subject == "idp-77"
    assert client.get("/reports/").status_code == 200


def test_it_never_creates_a_user_for_an_unlinked_identity(sso, bob):
    users = User.objects.count()
    client = Client()
    location = start(client, sso)
    code = sso.authorise(location, sub="stranger", email="stranger@example.org")
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get("/accounts/sso/callback/", {"code": code, "state": state})
    assert response["Location"] == "/accounts/login/"
    assert User.objects.count() == users
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.oidc_failed").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        {"aud": "someone-else"},
        {"iss": "http://127.0.0.1:1"},
        {"exp": 1000},
        {"nonce": "replayed"},
    ],
)
def test_it_refuses_id_tokens_that_do_not_check_out(sso, bob, tamper):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    sso.override = tamper
    client = Client()
    location = start(client, sso)
    code = sso.authorise(location, sub="idp-bob")
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get("/accounts/sso/callback/", {"code": code, "state": state})
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_wrong_state_and_a_forged_signature(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    client = Client()
    location = start(client, sso)
    code = sso.authorise(location, sub="idp-bob")
    response = client.get("/accounts/sso/callback/", {"code": code, "state": "forged"})
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session

    now = int(time.time())
    claims = {"iss": sso.issuer, "sub": "idp-bob", "aud": CLIENT_ID}
    token = sso.sign(claims | {"iat": now, "exp": now + 60, "nonce": "n"})
    header, body, sig = token.split(".")
    forged_body = _b64(
        json.dumps(
            claims | {"sub": "idp-admin", "iat": now, "exp": now + 60, "nonce": "n"}
        ).encode()
    )
    with pytest.raises(oidc.OidcError, match="signature"):
        oidc.validate_id_token(
            f"{header}.{forged_body}.{sig}", nonce="n", jwks_uri=f"{sso.issuer}/jwks"
        )
    assert (
        oidc.validate_id_token(token, nonce="n", jwks_uri=f"{sso.issuer}/jwks")["sub"]
        == "idp-bob"
    )


def test_it_calls_no_provider_at_a_private_address_unless_allowed(sso, settings):
    settings.SAMSYN_OUTBOUND_ALLOW = []
    with pytest.raises(oidc.OidcError, match="SAMSYN_OUTBOUND_ALLOW"):
        oidc.discovery()

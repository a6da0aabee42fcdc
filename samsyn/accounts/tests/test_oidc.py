"""Single sign-on end to end against a fake OpenID provider on 127.0.0.1.

The provider is a small WSGI app in a thread: discovery document, JWKS and token
endpoint. Its RSA and EC keys are made here with `cryptography` and it signs ID
tokens with joserfc, as a real provider would; the forged tokens (another key, "none",
HS256 with the public key as the secret) are built by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import translation
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from samsyn.accounts import oidc
from samsyn.accounts.models import OidcIdentity, User
from samsyn.organisations.models import AuditEvent

CLIENT_ID = "samsyn-test"
CLIENT_SECRET = "s3cret-for-tests"  # noqa: S105
REFUSED = oidc.InvalidIdToken.user_message
NOT_LINKED = oidc.NotLinked.user_message


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pem(private_key: Any) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _rsa(bits: int = 2048) -> RSAKey:
    return RSAKey.import_key(
        _pem(rsa.generate_private_key(public_exponent=65537, key_size=bits))
    )


def _ec() -> ECKey:
    return ECKey.import_key(_pem(ec.generate_private_key(ec.SECP256R1())))


class FakeProvider:
    """Publishes `published` (kid -> key) as its JWKS; signs with `signing`."""

    def __init__(self) -> None:
        self.rsa = _rsa()
        self.ec = _ec()
        self.other_rsa = _rsa()  # a key the provider never published
        self.codes: dict[str, dict[str, Any]] = {}
        self.issuer = ""
        self.reset()

    def reset(self) -> None:
        self.published: dict[str, RSAKey | ECKey] = {"r1": self.rsa, "e1": self.ec}
        self.signing: tuple[str, str, RSAKey | ECKey] = ("RS256", "r1", self.rsa)
        self.override: dict[str, Any] = {}
        self.forge: Callable[[dict[str, Any]], str] | None = None
        self.discovery_override: dict[str, Any] = {}
        self.jwks_fetches = 0
        self.after_first_jwks: dict[str, RSAKey | ECKey] = {}

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.published.items():
            public = dict(key.as_dict(private=False))
            keys.append(public | {"kid": kid, "use": "sig"})
        return {"keys": keys}

    def sign(self, claims: dict[str, Any]) -> str:
        if self.forge is not None:
            return self.forge(claims)
        alg, kid, key = self.signing
        return jwt.encode({"alg": alg, "kid": kid}, claims, key, algorithms=[alg])

    def authorise(self, location: str, *, sub: str, email: str = "") -> str:
        """What the provider does after the user signs in there: issue a code."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "sub": sub, "email": email}
        return code

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/.well-known/openid-configuration":
            doc = {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            }
            return self._json(start_response, doc | self.discovery_override)
        if path == "/jwks":
            self.jwks_fetches += 1
            answer = self.jwks()
            self.published |= self.after_first_jwks  # a key rotated in meanwhile
            return self._json(start_response, answer)
        if path == "/token" and environ["REQUEST_METHOD"] == "POST":
            return self._token(environ, start_response)
        return self._json(start_response, {"error": "not found"}, "404 Not Found")

    def _token(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
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
        now = int(time.time())  # the pinned test clock
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
        claims = {k: v for k, v in (claims | self.override).items() if v is not None}
        return self._json(
            start_response, {"id_token": self.sign(claims), "token_type": "Bearer"}
        )

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
    provider.reset()
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


def sign_on(client: Client, provider: FakeProvider, *, sub: str, email: str = ""):  # type: ignore[no-untyped-def]
    """The whole round trip: start, sign in at the provider, come back."""
    location = start(client, provider)
    code = provider.authorise(location, sub=sub, email=email)
    state = parse_qs(urlsplit(location).query)["state"][0]
    return client.get("/accounts/sso/callback/", {"code": code, "state": state})


def assert_refused(response, client: Client, message: Any, reason: str) -> None:  # type: ignore[no-untyped-def]
    """Back on the sign-in page, nobody signed in, told why; the log says more."""
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = str(message)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [expected]
    event = AuditEvent.objects.filter(action="login.oidc_failed").latest("id")
    assert reason in event.data["reason"], event.data["reason"]


def test_it_signs_in_a_linked_user_end_to_end(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    client = Client()
    assert b"Sign in with Test IdP" in client.get("/accounts/login/").content
    response = sign_on(client, sso, sub="idp-bob")
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert client.get("/reports/").status_code == 200
    event = AuditEvent.objects.get(action="login", actor=bob)
    assert event.data == {"method": "oidc"}


def test_it_accepts_an_es256_token_signed_with_the_providers_ec_key(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    sso.signing = ("ES256", "e1", sso.ec)
    client = Client()
    response = sign_on(client, sso, sub="idp-bob")
    assert response["Location"] == "/reports/"
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_it_links_a_verified_email_the_admin_entered_then_keeps_the_subject(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, email="bob@example.org")
    client = Client()
    sign_on(client, sso, sub="idp-77", email="Bob@example.org")
    assert OidcIdentity.objects.get(user=bob).subject == "idp-77"
    assert client.get("/reports/").status_code == 200


def test_it_never_creates_a_user_for_an_unlinked_identity(sso, bob):
    users = User.objects.count()
    client = Client()
    response = sign_on(client, sso, sub="stranger", email="stranger@example.org")
    assert_refused(response, client, NOT_LINKED, "not linked to an active user")
    assert User.objects.count() == users


def test_it_refuses_a_linked_identity_of_an_inactive_user(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    User.objects.filter(pk=bob.pk).update(is_active=False)
    client = Client()
    response = sign_on(client, sso, sub="idp-bob")
    assert_refused(response, client, NOT_LINKED, "not linked to an active user")


def _none_token(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _hs256_with_public_key(provider: FakeProvider) -> Callable[[dict[str, Any]], str]:
    """The classic confusion attack: HMAC keyed with the published RSA key."""
    public_pem = provider.rsa.raw_value.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def forge(claims: dict[str, Any]) -> str:
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "r1"}).encode())
        body = _b64(json.dumps(claims).encode())
        mac = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256)
        return f"{header}.{body}.{_b64(mac.digest())}"

    return forge


def _tampered(provider: FakeProvider) -> Callable[[dict[str, Any]], str]:
    """A genuine token whose claims were changed after signing."""

    def forge(claims: dict[str, Any]) -> str:
        header, _body, signature = jwt.encode(
            {"alg": "RS256", "kid": "r1"},
            claims | {"sub": "someone-else"},
            provider.rsa,
        ).split(".")
        return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"

    return forge


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (
            lambda p: {"signing": ("RS256", "r1", p.other_rsa)},
            "signature is not valid",
        ),
        (lambda p: {"forge": _tampered(p)}, "signature is not valid"),
        (lambda p: {"forge": _none_token}, "signed with 'none'"),
        (lambda p: {"forge": _hs256_with_public_key(p)}, "signed with 'HS256'"),
        # An RS256 header over the EC key's kid: the key type does not fit.
        (lambda p: {"signing": ("RS256", "e1", p.rsa)}, "no key 'e1' for RS256"),
        (lambda p: {"override": {"exp": int(time.time()) - 3600}}, "has expired"),
        (
            lambda p: {"override": {"iat": int(time.time()) + 3600}},
            "issued in the future",
        ),
        (lambda p: {"override": {"nbf": int(time.time()) + 3600}}, "not valid yet"),
        (lambda p: {"override": {"aud": "someone-else"}}, "for another client"),
        (
            lambda p: {"override": {"aud": [CLIENT_ID, "other"], "azp": "other"}},
            "authorised party is another client",
        ),
        (lambda p: {"override": {"iss": "http://127.0.0.1:1"}}, "another issuer"),
        (lambda p: {"override": {"nonce": "replayed"}}, "nonce does not match"),
        (lambda p: {"override": {"nonce": None}}, "lacks the claim nonce"),
        (lambda p: {"override": {"sub": ""}}, "has no subject"),
    ],
    ids=[
        "another-key",
        "claims-changed",
        "alg-none",
        "hs256-public-key",
        "key-type",
        "expired",
        "iat-future",
        "nbf-future",
        "audience",
        "azp",
        "issuer",
        "nonce",
        "no-nonce",
        "no-subject",
    ],
)
def test_it_refuses_id_tokens_that_do_not_check_out(sso, bob, tamper, reason):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    for name, value in tamper(sso).items():
        setattr(sso, name, value)
    client = Client()
    response = sign_on(client, sso, sub="idp-bob")
    assert_refused(response, client, REFUSED, reason)


def test_it_tolerates_a_small_clock_difference(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    now = int(time.time())
    sso.override = {"iat": now + 30, "nbf": now + 30, "exp": now - 30}
    client = Client()
    assert sign_on(client, sso, sub="idp-bob")["Location"] == "/reports/"


def test_an_unknown_kid_refetches_the_jwks_once_then_refuses(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    sso.signing = ("RS256", "r2", sso.other_rsa)
    client = Client()
    response = sign_on(client, sso, sub="idp-bob")
    assert_refused(response, client, REFUSED, "no key 'r2' for RS256")
    assert sso.jwks_fetches == 2


def test_a_rotated_key_is_found_by_refetching_the_jwks(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    oidc._cached(f"{sso.issuer}/jwks")  # the old key set is cached
    sso.published = {"r2": sso.other_rsa}
    sso.signing = ("RS256", "r2", sso.other_rsa)
    client = Client()
    assert sign_on(client, sso, sub="idp-bob")["Location"] == "/reports/"
    assert sso.jwks_fetches == 2


@pytest.mark.filterwarnings("ignore:Key size should be")
def test_it_refuses_an_rsa_key_shorter_than_2048_bits(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    weak = _rsa(1024)
    sso.published = {"weak": weak}
    sso.signing = ("RS256", "weak", weak)
    client = Client()
    response = sign_on(client, sso, sub="idp-bob")
    assert_refused(response, client, REFUSED, "shorter than 2048 bits")


def test_it_refuses_a_wrong_state(sso, bob):
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    client = Client()
    location = start(client, sso)
    code = sso.authorise(location, sub="idp-bob")
    response = client.get("/accounts/sso/callback/", {"code": code, "state": "forged"})
    assert_refused(
        response, client, oidc.OidcError.user_message, "state does not match"
    )


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30"])
def test_a_malformed_id_token_is_refused_not_a_crash(sso, token):
    with pytest.raises(oidc.InvalidIdToken):
        oidc.validate_id_token(token, nonce="n", jwks_uri=f"{sso.issuer}/jwks")


def test_it_calls_no_provider_at_a_private_address_unless_allowed(sso, settings):
    settings.SAMSYN_OUTBOUND_ALLOW = []
    with pytest.raises(oidc.OidcError, match="SAMSYN_OUTBOUND_ALLOW"):
        oidc.discovery()


def test_the_jwks_is_fetched_through_the_outbound_client_too(sso, bob):
    """A discovery document pointing the keys at the metadata service is refused."""
    OidcIdentity.objects.create(user=bob, issuer=sso.issuer, subject="idp-bob")
    sso.discovery_override = {"jwks_uri": "http://169.254.169.254/jwks"}
    client = Client()
    response = sign_on(client, sso, sub="idp-bob")
    assert_refused(response, client, oidc.OidcError.user_message, "may not be called")

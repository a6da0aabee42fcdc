"""A minimal OpenID Connect client: authorization-code flow with PKCE.

On when SAMSYN_OIDC_ISSUER is set. The steps:

1. `begin()` reads the provider's discovery document, keeps a random `state`, `nonce`
   and PKCE verifier in the session and returns the provider's authorization URL.
2. The provider sends the browser back to the callback with `code` and `state`;
   `complete()` checks the state, exchanges the code (with the client secret and the
   PKCE verifier) for tokens and validates the ID token: RS256 signature against the
   provider's published keys (JWKS), issuer, audience, expiry and nonce.
3. The identity maps to a user only through an `OidcIdentity` an administrator made.
   No user is ever created here.

The RS256 check is written out with Python integers (RSASSA-PKCS1-v1_5 verification
is a modular exponentiation and a byte comparison), so no cryptography package is
needed; only verification is done, never signing, so there is no private-key code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
from typing import Any

import httpx
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from samsyn.accounts.models import OidcIdentity, User
from samsyn.lib import outbound

SESSION_KEY = "oidc_flow"
TIMEOUT = 10
CACHE_SECONDS = 600
LEEWAY = 60  # seconds of clock difference tolerated for exp/iat
# DER prefix of DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")

_cache: dict[str, tuple[float, dict[str, Any]]] = {}


class OidcError(Exception):
    """The sign-on could not be completed; the message is safe to log."""


def enabled() -> bool:
    return bool(settings.SAMSYN_OIDC_ISSUER and settings.SAMSYN_OIDC_CLIENT_ID)


def _fetch_json(
    url: str,
    *,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """GET (or POST a form to) the provider through the outbound client: public
    addresses only (an on-premise provider goes in SAMSYN_OUTBOUND_ALLOW), no
    redirects."""
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise OidcError(f"{url} is not an http(s) URL")
    sent = {"Accept": "application/json", **(headers or {})}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        response = outbound.request(
            "POST" if body is not None else "GET",
            url,
            content=body,
            headers=sent,
            timeout=TIMEOUT,
        )
    except outbound.OutboundRefused as exc:
        raise OidcError(f"{url} may not be called: {exc}") from exc
    except httpx.HTTPError as exc:
        raise OidcError(f"{url} could not be read: {exc}") from exc
    if response.status_code != 200:
        raise OidcError(f"{url} answered {response.status_code}")
    try:
        return json.loads(response.content.decode())
    except ValueError as exc:
        raise OidcError(f"{url} could not be read: {exc}") from exc


def _cached(url: str, *, refresh: bool = False) -> dict[str, Any]:
    hit = _cache.get(url)
    if hit and not refresh and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    doc = _fetch_json(url)
    _cache[url] = (time.monotonic(), doc)
    return doc


def discovery() -> dict[str, Any]:
    issuer = settings.SAMSYN_OIDC_ISSUER
    doc = _cached(f"{issuer}/.well-known/openid-configuration")
    if doc.get("issuer", "").rstrip("/") != issuer:
        raise OidcError("the discovery document names another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not doc.get(key):
            raise OidcError(f"the discovery document has no {key}")
    return doc


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise OidcError("malformed base64url") from exc


def pkce_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode()).digest())


def begin(request: HttpRequest, redirect_uri: str, next_url: str) -> str:
    """Start a sign-on: remember state, nonce and verifier; return the provider URL."""
    doc = discovery()
    flow = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": secrets.token_urlsafe(48),
        "redirect_uri": redirect_uri,
        "next": next_url,
    }
    request.session[SESSION_KEY] = flow
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": settings.SAMSYN_OIDC_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": flow["state"],
            "nonce": flow["nonce"],
            "code_challenge": pkce_challenge(flow["verifier"]),
            "code_challenge_method": "S256",
        }
    )
    sep = "&" if "?" in doc["authorization_endpoint"] else "?"
    return f"{doc['authorization_endpoint']}{sep}{query}"


def complete(request: HttpRequest) -> tuple[User, str]:
    """Finish a sign-on from the callback; returns the linked user and `next`."""
    flow = request.session.pop(SESSION_KEY, None)
    if not flow:
        raise OidcError("no sign-on in progress in this session")
    if request.GET.get("error"):
        raise OidcError(f"the provider refused: {request.GET['error'][:100]}")
    state = request.GET.get("state", "")
    if not hmac.compare_digest(state.encode(), flow["state"].encode()):
        raise OidcError("state does not match")
    code = request.GET.get("code", "")
    if not code:
        raise OidcError("no code in the callback")
    doc = discovery()
    client_id = settings.SAMSYN_OIDC_CLIENT_ID
    secret = settings.SAMSYN_OIDC_CLIENT_SECRET
    basic = base64.b64encode(
        f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(secret)}".encode()
    ).decode()
    tokens = _fetch_json(
        doc["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": flow["redirect_uri"],
            "code_verifier": flow["verifier"],
            "client_id": client_id,
        },
        headers={"Authorization": f"Basic {basic}"},
    )
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("the token response has no id_token")
    claims = validate_id_token(id_token, nonce=flow["nonce"], jwks_uri=doc["jwks_uri"])
    return user_for(claims), flow["next"]


def validate_id_token(token: str, *, nonce: str, jwks_uri: str) -> dict[str, Any]:
    """Check signature, issuer, audience, expiry and nonce; return the claims."""
    parts = token.split(".")
    if len(parts) != 3:
        raise OidcError("the ID token is not a signed JWT")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
    except ValueError as exc:
        raise OidcError("the ID token is not JSON") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise OidcError("the ID token is not a JSON object")
    if header.get("alg") != "RS256":
        raise OidcError("only RS256-signed ID tokens are accepted")
    key = _find_key(jwks_uri, header.get("kid"))
    signing_input = f"{parts[0]}.{parts[1]}".encode()
    if not verify_rs256(signing_input, _b64url_decode(parts[2]), key):
        raise OidcError("the ID token's signature is not valid")

    issuer = settings.SAMSYN_OIDC_ISSUER
    client_id = settings.SAMSYN_OIDC_CLIENT_ID
    if str(claims.get("iss", "")).rstrip("/") != issuer:
        raise OidcError("the ID token comes from another issuer")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences:
        raise OidcError("the ID token is for another client")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OidcError("the ID token's authorised party is another client")
    now = time.time()
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp < now - LEEWAY:
        raise OidcError("the ID token has expired")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or iat > now + LEEWAY:
        raise OidcError("the ID token is issued in the future")
    got_nonce = str(claims.get("nonce", ""))
    if not hmac.compare_digest(got_nonce.encode(), nonce.encode()):
        raise OidcError("the ID token's nonce does not match")
    if not claims.get("sub"):
        raise OidcError("the ID token has no subject")
    return claims


def _find_key(jwks_uri: str, kid: str | None) -> dict[str, Any]:
    for refresh in (False, True):  # the provider may have rotated its keys
        keys = _cached(jwks_uri, refresh=refresh).get("keys", [])
        rsa = [
            k for k in keys if k.get("kty") == "RSA" and k.get("use", "sig") == "sig"
        ]
        found = [k for k in rsa if kid is None or k.get("kid") == kid]
        if found:
            return found[0]
    raise OidcError("no matching key in the provider's JWKS")


def verify_rs256(signing_input: bytes, signature: bytes, jwk: dict[str, Any]) -> bool:
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017, 8.2.2) against an RSA JWK."""
    n = int.from_bytes(_b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(_b64url_decode(jwk["e"]), "big")
    k = (n.bit_length() + 7) // 8
    if n.bit_length() < 2048 or len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    encoded = pow(s, e, n).to_bytes(k, "big")
    t = SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(encoded, expected)


def user_for(claims: dict[str, Any]) -> User:
    """The user an administrator linked to this identity; never a new one."""
    issuer = settings.SAMSYN_OIDC_ISSUER
    sub = str(claims["sub"])
    identity = (
        OidcIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=sub)
        .first()
    )
    email = claims.get("email")
    if identity is None and email and claims.get("email_verified") is True:
        identity = (
            OidcIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject="", email__iexact=str(email))
            .first()
        )
        if identity is not None:
            identity.subject = sub
    if identity is None or not identity.user.is_active:
        raise OidcError("this identity is not linked to an active user")
    identity.last_login = timezone.now()
    identity.save(update_fields=["subject", "last_login"])
    return identity.user

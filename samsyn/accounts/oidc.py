"""A minimal OpenID Connect client: authorization-code flow with PKCE.

On when SAMSYN_OIDC_ISSUER is set. The steps:

1. `begin()` reads the provider's discovery document, keeps a random `state`, `nonce`
   and PKCE verifier in the session and returns the provider's authorization URL.
2. The provider sends the browser back to the callback with `code` and `state`;
   `complete()` checks the state, exchanges the code (with the client secret and the
   PKCE verifier) for tokens and validates the ID token with joserfc: the signature
   against the provider's published keys (JWKS) with an allow-list of asymmetric
   algorithms, then issuer, audience, expiry, issue and not-before times and nonce.
3. The identity maps to a user only through an `OidcIdentity` an administrator made.
   No user is ever created here.

Every call to the provider (discovery, JWKS, token endpoint) goes through
`samsyn.lib.outbound`. Signature checking is joserfc's, on `cryptography`; this module
only chooses the key and says in words why a token was refused.
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
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import ECKey, RSAKey
from joserfc.jws import JWSRegistry, extract_compact

from samsyn.accounts.models import OidcIdentity, User
from samsyn.lib import outbound

SESSION_KEY = "oidc_flow"
TIMEOUT = 10
CACHE_SECONDS = 600
LEEWAY = 60  # seconds of clock difference tolerated for exp, iat and nbf
# Asymmetric signatures only. "none" and the HMAC family are never accepted: an HMAC
# "signature" made with the provider's public key as the secret would otherwise pass.
ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
)
KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
MIN_RSA_BITS = 2048

_cache: dict[str, tuple[float, dict[str, Any]]] = {}


class OidcError(Exception):
    """The sign-on could not be completed.

    ``str(exc)`` says why, in English, for the audit log (it holds no secret);
    ``user_message`` is what the person trying to sign in is told.
    """

    user_message: str | Promise = gettext_lazy(
        "Single sign-on did not work. Start again from the sign-in page; if it keeps "
        "failing, tell your system administrator."
    )


class InvalidIdToken(OidcError):
    """The provider's ID token did not pass a check: nobody is signed in."""

    user_message = gettext_lazy(
        "Single sign-on was refused: the answer from the sign-in service could not "
        "be verified, so nobody was signed in. Tell your system administrator; the "
        "audit log says why."
    )


class NotLinked(OidcError):
    """A valid identity that no administrator linked to an active user."""

    user_message = gettext_lazy(
        "Single sign-on did not work. If you have not used it before, ask an "
        "administrator to link your account."
    )


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
        doc = json.loads(response.content.decode())
    except ValueError as exc:
        raise OidcError(f"{url} could not be read: {exc}") from exc
    if not isinstance(doc, dict):
        raise OidcError(f"{url} did not answer with a JSON object")
    return doc


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
    if str(doc.get("issuer", "")).rstrip("/") != issuer:
        raise OidcError("the discovery document names another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not doc.get(key):
            raise OidcError(f"the discovery document has no {key}")
    return doc


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


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
    """Check signature, issuer, audience, times and nonce; return the claims.

    Raises InvalidIdToken, whose message says which check failed.
    """
    registry = JWSRegistry(algorithms=list(ALGORITHMS), strict_check_header=False)
    try:
        header = extract_compact(token.encode(), registry=registry).headers()
    except (JoseError, ValueError, UnicodeError) as exc:
        raise InvalidIdToken(f"the ID token is not a signed JWT ({exc})") from exc
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise InvalidIdToken(
            f"the ID token is signed with {str(alg)[:20]!r}; only "
            f"{', '.join(ALGORITHMS)} are accepted"
        )
    kid = header.get("kid")
    key = _find_key(jwks_uri, str(kid) if kid is not None else None, alg)
    try:
        claims = jwt.decode(token, key, registry=registry).claims
    except BadSignatureError as exc:
        raise InvalidIdToken("the ID token's signature is not valid") from exc
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidIdToken(f"the ID token could not be verified ({exc})") from exc

    issuer = settings.SAMSYN_OIDC_ISSUER
    client_id = settings.SAMSYN_OIDC_CLIENT_ID
    checks = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "values": [issuer, f"{issuer}/"]},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        checks.validate(claims)
    except ExpiredTokenError as exc:
        raise InvalidIdToken("the ID token has expired") from exc
    except MissingClaimError as exc:
        missing = exc.claim.replace(",", ", ")
        raise InvalidIdToken(f"the ID token lacks the claim {missing}") from exc
    except ClaimError as exc:
        reason = CLAIM_REASONS.get(
            exc.claim, f"the ID token's {exc.claim} is not valid"
        )
        raise InvalidIdToken(reason) from exc
    aud = claims["aud"]
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise InvalidIdToken("the ID token's authorised party is another client")
    return claims


CLAIM_REASONS = {
    "iss": "the ID token comes from another issuer",
    "aud": "the ID token is for another client",
    "sub": "the ID token has no subject",
    "exp": "the ID token has expired",
    "iat": "the ID token is issued in the future",
    "nbf": "the ID token is not valid yet",
    "nonce": "the ID token's nonce does not match",
}


def _find_key(jwks_uri: str, kid: str | None, alg: str) -> RSAKey | ECKey:
    """The provider's key for this token: by `kid`, or its only key of the right
    type when the token names none. An unknown `kid` refetches the JWKS once (the
    provider may have rotated its keys), then the token is refused."""
    for refresh in (False, True):
        keys = _signing_keys(_cached(jwks_uri, refresh=refresh), alg)
        if kid is None:
            found = [key for _kid, key in keys] if len(keys) == 1 else []
        else:
            found = [key for key_id, key in keys if key_id == kid]
        if found:
            key = found[0]
            if isinstance(key, RSAKey) and key.raw_value.key_size < MIN_RSA_BITS:
                raise InvalidIdToken(
                    f"the provider's RSA key is shorter than {MIN_RSA_BITS} bits"
                )
            return key
    if kid is None:
        raise InvalidIdToken(
            f"the ID token names no key (kid) and the provider's JWKS has not "
            f"exactly one {alg} key"
        )
    raise InvalidIdToken(f"no key {kid[:80]!r} for {alg} in the provider's JWKS")


def _signing_keys(
    jwks: dict[str, Any], alg: str
) -> list[tuple[str | None, RSAKey | ECKey]]:
    """The (kid, key) pairs of the JWKS usable to verify `alg`; others are skipped."""
    kty = KEY_TYPES[alg[:2]]
    key_class: type[RSAKey] | type[ECKey] = RSAKey if kty == "RSA" else ECKey
    keys = jwks.get("keys")
    usable: list[tuple[str | None, RSAKey | ECKey]] = []
    for data in keys if isinstance(keys, list) else []:
        if not isinstance(data, dict) or data.get("kty") != kty:
            continue
        if data.get("use", "sig") != "sig" or data.get("alg", alg) != alg:
            continue
        try:
            key = key_class.import_key(data)
        except (JoseError, ValueError, TypeError, KeyError):
            continue
        kid = data.get("kid")
        usable.append((str(kid) if kid is not None else None, key))
    return usable


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
        raise NotLinked("this identity is not linked to an active user")
    identity.last_login = timezone.now()
    identity.save(update_fields=["subject", "last_login"])
    return identity.user

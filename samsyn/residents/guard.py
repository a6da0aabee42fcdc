"""Spam and abuse protection for the public page, without any third-party service.

Four layers, each cheap: a honeypot field people never see; a signed timestamp in
the form (too fast means a script, older than two hours means a stale or replayed
form); counters per hashed IP address and per collaboration in the database; a cap on
the text length (in the form). Raw IP addresses are never stored: the hash is keyed
with a salt derived from SECRET_KEY and today's date, so it changes every day and
cannot be reversed or linked across days.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from samsyn.organisations.models import Collaboration
from samsyn.residents.models import RateBucket

TOKEN_SALT = "samsyn.residents.form"  # noqa: S105 - a namespace, not a secret
TOKEN_MAX_AGE = 2 * 3600  # seconds
HONEYPOT = "website"
PER_IP_PER_HOUR = 5
PER_COLLABORATION_PER_HOUR = 200
WINDOW = timedelta(hours=1)


class Refused(Exception):
    """The submission is refused; ``reason`` is one of the codes below."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # honeypot, too_fast, expired, tampered, rate_limited


def make_token(collaboration: Collaboration, issued: float | None = None) -> str:
    """A signed form token naming the collaboration and when the form was shown."""
    t = time.time() if issued is None else issued
    return signing.dumps({"c": collaboration.pk, "t": round(t, 3)}, salt=TOKEN_SALT)


def check_token(collaboration: Collaboration, token: str, min_seconds: int) -> str:
    """Return the token's digest (for idempotency) or raise Refused."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise Refused("expired") from None
    except signing.BadSignature:
        raise Refused("tampered") from None
    if not isinstance(data, dict) or data.get("c") != collaboration.pk:
        raise Refused("tampered")
    age = time.time() - float(data.get("t", 0))
    if age > TOKEN_MAX_AGE:
        raise Refused("expired")
    if age < min_seconds:
        raise Refused("too_fast")
    return hashlib.sha256(token.encode()).hexdigest()


def ip_hash(request: HttpRequest) -> str:
    """A daily-rotating keyed hash of the client address (never stored raw).

    REMOTE_ADDR is used as is: behind a reverse proxy, the proxy must set it to the
    client's address (e.g. gunicorn --forwarded-allow-ips), never trust a header here.
    """
    day = timezone.now().date().isoformat()
    salt = hmac.new(
        settings.SECRET_KEY.encode(), f"residents-ip:{day}".encode(), hashlib.sha256
    ).digest()
    ip = request.META.get("REMOTE_ADDR", "")
    return hmac.new(salt, ip.encode(), hashlib.sha256).hexdigest()[:32]


def _window_start() -> object:
    now = timezone.now()
    return now.replace(minute=0, second=0, microsecond=0)


def take(key: str, limit: int) -> bool:
    """Count one use of ``key`` in the current hour; False when the limit is reached."""
    start = _window_start()
    with transaction.atomic():
        try:
            with transaction.atomic():
                RateBucket.objects.get_or_create(key=key, window_start=start)
        except IntegrityError:
            pass  # another request created it first
        # Conditional update: two requests at once cannot both take the last slot.
        taken = RateBucket.objects.filter(
            key=key, window_start=start, count__lt=limit
        ).update(count=F("count") + 1)
    RateBucket.objects.filter(window_start__lt=start - timedelta(days=1)).delete()
    return taken == 1


@dataclass
class Limits:
    per_ip: int = PER_IP_PER_HOUR
    per_collaboration: int = PER_COLLABORATION_PER_HOUR


def check_rate(request: HttpRequest, collaboration: Collaboration) -> None:
    limits = Limits(
        per_ip=getattr(settings, "SAMSYN_RESIDENTS_PER_IP_HOUR", PER_IP_PER_HOUR),
        per_collaboration=getattr(
            settings, "SAMSYN_RESIDENTS_PER_COLLAB_HOUR", PER_COLLABORATION_PER_HOUR
        ),
    )
    if not take(f"ip:{collaboration.pk}:{ip_hash(request)}", limits.per_ip):
        raise Refused("rate_limited")
    if not take(f"collab:{collaboration.pk}", limits.per_collaboration):
        raise Refused("rate_limited")

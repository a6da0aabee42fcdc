"""State changes of the integrations app: exports, Open311 keys and requests, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from samsyn.integrations import exports
from samsyn.integrations.models import (
    Open311Key,
    Webhook,
    WebhookDelivery,
    new_secret,
)
from samsyn.lib import outbound
from samsyn.lib.progress import Progress, null
from samsyn.lib.replica import replica_reads
from samsyn.organisations.access import Access
from samsyn.organisations.models import Organisation, record
from samsyn.reports.models import Report

# --- exports -------------------------------------------------------------------------


@dataclass
class Export:
    content: bytes
    filename: str
    content_type: str
    count: int


@replica_reads()
def export_table(
    access: Access,
    kind: str,
    fmt: str,
    *,
    by: Any,
    filters: dict[str, str] | None = None,
    reports: Any = None,
    request: Any = None,
    progress: Progress | None = None,
    audit: dict[str, Any] | None = None,
    layout: str = "machine",
) -> Export:
    """Build one export and write it to the audit log (``export.<kind>``).

    ``progress`` hears of every row read and written; ``audit`` adds to the
    audit entry's data (the job, for a queued export).
    """
    assert access.collaboration is not None  # noqa: S101 - callers check membership
    progress = progress or null()
    if reports is None:
        reports = Report.objects.none()
    progress.stage(
        gettext_noop("Reading the rows"),
        total=exports.count_rows(access, kind, reports),
    )
    if kind == "reports":
        table = exports.reports_table(reports, progress)
    elif kind == "interventions":
        table = exports.interventions_table(access, progress)
    elif kind == "pictures":
        table = exports.pictures_table(access, progress)
    else:
        raise ValueError(kind)
    progress.stage(gettext_noop("Writing the file"), total=len(table))
    content = exports.render(table, fmt, progress, layout)
    record(
        by,
        f"export.{kind}",
        None,
        collaboration=access.collaboration,
        data={
            "format": fmt,
            "layout": layout,
            "count": len(table),
            "filters": filters or {},
            **(audit or {}),
        },
        request=request,
    )
    return Export(
        content=content,
        filename=exports.filename(access.collaboration.slug, kind, fmt),
        content_type=exports.CONTENT_TYPES[fmt],
        count=len(table),
    )


# --- Open311 keys --------------------------------------------------------------------


def create_open311_key(
    organisation: Organisation, *, label: str = "", by: Any = None
) -> tuple[Open311Key, str]:
    """A new key for the organisation; returns the row and the raw key (shown once)."""
    raw = Open311Key.new_raw()
    with transaction.atomic():
        key = Open311Key.objects.create(
            collaboration=organisation.collaboration,
            organisation=organisation,
            label=label,
            key_hash=Open311Key.hash(raw),
        )
        record(by, "open311.key_created", key, data={"organisation": organisation.slug})
    return key, raw


def revoke_open311_key(key: Open311Key, *, by: Any = None) -> None:
    with transaction.atomic():
        key.active = False
        key.save(update_fields=["active"])
        record(by, "open311.key_revoked", key)


# --- webhooks ------------------------------------------------------------------------

MAX_ATTEMPTS = 3
_REFUSED = "Refused"
SKIP_SOURCES = {Report.Source.DEMO, Report.Source.IMPORT}

Sender = Callable[[str, bytes, dict[str, str], float], int]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` HMAC over ``"<timestamp>." + body``: the X-Samsyn-Signature value."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def report_payload(report: Report, event_id: str) -> dict[str, Any]:
    cat = report.category
    return {
        "event": "report.submitted",
        "id": event_id,
        "collaboration": report.collaboration.slug,
        "report": {
            "code": str(report.code),
            "category": cat.code,
            "category_name": cat.name_sv,
            "physical_environment": cat.physical_environment,
            "occurred_at": report.occurred_at.isoformat(),
            "received_at": report.created.isoformat(),
            "lat": report.lat,
            "lon": report.lon,
            "area": report.area.ref if report.area_id else None,
            "organisation": report.organisation.slug,
            "severity": report.severity,
            "status": report.status or None,
            "restricted": report.restricted,
            "description": report.description,
        },
    }


def queue_report_webhooks(report: Report) -> list[WebhookDelivery]:
    """Create one delivery per matching hook, and send each after the commit.

    Called from both the ``report_submitted`` signal and the post_save fallback; the
    unique (webhook, event_id) constraint makes the second call a no-op.
    """
    if report.source in SKIP_SOURCES:
        return []
    event_id = f"report.submitted:{report.code}"
    made = []
    hooks = Webhook.objects.for_report(report.collaboration_id, report.category_id)
    for hook in hooks:
        if report.restricted and not hook.include_restricted:
            continue
        if WebhookDelivery.objects.filter(webhook=hook, event_id=event_id).exists():
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    webhook=hook,
                    collaboration_id=report.collaboration_id,
                    event="report.submitted",
                    event_id=event_id,
                    payload=report_payload(report, event_id),
                )
        except IntegrityError:
            continue
        made.append(delivery)
    if made:
        from samsyn.integrations.tasks import deliver_webhook

        ids = [d.pk for d in made]
        transaction.on_commit(lambda: [deliver_webhook.enqueue(pk) for pk in ids])
    return made


def http_send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body through the outbound client (public addresses only, no
    redirects); the status code, or an exception: OutboundRefused for an address
    that may not be called, httpx.HTTPError for network errors."""
    response = outbound.request(
        "POST", url, content=body, headers=headers, timeout=timeout, max_bytes=4096
    )
    return response.status_code


def attempt_delivery(
    delivery: WebhookDelivery, *, send: Sender | None = None
) -> WebhookDelivery:
    """One try. A 2xx marks it delivered; otherwise failed after MAX_ATTEMPTS."""
    send = send or http_send
    hook = delivery.webhook
    body = json.dumps(delivery.payload, ensure_ascii=False).encode("utf-8")
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Samsyn-Webhook/1",
        "X-Samsyn-Event": delivery.event,
        "X-Samsyn-Delivery": str(delivery.pk),
        "X-Samsyn-Timestamp": str(ts),
        "X-Samsyn-Signature": sign(hook.secret, ts, body),
    }
    timeout = float(getattr(settings, "SAMSYN_WEBHOOK_TIMEOUT", 5))
    delivery.attempts += 1
    try:
        code = send(hook.url, body, headers, timeout)
    except outbound.OutboundRefused as exc:
        # Not a passing failure: trying again would only be refused again.
        delivery.status_code = None
        delivery.error = f"{_REFUSED}: {exc}"[:500]
        delivery.attempts = max(delivery.attempts, MAX_ATTEMPTS)
    except Exception as exc:  # noqa: BLE001 - any network failure is a failed try
        delivery.status_code = None
        delivery.error = f"{type(exc).__name__}: {exc}"[:500]
    else:
        delivery.status_code = code
        delivery.error = "" if 200 <= code < 300 else f"HTTP {code}"
    if delivery.status_code is not None and 200 <= delivery.status_code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(
        update_fields=[
            "attempts",
            "status_code",
            "error",
            "status",
            "delivered_at",
        ]
    )
    return delivery


def backoff(attempts: int) -> timedelta:
    """Wait before try number ``attempts + 1``: 30 s, then 5 minutes (configurable)."""
    steps = getattr(settings, "SAMSYN_WEBHOOK_BACKOFF", [30, 300])
    return timedelta(seconds=steps[min(attempts, len(steps)) - 1])


def deliver(
    delivery: WebhookDelivery,
    *,
    send: Sender | None = None,
    sleep: Callable[[float], None] | None = None,
    defer: Callable[[WebhookDelivery, timedelta], bool] | None = None,
) -> WebhookDelivery:
    """Try until delivered or MAX_ATTEMPTS tries are used.

    ``defer`` hands the next try to the task queue (a backend that supports
    ``run_after``) and returns True; otherwise the next try waits here with ``sleep``
    (the immediate backend in development: short waits, see SAMSYN_WEBHOOK_INLINE_WAIT).
    """
    sleep = sleep or time.sleep
    while delivery.status == WebhookDelivery.Status.PENDING:
        attempt_delivery(delivery, send=send)
        if delivery.status != WebhookDelivery.Status.PENDING:
            break
        wait = backoff(delivery.attempts)
        if defer is not None and defer(delivery, wait):
            break
        inline_cap = float(getattr(settings, "SAMSYN_WEBHOOK_INLINE_WAIT", 1.0))
        sleep(min(wait.total_seconds(), inline_cap))
    return delivery


# --- webhooks managed in the app ---------------------------------------------------


def _hook_data(hook: Webhook) -> dict[str, Any]:
    return {
        "name": hook.name,
        "url": hook.url,
        "categories": sorted(hook.categories.values_list("code", flat=True)),
        "include_restricted": hook.include_restricted,
        "active": hook.active,
    }


def save_webhook(
    hook: Webhook,
    categories: Any,
    *,
    by: Any,
    request: Any = None,
) -> Webhook:
    """Create or change a webhook (its categories too) and audit it.

    The secret is never written to the audit log.
    """
    created = hook.pk is None
    with transaction.atomic():
        hook.save()
        hook.categories.set(categories)
        record(
            by,
            "webhook.created" if created else "webhook.changed",
            hook,
            data=_hook_data(hook),
            request=request,
        )
    return hook


def set_webhook_active(
    hook: Webhook, active: bool, *, by: Any, request: Any = None
) -> None:
    """Pause (nothing is queued for it) or resume a webhook."""
    with transaction.atomic():
        hook.active = active
        hook.save(update_fields=["active"])
        record(
            by,
            "webhook.resumed" if active else "webhook.paused",
            hook,
            request=request,
        )


def rotate_webhook_secret(hook: Webhook, *, by: Any, request: Any = None) -> str:
    """A new signing secret; returns it so it can be shown once."""
    with transaction.atomic():
        hook.secret = new_secret()
        hook.save(update_fields=["secret"])
        record(by, "webhook.secret_rotated", hook, request=request)
    return hook.secret


def delete_webhook(hook: Webhook, *, by: Any, request: Any = None) -> None:
    """Delete a webhook and its delivery log; the audit log keeps what it was."""
    with transaction.atomic():
        record(
            by,
            "webhook.deleted",
            None,
            collaboration=hook.collaboration,
            data={"code": str(hook.code), **_hook_data(hook)},
            request=request,
        )
        hook.delete()


def ping_payload(hook: Webhook, event_id: str) -> dict[str, Any]:
    return {
        "event": "ping",
        "id": event_id,
        "collaboration": hook.collaboration.slug,
        "webhook": str(hook.code),
        "sent_at": timezone.now().isoformat(),
    }


def send_test_delivery(
    hook: Webhook, *, by: Any, request: Any = None
) -> WebhookDelivery:
    """Queue one signed ``ping`` to the hook (paused or not); it lands in the log."""
    import uuid

    event_id = f"ping:{uuid.uuid4()}"
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            webhook=hook,
            collaboration_id=hook.collaboration_id,
            event="ping",
            event_id=event_id,
            payload=ping_payload(hook, event_id),
        )
        record(by, "webhook.test_sent", hook, request=request)
    from samsyn.integrations.tasks import deliver_webhook

    pk = delivery.pk
    transaction.on_commit(lambda: deliver_webhook.enqueue(pk))
    return delivery

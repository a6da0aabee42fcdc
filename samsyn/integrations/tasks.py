"""Background jobs of the integrations app (django-tasks)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from samsyn.integrations.actions import deliver
from samsyn.integrations.models import WebhookDelivery


def _defer(delivery: WebhookDelivery, wait: timedelta) -> bool:
    """Queue the next try for later when the backend can; False: retry inline."""
    if not deliver_webhook.get_backend().supports_defer:
        return False
    deliver_webhook.using(run_after=timezone.now() + wait).enqueue(delivery.pk)
    return True


@task()
def deliver_webhook(delivery_id: int) -> str:
    delivery = (
        WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return "gone"
    deliver(delivery, defer=_defer)
    return delivery.status

"""Background jobs of the notifications app (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from samsyn.notifications.actions import deliver
from samsyn.notifications.models import Notification


@task()
def send_notification(notification_id: int) -> str:
    note = (
        Notification.objects.select_related("user").filter(pk=notification_id).first()
    )
    if note is None:
        return "gone"
    return deliver(note).status

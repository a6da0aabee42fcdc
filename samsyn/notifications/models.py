"""Notifications: what each person wants to receive, and what was sent to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration


class Kind(models.TextChoices):
    REPORT_ASSIGNED = (
        "report_assigned",
        _("A physical-environment report is assigned to my organisation"),
    )
    DECISION_DUE = "decision_due", _("A decision my organisation owns is due")
    INTERVENTION_DUE = (
        "intervention_due",
        _("An intervention my organisation owns or takes part in ends"),
    )
    PICTURE_DIGEST = "picture_digest", _("Weekly digest when the picture is approved")
    REPORT_FIXED = "report_fixed", _("A report I sent is fixed or closed")


class NotificationPreference(models.Model):
    """One row per switched kind; no row means on (the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="one_preference_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {'on' if self.enabled else 'off'}"

    @staticmethod
    def wants(user: object, kind: str) -> bool:
        row = NotificationPreference.objects.filter(user=user, kind=kind).first()
        return True if row is None else row.enabled


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: object) -> NotificationQuerySet:
        return self.filter(user=user)

    def visible_to(self, access: Access) -> NotificationQuerySet:
        """Administrators (VIEW_AUDIT) see the collaboration's delivery log."""
        if access.collaboration is None or not access.can(Cap.VIEW_AUDIT):
            return self.none()
        return self.filter(collaboration=access.collaboration)


class Notification(models.Model):
    """One e-mail meant for one person, with its delivery status.

    ``key`` names the event (e.g. ``report_assigned:<code>:<change id>``); it is
    unique per user, so the reminder command and signal handlers can run again
    without sending twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    collaboration = models.ForeignKey(
        Collaboration,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    key = models.CharField(max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notify_once_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.status}"

"""Integrations: Open311 keys per organisation, webhooks and their delivery log."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.lib.outbound import validate_public_url
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category


class Open311KeyQuerySet(models.QuerySet["Open311Key"]):
    def active(self) -> Open311KeyQuerySet:
        return self.filter(active=True, organisation__active=True)

    def for_raw(self, raw: str) -> Open311Key | None:
        if not raw:
            return None
        return (
            self.active()
            .select_related("organisation", "collaboration")
            .filter(key_hash=Open311Key.hash(raw))
            .first()
        )


class Open311Key(models.Model):
    """An Open311 api_key: lets one organisation's system post service requests.

    Only the SHA-256 of the key is stored; the key itself is shown once, by
    ``samsyn create_open311_key``.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="open311_keys"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="open311_keys"
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)

    objects = Open311KeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")

    def __str__(self) -> str:
        return f"{self.organisation} {self.label}".strip()

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_raw() -> str:
        return "o311_" + secrets.token_urlsafe(32)

    def access(self) -> Access:
        """What a request with this key may do: report for its organisation only.

        Deliberately not VIEW_RESTRICTED: an external system sees the organisation's
        own restricted reports at most, and Open311 lists never show restricted ones.
        """
        role = frozenset({"reporter"})
        return Access(
            user=None,
            collaboration=self.collaboration,
            roles=role,
            organisation_ids=frozenset({self.organisation_id}),
            roles_by_org={self.organisation_id: role},
        )


def new_secret() -> str:
    return secrets.token_hex(24)


class WebhookQuerySet(models.QuerySet["Webhook"]):
    def visible_to(self, access: Access) -> WebhookQuerySet:
        if access.collaboration is None or not access.can(Cap.MANAGE_WEBHOOKS):
            return self.none()
        return self.filter(collaboration=access.collaboration)

    def for_report(self, collaboration_id: int, category_id: int) -> WebhookQuerySet:
        """Active hooks of the collaboration whose category filter lets it through."""
        return (
            self.filter(collaboration_id=collaboration_id, active=True)
            .filter(
                models.Q(categories__isnull=True) | models.Q(categories__id=category_id)
            )
            .distinct()
        )


class Webhook(models.Model):
    """POSTs new reports of chosen categories to an outside URL, signed."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="webhooks"
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500, validators=[validate_public_url])
    secret = models.CharField(
        _("secret"),
        max_length=100,
        default=new_secret,
        help_text=_("Shared secret for the X-Samsyn-Signature header."),
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="+",
        verbose_name=_("categories"),
        help_text=_("Empty: every category."),
    )
    include_restricted = models.BooleanField(
        _("include restricted reports"), default=False
    )
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(default=timezone.now)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookDeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def visible_to(self, access: Access) -> WebhookDeliveryQuerySet:
        return self.filter(webhook__in=Webhook.objects.visible_to(access))


class WebhookDelivery(models.Model):
    """One event sent (or tried) to one webhook: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries"
    )
    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE)
    event = models.CharField(max_length=64)
    # The event's own id ("report.submitted:<code>"): one delivery per hook and event,
    # whichever signal announced it.
    event_id = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_id"], name="one_delivery_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.webhook} {self.event_id} {self.status}"

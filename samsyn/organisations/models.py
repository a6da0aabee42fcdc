"""Tenancy: the collaboration (tenant), its member organisations, people's roles, audit.

A `Collaboration` is one EST: a municipality's, or a police area's shared by several
municipalities. Every row that belongs to a collaboration carries it and every query is
scoped to it. An `Organisation` belongs to exactly one collaboration; a police area that
takes part in two municipalities' EST is two organisation rows, so that each
collaboration decides on its own what that member sees (see docs/decisions/0003).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.lib.weeks import localtime


class Collaboration(models.Model):
    class PeriodKind(models.TextChoices):
        QUARTER = "quarter", _("Quarter (4 per year)")
        TERTIAL = "tertial", _("Tertial (3 per year)")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    municipality_code = models.CharField(
        _("municipality code"),
        max_length=4,
        blank=True,
        help_text=_("SCB code, e.g. 1880"),
    )
    municipality_name = models.CharField(_("municipality"), max_length=100, blank=True)
    period_kind = models.CharField(
        _("period analysis"),
        max_length=10,
        choices=PeriodKind.choices,
        default=PeriodKind.TERTIAL,
    )
    min_public_count = models.PositiveIntegerField(
        _("smallest publishable count"),
        default=5,
        help_text=_("Figures describing fewer events are suppressed on public pages."),
    )
    retention_days = models.PositiveIntegerField(
        _("free-text retention (days)"), default=730
    )
    # Bumped whenever areas change, so cached point→area indexes are rebuilt.
    areas_version = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        POLICE = "police", _("Police")
        HOUSING = "housing", _("Housing company")
        GUARD = "guard", _("Guard company")
        RESCUE = "rescue", _("Rescue service")
        OTHER = "other", _("Other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="organisations"
    )
    slug = models.SlugField(_("short name"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "slug"], name="organisation_slug_per_collab"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        COORDINATOR = "coordinator", _("Coordinator")
        ANALYST = "analyst", _("Analyst")
        ORG_LEAD = "org_lead", _("Organisation lead")
        STEERING = "steering", _("Steering group")
        ADMIN = "admin", _("Administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class AuditEvent(models.Model):
    """Append-only record of every state change and export (who, what, when, where).

    Tamper-evident: each entry stores the hash of the entry before it (`prev_hash`)
    and its own `hash`, a SHA-256 over a canonical JSON of its fields (see
    `AuditEvent.compute_hash`). Editing, deleting or inserting a row breaks the chain,
    which `samsyn verify_audit` detects. `actor_ref` and `collaboration_ref` keep the
    ids as written, so removing a user or a collaboration (which nulls the foreign
    keys) does not break the chain.
    """

    collaboration = models.ForeignKey(
        Collaboration, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_code = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    actor_ref = models.BigIntegerField(null=True, blank=True, editable=False)
    collaboration_ref = models.BigIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["collaboration", "-created"]),
            # One chain's entries in order: verification and a new head's start.
            models.Index(fields=["collaboration_ref", "id"], name="audit_chain_order"),
        ]

    def __str__(self) -> str:
        return (
            f"{localtime(self.created):%Y-%m-%d %H:%M} {self.action} {self.target_code}"
        )

    def compute_hash(self) -> str:
        """SHA-256 over the canonical JSON of the id-independent fields."""
        return chain_hash(
            created=self.created,
            actor=self.actor_ref,
            collaboration=self.collaboration_ref,
            action=self.action,
            target_type=self.target_type,
            target_code=self.target_code,
            data=self.data,
            ip=self.ip,
            prev_hash=self.prev_hash,
        )


class AuditChainHead(models.Model):
    """The hash of the newest audit entry of one chain, locked while an entry is written.

    There is one chain per collaboration (`chain` is the collaboration's id) and one
    for entries that belong to none (`chain` 0: sign-ins, site administration). Locking
    a chain's row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
    serialise writers already) makes that chain's writers append one after another, so
    no two entries claim the same predecessor, while writers of other collaborations
    never wait for it.
    """

    chain = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64, blank=True)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"chain {self.chain}: {self.count} entries, head {self.hash[:12]}"


NO_COLLABORATION_CHAIN = 0


def chain_key(collaboration_ref: int | None) -> int:
    """The chain an entry belongs to: its collaboration's id, or 0 for none."""
    return collaboration_ref or NO_COLLABORATION_CHAIN


def chain_entries(chain: int) -> models.QuerySet[AuditEvent]:
    """The entries of one chain (by the id written, so a removed collaboration's
    entries keep their chain)."""
    if chain == NO_COLLABORATION_CHAIN:
        return AuditEvent.objects.filter(collaboration_ref__isnull=True)
    return AuditEvent.objects.filter(collaboration_ref=chain)


def chain_hash(
    *,
    created: Any,
    actor: int | None,
    collaboration: int | None,
    action: str,
    target_type: str,
    target_code: str,
    data: Any,
    ip: str | None,
    prev_hash: str,
) -> str:
    payload = {
        "created": created.astimezone(UTC).isoformat(),
        "actor": actor,
        "collaboration": collaboration,
        "action": action,
        "target_type": target_type,
        "target_code": target_code,
        "data": data,
        "ip": ip,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def client_ip(request: Any) -> str | None:
    """The address the request came from (REMOTE_ADDR; set by the proxy in front)."""
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None


def record(
    actor: Any,
    action: str,
    target: models.Model | None = None,
    *,
    collaboration: Collaboration | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    request: Any = None,
) -> AuditEvent:
    """Write one audit entry. Call it from every action that changes state.

    Pass `request` (or `ip`) to record where the action came from. The entry is
    chained to the previous one while holding the chain head's lock, so call it
    inside the action's transaction: the entry is then kept exactly when the change
    is.
    """
    if collaboration is None and target is not None:
        collaboration = getattr(target, "collaboration", None)
        if collaboration is None and isinstance(target, Collaboration):
            collaboration = target
    if ip is None and request is not None:
        ip = client_ip(request)
    # Store and hash exactly what the database will give back.
    clean_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    ip_field = AuditEvent._meta.get_field("ip")
    clean_ip = ip_field.get_prep_value(ip) if ip else None
    actor = actor if getattr(actor, "pk", None) else None
    collaboration_ref = collaboration.pk if collaboration is not None else None
    with transaction.atomic():
        head = _lock_head(chain_key(collaboration_ref))
        event = AuditEvent(
            collaboration=collaboration,
            collaboration_ref=collaboration_ref,
            actor=actor,
            actor_ref=actor.pk if actor is not None else None,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_code=str(getattr(target, "code", getattr(target, "pk", "")) or ""),
            data=clean_data,
            ip=clean_ip,
            created=timezone.now(),
            prev_hash=head.hash,
        )
        event.hash = event.compute_hash()
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(
            hash=event.hash, count=models.F("count") + 1
        )
    return event


def _lock_head(chain: int) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    # No head yet (a new collaboration, a fresh or flushed database): start from the
    # chain's newest entry. Two first writers race on the unique chain; get_or_create
    # lets the loser read and lock the winner's row.
    entries = chain_entries(chain)
    last = entries.order_by("-id").first()
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        chain=chain,
        defaults={"hash": last.hash if last else "", "count": entries.count()},
    )
    return head


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""
    chain: int | None = None


def audit_chains() -> list[int]:
    """Every chain that has entries or a head, in order (0, the chain of entries
    without a collaboration, first)."""
    refs = set(
        AuditEvent.objects.values_list("collaboration_ref", flat=True).distinct()
    )
    keys = {chain_key(r) for r in refs}
    keys |= set(AuditChainHead.objects.values_list("chain", flat=True))
    return sorted(keys)


def verify_audit_chain(chain: int | None = None) -> ChainReport:
    """Walk one chain (or every chain) from its first entry; report the first broken
    link. With every chain, the first broken chain is reported and `checked` counts
    the intact entries of all chains walked."""
    if chain is None:
        checked = 0
        for key in audit_chains():
            report = verify_audit_chain(key)
            checked += report.checked
            if not report.ok:
                report.checked = checked
                return report
        return ChainReport(True, checked)
    prev = ""
    checked = 0
    fields = [
        "id",
        "created",
        "actor_ref",
        "collaboration_ref",
        "action",
        "target_type",
        "target_code",
        "data",
        "ip",
        "prev_hash",
        "hash",
    ]
    for event in chain_entries(chain).order_by("id").only(*fields).iterator(2000):
        if event.prev_hash != prev:
            return ChainReport(
                False,
                checked,
                event.id,
                "its prev_hash does not match the hash of the entry before it "
                "(an entry was removed or inserted)",
                chain,
            )
        if event.compute_hash() != event.hash:
            return ChainReport(
                False,
                checked,
                event.id,
                "its content does not match its hash (edited)",
                chain,
            )
        prev = event.hash
        checked += 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and head.hash != prev:
        return ChainReport(
            False,
            checked,
            None,
            "the newest entries were removed (the chain head names a later hash)",
            chain,
        )
    return ChainReport(True, checked, chain=chain)

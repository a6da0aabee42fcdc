from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from samsyn.organisations.models import Collaboration, Membership


class User(AbstractUser):
    """A person. What they may see and do comes from their memberships."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def memberships_in(self, collaboration: Collaboration) -> list[Membership]:
        """This user's memberships in one collaboration (cached per instance)."""
        cache: dict[int, list[Membership]] = self.__dict__.setdefault(
            "_membership_cache", {}
        )
        if collaboration.pk not in cache:
            cache[collaboration.pk] = list(
                self.memberships.filter(
                    organisation__collaboration=collaboration, active=True
                ).select_related("organisation")
            )
        return cache[collaboration.pk]

    def roles_in(self, collaboration: Collaboration) -> set[str]:
        return {m.role for m in self.memberships_in(collaboration)}

    def organisation_ids_in(self, collaboration: Collaboration) -> set[int]:
        return {m.organisation_id for m in self.memberships_in(collaboration)}

    def collaborations(self) -> models.QuerySet[Collaboration]:
        from samsyn.organisations.models import Collaboration

        return Collaboration.objects.filter(
            organisations__memberships__user=self,
            organisations__memberships__active=True,
        ).distinct()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A machine client's credential. Only a hash is stored; the token is shown once."""

    PREFIX = "ssn_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    read_only = models.BooleanField(_("read only"), default=False)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.hint}…"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(
        cls, user: User, *, name: str = "", read_only: bool = False
    ) -> tuple[ApiToken, str]:
        """Create a token; returns the row and the raw token (never stored)."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=cls.hash(raw),
            hint=raw[: len(cls.PREFIX) + 6],
            read_only=read_only,
        )
        return token, raw


def _configured_issuer() -> str:
    from django.conf import settings

    return settings.SAMSYN_OIDC_ISSUER


class OidcIdentity(models.Model):
    """A link, made by an administrator, from a single sign-on identity to a user.

    Sign-on never creates users: a provider's `sub` (or, until the first sign-in
    fills in the subject, a verified e-mail address) only signs in the user an
    administrator linked it to.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.CharField(_("issuer"), max_length=300, default=_configured_issuer)
    subject = models.CharField(
        _("subject"),
        max_length=255,
        blank=True,
        help_text=_("The provider's `sub`; filled in at the first sign-in if blank."),
    )
    email = models.EmailField(
        _("e-mail"),
        blank=True,
        help_text=_("Matched (verified addresses only) while the subject is blank."),
    )
    created = models.DateTimeField(default=timezone.now)
    last_login = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                condition=~models.Q(subject=""),
                name="oidc_identity_unique_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ← {self.subject or self.email}"

"""The versioned, approved document: what a situation picture and an annual report share.

Such a document freezes its figures when a version is made, is edited while it is a
draft, and becomes read-only when a coordinator approves it; a new version is made only
on request and earlier versions stay as they were. Its history is a separate table of
events that are only ever added.

Both bases are abstract: each document keeps its own table, and the columns are the
ones the documents had before the bases existed (moving a field here must not change
the schema; ``makemigrations`` reports no changes).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VersionedDocument(models.Model):
    """Code, version, draft/approved status, frozen figures, who made and approved it.

    Subclasses add their collaboration link, period or year, texts and the PDF file
    (its folder differs), and the unique constraint over their version key.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # `updated` at the time the stored PDF was built; a stale PDF is rebuilt.
    pdf_built_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class AppendOnlyError(Exception):
    """A history row was to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    # Bulk changes would bypass save()/delete(): refuse them too.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} is append-only.")


class DocumentEvent(models.Model):
    """One step of a document's history: who, when, what (``data``). Never edited,
    never deleted (deleting the document itself takes its history with it).

    Subclasses add the link to their document and ``kind`` with their own choices.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created", "id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{type(self).__name__} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} is append-only.")

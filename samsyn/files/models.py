"""Files kept in the database, for installations with several web nodes.

`samsyn.files.storage.DatabaseStorage` keeps every stored file (job results, picture
and annual-report PDFs, walk photos, intervention documents) as one row here, so every
node reads what any node wrote, and the database's backups and replicas carry them.
See docs/decisions/0020-files-in-the-database.md for the choice and its limits.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    name = models.CharField(_("name"), max_length=512, unique=True)
    content = models.BinaryField(_("content"))
    size = models.PositiveBigIntegerField(_("size"))
    created = models.DateTimeField(_("created"), default=timezone.now)
    modified = models.DateTimeField(_("modified"), default=timezone.now)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return f"{self.name} ({self.size} bytes)"

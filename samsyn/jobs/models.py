"""Long jobs started from the web, and how far they have come.

A ``Job`` row is written by ``samsyn.lib.progress.Progress`` (throttled: one write
every half second at most) and read by a small page part that polls it with htmx.
A job belongs to one collaboration; one with an owner is visible to that user only,
one without (a situation picture's PDF) to every member of the collaboration.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration

# A job not heard from for this long is taken for dead (its worker stopped): asking
# for the same work again starts a new job instead of waiting for it.
STALE_AFTER = timedelta(minutes=10)


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, access: Access) -> JobQuerySet:
        if access.collaboration is None or not access.is_member or access.user is None:
            return self.none()
        return self.filter(collaboration=access.collaboration).filter(
            models.Q(owner__isnull=True) | models.Q(owner=access.user)
        )

    def unfinished(self) -> JobQuerySet:
        return self.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        PICTURE = "picture", _("Situation picture")
        PICTURE_PDF = "picture_pdf", _("Situation picture PDF")
        ANNUAL_PDF = "annual_pdf", _("Annual report PDF")
        IMPORT = "import", _("Import")
        ANALYSIS = "analysis", _("Analysis")
        EXPORT = "export", _("Export")
        EVALUATION = "evaluation", _("Evaluation of interventions")
        OTHER = "other", _("Other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="jobs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the job works on ("pictures.situationpicture:12:<version stamp>"): the
    # same request finds the running job instead of starting a second one.
    subject = models.CharField(max_length=200, blank=True, db_index=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    # When the result file was removed by ``samsyn purge_jobs`` (files are kept
    # ``SAMSYN_JOB_FILE_DAYS`` days: an export can hold report texts).
    result_removed = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(default=timezone.now)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["collaboration", "-created"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label} {self.status}".strip()

    @staticmethod
    def subject_for(obj: models.Model, stamp: Any = "") -> str:
        base = f"{obj._meta.label_lower}:{obj.pk}"
        return f"{base}:{stamp}" if stamp != "" else base

    @classmethod
    def queue(
        cls,
        kind: str,
        *,
        collaboration: Collaboration,
        owner: Any = None,
        subject: str = "",
        label: str = "",
        result_url: str = "",
    ) -> tuple[Job, bool]:
        """The unfinished job for ``subject``, or a new queued one (created=True)."""
        if subject:
            fresh = timezone.now() - STALE_AFTER
            found = (
                cls.objects.unfinished()
                .filter(
                    collaboration=collaboration, subject=subject, updated__gte=fresh
                )
                .first()
            )
            if found is not None:
                return found, False
        job = cls.objects.create(
            kind=kind,
            collaboration=collaboration,
            owner=owner if getattr(owner, "is_authenticated", False) else None,
            subject=subject,
            label=label[:200],
            result_url=result_url,
        )
        return job, True

    def record(self, **fields: Any) -> None:
        """Write progress (called by ``Progress``, throttled there)."""
        now = timezone.now()
        finished = fields.pop("finished", False)
        values: dict[str, Any] = {"updated": now}
        for name in ("status", "done", "total", "stage", "message", "error"):
            if name in fields:
                values[name] = fields[name]
        if fields.get("result_url"):
            values["result_url"] = fields["result_url"]
        if "stage" in values:
            values["stage"] = str(values["stage"])[:200]
        if "message" in values:
            values["message"] = str(values["message"])[:500]
        if values.get("status") == self.Status.RUNNING and self.started is None:
            values["started"] = now
        if finished:
            values["finished"] = now
        type(self).objects.filter(pk=self.pk).update(**values)
        for name, value in values.items():
            setattr(self, name, value)

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, int(100 * self.done / self.total)))

    @property
    def stage_display(self) -> str:
        """The stage in the reader's language (stages are stored as English msgids)."""
        return gettext(self.stage) if self.stage else ""

    @property
    def file_days(self) -> int:
        """How many days a finished job's file is kept."""
        return int(settings.SAMSYN_JOB_FILE_DAYS)

    @property
    def elapsed(self) -> timedelta | None:
        if self.started is None:
            return None
        return (self.finished or timezone.now()) - self.started


class WorkerBeat(models.Model):
    """A task worker's heartbeat (``samsyn db_worker`` writes it every few seconds).

    django_tasks_db marks a task RUNNING when a worker claims it and never looks at
    it again: a worker killed in the middle leaves it RUNNING for ever. A task whose
    worker has not been heard from for ``SAMSYN_WORKER_STALE_SECONDS`` is handed back
    to the queue by the other workers (``samsyn.jobs.workers``).
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started = models.DateTimeField(default=timezone.now)
    seen = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"

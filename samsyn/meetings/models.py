"""Forums, their meetings, and the decisions taken there.

A `Forum` is a standing group of the collaboration (the weekly EST meeting, the
strategic group, a local area group) with a schedule; `plan_meetings` turns the
schedule into `Meeting` rows. A meeting's agenda is generated from the current
situation picture and the decisions still open from the forum's earlier meetings,
so nothing decided is forgotten: an open decision is carried to every later agenda
of the same forum until its owner marks it done. A decision's status is a history
(`DecisionEvent`, append-only); `Decision.status` is its latest value, kept in the
same transaction so lists can filter on it.

Calendar apps cannot sign in, so each person may have a secret subscription link
(`CalendarLink`) to the meetings of the forums they may see; it is rotated or turned
off from the meetings page.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from samsyn.areas.models import Area, Place
from samsyn.lib.weeks import local_tz, localtime
from samsyn.organisations.access import Cap
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category

if TYPE_CHECKING:
    from samsyn.organisations.access import Access

# A physical-environment issue still open this many days after it came in is
# "overdue" on a forum's agenda, unless the forum says otherwise.
DEFAULT_OVERDUE_DAYS = 14


class ForumQuerySet(models.QuerySet["Forum"]):
    def visible_to(self, access: Access) -> ForumQuerySet:
        """Members with VIEW_REPORTS see every forum; a forum's members see it."""
        if access.collaboration is None or access.user is None:
            return self.none()
        rule = Q(members=access.user)
        if access.can(Cap.VIEW_REPORTS):
            rule |= Q(pk__isnull=False)
        ids = self.filter(collaboration=access.collaboration).filter(rule).values("pk")
        return self.filter(pk__in=ids)

    def active(self) -> ForumQuerySet:
        return self.filter(active=True)


class Forum(models.Model):
    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly EST meeting")
        STEERING = "steering", _("Strategic group")
        LOCAL = "local", _("Local area group")

    class Recurrence(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        BIWEEKLY = "biweekly", _("Every other week")
        MONTHLY = "monthly", _("Every month (same weekday)")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="forums"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forums",
        verbose_name=_("area"),
        help_text=_("Local groups: the district or area the group is about."),
    )
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="forums", verbose_name=_("members")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="forums",
        verbose_name=_("people"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, default=Weekday.TUESDAY
    )
    start_time = models.TimeField(_("starts at"), default=time(9, 0))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    recurrence = models.CharField(
        _("how often"), max_length=10, choices=Recurrence.choices, default="weekly"
    )
    # The first meeting's date: every other week and monthly count from it (a monthly
    # forum meets on the same n-th weekday of the month as this date).
    starts_on = models.DateField(_("first meeting"), default=timezone.localdate)
    location = models.CharField(_("location"), max_length=200, blank=True)
    overdue_days = models.PositiveSmallIntegerField(
        _("issues overdue after (days)"),
        default=DEFAULT_OVERDUE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "The agenda lists physical-environment issues (lighting, vegetation, "
            "graffiti …) still open this many days after they were reported."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(default=timezone.now)

    objects = ForumQuerySet.as_manager()

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def _first_on_or_after(self, d: date) -> date:
        return d + timedelta(days=(self.weekday - d.weekday()) % 7)

    def meeting_dates(self, since: date, until: date) -> list[date]:
        """Dates (local) of the schedule's meetings in [since, until]."""
        first = self._first_on_or_after(self.starts_on)
        since = max(since, first)
        out: list[date] = []
        if self.recurrence == self.Recurrence.MONTHLY:
            nth = (first.day - 1) // 7
            y, m = since.year, since.month
            while date(y, m, 1) <= until:
                d = self._first_on_or_after(date(y, m, 1)) + timedelta(weeks=nth)
                if d.month == m and since <= d <= until:
                    out.append(d)
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            return out
        step = 14 if self.recurrence == self.Recurrence.BIWEEKLY else 7
        skip = (since - first).days
        d = first + timedelta(days=-(-skip // step) * step) if skip > 0 else first
        while d <= until:
            out.append(d)
            d += timedelta(days=step)
        return out

    def start_of(self, d: date) -> datetime:
        """The meeting's start on local date ``d`` as an aware datetime.

        Built from the wall-clock time in settings.TIME_ZONE, so a 09:00 meeting stays
        at 09:00 across the daylight-saving change (its UTC time moves by an hour).
        """
        return datetime.combine(d, self.start_time, local_tz())


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, access: Access) -> MeetingQuerySet:
        forums = Forum.objects.visible_to(access).values("pk")
        return self.filter(forum__in=forums)

    def upcoming(self, now: datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.filter(
            starts_at__gte=now - timedelta(hours=12),
            status=Meeting.Status.PLANNED,
        ).order_by("starts_at")

    def past(self, now: datetime | None = None) -> MeetingQuerySet:
        now = now or timezone.now()
        return self.filter(
            Q(status=Meeting.Status.HELD)
            | Q(starts_at__lt=now - timedelta(hours=12))
            | Q(status=Meeting.Status.CANCELLED)
        ).order_by("-starts_at")


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="meetings"
    )
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    # Generated from the situation picture (see actions.generate_agenda): frozen,
    # so the agenda shows what the meeting was given even after later imports.
    agenda = models.JSONField(default=dict, blank=True)
    agenda_notes = models.TextField(_("other items"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="meetings_attended",
        verbose_name=_("people present"),
    )
    attending_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="meetings_attended",
        verbose_name=_("organisations present"),
    )
    # The situation picture the agenda was generated from (None: generated straight
    # from the analysis engine, or no picture yet).
    picture = models.ForeignKey(
        "pictures.SituationPicture",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        verbose_name=_("situation picture"),
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            # plan_meetings may run any number of times: one meeting per slot.
            models.UniqueConstraint(
                fields=["forum", "starts_at"], name="one_meeting_per_forum_slot"
            )
        ]

    def __str__(self) -> str:
        local = localtime(self.starts_at)
        return f"{self.forum.name} {local:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def agenda_for(self, access: Access) -> dict[str, Any]:
        """The stored agenda as this member may see it.

        Overdue issues that come from restricted reports are listed only for those
        who may see the report; the others see how many there are.
        """
        from samsyn.reports.models import Report

        agenda = dict(self.agenda or {})
        issues = agenda.get("issues") or []
        codes = [i["code"] for i in issues if i.get("restricted")]
        if codes:
            visible = {
                str(c)
                for c in Report.objects.visible_to(access)
                .filter(code__in=codes)
                .values_list("code", flat=True)
            }
            agenda["issues"] = [
                i for i in issues if not i.get("restricted") or i["code"] in visible
            ]
            agenda["hidden_issues"] = len(issues) - len(agenda["issues"])
        return agenda


class DecisionQuerySet(models.QuerySet["Decision"]):
    def visible_to(self, access: Access) -> DecisionQuerySet:
        meetings = Meeting.objects.visible_to(access).values("pk")
        return self.filter(meeting__in=meetings)

    def open(self) -> DecisionQuerySet:
        return self.filter(status=Decision.Status.OPEN)

    def overdue(self, today: date | None = None) -> DecisionQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(due__lt=today)

    def carried_to(self, meeting: Meeting) -> DecisionQuerySet:
        """Decisions from the forum's earlier meetings that are still open."""
        return (
            self.open()
            .filter(
                meeting__forum_id=meeting.forum_id,
                meeting__starts_at__lt=meeting.starts_at,
            )
            .order_by("due", "created")
        )


class Decision(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="decisions"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="decisions"
    )
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="decisions", verbose_name=_("categories")
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="decisions", verbose_name=_("areas")
    )
    places = models.ManyToManyField(
        Place, blank=True, related_name="decisions", verbose_name=_("places")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["due", "created"]
        indexes = [
            models.Index(
                fields=["collaboration", "owner", "due"],
                condition=Q(status="open"),
                name="decision_open_idx",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == self.Status.OPEN
            and self.due is not None
            and (self.due < today)
        )

    def shown_status(self, today: date | None = None) -> tuple[str, str]:
        """The status a page shows: (key, words). An open decision past its due day
        is "overdue" everywhere (start page, meeting, decision list): one rule,
        ``is_overdue``."""
        if self.is_overdue(today):
            return "overdue", str(_("Overdue"))
        return self.status, str(self.get_status_display())

    @property
    def status_badge(self) -> tuple[str, str]:
        return self.shown_status()

    def can_be_closed_by(self, access: Access) -> bool:
        """Coordinators, and the owner organisation's own people, close a decision."""
        if access.collaboration is None or (
            access.collaboration.pk != self.collaboration_id
        ):
            return False
        return access.can(Cap.MANAGE_MEETINGS) or (
            self.owner_id in access.organisation_ids
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": str(self.code),
            "text": self.text,
            "owner": self.owner.slug,
            "owner_name": self.owner.name,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "meeting": str(self.meeting.code),
            "forum": self.meeting.forum.name,
            "decided_on": localtime(self.meeting.starts_at).date().isoformat(),
        }


class AppendOnlyError(Exception):
    pass


class DecisionEventQuerySet(models.QuerySet["DecisionEvent"]):
    # Bulk changes would bypass save()/delete(): refuse them too.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Decision history is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Decision history is append-only.")


class DecisionEvent(models.Model):
    """One step of a decision's history. Never edited, never deleted."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Decided")
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note")

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Decision.Status.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(default=timezone.now)

    objects = DecisionEventQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.kind} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Decision history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Decision history is append-only.")


class CalendarLink(models.Model):
    """A person's secret link to the calendar of their meetings in a collaboration.

    The link carries ``key`` and an HMAC of it made with the server's secret key, so
    the database alone does not give away a working link (and the page can show the
    link again). The feed shows what the person may see at the time it is fetched:
    the meetings of the forums visible to them, nothing once they leave the
    collaboration. Rotating gives a new key (the old link stops working); revoking
    deletes the row. Both are audited (see actions).
    """

    SALT = "samsyn.meetings.CalendarLink"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_links",
    )
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="+"
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "collaboration"], name="one_calendar_link_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.collaboration_id}"

    @classmethod
    def _digest(cls, key_hex: str) -> str:
        return salted_hmac(cls.SALT, key_hex, algorithm="sha256").hexdigest()[:40]

    @property
    def token(self) -> str:
        """The secret part of the link: the key and its HMAC."""
        return f"{self.key.hex}{self._digest(self.key.hex)}"

    @classmethod
    def from_token(cls, token: str) -> CalendarLink | None:
        """The link a token belongs to, or None (malformed, forged or revoked)."""
        key_hex, digest = token[:32], token[32:]
        try:
            key = uuid.UUID(hex=key_hex)
        except ValueError:
            return None
        if not constant_time_compare(digest, cls._digest(key.hex)):
            return None
        return (
            cls.objects.filter(key=key, user__is_active=True)
            .select_related("user", "collaboration")
            .first()
        )

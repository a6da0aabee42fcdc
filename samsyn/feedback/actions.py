"""Feedback actions: change the public page's settings, send the digest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from samsyn.feedback.models import PublicFeedbackSettings
from samsyn.feedback.summary import Period, build_summary
from samsyn.organisations.models import Collaboration, Membership, record

if TYPE_CHECKING:
    from samsyn.accounts.models import User


def settings_for(collaboration: Collaboration) -> PublicFeedbackSettings:
    """The collaboration's settings row (an unsaved default when there is none)."""
    found = PublicFeedbackSettings.objects.filter(collaboration=collaboration).first()
    return found or PublicFeedbackSettings(collaboration=collaboration)


@transaction.atomic
def save_public_settings(
    collaboration: Collaboration, data: dict[str, Any], *, by: User
) -> PublicFeedbackSettings:
    obj = settings_for(collaboration)
    for name in ("enabled", "delay_days", "period_weeks", "intro", "frame_ancestors"):
        setattr(obj, name, data[name])
    obj.updated = timezone.now()
    obj.updated_by = by
    obj.save()
    obj.categories.set(data.get("categories") or [])
    record(
        by,
        "feedback.public_settings_saved",
        collaboration,
        data={
            "enabled": obj.enabled,
            "delay_days": obj.delay_days,
            "period_weeks": obj.period_weeks,
            "categories": sorted(c.code for c in obj.categories.all()),
            "frame_ancestors": obj.origins(),
        },
    )
    return obj


def digest_recipients(collaboration: Collaboration) -> list[str]:
    """Every active member of the collaboration with an e-mail address (for now)."""
    emails = (
        Membership.objects.filter(
            organisation__collaboration=collaboration,
            organisation__active=True,
            active=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )
    return sorted(set(emails))


def send_feedback_digest(
    collaboration: Collaboration, period: Period, *, by: User | None = None
) -> int:
    """E-mail the period's summary to every recipient; returns how many got it.

    Built as a reader without access to restricted reports would see it, since the
    same message goes to everyone."""
    ctx = build_summary(collaboration, period)
    ctx["email"] = True
    subject = f"{collaboration.name}: {period.label}"
    html = render_to_string("feedback/summary_print.html", ctx)
    text = render_to_string("feedback/summary_email.txt", ctx)
    recipients = digest_recipients(collaboration)
    sent = 0
    for address in recipients:
        message = EmailMultiAlternatives(
            subject, text, settings.DEFAULT_FROM_EMAIL, [address]
        )
        message.attach_alternative(html, "text/html")
        sent += message.send()
    record(
        by,
        "feedback.digest_sent",
        collaboration,
        data={"period": period.key, "recipients": sent, "reports": ctx["total"]},
    )
    return sent

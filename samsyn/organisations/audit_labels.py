"""Audit actions in words: the audit log stores stable codes ("report.status_changed");
people read "Report status changed". Codes made from a prefix and a kind
("picture.approved", "export.reports") are worded from the prefix and the kind's label.
An unknown code is shown as it is, so a new action is never hidden.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

ACTION_LABELS = {
    "accounts.user_data_exported": gettext_lazy("User's data exported"),
    "accounts.user_removed": gettext_lazy("User removed"),
    "analysis.run_restricted": gettext_lazy(
        "Analysis run including restricted reports"
    ),
    "api_token.created": gettext_lazy("API token created"),
    "areas.imported": gettext_lazy("Areas imported"),
    "calendar_link.created": gettext_lazy("Calendar link created"),
    "calendar_link.revoked": gettext_lazy("Calendar link revoked"),
    "category.created": gettext_lazy("Category created"),
    "checkin.recorded": gettext_lazy("Check-in recorded"),
    "checkin.reminder_sent": gettext_lazy("Check-in reminder sent"),
    "collaboration.created": gettext_lazy("Collaboration created"),
    "coverage.changed": gettext_lazy("Coverage changed"),
    "decision.made": gettext_lazy("Decision made"),
    "decision.status": gettext_lazy("Decision status changed"),
    "export.download": gettext_lazy("Export downloaded"),
    "feedback.digest_sent": gettext_lazy("Feedback digest sent"),
    "feedback.public_settings_saved": gettext_lazy("Public page settings saved"),
    "forum.created": gettext_lazy("Forum created"),
    "forum.meetings_planned": gettext_lazy("Meetings planned"),
    "intervention.effort_recorded": gettext_lazy("Intervention effort recorded"),
    "intervention.evaluated": gettext_lazy("Intervention followed up"),
    "intervention.note_added": gettext_lazy("Note added to intervention"),
    "intervention.partner_asked": gettext_lazy("Partner asked to take part"),
    "intervention.partner_accepted": gettext_lazy("Partner accepted"),
    "intervention.partner_declined": gettext_lazy("Partner declined"),
    "intervention.published": gettext_lazy("Intervention published"),
    "intervention.registered": gettext_lazy("Intervention registered"),
    "intervention.status_changed": gettext_lazy("Intervention status changed"),
    "intervention.updated": gettext_lazy("Intervention updated"),
    "login": gettext_lazy("Signed in"),
    "login.failed": gettext_lazy("Failed sign-in"),
    "login.oidc_failed": gettext_lazy("Failed sign-in with the organisation's account"),
    "logout": gettext_lazy("Signed out"),
    "meeting.agenda_generated": gettext_lazy("Meeting agenda made"),
    "meeting.minutes_recorded": gettext_lazy("Meeting minutes recorded"),
    "meeting.status": gettext_lazy("Meeting status changed"),
    "membership.granted": gettext_lazy("Membership granted"),
    "notifications.preferences_changed": gettext_lazy("Notification settings changed"),
    "organisation.created": gettext_lazy("Organisation created"),
    "patrol_plan.generated": gettext_lazy("Guard plan made"),
    "patrol_plan.published": gettext_lazy("Guard plan published"),
    "patrol_settings.saved": gettext_lazy("Guard plan settings saved"),
    "patrol_visit.reported": gettext_lazy("Guard visit reported"),
    "police.crimes_imported": gettext_lazy("Reported crimes imported"),
    "police.import_confirmed": gettext_lazy("Police import confirmed"),
    "police.import_previewed": gettext_lazy("Police import previewed"),
    "police.imported": gettext_lazy("Police events imported"),
    "police.mapping_saved": gettext_lazy("Column mapping saved"),
    "report.status_changed": gettext_lazy("Report status changed"),
    "report.submitted": gettext_lazy("Report submitted"),
    "report.viewed_restricted": gettext_lazy("Restricted report viewed"),
    "reports.free_text_purged": gettext_lazy("Old free text removed"),
    "resident_report.submitted": gettext_lazy("Resident's report received"),
    "resident_settings.changed": gettext_lazy("Residents' page settings changed"),
    "survey.imported": gettext_lazy("Survey imported"),
    "survey.mapping_created": gettext_lazy("Survey mapping created"),
    "walk.done": gettext_lazy("Safety walk done"),
    "walk.observation_proposed": gettext_lazy("Walk observation proposed"),
    "walk.observation_recorded": gettext_lazy("Walk observation recorded"),
    "walk.observation_reported": gettext_lazy("Walk observation made a report"),
    "walk.planned": gettext_lazy("Safety walk planned"),
    "webhook.created": gettext_lazy("Webhook created"),
    "webhook.deleted": gettext_lazy("Webhook deleted"),
    "webhook.resumed": gettext_lazy("Webhook resumed"),
    "webhook.secret_rotated": gettext_lazy("Webhook secret changed"),
    "webhook.test_sent": gettext_lazy("Webhook test sent"),
    "checklist.standard_added": gettext_lazy("Standard checklist added"),
    "problem_analysis.started": gettext_lazy("In-depth analysis started"),
    "problem_analysis.edited": gettext_lazy("In-depth analysis edited"),
    "problem_analysis.intervention": gettext_lazy(
        "Intervention recorded from an in-depth analysis"
    ),
    "report.routed": gettext_lazy("Report sent to its owner"),
    "report.declined": gettext_lazy("Report declined by its owner (not ours)"),
    "routing.properties_imported": gettext_lazy("Properties imported"),
    "routing.rule_created": gettext_lazy("Routing rule created"),
    "routing.rule_deleted": gettext_lazy("Routing rule deleted"),
}

# Families: prefix → what the kind is done to ("Situation picture: Approved").
FAMILIES = {
    "picture": pgettext_lazy("audit", "Situation picture"),
    "annual": pgettext_lazy("audit", "Annual report"),
    "export": pgettext_lazy("audit", "Export"),
    "resident_report": pgettext_lazy("audit", "Resident's report"),
}


def _kind_labels(prefix: str) -> dict[str, str]:
    if prefix == "picture":
        from samsyn.pictures.models import PictureEvent

        return {k: str(v) for k, v in PictureEvent.Kind.choices}
    if prefix == "annual":
        from samsyn.annual.models import AnnualReportEvent

        return {k: str(v) for k, v in AnnualReportEvent.Kind.choices}
    if prefix == "resident_report":
        from samsyn.residents.models import ResidentReport

        return {k: str(v) for k, v in ResidentReport.Status.choices}
    if prefix == "export":
        return {
            "reports": _("reports"),
            "interventions": _("interventions"),
            "pictures": _("situation pictures"),
        }
    return {}


def action_label(code: str) -> str:
    """The action in words in the active language; the code itself if unknown."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    prefix, _sep, kind = code.partition(".")
    family = FAMILIES.get(prefix)
    if family is not None:
        label = _kind_labels(prefix).get(kind)
        if label:
            # Translators: an audit action worded as "<what>: <what happened>".
            return _("%(what)s: %(kind)s") % {"what": family, "kind": label}
    return code

"""The shared document bases: one pattern, the same columns, append-only history."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from samsyn.annual.models import AnnualReport, AnnualReportEvent
from samsyn.lib.documents import AppendOnlyError, DocumentEvent, VersionedDocument
from samsyn.pictures.models import PictureEvent, SituationPicture


def test_both_documents_share_the_bases():
    for model in (SituationPicture, AnnualReport):
        assert issubclass(model, VersionedDocument)
        assert model.Status.APPROVED == "approved"
    for model in (PictureEvent, AnnualReportEvent):
        assert issubclass(model, DocumentEvent)
        assert model._meta.ordering == ["created", "id"]
    assert SituationPicture._meta.get_field("pdf").upload_to == "pictures/"
    assert AnnualReport._meta.get_field("pdf").upload_to == "annual/"


@pytest.mark.django_db
def test_the_bases_change_no_column():
    out = StringIO()
    # --check exits non-zero when a migration would be needed.
    call_command(
        "makemigrations", "annual", "pictures", "--check", "--dry-run", stdout=out
    )
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_a_document_history_is_append_only(north, alice):  # type: ignore[no-untyped-def]
    report = AnnualReport.objects.create(collaboration=north, year=2026)
    assert report.is_draft and not report.is_approved
    event = AnnualReportEvent.objects.create(
        report=report, kind=AnnualReportEvent.Kind.CREATED, actor=alice
    )
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AnnualReportEvent.objects.filter(report=report).update(data={"x": 1})
    with pytest.raises(AppendOnlyError):
        AnnualReportEvent.objects.filter(report=report).delete()
    # Deleting the document takes its history with it; a removed account leaves
    # the history without its actor.
    alice.delete()
    event = AnnualReportEvent.objects.get(pk=event.pk)
    assert event.actor is None
    report.delete()
    assert not AnnualReportEvent.objects.exists()

"""Build a picture's PDF with WeasyPrint from the same templates as the page."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from samsyn.organisations.access import Access
from samsyn.pictures.models import PictureEvent, SituationPicture


def render_pdf(picture: SituationPicture) -> bytes:
    from weasyprint import HTML

    from samsyn.pictures.views import picture_context

    # The stored PDF is one file for every reader, so it is built as a reader
    # without VIEW_RESTRICTED would see the page: no restricted details.
    ctx = picture_context(picture, Access(user=None, collaboration=None))
    ctx["print"] = True
    html = render_to_string("pictures/print.html", ctx)
    return HTML(string=html).write_pdf()


@task()
def build_picture_pdf(picture_id: int) -> None:
    picture = SituationPicture.objects.select_related(
        "collaboration", "scope", "approved_by", "created_by"
    ).get(pk=picture_id)
    with translation.override(translation.get_language() or "sv"):
        data = render_pdf(picture)
    name = f"{picture.collaboration.slug}-{picture.label}-v{picture.version}.pdf"
    picture.pdf.save(name, ContentFile(data), save=False)
    picture.pdf_built_for = picture.updated
    picture.save(update_fields=["pdf", "pdf_built_for"])
    PictureEvent.objects.create(
        picture=picture, kind=PictureEvent.Kind.PDF, data={"bytes": len(data)}
    )

"""Build an annual report's PDF with WeasyPrint from the same template as the page."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from samsyn.annual.models import AnnualReport, AnnualReportEvent


def render_pdf(report: AnnualReport) -> bytes:
    from weasyprint import HTML

    from samsyn.annual.views import document_context

    ctx = document_context(report)
    ctx["print"] = True
    html = render_to_string("annual/print.html", ctx)
    return HTML(string=html).write_pdf()


@task()
def build_annual_pdf(report_id: int) -> None:
    report = AnnualReport.objects.select_related(
        "collaboration", "approved_by", "created_by"
    ).get(pk=report_id)
    with translation.override(translation.get_language() or "sv"):
        data = render_pdf(report)
    name = f"{report.collaboration.slug}-{report.year}-v{report.version}.pdf"
    report.pdf.save(name, ContentFile(data), save=False)
    report.pdf_built_for = report.updated
    report.save(update_fields=["pdf", "pdf_built_for"])
    AnnualReportEvent.objects.create(
        report=report, kind=AnnualReportEvent.Kind.PDF, data={"bytes": len(data)}
    )

"""Build an annual report's PDF with WeasyPrint from the same template as the page."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django_tasks import task

from samsyn.annual.models import AnnualReport, AnnualReportEvent
from samsyn.jobs.models import Job
from samsyn.jobs.pdf import (
    html_to_pdf,
    keep_on_document,
    queue_document_pdf,
    run_pdf_job,
)


def print_html(report: AnnualReport) -> str:
    from samsyn.annual.views import document_context

    ctx = document_context(report)
    ctx["print"] = True
    return render_to_string("annual/print.html", ctx)


def queue_annual_pdf(report: AnnualReport, *, by: Any = None) -> Job:
    """The job building this version's PDF: the running one, or a new one queued."""
    return queue_document_pdf(
        report,
        Job.Kind.ANNUAL_PDF,
        label=report.year,
        url_name="annual:pdf",
        build=build_annual_pdf,
    )


@task()
def build_annual_pdf(report_id: int, job_id: int | None = None) -> None:
    report = AnnualReport.objects.select_related(
        "collaboration", "approved_by", "created_by"
    ).get(pk=report_id)

    def store(_html: str, data: bytes, _job: Job | None) -> None:
        name = f"{report.collaboration.slug}-{report.year}-v{report.version}.pdf"
        keep_on_document(report, name, data)
        AnnualReportEvent.objects.create(
            report=report, kind=AnnualReportEvent.Kind.PDF, data={"bytes": len(data)}
        )

    run_pdf_job(
        job_id,
        label=str(report.year),
        collect=lambda: print_html(report),
        lay_out=html_to_pdf,
        store=store,
    )

"""The PDF check finds an untagged PDF, and the PDFs Samsyn writes pass it."""

from __future__ import annotations

from weasyprint import HTML

from samsyn.jobs.pdf import html_to_pdf
from samsyn.lib.tests.pdfcheck import pdf_accessibility_problems

PAGE = (
    '<html lang="sv"><head><title>Lägesbild 2026 v. 47</title></head>'
    "<body><h1>Lägesbild</h1><table><tr><th>Kategori</th></tr>"
    "<tr><td>Klotter</td></tr></table></body></html>"
)


def test_an_untagged_pdf_without_title_or_language_is_flagged() -> None:
    plain = HTML(string="<p>Text</p>").write_pdf()
    problems = pdf_accessibility_problems(plain)
    assert "no structure tree (untagged)" in problems
    assert "no document language" in problems
    assert "no title" in problems


def test_samsyns_pdfs_are_tagged_with_language_and_title() -> None:
    assert pdf_accessibility_problems(html_to_pdf(PAGE), language="sv") == []


def test_a_pdf_in_the_wrong_language_is_flagged() -> None:
    problems = pdf_accessibility_problems(html_to_pdf(PAGE), language="en")
    assert problems == ["language 'sv', expected 'en'"]

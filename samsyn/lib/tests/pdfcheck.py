"""What a screen reader needs from a PDF, checked on the file itself.

Samsyn's PDFs are written as PDF/UA-1 (``samsyn.jobs.pdf.html_to_pdf``). This reads a
PDF back and lists what is missing of the parts a machine can check: a structure
tree (tags), the "marked" flag, the document language, a title and the viewer
preference to show that title. Reading order and alternative texts still need a
person with a screen reader; see the accessibility statement (templates/accessibility.html).
"""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_accessibility_problems(
    data: bytes, *, language: str | None = None
) -> list[str]:
    """The missing parts, as short English phrases (an empty list: none missing)."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    problems = []
    if "/StructTreeRoot" not in root:
        problems.append("no structure tree (untagged)")
    mark_info = root.get("/MarkInfo") or {}
    if not mark_info.get("/Marked"):
        problems.append("not marked as tagged")
    lang = str(root.get("/Lang") or "")
    if not lang:
        problems.append("no document language")
    elif language and not lang.lower().startswith(language.lower()):
        problems.append(f"language {lang!r}, expected {language!r}")
    title = reader.metadata.title if reader.metadata else None
    if not (title or "").strip():
        problems.append("no title")
    prefs = root.get("/ViewerPreferences") or {}
    if not prefs.get("/DisplayDocTitle"):
        problems.append("the title is not shown instead of the file name")
    return problems

"""Reading a spreadsheet extract (CSV or XLSX) into a header and rows of cells.

CSV: UTF-8 (with or without BOM) when the file is UTF-8; a file that is UTF-8 except
for some lines is refused with those lines' numbers (joined from files saved in two
encodings: reading it either way would garble part of it); a file with no UTF-8 in it
is read as Windows-1252 (Latin-1 and Excel's "CSV" in Swedish Windows), and the table
says which encoding was used. The delimiter is `;`, `,` or a tab, whichever splits
the first lines into the same number of columns (most of them, then the widest).
A file with a header and no rows is refused. XLSX: the first sheet, read with openpyxl in
read-only mode. Any problem with the file as a whole raises `FileProblem` with a message
meant for the person who uploaded it. No Django imports.

Hostile files are bounded before they are read: the size of the upload, the unpacked
size of an XLSX (its zip directory; zipfile stops at the declared size, so a zip bomb
cannot lie its way past it), the number of rows and columns (an XLSX can declare a
sheet a million rows tall in a few bytes) and the length of a cell. Whatever openpyxl
or the XML parser raises on a broken or hostile workbook (bad XML, an entity expansion
bomb, a number too long to convert) becomes a `FileProblem`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_BYTES = 20 * 1024 * 1024  # what the imports pages take
# The command line reads larger extracts (still within MAX_ROWS).
MAX_BYTES_COMMAND = 100 * 1024 * 1024
SNIFF_CHARS = 64 * 1024
MAX_LINES_SHOWN = 10
MAX_CELL = 2_000  # characters; no column of a crime extract needs more
MAX_ROWS = 200_000
MAX_COLUMNS = 500  # an extract has a few dozen
MAX_UNPACKED = 256 * 1024 * 1024  # an XLSX's files, unpacked
MAX_ZIP_ENTRIES = 1_000
XLSX_MAGIC = b"PK\x03\x04"


class FileProblem(Exception):
    """The file cannot be read as an extract; nothing was imported."""


@dataclass
class Table:
    header: list[str]
    # (row number as a person counts it in the file: header = 1, values)
    rows: list[tuple[int, list[Any]]]
    encoding: str = ""
    delimiter: str = ""


def _lines_not_utf8(raw: bytes) -> tuple[list[int], int]:
    """(numbers of the lines that are not UTF-8, lines with valid non-ASCII UTF-8)."""
    bad: list[int] = []
    utf8 = 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
        else:
            utf8 += not text.isascii()
    return bad, utf8


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 when it is valid UTF-8; Windows-1252 when nothing in
    it is UTF-8; a file that mixes the two is refused, naming the lines."""
    if b"\x00" in raw:
        raise FileProblem(
            _(
                "The file contains NUL bytes: it is not a text CSV (saved as UTF-16, "
                "or a binary file?). Save it as CSV in UTF-8 or Windows-1252."
            )
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    bad, utf8 = _lines_not_utf8(raw)
    if utf8 or raw.startswith(b"\xef\xbb\xbf"):
        lines = ", ".join(str(n) for n in bad[:MAX_LINES_SHOWN])
        if len(bad) > MAX_LINES_SHOWN:
            lines += " …"
        raise FileProblem(
            ngettext(
                "The file is UTF-8 except line %(lines)s, which is in another "
                "encoding (Windows-1252?). Nothing was guessed: save the whole file "
                "as UTF-8 and import it again.",
                "The file is UTF-8 except %(n)s lines (%(lines)s), which are in "
                "another encoding (Windows-1252?). Nothing was guessed: save the "
                "whole file as UTF-8 and import it again.",
                len(bad),
            )
            % {"lines": lines, "n": len(bad)}
        )
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FileProblem(
            _(
                "The file is neither UTF-8 nor Windows-1252 text (line %(line)s, "
                "byte %(byte)s)."
            )
            % {"line": line, "byte": exc.start}
        ) from exc


def sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab: the one that splits the first lines (up to SNIFF_CHARS) into
    the same number of columns most often, then into the most columns."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS:
        sample = sample.rsplit("\n", 1)[0]  # no half line
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    best, best_score = ";", (0, 0)
    for delimiter in (";", ",", "\t"):
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        score = (sum(w == widths[0] for w in widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _clean_header(cells: list[Any]) -> list[str]:
    header = [str(c).strip() if c is not None else "" for c in cells]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise FileProblem(_("The first row is empty: it should name the columns."))
    seen: set[str] = set()
    for name in header:
        if name and name.casefold() in seen:
            raise FileProblem(
                _("The column %(name)s appears twice in the header.")
                % {"name": repr(name)}
            )
        seen.add(name.casefold())
    return header


def _check_width(cells: Any, row: int) -> None:
    if len(cells) > MAX_COLUMNS:
        raise FileProblem(
            _(
                "Row %(row)s has %(n)s columns (at most %(max)s); is this the right file?"
            )
            % {"row": row, "n": len(cells), "max": MAX_COLUMNS}
        )


def _check_cell(value: Any, row: int) -> None:
    if isinstance(value, str) and len(value) > MAX_CELL:
        raise FileProblem(
            _(
                "Row %(row)s: a cell holds %(length)s characters (at most %(max)s); "
                "is this the right file?"
            )
            % {"row": row, "length": len(value), "max": MAX_CELL}
        )


def read_csv(raw: bytes) -> Table:
    text, encoding = decode(raw)
    if not text.strip():
        raise FileProblem(_("The file is empty."))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL + 1)
    try:
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for cells in reader:
            number = reader.line_num
            _check_width(cells, number)
            for cell in cells:
                _check_cell(cell, number)
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                header = _clean_header(cells)
                continue
            if not any(c.strip() for c in cells):
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise FileProblem(
                    _("More than %(max)s rows: split the file.") % {"max": MAX_ROWS}
                )
    except csv.Error as exc:
        raise FileProblem(
            _(
                "Line %(line)s: not readable as CSV (%(error)s). A cell may be "
                "longer than %(max)s characters or a quote may be unclosed."
            )
            % {"line": reader.line_num, "error": exc, "max": MAX_CELL}
        ) from exc
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise FileProblem(_("The file is empty."))
    if not rows:
        raise FileProblem(_("The file has a header but no data rows."))
    return Table(header=header, rows=rows, encoding=encoding, delimiter=delimiter)


def _check_zip(raw: bytes) -> None:
    """Refuse a workbook whose parts would unpack to too much, before reading any."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileProblem(
            _("Not a readable XLSX workbook (%(error)s).") % {"error": exc}
        ) from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileProblem(
            _(
                "The workbook holds %(n)s files (at most %(max)s); is this the right "
                "file?"
            )
            % {"n": len(entries), "max": MAX_ZIP_ENTRIES}
        )
    unpacked = sum(e.file_size for e in entries)
    if unpacked > MAX_UNPACKED:
        raise FileProblem(
            _(
                "The workbook unpacks to %(mb)s MB (at most %(max)s MB): split it or "
                "save it as CSV."
            )
            % {"mb": unpacked // (1024 * 1024), "max": MAX_UNPACKED // (1024 * 1024)}
        )


def read_xlsx(raw: bytes) -> Table:
    _check_zip(raw)
    try:
        return _read_xlsx(raw)
    except FileProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile file is its problem
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise FileProblem(
            _("Not a readable XLSX workbook (%(error)s).") % {"error": detail}
        ) from exc


def _read_xlsx(raw: bytes) -> Table:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise FileProblem(_("The workbook has no sheets."))
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        values: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        for number, cells in enumerate(values, start=1):
            # Blank rows count too: a sheet can claim a million of them.
            if number > MAX_ROWS + 1_000:
                raise FileProblem(
                    _("More than %(max)s rows: split the file.") % {"max": MAX_ROWS}
                )
            _check_width(cells, number)
            cells_list = list(cells)
            for cell in cells_list:
                _check_cell(cell, number)
            blank = all(
                c is None or (isinstance(c, str) and not c.strip()) for c in cells_list
            )
            if header is None:
                if blank:
                    continue
                header = _clean_header(cells_list)
                continue
            if blank:
                continue
            rows.append((number, cells_list))
            if len(rows) > MAX_ROWS:
                raise FileProblem(
                    _("More than %(max)s rows: split the file.") % {"max": MAX_ROWS}
                )
    finally:
        book.close()
    if header is None:
        raise FileProblem(_("The workbook's first sheet is empty."))
    if not rows:
        raise FileProblem(_("The file has a header but no data rows."))
    return Table(header=header, rows=rows, encoding="xlsx")


def too_large(max_bytes: int) -> FileProblem:
    return FileProblem(
        _("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)}
    )


def read_table(raw: bytes, file_name: str = "", max_bytes: int = MAX_BYTES) -> Table:
    """The extract's header and rows, from CSV or XLSX bytes (at most ``max_bytes``:
    the page's limit unless the command line gives its own)."""
    if not raw:
        raise FileProblem(_("The file is empty."))
    if len(raw) > max_bytes:
        raise too_large(max_bytes)
    if raw.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(raw)
    return read_csv(raw)

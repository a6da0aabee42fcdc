"""Reading a spreadsheet extract (CSV or XLSX) into a header and rows of cells.

CSV: UTF-8 (with or without BOM) or else Windows-1252; the delimiter is `;`, `,` or a
tab, whichever the header line uses most. XLSX: the first sheet, read with openpyxl in
read-only mode. Any problem with the file as a whole raises `FileProblem` with a message
meant for the person who uploaded it. No Django imports.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 20 * 1024 * 1024
MAX_CELL = 2_000  # characters; no column of a crime extract needs more
MAX_ROWS = 200_000
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


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 when it is valid UTF-8, otherwise Windows-1252."""
    if b"\x00" in raw[:4096]:
        raise FileProblem(
            "The file contains NUL bytes: it is not a text CSV (saved as UTF-16, or "
            "a binary file?). Save it as CSV in UTF-8 or Windows-1252."
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"The file is neither UTF-8 nor Windows-1252 text (byte {exc.start})."
        ) from exc


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _clean_header(cells: list[Any]) -> list[str]:
    header = [str(c).strip() if c is not None else "" for c in cells]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise FileProblem("The first row is empty: it should name the columns.")
    seen: set[str] = set()
    for name in header:
        if name and name.casefold() in seen:
            raise FileProblem(f"The column {name!r} appears twice in the header.")
        seen.add(name.casefold())
    return header


def _check_cell(value: Any, row: int) -> None:
    if isinstance(value, str) and len(value) > MAX_CELL:
        raise FileProblem(
            f"Row {row}: a cell holds {len(value)} characters (at most {MAX_CELL}); "
            "is this the right file?"
        )


def read_csv(raw: bytes) -> Table:
    text, encoding = decode(raw)
    if not text.strip():
        raise FileProblem("The file is empty.")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL + 1)
    try:
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for cells in reader:
            number = reader.line_num
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
                raise FileProblem(f"More than {MAX_ROWS} rows: split the file.")
    except csv.Error as exc:
        raise FileProblem(
            f"Line {reader.line_num}: not readable as CSV ({exc}). A cell may be "
            f"longer than {MAX_CELL} characters or a quote may be unclosed."
        ) from exc
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise FileProblem("The file is empty.")
    return Table(header=header, rows=rows, encoding=encoding, delimiter=delimiter)


def read_xlsx(raw: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(f"Not a readable XLSX workbook ({exc}).") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise FileProblem("The workbook has no sheets.")
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        values: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        for number, cells in enumerate(values, start=1):
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
                raise FileProblem(f"More than {MAX_ROWS} rows: split the file.")
    finally:
        book.close()
    if header is None:
        raise FileProblem("The workbook's first sheet is empty.")
    return Table(header=header, rows=rows, encoding="xlsx")


def read_table(raw: bytes, file_name: str = "") -> Table:
    """The extract's header and rows, from CSV or XLSX bytes."""
    if not raw:
        raise FileProblem("The file is empty.")
    if len(raw) > MAX_BYTES:
        raise FileProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if raw.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(raw)
    return read_csv(raw)

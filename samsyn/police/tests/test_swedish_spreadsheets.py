"""CSV and Excel files as Swedes save them: encodings that are never guessed silently,
`;` or `,`, decimal commas, dates like 03/05/2024 decided from the whole column (or
asked), and empty files refused without a batch. Also the survey importer, which
reads files with the same reader."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from samsyn.lib.weeks import local_tz
from samsyn.organisations.models import Membership
from samsyn.police.crimes import AmbiguousDates, decide_date_order
from samsyn.police.models import ImportBatch, ReportedCrime
from samsyn.police.tabular import FileProblem, read_csv, read_table
from samsyn.surveys.models import SurveyResult
from samsyn.tests.support import member

HEADER = "Ärendenummer;Brottsdatum;Brottstyp;X;Y"


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def run(path: Path, *args: str, command: str = "import_crimes") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        command, str(path), "--collaboration", "north", *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


@pytest.fixture
def write(tmp_path):  # type: ignore[no-untyped-def]
    def write(data: bytes, name: str = "brott.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


# --- encodings ----------------------------------------------------------------------


def test_it_reads_utf8_with_and_without_a_byte_order_mark() -> None:
    text = csv_text("K1;2024-05-03;Skadegörelse;;")
    for raw in (text.encode(), b"\xef\xbb\xbf" + text.encode()):
        table = read_csv(raw)
        assert (table.encoding, table.header[0]) == ("utf-8", "Ärendenummer")
        assert table.rows[0][1][2] == "Skadegörelse"


def test_it_reads_a_file_that_is_windows_1252_throughout_and_says_so() -> None:
    table = read_csv(csv_text("K1;2024-05-03;Skadegörelse;;").encode("cp1252"))
    assert (table.encoding, table.header[0]) == ("windows-1252", "Ärendenummer")
    assert table.rows[0][1][2] == "Skadegörelse"


def test_it_refuses_utf8_with_one_windows_1252_line_naming_the_line() -> None:
    raw = (
        csv_text("K1;2024-05-03;Skadegörelse;;", "K2;2024-05-04;Stöld;;").encode()
        + "K3;2024-05-05;Misshandel, grov, utomhus på gård;;\n".encode("cp1252")
        + "K4;2024-05-06;Rån;;\n".encode()
    )
    with pytest.raises(FileProblem) as caught:
        read_csv(raw)
    assert str(caught.value).startswith(
        "The file is UTF-8 except line 4, which is in another encoding"
    )


def test_it_names_the_first_ten_bad_lines_and_counts_them_all() -> None:
    good = "K0;2024-05-03;Skadegörelse;;\n".encode()
    bad = "K1;2024-05-03;Stöld på gård;;\n".encode("cp1252")
    raw = (HEADER + "\n").encode() + good + bad * 12
    with pytest.raises(FileProblem) as caught:
        read_csv(raw)
    assert "except 12 lines (3, 4, 5, 6, 7, 8, 9, 10, 11, 12 …)" in str(caught.value)


def test_the_command_says_which_encoding_it_read_and_what_it_used(
    north_org, write
) -> None:
    path = write(csv_text("K1;2024-05-03;Skadegörelse;;").encode("cp1252"))
    out, err = run(path)
    assert out.splitlines()[-1] == "imported 1 new, 0 unchanged, 0 skipped"
    assert (
        "1 rows (windows-1252 text, columns separated by ';') in "
        in err.splitlines()[-1]
    )


# --- delimiters and decimal commas -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter", "x"),
    [
        ("Datum;X;Y\n2024-05-03;511400,5;6570134,25\n", ";", "511400,5"),
        ('Datum,X,Y\n2024-05-03,"511400,5","6570134,25"\n', ",", "511400,5"),
        ("Datum\tX\tY\n2024-05-03\t511400,5\t6570134,25\n", "\t", "511400,5"),
        # A comma inside a column name does not make the file comma-separated.
        (
            "Datum;Plats, ort;X\n2024-05-03;Väster, Örebro;511400,5\n",
            ";",
            "Väster, Örebro",
        ),
    ],
)
def test_it_tells_the_delimiter_from_the_first_lines(
    text: str, delimiter: str, x: str
) -> None:
    table = read_csv(text.encode())
    assert table.delimiter == delimiter
    assert table.rows[0][1][1] == x


def test_it_reads_decimal_commas_in_coordinates(north_org, west_area, write) -> None:
    path = write(csv_text("K1;2024-05-03;Stöld;511400,37;6570134,40").encode())
    run(path)
    crime = ReportedCrime.objects.get()
    assert (crime.x, crime.y) == (511400.37, 6570134.40)


# --- dates like 03/05/2024 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["03/05/2024", "13/05/2024"], "dmy"),  # 13 can only be a day
        (["03/05/2024", "05/13/2024"], "mdy"),  # 13 can only be a month
        (["2024-05-03", "03.05.2024"], ""),  # ISO and dotted dates need no decision
        (["05/05/2024"], "dmy"),  # the same either way
    ],
)
def test_it_decides_the_date_order_from_the_whole_column(
    values: list[str], order: str
) -> None:
    assert decide_date_order(values, "Brottsdatum") == order


def test_it_asks_when_no_date_decides_or_dates_decide_both_ways() -> None:
    with pytest.raises(AmbiguousDates, match="dates like 03/05/2024 that can be"):
        decide_date_order(["03/05/2024", "2024-05-06"], "Brottsdatum")
    with pytest.raises(AmbiguousDates, match="day first and dates written month"):
        decide_date_order(["13/05/2024", "05/13/2024"], "Brottsdatum")
    assert decide_date_order(["03/05/2024"], "Brottsdatum", "mdy") == "mdy"


def _day(crime: ReportedCrime) -> tuple[int, int]:
    local = crime.occurred_at.astimezone(local_tz())
    return local.month, local.day


def test_the_command_reads_day_first_when_a_day_over_12_shows_it(
    north_org, write
) -> None:
    path = write(csv_text("K1;03/05/2024;Stöld;;", "K2;13/05/2024;Stöld;;").encode())
    _, err = run(path)
    assert "Dates like 03/05/2024 read day first." in err
    assert _day(ReportedCrime.objects.get(case_number="K1")) == (5, 3)


def test_the_command_asks_for_the_order_and_imports_nothing(north_org, write) -> None:
    path = write(csv_text("K1;03/05/2024;Stöld;;", "K2;04/06/2024;Stöld;;").encode())
    with pytest.raises(CommandError, match=r"\(--date-order dmy\|mdy\)$"):
        run(path)
    assert not ImportBatch.objects.exists()

    run(path, "--date-order", "mdy")
    assert _day(ReportedCrime.objects.get(case_number="K1")) == (3, 5)
    assert _day(ReportedCrime.objects.get(case_number="K2")) == (4, 6)


def test_iso_dates_are_read_year_first_whatever_the_order(north_org, write) -> None:
    path = write(csv_text("K1;2024-05-03 10:15;Stöld;;").encode())
    run(path, "--date-order", "mdy")
    crime = ReportedCrime.objects.get()
    assert crime.occurred_at.astimezone(local_tz()).replace(tzinfo=None) == datetime(
        2024, 5, 3, 10, 15
    )


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_page_asks_for_the_date_order_then_previews(north_org) -> None:
    client = _client(member(north_org, Membership.Role.COORDINATOR, "alice"))
    raw = csv_text("K1;03/05/2024;Stöld;;").encode()

    asked = client.post(
        "/police/imports/crimes/",
        {"crimes-file": SimpleUploadedFile("b.csv", raw), "crimes-date_order": ""},
    )
    assert asked.status_code == 422
    assert "Choose the date order" in asked.content.decode()
    assert not ImportBatch.objects.exists()

    response = client.post(
        "/police/imports/crimes/",
        {"crimes-file": SimpleUploadedFile("b.csv", raw), "crimes-date_order": "mdy"},
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.options["date_order"] == "mdy"
    page = client.get(response["Location"]).content.decode()
    assert "Dates like 03/05/2024 read month first." in page
    client.post(f"/police/imports/{batch.pk}/confirm/")
    assert _day(ReportedCrime.objects.get()) == (3, 5)


# --- empty files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (HEADER.encode() + b"\n", "The file has a header but no data rows."),
        (HEADER.encode() + b"\n;;;;\n", "The file has a header but no data rows."),
    ],
)
def test_an_empty_or_header_only_file_is_refused_without_a_batch(
    north_org, write, data: bytes, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run(write(data))
    assert not ImportBatch.objects.exists()
    client = _client(member(north_org, Membership.Role.COORDINATOR, "alice"))
    response = client.post(
        "/police/imports/crimes/",
        {"crimes-file": SimpleUploadedFile("b.csv", data or b" ")},
    )
    assert response.status_code == 422
    assert not ImportBatch.objects.exists()


def test_a_header_only_workbook_is_refused(tmp_path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Ärendenummer", "Brottsdatum"])
    path = tmp_path / "b.xlsx"
    book.save(path)
    with pytest.raises(FileProblem, match="a header but no data rows"):
        read_table(path.read_bytes(), path.name)


# --- surveys ------------------------------------------------------------------------


def test_a_failed_survey_import_counts_nothing_as_imported(
    north_org, west_area, write
) -> None:
    path = write(f"area,year,value\n{west_area.ref},2025,3\nW,1800,3\n".encode())
    with pytest.raises(CommandError) as caught:
        run(path, command="import_survey")
    assert str(caught.value) == "1 line(s) with errors; nothing was imported."
    assert not SurveyResult.objects.exists()


def test_a_survey_file_with_thousands_of_bad_lines_prints_a_few(
    north_org, west_area, write
) -> None:
    rows = "".join(f"NOPE{n},2025,3\n" for n in range(5_000))
    path = write(f"area,year,value\n{rows}".encode())
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_survey",
            str(path),
            "--collaboration",
            "north",
            stdout=out,
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert sum(line.startswith("error line ") for line in lines) == 20
    assert "… and 4980 more lines with errors" in lines
    assert len(lines) < 30

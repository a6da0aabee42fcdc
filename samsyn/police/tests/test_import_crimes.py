"""Reported crimes: real-format CSV/XLSX extracts, broken files, re-imports, pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook

from samsyn.organisations.models import AuditEvent, Membership
from samsyn.police.crimes import import_crimes, suggest_mapping
from samsyn.police.models import ColumnMapping, ImportBatch, PoliceEvent, ReportedCrime
from samsyn.police.tabular import MAX_CELL, read_table
from samsyn.tests.support import member

FIXTURE = Path(__file__).parent / "fixtures" / "anmalda-brott.csv"
SAMPLE_EVENTS = (
    Path(__file__).resolve().parents[3] / "data" / "polisen-events-sample.json"
)


@pytest.fixture
def areas(west_area, east_area):  # type: ignore[no-untyped-def]
    return west_area, east_area


@pytest.fixture
def alice(north_org):  # type: ignore[no-untyped-def]
    return member(north_org, Membership.Role.COORDINATOR, "alice")


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "import_crimes",
        str(path),
        "--collaboration",
        "north",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def snapshot() -> list[tuple]:
    return list(
        ReportedCrime.objects.order_by("pk").values_list(
            "pk", "case_number", "content_hash", "imported_at"
        )
    )


def test_it_suggests_a_mapping_from_swedish_headers():
    header = ["Ärendenummer", "Brottsdatum", "Brottskod", "Brottsbenämning", "X", "Y"]
    m = suggest_mapping(header)
    assert (m.case_column, m.time_column, m.code_column, m.type_column) == (
        "Ärendenummer",
        "Brottsdatum",
        "Brottskod",
        "Brottsbenämning",
    )
    assert (m.x_column, m.y_column, m.crs) == ("X", "Y", ColumnMapping.Crs.SWEREF99TM)
    wgs = suggest_mapping(["Datum", "Tid", "Brott", "Latitud", "Longitud"])
    assert (wgs.time_column, wgs.clock_column, wgs.type_column) == (
        "Datum",
        "Tid",
        "Brott",
    )
    assert (wgs.x_column, wgs.y_column, wgs.crs) == ("Longitud", "Latitud", "wgs84")


def test_it_reads_windows_1252_with_semicolons_and_decimal_commas():
    table = read_table(FIXTURE.read_bytes(), FIXTURE.name)
    assert (table.encoding, table.delimiter) == ("windows-1252", ";")
    assert table.header[0] == "Ärendenummer"
    assert table.rows[0][0] == 2  # row numbers as in the file


def test_it_imports_the_csv_and_reports_skipped_rows_by_reason(north, areas):
    west, east = areas
    out, err = run(FIXTURE)

    assert out.splitlines()[-1] == "imported 5 new, 0 unchanged, 3 skipped"
    assert "checked 8/8 rows" in err
    assert "Skipped 3 rows, by reason:" in out
    assert "  1 × Brottsdatum: … is not a valid date (…)" in out
    assert "e.g. 6: Brottsdatum: '2026-13-45' is not a valid date" in out
    assert "e.g. 7: X/Y: (100,5, 200,5) is outside Sweden" in out
    assert "e.g. 8: Ärendenummer: 5000-K100-26 also on row 2" in out
    crimes = {c.case_number: c for c in ReportedCrime.objects.in_collaboration(north)}
    assert len(crimes) == 5
    first = crimes["5000-K100-26"]
    assert first.occurred_at == datetime(2026, 3, 2, 20, 15, tzinfo=UTC)  # CET
    assert (first.x, first.y) == (511400.37, 6570134.40)
    assert abs(first.lon - 15.20) < 1e-5 and abs(first.lat - 59.27) < 1e-5
    assert first.area_id == west.pk and not first.outside
    assert first.crime_type == "Skadegörelse" and first.category is None
    assert crimes["5000-K101-26"].area_id == east.pk
    assert crimes["5000-K101-26"].occurred_at.hour == 6  # "7:05" local
    assert crimes["5000-K101-26"].crime_type == "Misshandel, ej grov, utomhus"
    no_xy = crimes["5000-K102-26"]
    assert (
        no_xy.precision == "municipality" and no_xy.lon is None and no_xy.area is None
    )
    outside = crimes["5000-K103-26"]
    assert outside.outside and outside.area is None and outside.precision == "point"
    assert crimes["5000-K106-26"].crime_code == "9999"  # unknown: police category
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status, batch.new_count, batch.skipped_count) == (
        "crimes",
        "done",
        5,
        3,
    )
    assert sorted(e["row"] for g in batch.skipped for e in g["examples"]) == [6, 7, 8]
    assert [g["count"] for g in batch.skipped] == [1, 1, 1]
    assert set(first.batch.crimes.all()) == set(crimes.values())
    assert AuditEvent.objects.filter(action="police.crimes_imported").count() == 1


def test_it_changes_nothing_when_the_same_file_is_imported_again(north, areas):
    run(FIXTURE)
    before = snapshot()
    out, _ = run(FIXTURE)
    assert out.splitlines()[-1] == "imported 0 new, 5 unchanged, 3 skipped"
    assert snapshot() == before


def test_it_writes_nothing_on_a_dry_run(north, areas):
    out, _ = run(FIXTURE, "--dry-run")
    assert (
        out.splitlines()[-1]
        == "dry run: would have imported 5 new, 0 unchanged, 3 skipped"
    )
    assert not ReportedCrime.objects.exists()
    assert not ImportBatch.objects.exists()


def test_it_maps_crime_types_to_checklist_categories_with_a_saved_mapping(north, areas):
    ColumnMapping.objects.create(
        collaboration=north,
        name="Polisen",
        time_column="Brottsdatum",
        clock_column="Klockslag",
        case_column="Ärendenummer",
        code_column="Brottskod",
        type_column="Brottsbenämning",
        x_column="X",
        y_column="Y",
        category_map={"1201": "vandalism_other", "Stöld från bil": "burglary"},
    )
    out, _ = run(FIXTURE, "--mapping", "Polisen")
    assert "imported 5 new" in out
    codes = dict(ReportedCrime.objects.values_list("case_number", "category__code"))
    assert codes["5000-K100-26"] == "vandalism_other"
    assert codes["5000-K102-26"] == "burglary"
    assert codes["5000-K101-26"] is None
    with pytest.raises(CommandError, match="No mapping 'Nope'"):
        run(FIXTURE, "--mapping", "Nope")


def test_it_imports_an_xlsx_written_with_openpyxl(north, areas, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Ärendenummer", "Brottsdatum", "Brottskod", "Brottsbenämning", "Lat", "Lon"]
    )
    sheet.append(
        ["K1", datetime(2026, 6, 1, 22, 30), 1201, "Skadegörelse", 59.27, 15.20]
    )
    sheet.append(["K2", "2026-06-02 3:15", 857.0, "Misshandel", "59,275", "15,225"])
    sheet.append(["K3", "inte ett datum", 1201, "Skadegörelse", 59.27, 15.20])
    path = tmp_path / "brott.xlsx"
    book.save(path)

    out, _ = run(path)

    assert out.splitlines()[-1] == "imported 2 new, 0 unchanged, 1 skipped"
    k1 = ReportedCrime.objects.get(case_number="K1")
    assert k1.occurred_at == datetime(2026, 6, 1, 20, 30, tzinfo=UTC)  # CEST
    assert k1.crime_code == "1201" and k1.area_id is not None
    assert 511000 < k1.x < 512000
    assert ReportedCrime.objects.get(case_number="K2").crime_code == "857"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\r\n\r\n", "The file is empty"),
        ("Brottsdatum;Brottskod\n2026-01-01;1201\n".encode("utf-16"), "NUL bytes"),
        (b"Datum;Kod\n2026-01-01;1201\n", "Column(s) missing from the file"),
        (
            b'Brottsdatum;Brottskod\n2026-01-01;"' + b"x" * (MAX_CELL + 10) + b'"\n',
            "not readable as CSV",
        ),
        (b"PK\x03\x04 not really a workbook", "Not a readable XLSX"),
    ],
    ids=["empty", "blank-lines", "utf16", "missing-columns", "huge-cell", "bad-xlsx"],
)
def test_it_rejects_broken_files_with_a_clear_error(north, tmp_path, content, message):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    ColumnMapping.objects.create(
        collaboration=north,
        name="M",
        time_column="Brottsdatum",
        code_column="Brottskod",
    )
    with pytest.raises(CommandError, match="nothing was imported") as info:
        run(path, "--mapping", "M")
    assert message in str(info.value)
    assert not ReportedCrime.objects.exists()
    assert not ImportBatch.objects.exists()


def test_it_skips_every_row_with_a_bad_date_and_writes_the_rest(north, tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text(
        "Brottsdatum,Brottskod\n2026-02-30 10:00,1201\n,1201\n31/01/2026 10:00,1201\n",
        "utf-8",
    )
    out, _ = run(path)
    assert "e.g. 2: Brottsdatum: '2026-02-30 10:00' is not a valid date" in out
    assert "e.g. 3: Brottsdatum: missing" in out
    assert out.splitlines()[-1] == "imported 1 new, 0 unchanged, 2 skipped"
    again, _ = run(path)  # no case numbers: identical rows are recognised
    assert again.splitlines()[-1] == "imported 0 new, 1 unchanged, 2 skipped"


def test_it_writes_nothing_when_the_write_fails(north, areas, monkeypatch):
    from samsyn.police import crimes

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(crimes, "finish_batch", boom)
    table = read_table(FIXTURE.read_bytes())
    with pytest.raises(RuntimeError):
        import_crimes(north, table, suggest_mapping(table.header))
    assert not ReportedCrime.objects.exists()
    assert not ImportBatch.objects.exists()


def test_it_gives_the_events_import_a_batch_too(north, tmp_path):
    north.municipality_name = "Örebro"
    north.save()
    events = json.loads(SAMPLE_EVENTS.read_text("utf-8"))
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events), "utf-8")
    out = StringIO()
    call_command(
        "import_police_events",
        str(path),
        "--collaboration",
        "north",
        "--county",
        "Örebro län",
        stdout=out,
        stderr=StringIO(),
    )
    batch = ImportBatch.objects.get()
    assert batch.kind == "events" and batch.file_name == "events.json"
    assert batch.new_count == PoliceEvent.objects.count()
    assert batch.skipped_count == len(events) - batch.new_count
    assert out.getvalue().splitlines()[-1].startswith("imported ")


# --- pages ---------------------------------------------------------------------


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_it_previews_then_imports_a_crime_extract_from_the_page(alice, areas):
    client = _client(alice)
    assert client.get("/police/imports/").status_code == 200
    upload = SimpleUploadedFile("anmalda-brott.csv", FIXTURE.read_bytes())
    response = client.post(
        "/police/imports/crimes/", {"crimes-file": upload, "crimes-mapping": ""}
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == "preview" and batch.new_count == 5
    page = client.get(response["Location"]).content.decode()
    assert "Preview (dry run)" in page and "5000-K101-26" in page
    assert "Brottsdatum: &#x27;2026-13-45&#x27; is not a valid date" in page
    assert not ReportedCrime.objects.exists()

    done = client.post(f"/police/imports/{batch.pk}/confirm/")
    assert done.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "done" and batch.payload in (b"", memoryview(b""))
    assert (batch.progress_done, batch.progress_total) == (8, 8)
    assert ReportedCrime.objects.count() == 5
    fragment = client.get(
        f"/police/imports/{batch.pk}/progress/", HTTP_HX_REQUEST="true"
    )
    assert fragment["HX-Refresh"] == "true"
    assert "every 1s" not in fragment.content.decode()
    # Confirming twice imports nothing more.
    client.post(f"/police/imports/{batch.pk}/confirm/")
    assert ReportedCrime.objects.count() == 5


def test_it_polls_while_an_import_runs(alice, north):
    batch = ImportBatch.objects.create(
        collaboration=north,
        kind="crimes",
        status="running",
        progress_total=10,
        progress_done=4,
    )
    body = _client(alice).get(f"/police/imports/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in body and "4 of 10 rows checked" in body


def test_it_shows_a_broken_upload_as_an_error_and_writes_nothing(alice, north):
    client = _client(alice)
    upload = SimpleUploadedFile("tom.csv", b"")
    response = client.post("/police/imports/crimes/", {"crimes-file": upload})
    assert response.status_code == 422
    upload = SimpleUploadedFile("x.csv", b"Foo;Bar\n2026-01-01;1\n")
    response = client.post("/police/imports/crimes/", {"crimes-file": upload})
    assert response.status_code == 422
    assert (
        "Nothing was imported: The mapping names no date column."
        in response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_it_previews_and_imports_the_events_feed_from_the_page(alice, north):
    north.municipality_name = "Örebro"
    north.save()
    client = _client(alice)
    upload = SimpleUploadedFile("events.json", SAMPLE_EVENTS.read_bytes())
    response = client.post(
        "/police/imports/events/",
        {"events-file": upload, "events-county": "Örebro län", "events-places": ""},
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == "preview" and not PoliceEvent.objects.exists()
    client.post(f"/police/imports/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.status == "done"
    assert PoliceEvent.objects.count() == batch.new_count > 0


def test_it_saves_a_suggested_mapping_with_its_category_map(alice, areas):
    client = _client(alice)
    upload = SimpleUploadedFile("anmalda-brott.csv", FIXTURE.read_bytes())
    client.post("/police/imports/crimes/", {"crimes-file": upload})
    batch = ImportBatch.objects.get()
    form = client.get(f"/police/mappings/new/?batch={batch.pk}")
    assert form.context["form"].initial["time_column"] == "Brottsdatum"
    data = {
        "name": "Polisen Bergslagen",
        "time_column": "Brottsdatum",
        "clock_column": "Klockslag",
        "case_column": "Ärendenummer",
        "code_column": "Brottskod",
        "type_column": "Brottsbenämning",
        "x_column": "X",
        "y_column": "Y",
        "crs": "sweref99tm",
        "categories": "Skadegörelse = vandalism_other\nokänt = nope",
    }
    bad = client.post("/police/mappings/new/", data)
    assert bad.status_code == 422
    data["categories"] = "Skadegörelse = vandalism_other"
    assert client.post("/police/mappings/new/", data).status_code == 302
    mapping = ColumnMapping.objects.get()
    assert mapping.category_map == {"Skadegörelse": "vandalism_other"}
    assert AuditEvent.objects.filter(action="police.mapping_saved").exists()


@pytest.mark.parametrize(
    "role",
    [Membership.Role.REPORTER, Membership.Role.ANALYST, Membership.Role.STEERING],
)
def test_it_hides_the_imports_from_other_roles(north_org, role):
    user = member(north_org, role)
    client = _client(user)
    assert client.get("/police/imports/").status_code == 404
    assert client.get("/police/mappings/new/").status_code == 404


def test_it_hides_another_collaborations_imports(alice, south_org):
    carl = member(south_org, Membership.Role.COORDINATOR, "carl")
    batch = ImportBatch.objects.create(
        collaboration=alice.memberships.first().organisation.collaboration,
        kind="crimes",
        status="preview",
        file_name="north-secret.csv",
    )
    client = _client(carl)
    assert client.get(f"/police/imports/{batch.pk}/").status_code == 404
    assert client.post(f"/police/imports/{batch.pk}/confirm/").status_code == 404
    assert "north-secret.csv" not in client.get("/police/imports/").content.decode()
    batch.refresh_from_db()
    assert batch.status == "preview"

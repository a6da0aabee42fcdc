"""Property-based and fuzz tests of every importer: malformed, huge, wrongly encoded
and hostile input gives a clear error (or a per-row skip reason) and changes nothing.

Importers covered: areas GeoJSON (read_boundaries + import_areas, and the command),
police events JSON (the one parser behind the command, the upload page and the import
task, + import_police_events), crime CSV/XLSX (read_table + import_crimes, including
hostile workbooks: numbers too long to convert, broken XML, entity bombs, external
entities, zip bombs, sheets that claim a million rows or every column), survey results
CSV (plan_survey_import + apply_survey_import) and Open311 POST bodies.
"""

from __future__ import annotations

import importlib.util
import json
import math
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from samsyn.areas.actions import AreaImportError, import_areas
from samsyn.areas.models import Area
from samsyn.areas.reader import BoundaryFileError, read_boundaries
from samsyn.organisations.models import AuditEvent
from samsyn.police.actions import import_police_events
from samsyn.police.batches import parse_events_file
from samsyn.police.models import PoliceEvent
from samsyn.police.tabular import MAX_BYTES, FileProblem

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# JSON-ish values including the hostile ones json.loads accepts: NaN, ±Infinity,
# null bytes, BOMs, lone surrogates are not representable in UTF-8 so stay out.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["\x00", "a\x00b", "\ufeffname", "x" * 10_000, "'; DROP TABLE x; --", "\u202e"]
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=10), children, max_size=5),
    ),
    max_leaves=25,
)


def _counts() -> tuple[int, int, int]:
    return Area.objects.count(), PoliceEvent.objects.count(), AuditEvent.objects.count()


def _deep(n: int) -> str:
    return "[" * n + "]" * n


HOSTILE_FILES: dict[str, bytes] = {
    "empty": b"",
    "not json": b"hello",
    "truncated": b'{"type": "FeatureCollection", "features": [',
    "latin-1": '{"type": "FeatureCollection", "name": "Örebro"}'.encode("latin-1"),
    "utf-16": '{"type": "FeatureCollection"}'.encode("utf-16"),
    "bom": b"\xef\xbb\xbf" + b'{"type": "FeatureCollection", "features": []}',
    "null bytes": b'{"type": "Feature\x00Collection"}\x00',
    "deep nesting": _deep(100_000).encode(),
    "deep object": (b'{"a":' * 50_000) + b"1" + (b"}" * 50_000),
    "nan": b'{"type": "FeatureCollection", "features": NaN}',
    "huge number": b'{"type": "FeatureCollection", "features": [' + b"9" * 5000 + b"]}",
    "array": b"[1, 2, 3]",
    "string": b'"FeatureCollection"',
}


# -- areas GeoJSON ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_it_reads_hostile_geojson_files_with_a_clear_error(
    name: str, tmp_path: Path
) -> None:
    path = tmp_path / "areas.geojson"
    path.write_bytes(HOSTILE_FILES[name])
    with pytest.raises(BoundaryFileError) as caught:
        read_boundaries(path)
    assert caught.value.problems and all(path.name in p for p in caught.value.problems)


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_it_changes_nothing_when_the_areas_command_gets_a_hostile_file(
    name: str, north: Any, tmp_path: Path
) -> None:
    path = tmp_path / "areas.geojson"
    path.write_bytes(HOSTILE_FILES[name])
    before = _counts()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_areas", str(path), "--collaboration", "north", "--level", "area"
        )
    assert _counts() == before


def _square(lon: float, lat: float, d: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


coordinate = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=10, max_value=25),
    st.integers(min_value=-(2**64), max_value=2**64),
)
geometries = st.one_of(
    json_values,
    st.builds(_square, coordinate, coordinate),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Polygon", "MultiPolygon", "Point", "Nope"]),
            "coordinates": json_values,
        }
    ),
)
features = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "type": st.just("Feature"),
            "properties": st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {"code": scalars, "name": scalars, "population": scalars}
                ),
            ),
            "geometry": geometries,
        }
    ),
)


@FUZZ
@given(feats=st.lists(features, min_size=1, max_size=4))
def test_it_imports_generated_features_all_or_nothing(
    north: Any, feats: list[Any]
) -> None:
    before = _counts()
    try:
        result = import_areas(north, feats, level="area")
    except AreaImportError as exc:
        assert exc.problems
        assert all(isinstance(p, str) and p for p in exc.problems)
        assert _counts() == before
    else:
        # Only well-formed squares in Sweden get through; they are all written.
        assert result.created + result.updated == len(feats)
        Area.objects.filter(collaboration=north).delete()


def test_a_ring_that_nan_keeps_from_closing_is_a_message(north: Any) -> None:
    # Found by the fuzz test on PostgreSQL: NaN != NaN, so GEOS refuses the ring.
    before = _counts()
    nan = float("nan")
    feature = {
        "type": "Feature",
        "properties": {"code": "A", "name": "A"},
        "geometry": _square(nan, 59.27),
    }
    with pytest.raises(AreaImportError) as exc:
        import_areas(north, [feature], level="area")
    assert "unreadable geometry" in exc.value.problems[0]
    assert _counts() == before


def test_it_rejects_hostile_feature_values_with_a_message(north: Any) -> None:
    ok = _square(15.2, 59.27)
    cases = [
        {"code": "A\x00", "name": "x"},
        {"code": "A", "name": "n\x00ll"},
        {"code": "A", "name": "x" * 100_000},
        {"code": "A" * 10_000},
        {"code": "A", "population": math.nan},
        {"code": "A", "population": math.inf},
        {"code": "A", "population": -1},
        {"code": ["A"], "name": {"deep": [1, 2]}},
    ]
    for props in cases:
        before = _counts()
        feature = {"type": "Feature", "properties": props, "geometry": ok}
        with pytest.raises(AreaImportError):
            import_areas(north, [feature], level="area")
        assert _counts() == before, props
    deep: Any = [15.2, 59.27]
    for _ in range(5_000):
        deep = [deep]
    geometry = {"type": "Polygon", "coordinates": deep}
    with pytest.raises(AreaImportError):
        import_areas(
            north,
            [{"type": "Feature", "properties": {"code": "D"}, "geometry": geometry}],
            level="area",
        )
    assert _counts() == before


# -- police events JSON -------------------------------------------------------------


@pytest.fixture
def orebro(north: Any) -> Any:
    north.municipality_name = "Örebro"
    north.save()
    return north


# Files that are a JSON array are read (each element is then checked as an event);
# every other hostile file is refused with a message naming it.
POLICE_READABLE = {"array"}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_it_changes_nothing_when_the_police_command_gets_a_hostile_file(
    name: str, orebro: Any, tmp_path: Path
) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(HOSTILE_FILES[name])
    before = _counts()
    if name in POLICE_READABLE:
        call_command("import_police_events", str(path), "--collaboration", "north")
    else:
        with pytest.raises(CommandError, match="Nothing was imported") as caught:
            call_command("import_police_events", str(path), "--collaboration", "north")
        assert str(path) in str(caught.value)
        assert "\n" not in str(caught.value)
        assert _counts() == before
    assert _counts()[:2] == before[:2]


@pytest.mark.parametrize("name", sorted(set(HOSTILE_FILES) - POLICE_READABLE))
def test_it_refuses_a_hostile_events_upload_with_a_clear_error(name: str) -> None:
    """The imports page and the confirmed task read files with the same parser."""
    with pytest.raises(FileProblem) as caught:
        parse_events_file(HOSTILE_FILES[name])
    message = str(caught.value)
    assert message and len(message) < 200 and "Traceback" not in message


def test_the_command_reads_an_events_file_over_the_pages_limit(
    orebro: Any, tmp_path: Path
) -> None:
    """The imports page takes 20 MB; the command streams files of any size."""
    path = tmp_path / "events.json"
    with path.open("wb") as fh:
        fh.write(b"[" + b" " * (MAX_BYTES + 10) + b"]")
    before = _counts()
    out = StringIO()
    call_command(
        "import_police_events", str(path), "--collaboration", "north", stdout=out
    )
    assert out.getvalue().splitlines()[-1] == "imported 0 new, 0 unchanged, 0 skipped"
    assert _counts()[:2] == before[:2]
    with pytest.raises(FileProblem, match="larger than 20 MB. Import it with"):
        parse_events_file(path.read_bytes())


@FUZZ
@given(
    raw=st.one_of(st.binary(max_size=300), json_values.map(json.dumps).map(str.encode))
)
def test_it_parses_or_refuses_generated_event_files(raw: bytes) -> None:
    try:
        events = parse_events_file(raw)
    except FileProblem as exc:
        assert str(exc)
    else:
        assert isinstance(events, list)


def test_a_failed_events_batch_keeps_its_reason(orebro: Any, alice: Any) -> None:
    """A batch whose stored payload is unreadable ends `failed` with the parser's
    message instead of an exception escaping the task."""
    from samsyn.police.models import ImportBatch
    from samsyn.police.tasks import run_import

    batch = ImportBatch.objects.create(
        collaboration=orebro,
        kind=ImportBatch.Kind.EVENTS,
        status=ImportBatch.Status.RUNNING,
        file_name="events.json",
        payload=_deep(100_000).encode(),
    )
    before = PoliceEvent.objects.count()
    run_import.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "nested too deeply" in batch.error
    assert PoliceEvent.objects.count() == before


def _event(**overrides: Any) -> dict[str, Any]:
    event = {
        "id": 1,
        "datetime": "2026-08-22 19:51:41 +02:00",
        "name": "22 augusti 19.51, Brand, Örebro",
        "summary": "Brand i förråd.",
        "url": "/aktuellt/handelser/2026/augusti/22/brand-orebro/",
        "type": "Brand",
        "location": {"name": "Örebro", "gps": "59.274,15.213"},
    }
    event.update(overrides)
    return event


event_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(scalars, st.integers()),
        "datetime": st.one_of(scalars, st.just("2026-02-30 25:61:61 +99:99")),
        "name": hostile_text,
        "summary": scalars,
        "url": st.one_of(scalars, st.just("javascript:alert(1)")),
        "type": scalars,
        "location": st.one_of(
            json_values,
            st.fixed_dictionaries({"name": scalars, "gps": st.one_of(scalars)}),
        ),
    },
)


@FUZZ
@given(events=st.lists(st.one_of(json_values, event_fields), max_size=6))
def test_it_skips_every_generated_bad_event_with_a_reason(
    orebro: Any, events: list[Any]
) -> None:
    assume(events)
    before = _counts()
    summary = import_police_events(orebro, events, dry_run=True)
    assert summary.new + summary.unchanged + summary.updated + len(
        summary.skipped
    ) <= len(events)
    assert all(reason for _key, reason in summary.skipped)
    assert _counts() == before


@FUZZ
@given(overrides=event_fields)
def test_it_imports_or_skips_a_mutated_event_and_never_fails(
    orebro: Any, overrides: dict[str, Any]
) -> None:
    before = PoliceEvent.objects.count()
    summary = import_police_events(orebro, [_event(**overrides)])
    if summary.skipped:
        assert next(iter(summary.skipped))[1]
        assert PoliceEvent.objects.count() == before
    else:
        assert summary.new + summary.unchanged + summary.updated == 1
        PoliceEvent.objects.all().delete()


def test_it_skips_hostile_event_values_with_a_reason(orebro: Any) -> None:
    cases = [
        _event(name="22 augusti\x00, Brand, Örebro"),
        _event(summary="a\x00b"),
        _event(summary="x" * 1_000_000),
        _event(name="x" * 10_000),
        _event(id=2**70),
        _event(id=math.inf),
        _event(location={"name": "Örebro", "gps": "NaN,Infinity"}),
        _event(location={"name": "Örebro", "gps": "1e999,15"}),
        _event(location={"name": ["Örebro"], "gps": "59.27,15.21"}),
        _event(datetime="2026-08-22 19:51:41 +99:00"),
    ]
    before = _counts()
    summary = import_police_events(orebro, cases)
    imported = summary.new
    assert len(summary.skipped) + imported == len(cases)
    if imported:  # only the long summary is acceptable, it is a TextField
        assert PoliceEvent.objects.count() == before[1] + imported
        assert all("\x00" not in e.summary for e in PoliceEvent.objects.all())
    for key, reason in summary.skipped:
        assert reason, key


# -- crime CSV/XLSX -----------------------------------------------------------------


HAS_CRIMES = importlib.util.find_spec("samsyn.police.crimes") is not None
needs_crimes = pytest.mark.skipif(
    not HAS_CRIMES, reason="no crime CSV/XLSX importer in samsyn.police yet"
)
CRIME_HEADER = "Diarienummer;Brottskod;Brottsdatum;X;Y\n"
CRIME_FILES: dict[str, bytes] = {
    **HOSTILE_FILES,
    "utf-16 csv": (CRIME_HEADER + "1;9301;2026-01-01;6570000;515000\n").encode(
        "utf-16"
    ),
    "header only": CRIME_HEADER.encode(),
    "duplicate header": b"a;a\n1;2\n",
    "fake xlsx": b"PK\x03\x04" + b"\x00" * 200,
    "xlsx name, csv body": b"a;b\n1;2\n",
    "binary": bytes(range(256)) * 8,
    "null in cell": (CRIME_HEADER + "1\x00;9301;2026-01-01;6570000;515000\n").encode(),
    "null after 4 kB": (
        CRIME_HEADER
        + "1;9301;2026-01-01;6570000;515000\n" * 200
        + "2\x00;9301;2026-01-01;6570000;515000\n"
    ).encode(),
    "a million columns": (CRIME_HEADER + ";" * 1_000_000 + "\n").encode(),
    "nan coords": (CRIME_HEADER + "1;9301;2026-01-01;NaN;Infinity\n").encode(),
    "huge cell": (CRIME_HEADER + "x" * 2_000_000 + ";1;2;3;4\n").encode(),
}


def _crime_count() -> int:
    from samsyn.police.models import ReportedCrime

    return ReportedCrime.objects.count()


def _try_crime_import(north: Any, raw: bytes, file_name: str) -> None:
    from samsyn.police.crimes import import_crimes, suggest_mapping
    from samsyn.police.tabular import FileProblem, read_table

    before = _crime_count(), AuditEvent.objects.count()
    try:
        table = read_table(raw, file_name)
        summary = import_crimes(north, table, suggest_mapping(table.header))
    except FileProblem as exc:
        assert str(exc)
        assert (_crime_count(), AuditEvent.objects.count()) == before
    else:
        assert all(reason for *_where, reason in summary.skipped)


@needs_crimes
@pytest.mark.parametrize("name", sorted(CRIME_FILES))
def test_it_rejects_hostile_crime_files_with_a_clear_error(
    name: str, north: Any
) -> None:
    file_name = "crimes.xlsx" if "xlsx" in name else "crimes.csv"
    _try_crime_import(north, CRIME_FILES[name], file_name)


@needs_crimes
@FUZZ
@given(
    raw=st.one_of(
        st.binary(max_size=400),
        st.lists(
            st.lists(hostile_text, min_size=1, max_size=6), min_size=1, max_size=5
        ).map(lambda rows: "\n".join(";".join(r) for r in rows).encode("utf-8")),
        st.lists(st.lists(scalars.map(str), max_size=5), max_size=4).map(
            lambda rows: (CRIME_HEADER + "\n".join(";".join(r) for r in rows)).encode(
                "utf-8"
            )
        ),
    ),
    xlsx=st.booleans(),
)
def test_it_reads_generated_crime_files_without_failing(
    north: Any, raw: bytes, xlsx: bool
) -> None:
    _try_crime_import(north, raw, "crimes.xlsx" if xlsx else "crimes.csv")


# A file the reader must refuse as a whole (FileProblem), not row by row.
CRIME_REFUSED = {"null after 4 kB", "a million columns"}


@pytest.mark.parametrize("name", sorted(CRIME_REFUSED))
def test_it_refuses_crime_csv_files_that_would_store_nul_or_exhaust_memory(
    name: str,
) -> None:
    from samsyn.police.tabular import read_table

    with pytest.raises(FileProblem):
        read_table(CRIME_FILES[name], "crimes.csv")


# -- crime XLSX: hostile workbooks ---------------------------------------------------

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xlsx(sheet_xml: bytes | None = None) -> bytes:
    """A real workbook (header and one row), optionally with its sheet replaced."""
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Diarienummer", "Brottskod", "Brottsdatum", "X", "Y"])
    sheet.append(["1", "9301", "2026-01-01", 515000, 6570000])
    buf = io.BytesIO()
    book.save(buf)
    if sheet_xml is None:
        return buf.getvalue()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            dst.writestr(info.filename, data)
    return out.getvalue()


def _sheet(rows: str, *, prolog: str = "", dimension: str = "") -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prolog
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{head}<worksheet xmlns="{SHEET_NS}">{dim}<sheetData>{rows}</sheetData>'
        "</worksheet>"
    ).encode()


def _cells(row: int, *values: str) -> str:
    cells = []
    for col, value in zip("ABCDE", values, strict=False):
        if value.startswith("="):  # a number
            cells.append(f'<c r="{col}{row}"><v>{value[1:]}</v></c>')
        else:
            cells.append(f'<c r="{col}{row}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{row}">' + "".join(cells) + "</row>"


XLSX_HEADER = _cells(1, "Diarienummer", "Brottskod", "Brottsdatum", "X", "Y")
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
HOSTILE_XLSX: dict[str, bytes] = {
    "number with 5000 digits": _xlsx(
        _sheet(XLSX_HEADER + _cells(2, "1", "9301", "2026-01-01", "=" + "9" * 5000))
    ),
    "broken sheet xml": _xlsx(b"<worksheet><sheetData><row r='1'>"),
    "entity expansion bomb": _xlsx(
        _sheet(XLSX_HEADER + _cells(2, "&lol9;", "9301", "2026-01-01"), prolog=LAUGHS)
    ),
    "external entity": _xlsx(
        _sheet(
            XLSX_HEADER + _cells(2, "&xxe;", "9301", "2026-01-01"),
            prolog='<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        )
    ),
    "a million rows claimed": _xlsx(
        _sheet(XLSX_HEADER + _cells(1_048_576, "1", "9301", "2026-01-01"))
    ),
    "a row number beyond any sheet": _xlsx(
        _sheet(XLSX_HEADER + _cells(10**12, "1", "9301", "2026-01-01"))
    ),
    "every column claimed": _xlsx(
        _sheet(
            XLSX_HEADER + _cells(2, "1", "9301", "2026-01-01"),
            dimension="A1:XFD2",
        )
    ),
    "not a zip": b"PK\x03\x04" + b"\xff" * 500,
    "truncated zip": _xlsx()[:300],
}


@pytest.mark.parametrize("name", sorted(HOSTILE_XLSX))
def test_it_refuses_hostile_workbooks_with_a_clear_error(name: str, north: Any) -> None:
    from samsyn.police.tabular import read_table

    with pytest.raises(FileProblem) as caught:
        read_table(HOSTILE_XLSX[name], "crimes.xlsx")
    message = str(caught.value)
    assert message and len(message) < 400
    assert "root:" not in message  # no /etc/passwd content
    _try_crime_import(north, HOSTILE_XLSX[name], "crimes.xlsx")


def test_it_skips_a_workbook_row_with_a_number_too_large_for_a_float(
    north: Any,
) -> None:
    from samsyn.police.crimes import import_crimes, suggest_mapping
    from samsyn.police.tabular import read_table

    raw = _xlsx(
        _sheet(
            XLSX_HEADER
            + _cells(2, "1", "9301", "2026-01-01", "=" + "9" * 400, "=6570000")
        )
    )
    table = read_table(raw, "crimes.xlsx")
    before = _crime_count()
    summary = import_crimes(north, table, suggest_mapping(table.header))
    assert [(row, reason) for row, reason in summary.skipped] == [
        (2, "X: the number is too large")
    ]
    assert _crime_count() == before


def test_it_refuses_a_zip_bomb_before_unpacking_it(monkeypatch: Any) -> None:
    import io
    import zipfile

    from samsyn.police import tabular

    monkeypatch.setattr(tabular, "MAX_UNPACKED", 4 * 1024 * 1024)
    sheet = _sheet(XLSX_HEADER + "<!--" + " " * (8 * 1024 * 1024) + "-->")
    raw = _xlsx(sheet)
    assert len(raw) < 100_000  # 8 MB of sheet packs into a few kB
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        assert sum(i.file_size for i in z.infolist()) > 8 * 1024 * 1024
    with pytest.raises(FileProblem, match="unpacks to 8 MB"):
        tabular.read_table(raw, "crimes.xlsx")


def test_it_still_reads_a_plain_workbook() -> None:
    from samsyn.police.tabular import read_table

    table = read_table(_xlsx(), "crimes.xlsx")
    assert table.header == ["Diarienummer", "Brottskod", "Brottsdatum", "X", "Y"]
    assert [cells for _n, cells in table.rows] == [
        ["1", "9301", "2026-01-01", 515000, 6570000]
    ]


# -- survey results CSV -------------------------------------------------------------


def _survey_counts() -> tuple[int, int, int]:
    from samsyn.surveys.models import SurveyImport, SurveyResult

    return (
        SurveyResult.objects.count(),
        SurveyImport.objects.count(),
        AuditEvent.objects.count(),
    )


def _survey(north: Any, raw: bytes) -> Any:
    from samsyn.surveys.actions import (
        ImportRefused,
        apply_survey_import,
        default_mapping,
        plan_survey_import,
    )

    before = _survey_counts()
    plan = plan_survey_import(north, raw, default_mapping(north), "survey.csv")
    if plan.ok:
        apply_survey_import(plan, by=None)
        return plan
    assert plan.errors and all(isinstance(r, str) and r for _n, r in plan.errors)
    with pytest.raises(ImportRefused):
        apply_survey_import(plan, by=None)
    assert _survey_counts() == before
    return plan


SURVEY_HEADER = "area,year,value,respondents\n"
SURVEY_FILES: dict[str, bytes] = {
    **HOSTILE_FILES,
    **{k: v for k, v in CRIME_FILES.items() if k not in HOSTILE_FILES},
    "huge year": (SURVEY_HEADER + "W," + "9" * 1999 + ",3,10\n").encode(),
    "huge value": (SURVEY_HEADER + "W,2025," + "9" * 1999 + ",10\n").encode(),
    "huge respondents": (SURVEY_HEADER + "W,2025,3," + "9" * 1999 + "\n").encode(),
    "exponent value": (SURVEY_HEADER + "W,2025,1e999,10\n").encode(),
    "nan value": (SURVEY_HEADER + "W,2025,NaN,10\n").encode(),
    "negative respondents": (SURVEY_HEADER + "W,2025,3,-1\n").encode(),
    "fraction respondents": (SURVEY_HEADER + "W,2025,3,1e300\n").encode(),
    "null in area": (SURVEY_HEADER + "W\x00,2025,3,10\n").encode(),
    "latin-1 survey": (SURVEY_HEADER + "Väster,2025,3,10\n").encode("latin-1"),
}


@pytest.mark.parametrize("name", sorted(SURVEY_FILES))
def test_it_refuses_hostile_survey_files_and_writes_nothing(
    name: str, north: Any, west_area: Any, east_area: Any
) -> None:
    plan = _survey(north, SURVEY_FILES[name])
    assert not plan.ok, name


survey_cells = st.one_of(
    hostile_text,
    st.sampled_from(["W", "E", "w ", "2025", "1990", "3,5", "6", "0", "-0", "1e3"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
).map(lambda v: v.replace("\n", " ").replace("\r", " ").replace(",", "."))


@FUZZ
@given(
    rows=st.lists(st.lists(survey_cells, min_size=0, max_size=5), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_it_plans_generated_survey_files_all_or_nothing(
    north: Any, west_area: Any, east_area: Any, rows: list[list[str]], encoding: str
) -> None:
    from samsyn.surveys.models import SurveyResult

    text = SURVEY_HEADER + "\n".join(",".join(r) for r in rows)
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    before = SurveyResult.objects.count()
    plan = _survey(north, raw)
    if plan.ok:
        assert SurveyResult.objects.count() == before + plan.count("create")
        for r in SurveyResult.objects.all():
            assert math.isfinite(r.value) and 0 <= r.value <= 6
            assert r.respondents is None or r.respondents >= 0
        SurveyResult.objects.all().delete()


# -- Open311 POST bodies ------------------------------------------------------------


@pytest.fixture
def open311_key(north_org: Any) -> str:
    from samsyn.integrations.actions import create_open311_key

    return create_open311_key(north_org, label="fuzz")[1]


open311_values = st.one_of(
    hostile_text,
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["59.27", "15.2", "9" * 5000, "1e999", "-0", "0x10", " 59.27 "]),
)


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "service_code": st.one_of(
                st.just("unsafe_lighting"), st.just("gathering"), hostile_text
            ),
            "lat": open311_values,
            "long": open311_values,
            "description": open311_values,
            "jurisdiction_id": st.one_of(st.just("north"), hostile_text),
            "email": hostile_text,
            "address_string": hostile_text,
        },
    ),
    fmt=st.sampled_from(["json", "xml"]),
)
def test_it_answers_every_generated_open311_post_without_a_server_error(
    north_org: Any, west_area: Any, open311_key: str, fields: dict[str, str], fmt: str
) -> None:
    from django.test import Client

    from samsyn.reports.models import Report

    before = Report.objects.count()
    body = {"api_key": open311_key, **fields}
    body = {k: v.replace("\x00", "") if k == "api_key" else v for k, v in body.items()}
    response = Client().post(f"/open311/v2/requests.{fmt}", body)
    assert response.status_code in (200, 400, 403, 404), response.content[:300]
    if response.status_code == 200:
        assert Report.objects.count() == before + 1
        Report.objects.filter(organisation=north_org).delete()
    else:
        assert Report.objects.count() == before
        assert response.content  # an Open311 error array with a description


def test_json_accepts_nan_so_importers_must_check_it() -> None:
    assert math.isnan(json.loads("NaN"))

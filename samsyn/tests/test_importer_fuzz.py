"""Property-based and fuzz tests of every importer: malformed, huge, wrongly encoded
and hostile input gives a clear error (or a per-row skip reason) and changes nothing.

Importers covered: areas GeoJSON (read_features + import_areas, and the command),
police events JSON (the command's parser + import_police_events). A crime CSV/XLSX
importer is tested when samsyn.police has one (skipped otherwise).
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from samsyn.areas.actions import AreaImportError, import_areas, read_features
from samsyn.areas.models import Area
from samsyn.organisations.models import AuditEvent
from samsyn.police.actions import import_police_events
from samsyn.police.models import PoliceEvent

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
    with pytest.raises(AreaImportError) as caught:
        read_features(path)
    assert caught.value.problems and all(str(path) in p for p in caught.value.problems)


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


# parse_events() in samsyn/police/management/commands/import_police_events.py does not
# catch RecursionError (deep nesting) or ValueError (integers over 4300 digits): the
# command ends with a traceback instead of a CommandError. Nothing is written either
# way. Outside this change's files; the fix is `except (RecursionError, ValueError)`.
POLICE_PARSER_GAPS = {"deep nesting", "deep object", "huge number"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            n,
            marks=pytest.mark.xfail(
                raises=(RecursionError, ValueError),
                strict=True,
                reason="parse_events() lets RecursionError/ValueError escape",
            ),
        )
        if n in POLICE_PARSER_GAPS
        else n
        for n in sorted(HOSTILE_FILES)
    ],
)
def test_it_changes_nothing_when_the_police_command_gets_a_hostile_file(
    name: str, orebro: Any, tmp_path: Path
) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(HOSTILE_FILES[name])
    before = _counts()
    try:
        call_command("import_police_events", str(path), "--collaboration", "north")
    except CommandError as exc:
        assert str(path) in str(exc)
    assert _counts()[:2] == before[:2]


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
        assert summary.skipped[0][1]
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


def test_json_accepts_nan_so_importers_must_check_it() -> None:
    assert math.isnan(json.loads("NaN"))

"""`samsyn import_areas`: real DeSO boundaries, SWEREF 99 TM, and every way a file is bad."""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Transformer
from shapely.geometry import mapping, shape

from samsyn.areas.models import Area
from samsyn.organisations.models import AuditEvent

DESO = Path(__file__).resolve().parents[3] / "data" / "orebro-deso.geojson"
TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


@cache
def deso() -> dict[str, Any]:
    return json.loads(DESO.read_text(encoding="utf-8"))


def collection(features: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features, **extra}


def feature(code: str, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": f"Område {code}", **props},
        "geometry": geometry,
    }


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[15.1, 59.2], [15.2, 59.3], [15.2, 59.2], [15.1, 59.3], [15.1, 59.2]]
    ],
}


def to_sweref(geometry: dict[str, Any]) -> dict[str, Any]:
    def project(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(TO_SWEREF.transform(coords[:, 0], coords[:, 1]))

    return mapping(shapely.transform(shape(geometry), project))


@pytest.fixture
def write(tmp_path):
    def write(doc: Any, name: str = "areas.geojson") -> Path:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), "utf-8")
        return path

    return write


def run(path: Path, level: str = "area", *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "import_areas",
        str(path),
        "--collaboration",
        "north",
        "--level",
        level,
        *args,
        stdout=out,
    )
    return out.getvalue()


def districts_by_regso() -> dict[str, Any]:
    groups: dict[str, list] = defaultdict(list)
    for f in deso()["features"]:
        groups[f["properties"]["regso"]].append(shape(f["geometry"]))
    features = []
    for regso, geoms in sorted(groups.items()):
        merged = shapely.make_valid(shapely.union_all(geoms))
        if merged.geom_type == "GeometryCollection":
            merged = shapely.union_all(
                [g for g in merged.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            )
        features.append(feature(regso, mapping(merged)))
    return collection(features)


def test_it_imports_real_deso_areas_under_their_regso_districts(north, write):
    districts = districts_by_regso()
    out = run(write(districts, "regso.geojson"), "district")
    assert f"imported {len(districts['features'])} new" in out
    out = run(write(deso(), "deso.geojson"), "area", "--parent-property", "regso")
    assert "imported 91 new and 0 updated areas (EPSG:4326)" in out
    areas = Area.objects.filter(collaboration=north, level="area").select_related(
        "parent"
    )
    assert areas.count() == 91
    by_ref = {a.ref: a for a in areas}
    for f in deso()["features"]:
        props = f["properties"]
        area = by_ref[props["code"]]
        assert area.parent.ref == props["regso"]
        assert area.population == props["population"]
    total = sum(a.area_km2 for a in areas)
    assert 1600 < total < 1650  # the README's 1 628 km²
    north.refresh_from_db()
    assert north.areas_version == 2
    assert AuditEvent.objects.filter(action="areas.imported").count() == 2


def test_it_assigns_points_to_the_deso_that_contains_them(north, write):
    run(write(deso()))
    for f in deso()["features"][::15]:
        point = shape(f["geometry"]).representative_point()
        found = Area.locate_id(north, point.x, point.y)
        assert Area.objects.get(pk=found).ref == f["properties"]["code"]
    assert Area.locate_id(north, 18.07, 59.33) is None  # Stockholm


def test_it_needs_districts_before_areas_that_name_them(north, write):
    with pytest.raises(CommandError, match="no district with code '1880R"):
        run(write(deso()), "area", "--parent-property", "regso")
    assert not Area.objects.exists()


@pytest.mark.parametrize("declare", [False, True])
def test_it_reads_sweref_99_tm(north, write, declare):
    originals = deso()["features"][:3]
    features = [{**f, "geometry": to_sweref(f["geometry"])} for f in originals]
    assert features[0]["geometry"]["coordinates"][0][0][0] > 400_000
    extra = (
        {"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}}
        if declare
        else {}
    )
    out = run(write(collection(features, **extra)))
    assert "(EPSG:3006)" in out
    for f in originals:
        area = Area.objects.get(ref=f["properties"]["code"])
        original = shape(f["geometry"])
        back = shape(area.geometry)
        assert back.bounds == pytest.approx(original.bounds, abs=1e-5)
        assert back.symmetric_difference(original).area < original.area * 1e-4


def test_it_stops_at_invalid_geometry_and_imports_nothing(north, write):
    features = [*deso()["features"][:5], feature("BAD1", BOW_TIE)]  # the last one
    with pytest.raises(CommandError) as caught:
        run(write(collection(features)))
    message = str(caught.value)
    assert "Nothing was imported" in message
    assert "feature 6 (BAD1)" in message
    assert "invalid geometry" in message and "Self-intersection" in message
    assert not Area.objects.exists()
    north.refresh_from_db()
    assert north.areas_version == 0


def test_it_lists_every_bad_feature(north, write):
    features = [
        feature("P1", {"type": "Point", "coordinates": [15.2, 59.27]}),
        feature("OK", square(15.2, 59.27)),
        feature("OK", square(15.3, 59.27)),
        feature("PARIS", square(2.35, 48.85)),
        feature("", square(15.4, 59.27)),
        feature("NOGEOM", None),  # type: ignore[arg-type]
        {"type": "Nope"},
    ]
    with pytest.raises(CommandError) as caught:
        run(write(collection(features)))
    message = str(caught.value)
    assert (
        "feature 1 (P1): geometry must be a Polygon or MultiPolygon, not Point"
        in message
    )
    assert "feature 3 (OK): code 'OK' appears twice" in message
    assert "feature 4 (PARIS): lies outside Sweden" in message
    assert "feature 5 (no code): property 'code' is missing" in message
    assert "feature 6 (NOGEOM)" in message
    assert "feature 7: not a GeoJSON Feature" in message
    assert not Area.objects.exists()


def test_it_rejects_values_too_long_to_store(north, write):
    with pytest.raises(CommandError, match="feature 1.*code longer than 32"):
        run(write(collection([feature("X" * 40, square(15.2, 59.27))])))
    long_name = feature("N1", square(15.2, 59.27), name="N" * 201)
    with pytest.raises(CommandError, match="feature 1 \\(N1\\): name longer"):
        run(write(collection([long_name])))
    assert not Area.objects.exists()


def test_it_rejects_a_negative_population(north, write):
    bad = feature("NEG", square(15.2, 59.27), population=-5)
    with pytest.raises(CommandError, match="feature 1 \\(NEG\\)"):
        run(write(collection([bad])))
    assert not Area.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "expected a GeoJSON FeatureCollection"),
        ('{"type": "Feature"}', "expected a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "has no features"),
        ('{"type": "FeatureCollection"}', "has no features"),
    ],
)
def test_it_explains_files_it_cannot_read(north, write, content, message):
    with pytest.raises(CommandError, match=message):
        run(write(content))
    assert not Area.objects.exists()


def test_it_rejects_a_file_that_is_not_utf8(north, tmp_path):
    path = tmp_path / "latin1.geojson"
    doc = json.dumps(
        collection([feature("Å1", square(15.2, 59.27))]), ensure_ascii=False
    )
    path.write_bytes(doc.encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(path)


def test_it_explains_a_missing_file_or_collaboration(north, tmp_path, write):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.geojson")
    path = write(collection([feature("A", square(15.2, 59.27))]))
    with pytest.raises(CommandError, match="No collaboration 'nowhere'"):
        call_command(
            "import_areas", str(path), "--collaboration", "nowhere", "--level", "area"
        )


def test_it_writes_nothing_on_a_dry_run(north, write):
    out = run(write(deso()), "area", "--dry-run")
    assert "would import 91 new" in out
    assert not Area.objects.exists()
    north.refresh_from_db()
    assert north.areas_version == 0


def test_it_updates_areas_in_place_on_reimport(north, north_org, write):
    first = [feature("A1", square(15.20, 59.27)), feature("A2", square(15.22, 59.27))]
    run(write(collection(first)))
    before = {a.ref: a.pk for a in Area.objects.all()}
    north.refresh_from_db()
    version = north.areas_version
    assert Area.locate_id(north, 15.235, 59.275) is None
    moved = [
        feature("A1", square(15.20, 59.27), population=10),
        feature("A2", square(15.23, 59.27, 0.02)),
    ]
    out = run(write(collection(moved)))
    assert "imported 0 new and 2 updated" in out
    assert {a.ref: a.pk for a in Area.objects.all()} == before
    assert Area.objects.get(ref="A1").population == 10
    north.refresh_from_db()
    assert north.areas_version == version + 1
    # The point→area index follows the new boundary.
    assert Area.locate_id(north, 15.235, 59.275) == before["A2"]

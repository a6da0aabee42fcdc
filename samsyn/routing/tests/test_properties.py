"""Importing properties: all or nothing, replaced in one go, clear messages."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from samsyn.lib.geo import to_sweref
from samsyn.routing.models import Property
from samsyn.routing.tests.conftest import ESTATE

pytestmark = pytest.mark.django_db

BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[15.19, 59.26], [15.20, 59.27], [15.20, 59.26], [15.19, 59.27], [15.19, 59.26]]
    ],
}


def write(tmp_path, features, crs=None, name="estates.geojson"):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": f"Gård {i}"}, "geometry": g}
            for i, g in enumerate(features, start=1)
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def run(path, *extra):
    out = StringIO()
    call_command(
        "import_properties",
        str(path),
        "--owner",
        "north-housing",
        "--collaboration",
        "north",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_it_imports_and_a_reimport_replaces(tmp_path, north_housing):
    run(write(tmp_path, [ESTATE, ESTATE]))
    assert Property.objects.filter(owner=north_housing).count() == 2
    run(write(tmp_path, [ESTATE]))
    assert list(Property.objects.values_list("name", flat=True)) == ["Gård 1"]


def test_a_dry_run_writes_nothing(tmp_path, north_housing):
    out = run(write(tmp_path, [ESTATE]), "--dry-run")
    assert "Gård 1" in out
    assert not Property.objects.exists()


def test_sweref_coordinates_are_read(tmp_path, north_housing):
    ring = [
        list(map(float, to_sweref(lon, lat))) for lon, lat in ESTATE["coordinates"][0]
    ]
    path = write(
        tmp_path, [{"type": "Polygon", "coordinates": [ring]}], crs="EPSG:3006"
    )
    run(path)
    stored = Property.objects.get().geometry["coordinates"][0][0]
    assert stored == pytest.approx(ESTATE["coordinates"][0][0], abs=1e-6)


@pytest.mark.parametrize(
    ("geometry", "crs", "message"),
    [
        (BOWTIE, None, "invalid geometry"),
        ({"type": "Polygon", "coordinates": []}, None, "empty geometry"),
        ({"type": "Point", "coordinates": [15.2, 59.27]}, None, "Polygon"),
        (ESTATE, "urn:ogc:def:crs:EPSG::2154", "does not take"),
        (ESTATE, "urn:ogc:def:crs:EPSG::3021", "but the coordinates are degrees"),
    ],
)
def test_bad_files_write_nothing(tmp_path, north_housing, geometry, crs, message):
    run(write(tmp_path, [ESTATE], name="before.geojson"))
    with pytest.raises(CommandError) as exc:
        run(write(tmp_path, [ESTATE, geometry], crs=crs))
    assert message in str(exc.value)
    assert Property.objects.count() == 1  # the earlier import stands


def test_unknown_owner_is_a_clear_error(tmp_path, north):
    with pytest.raises(CommandError, match="No organisation"):
        run(write(tmp_path, [ESTATE]))

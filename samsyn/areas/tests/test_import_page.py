"""The areas import page: upload → preview (nothing written) → confirm → imported,
for coordinators and administrators; a bad file is a message on the form."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import geopandas as gpd
import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyproj import Transformer

from samsyn.areas.models import Area
from samsyn.organisations.models import AuditEvent

X0, Y0 = Transformer.from_crs(4326, 3006, always_xy=True).transform(15.2134, 59.2741)


def cell(i: int) -> Any:
    return shapely.box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000)


def deso_geojson(n: int = 3, **extra: Any) -> bytes:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": f"1880C10{i}0", "kommun": "1880"},
                "geometry": shapely.geometry.mapping(cell(i)),
            }
            for i in range(n)
        ],
        **extra,
    }
    return json.dumps(doc).encode()


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.SAMSYN_BOUNDARY_UPLOADS = tmp_path / "uploads"
    return settings.SAMSYN_BOUNDARY_UPLOADS


def upload(client: Any, name: str, content: bytes, **fields: Any) -> Any:
    return client.post(
        reverse("areas:import"),
        {"file": SimpleUploadedFile(name, content), "level": "area", **fields},
    )


@pytest.mark.parametrize("who", ["alice", "adam"])
def test_a_file_goes_through_preview_and_confirm(request, client, north, who, uploads):
    client.force_login(request.getfixturevalue(who))
    response = upload(client, "DeSO_2025.geojson", deso_geojson())
    assert response.status_code == 302
    preview = client.get(response.url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "DeSO_2025.geojson: 3 features" in page
    assert "assumed SWEREF 99 TM (EPSG:3006)" in page
    assert "1880C1010" in page
    assert "named by their codes" in page
    assert 'id="boundary-features"' in page
    assert not Area.objects.exists()  # a preview writes nothing
    confirm_url = reverse(
        "areas:confirm", args=[response.url.rstrip("/").split("/")[-1]]
    )
    done = client.post(confirm_url)
    assert done.status_code == 302
    assert Area.objects.filter(collaboration=north, level="area").count() == 3
    assert AuditEvent.objects.filter(action="areas.imported").count() == 1
    assert not any(uploads.iterdir())  # the upload is removed after the import
    assert client.post(confirm_url).status_code == 404  # and cannot be confirmed twice


def test_a_zipped_shapefile_is_read(client, alice, tmp_path):
    frame = gpd.GeoDataFrame(
        {"regsokod": ["1880R001"], "regso": ["Väster"]}, geometry=[cell(0)], crs=3006
    ).to_crs(3011)
    frame.to_file(tmp_path / "regso.shp", encoding="cp1252")
    (tmp_path / "regso.cpg").write_text("ANSI 1252")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in tmp_path.glob("regso.*"):
            archive.write(part, f"RegSO/{part.name}")
    client.force_login(alice)
    response = upload(client, "regso.zip", buffer.getvalue(), level="district")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "EPSG:3011" in page and "declared in the file" in page
    assert "Väster" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.geojson", deso_geojson()[:-30], "not valid JSON"),
        ("a.kml", b"<kml/>", "give a GeoJSON"),
        ("a.zip", b"PK not really", "not a readable .zip"),
        (
            "a.geojson",
            deso_geojson(crs={"type": "name", "properties": {"name": "EPSG:32633"}}),
            "does not take",
        ),
    ],
)
def test_a_bad_file_is_a_message_on_the_form(
    client, alice, uploads, name, content, message
):
    client.force_login(alice)
    response = upload(client, name, content)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Area.objects.exists()
    assert not any(uploads.iterdir())


def test_a_file_with_problems_is_previewed_but_cannot_be_confirmed(client, alice):
    client.force_login(alice)
    doc = json.loads(deso_geojson(2))
    doc["features"][1]["geometry"] = doc["features"][0]["geometry"]
    response = upload(client, "dup.geojson", json.dumps(doc).encode())
    preview = client.get(response.url)
    assert preview.status_code == 422
    page = preview.content.decode()
    assert "have identical boundaries" in page
    assert "areas:confirm" not in page and "/confirm/" not in page
    token = response.url.rstrip("/").split("/")[-1]
    client.post(reverse("areas:confirm", args=[token]))
    assert not Area.objects.exists()


def test_the_largest_file_is_said(client, alice, monkeypatch):
    monkeypatch.setattr("samsyn.areas.views.WEB_MAX_BYTES", 100)
    client.force_login(alice)
    response = upload(client, "a.geojson", deso_geojson())
    assert response.status_code == 422
    assert "MB are taken" in response.content.decode()


def test_other_roles_and_other_sessions_get_nothing(client, alice, bob, anna):
    for user in (bob, anna):
        client.force_login(user)
        assert client.get(reverse("areas:import")).status_code == 404
    client.force_login(alice)
    response = upload(client, "a.geojson", deso_geojson())
    token = response.url.rstrip("/").split("/")[-1]
    client.logout()
    client.force_login(alice)  # a new session does not know the token
    assert client.get(reverse("areas:preview", args=[token])).status_code == 404
    assert client.post(reverse("areas:confirm", args=[token])).status_code == 404
    assert not Area.objects.exists()


def test_the_page_lists_the_limits(client, adam):
    client.force_login(adam)
    page = client.get(reverse("areas:import")).content.decode()
    assert "50 MB" in page and "EPSG:3007" in page
    # The menu leads here.
    assert f'href="{reverse("areas:import")}"' in page

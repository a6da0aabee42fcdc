"""The OpenAPI document at /api/v1/openapi.json, and its committed snapshot."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "openapi.json"
REGENERATE = "samsyn export_openapi --output docs/openapi.json"


def live(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_it_serves_an_openapi_3_document_with_every_endpoint(client, db):
    doc = live(client)
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    assert set(paths["/api/v1/reports"]) == {"get", "post"}
    assert "get" in paths["/api/v1/categories"]
    assert "get" in paths["/api/v1/reports/{code}"]
    assert "post" in paths["/api/v1/reports/{code}/status"]
    assert "get" in paths["/api/v1/areas"]
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"http", "apiKey"}
    required = doc["components"]["schemas"]["ReportIn"]["required"]
    assert set(required) == {"category", "lat", "lon"}


def test_it_matches_the_committed_snapshot(client, db):
    current = json.dumps(live(client), indent=2, sort_keys=True, ensure_ascii=False)
    assert SNAPSHOT.exists(), f"docs/openapi.json is missing: run `{REGENERATE}`"
    committed = SNAPSHOT.read_text(encoding="utf-8")
    assert current + "\n" == committed, (
        "The API changed: docs/openapi.json no longer matches /api/v1/openapi.json. "
        f"If the change is intended, run `{REGENERATE}` and commit the file."
    )


def test_it_exports_the_document_to_stdout_and_to_a_file(db, tmp_path):
    out = StringIO()
    call_command("export_openapi", stdout=out)
    assert out.getvalue() == SNAPSHOT.read_text(encoding="utf-8")
    target = tmp_path / "openapi.json"
    call_command("export_openapi", "--output", str(target), stdout=StringIO())
    text = target.read_text(encoding="utf-8")
    assert json.loads(text)["info"]["title"] == "Samsyn API"
    pretty = json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False)
    assert text == pretty + "\n"

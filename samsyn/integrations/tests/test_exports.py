from __future__ import annotations

import csv
import io
import json

from django.test import Client
from openpyxl import load_workbook

from samsyn.organisations.models import AuditEvent
from samsyn.tests.support import api_client, make_report


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_it_exports_what_the_member_may_see(north_org, north_police, bob, alice):
    mine = make_report(north_org, description="Glas på marken")
    secret = make_report(north_police, restricted=True)
    client = Client()
    client.force_login(bob)
    r = client.get(
        "/integrations/export/",
        {"kind": "reports", "format": "csv", "layout": "machine"},
    )
    assert r.status_code == 200
    assert r["Content-Disposition"].endswith('.csv"')
    rows = _csv_rows(r.content)
    assert [row["code"] for row in rows] == [str(mine.code)]
    assert rows[0]["description"] == "Glas på marken"
    event = AuditEvent.objects.get(action="export.reports")
    assert event.actor == bob
    assert event.data == {
        "format": "csv",
        "layout": "machine",
        "count": 1,
        "filters": {},
    }

    client.force_login(alice)  # a coordinator sees restricted reports too
    r = client.get("/integrations/export/", {"kind": "reports", "format": "geojson"})
    doc = json.loads(r.content)
    assert {f["properties"]["code"] for f in doc["features"]} == {
        str(mine.code),
        str(secret.code),
    }
    assert doc["features"][0]["geometry"]["type"] == "Point"


def test_it_applies_the_map_filters_and_writes_xlsx(
    north_org, alice, west_area, east_area
):
    west = make_report(north_org, category="gathering")
    make_report(north_org, category="unsafe_lighting", lonlat=(15.22, 59.27))
    client = Client()
    client.force_login(alice)
    r = client.get(
        "/integrations/export/",
        {
            "kind": "reports",
            "format": "xlsx",
            "layout": "machine",
            "area": str(west_area.code),
        },
    )
    ws = load_workbook(io.BytesIO(r.content)).active
    values = list(ws.values)
    assert values[0][0] == "code"
    assert [row[0] for row in values[1:]] == [str(west.code)]
    assert AuditEvent.objects.get(action="export.reports").data["filters"] == {
        "area": str(west_area.code)
    }


def test_it_neutralises_formulas_in_csv(north_org, bob):
    make_report(north_org, description="=HYPERLINK(1)")
    client = Client()
    client.force_login(bob)
    rows = _csv_rows(
        client.get(
            "/integrations/export/?kind=reports&format=csv&layout=machine"
        ).content
    )
    assert rows[0]["description"] == "'=HYPERLINK(1)"


def test_it_shows_the_form_and_refuses_bad_input(bob, sam, carl):
    client = Client()
    client.force_login(bob)
    assert client.get("/integrations/export/").status_code == 200
    assert client.get("/integrations/export/?format=pdf").status_code == 400
    assert AuditEvent.objects.filter(action__startswith="export.").count() == 0


def test_it_exports_over_the_api(north_org, south_org, bob, carl):
    make_report(north_org)
    make_report(south_org)
    r = api_client(bob).get("/api/v1/exports/reports.geojson")
    assert r.status_code == 200
    assert len(json.loads(r.content)["features"]) == 1
    r = api_client(carl).get("/api/v1/exports/reports.csv")
    assert len(_csv_rows(r.content)) == 1
    assert api_client(bob).get("/api/v1/exports/reports.pdf").status_code == 422
    assert Client().get("/api/v1/exports/reports.csv").status_code == 401


def test_it_exports_interventions_and_pictures(north_org, alice):
    from datetime import date

    from samsyn.interventions.models import Intervention

    Intervention.objects.create(
        collaboration=north_org.collaboration,
        title="Bättre belysning",
        kind="situational",
        owner=north_org,
        starts_on=date(2026, 1, 1),
        lon=15.2,
        lat=59.27,
    )
    client = Client()
    client.force_login(alice)
    r = client.get("/integrations/export/?kind=interventions&format=geojson")
    doc = json.loads(r.content)
    assert doc["features"][0]["properties"]["title"] == "Bättre belysning"
    r = client.get("/integrations/export/?kind=pictures&format=csv")
    assert r.status_code == 200
    assert AuditEvent.objects.filter(action="export.pictures").count() == 1


def test_an_api_export_above_the_row_limit_is_refused_with_advice(
    settings, north_org, bob
):
    settings.SAMSYN_API_EXPORT_MAX_ROWS = 2
    for _ in range(3):
        make_report(north_org)
    r = api_client(bob).get("/api/v1/exports/reports.csv")
    assert r.status_code == 413
    message = r.json()["errors"]["since"][0]
    assert "3 rows" in message and "/api/v1/reports" in message
    # Narrowed below the limit, it is sent.
    settings.SAMSYN_API_EXPORT_MAX_ROWS = 3
    assert api_client(bob).get("/api/v1/exports/reports.csv").status_code == 200


def test_the_page_exports_headings_and_values_in_swedish(north_org, alice):
    from samsyn.reports.models import Report

    make_report(
        north_org,
        category="unsafe_lighting",
        status=Report.Status.CLOSED_NOT_FIXED,
        restricted=True,
    )
    client = Client(headers={"accept-language": "sv"})
    client.force_login(alice)
    for query in ({}, {"layout": "readable"}):
        r = client.get(
            "/integrations/export/", {"kind": "reports", "format": "csv", **query}
        )
        row = _csv_rows(r.content)[0]
        assert "Kategori" in row and "code" not in row and "status" not in row
        assert row["Status"] == "Avslutad, ej åtgärdad"
        assert row["Begränsad"] == "Ja"
    r = client.get("/integrations/export/", {"kind": "reports", "format": "xlsx"})
    header = next(load_workbook(io.BytesIO(r.content)).active.values)
    assert "Status" in header and "status" not in header
    # Chosen explicitly, the machine layout keeps the keys and codes.
    r = client.get(
        "/integrations/export/",
        {"kind": "reports", "format": "csv", "layout": "machine"},
    )
    row = _csv_rows(r.content)[0]
    assert row["status"] == "closed_not_fixed" and row["restricted"] == "1"


def test_the_api_keeps_the_machine_layout(north_org, bob):
    make_report(north_org)
    rows = _csv_rows(api_client(bob).get("/api/v1/exports/reports.csv").content)
    assert "code" in rows[0] and "category" in rows[0]

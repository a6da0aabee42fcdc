"""Survey import: every row checked, all or nothing, re-import updates."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from samsyn.organisations.models import AuditEvent
from samsyn.surveys.actions import (
    ImportRefused,
    apply_survey_import,
    default_mapping,
    plan_survey_import,
)
from samsyn.surveys.models import SurveyImport, SurveyMapping, SurveyResult


@pytest.fixture
def areas(west_area, east_area):  # type: ignore[no-untyped-def]
    return west_area, east_area


def plan(collab, text: str | bytes, mapping=None):  # type: ignore[no-untyped-def]
    raw = text.encode() if isinstance(text, str) else text
    return plan_survey_import(collab, raw, mapping or default_mapping(collab), "t.csv")


def test_it_imports_a_valid_file(north, areas):
    p = plan(north, "area,year,value,respondents\nW,2025,3.2,120\nE,2025,1.1,\n")
    assert p.ok and p.errors == []
    apply_survey_import(p, by=None)
    rows = {
        (r.area.ref, r.year): (r.value, r.respondents)
        for r in SurveyResult.objects.all()
    }
    assert rows == {("W", 2025): (3.2, 120), ("E", 2025): (1.1, None)}
    assert AuditEvent.objects.filter(action="survey.imported").count() == 1


def test_it_rejects_the_whole_file_for_one_unknown_area(north, areas):
    p = plan(north, "area,year,value\nW,2025,3\nNOPE,2025,2\n")
    assert not p.ok
    assert p.errors == [(3, "unknown area code “NOPE”")]
    with pytest.raises(ImportRefused):
        apply_survey_import(p, by=None)
    assert not SurveyResult.objects.exists()


@pytest.mark.parametrize("year", ["1989", "2999", "20x5", ""])
def test_it_rejects_a_bad_year(north, areas, year):
    p = plan(north, f"area,year,value\nW,{year},3\n")
    assert len(p.errors) == 1 and "year" in p.errors[0][1]


@pytest.mark.parametrize("value", ["6.5", "-1", "abc", "nan"])
def test_it_rejects_a_value_outside_the_scale(north, areas, value):
    p = plan(north, f"area,year,value\nW,2025,{value}\n")
    assert len(p.errors) == 1 and "value" in p.errors[0][1]


def test_it_reads_windows_1252_with_semicolons_and_decimal_commas(north, areas):
    mapping = SurveyMapping.objects.create(
        collaboration=north,
        name="Kommunens enkät",
        area_column="Område",
        year_column="År",
        value_column="Andel otrygga",
        respondents_column="Svarande",
        source="Kommunens enkät",
        indicator="andel otrygga (%)",
        scale_min=0,
        scale_max=100,
    )
    raw = (
        "Område;År;Andel otrygga;Svarande\nW;2024;41,5;1 203\nE;2024;12,0;980\n".encode(
            "cp1252"
        )
    )
    p = plan(north, raw, mapping)
    assert p.ok, p.errors
    assert (p.encoding, p.delimiter) == ("windows-1252", ";")
    assert [(r.area.ref, r.value, r.respondents) for r in p.rows] == [
        ("W", 41.5, 1203),
        ("E", 12.0, 980),
    ]


def test_it_names_a_missing_column(north, areas):
    p = plan(north, "omrade,year,value\nW,2025,3\n")
    assert p.errors[0][0] == 1 and "“area” is missing" in p.errors[0][1]


def test_it_skips_identical_duplicates_and_refuses_conflicting_ones(north, areas):
    p = plan(north, "area,year,value\nW,2025,3\nW,2025,3\n")
    assert p.ok and p.skipped == [(3, "duplicate of line 2")]
    p = plan(north, "area,year,value\nW,2025,3\nW,2025,4\n")
    assert not p.ok and "different value" in p.errors[0][1]


def test_reimport_updates_instead_of_duplicating(north, areas):
    apply_survey_import(plan(north, "area,year,value\nW,2025,3\nE,2025,2\n"), by=None)
    p = plan(north, "area,year,value\nW,2025,3.5\nE,2025,2\n")
    assert [r.action for r in p.rows] == ["update", "unchanged"]
    apply_survey_import(p, by=None)
    assert SurveyResult.objects.count() == 2
    assert SurveyResult.objects.get(area__ref="W").value == 3.5


def test_it_ignores_another_collaborations_areas(north, south, areas):
    from samsyn.tests.support import make_area

    make_area(south, ref="SOUTH1", name="Syd")
    p = plan(north, "area,year,value\nSOUTH1,2025,3\n")
    assert "unknown area code" in p.errors[0][1]


def test_the_command_dry_run_writes_nothing(north, areas, tmp_path, capsys):
    f = tmp_path / "s.csv"
    f.write_text("area,year,value\nW,2025,3\n")
    call_command("import_survey", str(f), "--collaboration", "north", "--dry-run")
    assert "Dry run" in capsys.readouterr().out
    assert not SurveyResult.objects.exists()
    call_command("import_survey", str(f), "--collaboration", "north")
    assert SurveyResult.objects.count() == 1


def test_the_command_fails_on_errors_and_writes_nothing(north, areas, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("area,year,value\nW,2025,3\nW,1800,3\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_survey", str(f), "--collaboration", "north")
    assert not SurveyResult.objects.exists()
    with pytest.raises(CommandError, match="No survey mapping"):
        call_command(
            "import_survey", str(f), "--collaboration", "north", "--mapping", "x"
        )


def test_the_upload_page_imports_and_lists_errors(north, areas, alice):
    client = Client()
    client.force_login(alice)
    bad = SimpleUploadedFile("s.csv", b"area,year,value\nW,2025,9\n")
    r = client.post("/surveys/import/", {"file": bad})
    assert r.status_code == 422
    assert "outside the scale" in r.content.decode()
    good = SimpleUploadedFile("s.csv", b"area,year,value\nW,2025,2\n")
    r = client.post("/surveys/import/", {"file": good, "dry_run": "on"})
    assert r.status_code == 200 and not SurveyResult.objects.exists()
    good.seek(0)
    r = client.post("/surveys/import/", {"file": good})
    assert r.status_code == 302
    assert SurveyResult.objects.count() == 1
    assert SurveyImport.objects.get().created_count == 1


def test_a_coordinator_saves_a_mapping(north, alice):
    client = Client()
    client.force_login(alice)
    data = {
        "name": "Polisen",
        "source": "Polisens trygghetsmätning",
        "indicator": "problem index",
        "area_column": "Område",
        "year_column": "År",
        "value_column": "Index",
        "scale_min": "0",
        "scale_max": "6",
        "higher_is_worse": "on",
    }
    assert client.post("/surveys/mappings/new/", data).status_code == 302
    assert client.post("/surveys/mappings/new/", data).status_code == 422  # name taken
    assert (
        client.post(
            "/surveys/mappings/new/", {**data, "name": "b", "scale_max": "0"}
        ).status_code
        == 422
    )

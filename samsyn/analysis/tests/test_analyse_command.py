"""samsyn analyse: a readable table, or the full JSON with --json."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from samsyn.analysis import engine
from samsyn.organisations.models import AuditEvent
from samsyn.tests.support import make_report

MONDAY = engine.local_midnight(date(2026, 3, 2))


@pytest.fixture
def world(north_org, west_area):  # type: ignore[no-untyped-def]
    for w in range(4):
        make_report(north_org, occurred_at=MONDAY - timedelta(weeks=w, hours=-5))
    return north_org.collaboration


def test_it_prints_the_weekly_table(world):  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(
        "analyse",
        "weekly",
        "--collaboration",
        "north",
        "--week",
        "2026-W10",
        stdout=out,
    )
    text = out.getvalue()
    assert text.startswith("2026-W10: 1 reports")
    assert "status" in text and "gathering" in text


def test_it_writes_json(world, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "p.json"
    call_command(
        "analyse", "priority", "--collaboration", "north", "--since", "2026-02-01",
        "--until", "2026-03-08", "--json", str(path), stdout=StringIO(),
    )  # fmt: skip
    body = json.loads(path.read_text())
    assert body["rows"][0]["area"] == "W" and body["rows"][0]["reports"] == 4


def test_it_names_bad_options(world):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="--cell-m"):
        call_command("analyse", "hotspots", "--collaboration", "north", "--cell", "1")
    with pytest.raises(CommandError, match="no collaboration"):
        call_command("analyse", "weekly", "--collaboration", "nowhere")


def test_it_leaves_out_restricted_reports_unless_asked(world, north_police):  # type: ignore[no-untyped-def]
    make_report(north_police, occurred_at=MONDAY + timedelta(hours=2), restricted=True)
    make_report(north_police, occurred_at=MONDAY + timedelta(hours=3))
    args = ["analyse", "weekly", "--collaboration", "north", "--week", "2026-W10"]
    out = StringIO()
    call_command(*args, stdout=out)
    # The own-organisation rule does not let restricted reports in: the command
    # belongs to no organisation.
    assert out.getvalue().startswith("2026-W10: 2 reports")
    assert not AuditEvent.objects.filter(action="analysis.run_restricted").exists()
    out = StringIO()
    call_command(*args, "--include-restricted", stdout=out)
    assert out.getvalue().startswith("2026-W10: 3 reports")
    event = AuditEvent.objects.get(action="analysis.run_restricted")
    assert event.data["what"] == "weekly"
    assert event.collaboration == world


def test_every_analysis_takes_the_scope(world, north_police, tmp_path):  # type: ignore[no-untyped-def]
    for h in range(3):
        make_report(
            north_police, occurred_at=MONDAY - timedelta(hours=h + 1), restricted=True
        )
    path = tmp_path / "p.json"
    args = ["analyse", "priority", "--collaboration", "north", "--since",
            "2026-02-01", "--until", "2026-03-08", "--json", str(path)]  # fmt: skip
    call_command(*args, stdout=StringIO())
    assert json.loads(path.read_text())["rows"][0]["reports"] == 4
    call_command(*args, "--include-restricted", stdout=StringIO())
    assert json.loads(path.read_text())["rows"][0]["reports"] == 7


def test_it_requires_a_collaboration(world):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="--collaboration"):
        call_command("analyse", "weekly")

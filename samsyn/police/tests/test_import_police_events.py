"""`samsyn import_police_events`: the real feed sample, re-imports, precision, bad events."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from samsyn.organisations.models import AuditEvent
from samsyn.police.actions import import_police_events, title_place
from samsyn.police.models import PoliceEvent

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "polisen-events-sample.json"


@cache
def _sample() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(SAMPLE.read_text(encoding="utf-8")))


def sample() -> list[dict[str, Any]]:
    return copy.deepcopy(list(_sample()))


def place_of(event: dict[str, Any]) -> str:
    """Where the sample puts an event: location.name, or the title's last part."""
    loc = event["location"]["name"]
    if not loc.endswith(" län"):
        return loc
    return event["name"].split(",")[-1].strip()


def county_of(municipality: str) -> str:
    counties = Counter(
        e["location"]["name"] for e in _sample() if place_of(e) == municipality
    )
    county = counties.most_common(1)[0][0]
    assert county.endswith(" län")
    return county


@cache
def busiest() -> tuple[str, str]:
    """The sample's most frequent municipality and the county it is filed under."""
    places = Counter(place_of(e) for e in _sample() if not place_of(e).endswith(" län"))
    municipality = places.most_common(1)[0][0]
    return municipality, county_of(municipality)


@cache
def busiest_with_context() -> tuple[str, str]:
    """The same, among counties that also have county-wide events in the sample."""
    wide = {e["location"]["name"] for e in _sample() if place_of(e).endswith(" län")}
    places = Counter(
        place_of(e)
        for e in _sample()
        if not place_of(e).endswith(" län") and e["location"]["name"] in wide
    )
    municipality = places.most_common(1)[0][0]
    return municipality, county_of(municipality)


def expected(municipality: str, county: str) -> tuple[int, int]:
    """(municipality-level, county-context) events the sample holds for them."""
    own = sum(1 for e in _sample() if place_of(e) == municipality)
    context = sum(
        1
        for e in _sample()
        if e["location"]["name"] == county and place_of(e) == county
    )
    return own, context


@pytest.fixture
def collab(north):  # type: ignore[no-untyped-def]
    north.municipality_name = busiest()[0]
    north.save(update_fields=["municipality_name"])
    return north


@pytest.fixture
def collab_with_context(north):  # type: ignore[no-untyped-def]
    north.municipality_name = busiest_with_context()[0]
    north.save(update_fields=["municipality_name"])
    return north


def run(source: Path | str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "import_police_events",
        str(source),
        "--collaboration",
        "north",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


@pytest.fixture
def write(tmp_path):  # type: ignore[no-untyped-def]
    def write(doc: Any, name: str = "events.json") -> Path:
        path = tmp_path / name
        path.write_text(
            doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False),
            "utf-8",
        )
        return path

    return write


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        PoliceEvent.objects.order_by("pk").values_list(
            "pk", "external_id", "content_hash", "imported_at", "updated", "summary"
        )
    )


def test_it_imports_the_real_sample_for_the_busiest_municipality(collab):
    municipality, county = busiest()
    own, context = expected(municipality, county)
    assert own > 0

    summary = import_police_events(collab, sample(), county_name=county)

    assert summary.new == own + context
    assert summary.unchanged == summary.updated == 0
    assert len(summary.skipped) == len(_sample()) - own - context
    events = PoliceEvent.objects.in_collaboration(collab)
    assert events.count() == own + context
    assert events.municipality_level().count() == own
    assert events.county_context().count() == context
    assert set(events.values_list("location_name", flat=True)) == {county}
    assert set(events.municipality_level().values_list("place_name", flat=True)) == {
        municipality
    }
    # Every skip names its event and the field that decided it.
    for key, reason in summary.skipped:
        assert isinstance(key, int)
        assert reason.startswith(("location.name:", "name:"))
    first = events.first()
    assert first.url.startswith("https://polisen.se/aktuellt/")
    assert first.occurred_at.tzinfo is not None
    audit = AuditEvent.objects.get(action="police.imported")
    assert audit.collaboration == collab
    assert audit.data["new"] == own + context


def test_it_changes_nothing_when_the_same_file_is_imported_again(collab):
    _, county = busiest()
    first = import_police_events(collab, sample(), county_name=county)
    before = snapshot()

    again = import_police_events(collab, sample(), county_name=county)

    assert (again.new, again.updated) == (0, 0)
    assert again.unchanged == first.new
    assert again.skipped == first.skipped
    assert snapshot() == before


def test_it_parses_an_hour_without_leading_zero_to_utc(collab):
    municipality, county = busiest()
    event = next(e for e in sample() if place_of(e) == municipality)
    event["datetime"] = "2026-08-22 7:32:06 +02:00"
    other = dict(copy.deepcopy(event), id=event["id"] + 10_000_000)
    other["datetime"] = "2026-01-05 23:05:00 +01:00"

    summary = import_police_events(collab, [event, other], county_name=county)

    assert summary.new == 2
    got = PoliceEvent.objects.get(external_id=event["id"])
    assert got.published_at == datetime(2026, 8, 22, 5, 32, 6, tzinfo=UTC)
    got = PoliceEvent.objects.get(external_id=other["id"])
    assert got.published_at == datetime(2026, 1, 5, 22, 5, 0, tzinfo=UTC)


def test_it_keeps_county_events_apart_from_the_municipality_figures(
    collab_with_context,
):
    municipality, county = busiest_with_context()
    own, context = expected(municipality, county)
    assert own > 0 and context > 0

    summary = import_police_events(collab_with_context, sample(), county_name=county)

    assert summary.new == own + context
    assert PoliceEvent.objects.municipality_level().count() == own

    context = PoliceEvent.objects.county_context()
    assert context.exists()
    assert all(e.precision == PoliceEvent.Precision.COUNTY for e in context)
    assert not PoliceEvent.objects.municipality_level().filter(
        pk__in=context.values("pk")
    )
    # The county centroid is the same for all of them: a place, not a position.
    assert context.values("centroid_lat", "centroid_lon").distinct().count() == 1


def test_it_skips_county_events_when_no_county_is_given(collab_with_context):
    own, _ = expected(*busiest_with_context())

    summary = import_police_events(collab_with_context, sample())

    assert summary.new == own
    assert not PoliceEvent.objects.county_context().exists()
    assert any("give the collaboration's county" in r for _, r in summary.skipped)


def test_it_flags_summaries_and_notices_as_not_countable(collab_with_context):
    collab = collab_with_context
    _, county = busiest_with_context()
    events = sample()
    night = next(e for e in events if e["location"]["name"] == county)
    night.update(
        type="Sammanfattning natt",
        name=f"22 augusti 07.30, Sammanfattning natt, {county}",
    )
    evening = dict(copy.deepcopy(night), id=night["id"] + 10_000_000)
    evening["type"] = "Sammanfattning kväll och natt"
    other = dict(copy.deepcopy(night), id=night["id"] + 20_000_000, type="Övrigt")

    import_police_events(collab, [*events, evening, other], county_name=county)

    flagged = PoliceEvent.objects.filter(
        external_id__in=[night["id"], evening["id"], other["id"]]
    )
    assert flagged.count() == 3
    assert all(e.is_summary for e in flagged)
    assert not PoliceEvent.objects.countable().filter(pk__in=flagged.values("pk"))
    in_sample = [
        e
        for e in _sample()
        if e["location"]["name"] == county
        and (e["type"].startswith("Sammanfattning") or e["type"] == "Övrigt")
    ]
    assert PoliceEvent.objects.filter(is_summary=True).count() >= len(in_sample)


def test_it_updates_a_changed_event(collab):
    municipality, county = busiest()
    events = sample()
    import_police_events(collab, events, county_name=county)
    changed = next(e for e in events if place_of(e) == municipality)
    old = PoliceEvent.objects.get(external_id=changed["id"])
    changed["summary"] = "Uppdaterad: en person är gripen."

    summary = import_police_events(collab, events, county_name=county)

    assert summary.updated == 1 and summary.new == 0
    assert summary.unchanged == PoliceEvent.objects.count() - 1
    new = PoliceEvent.objects.get(external_id=changed["id"])
    assert new.pk == old.pk
    assert new.summary == "Uppdaterad: en person är gripen."
    assert new.content_hash != old.content_hash
    assert new.imported_at == old.imported_at and new.updated > old.updated


def test_it_skips_malformed_events_naming_the_field(collab):
    municipality, county = busiest()
    good = [e for e in sample() if place_of(e) == municipality][:4]
    no_id, bad_gps, bad_time, ok = copy.deepcopy(good)
    del no_id["id"]
    bad_gps["location"]["gps"] = "abc"
    bad_time["datetime"] = "22 augusti 19.51"

    summary = import_police_events(
        collab, [no_id, bad_gps, bad_time, ok, "text"], county_name=county
    )

    assert summary.new == 1
    reasons = dict(summary.skipped)
    assert reasons["#1"] == "id: missing"
    assert reasons[bad_gps["id"]].startswith("location.gps: 'abc'")
    assert reasons[bad_time["id"]].startswith("datetime: '22 augusti 19.51'")
    assert reasons["#5"] == "not a JSON object"
    assert list(PoliceEvent.objects.values_list("external_id", flat=True)) == [ok["id"]]


def test_it_keeps_listed_places_as_towns_and_skips_other_towns(collab):
    municipality, county = busiest()
    base = next(e for e in sample() if place_of(e) == municipality)
    # The feed's documented older form: location.name is the municipality or a town.
    rows = []
    for n, place in enumerate([municipality, "Vivalla", "Elsewhere"], start=1):
        e = dict(copy.deepcopy(base), id=n)
        e["location"]["name"] = place
        e["name"] = f"22 augusti 10.00, Stöld, {place}"
        rows.append(e)

    summary = import_police_events(collab, rows, county_name=county, places=["Vivalla"])

    assert summary.new == 2
    got = dict(PoliceEvent.objects.values_list("external_id", "precision"))
    assert got == {1: "municipality", 2: "town"}
    assert PoliceEvent.objects.municipality_level().count() == 2
    assert summary.skipped == [
        (3, f"location.name: Elsewhere is not in {municipality} municipality")
    ]


def test_it_does_not_write_in_a_dry_run_but_reports_the_same_numbers(collab, write):
    _, county = busiest()
    path = write(list(_sample()))

    out, _ = run(path, "--county", county, "--dry-run")

    assert not PoliceEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="police.imported").exists()
    real, _ = run(path, "--county", county)
    dry_line, real_line = out.splitlines()[-1], real.splitlines()[-1]
    assert dry_line == "dry run: would have " + real_line
    assert out.splitlines()[:-1] == real.splitlines()[:-1]


def test_it_prints_skips_by_reason_progress_and_one_summary_line(collab, write):
    municipality, county = busiest()
    own, context = expected(municipality, county)
    skipped = len(_sample()) - own - context
    path = write(list(_sample()))

    out, err = run(path, "--county", county)

    lines = out.splitlines()
    assert lines[-1] == f"imported {own + context} new, 0 unchanged, {skipped} skipped"
    assert lines[0] == f"Skipped {skipped} events, by reason:"
    counts = [int(line.split(" × ")[0]) for line in lines if " × " in line]
    assert sum(counts) == skipped and len(counts) < 10
    # At most three examples per reason, not one line per event.
    examples = [line for line in lines if line.startswith("      e.g. ")]
    assert len(examples) <= 3 * len(counts) and len(lines) < 40
    other_county = sum(
        1
        for e in _sample()
        if e["location"]["name"].endswith(" län") and e["location"]["name"] != county
    )
    assert f"  {other_county} × location.name: in …, not {county}" in lines
    assert f"{len(_sample())} events in " in err
    size = path.stat().st_size
    assert f"read {size}/{size} bytes (100%)" in err

    out, _ = run(write(list(_sample())), "--county", county)
    assert out.splitlines()[-1] == (
        f"imported 0 new, {own + context} unchanged, {skipped} skipped"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": 1}', r"json: Expected a JSON array of events, found a dict\."),
        ("[{", r"json: Not valid JSON \(line 1: "),
        (b"\xff\xfe[]", r"json: Not UTF-8 text \(line 1: "),
        # The message is quoted as written, not with its first letter lowered.
        ("[" * 100_000, r"json: The JSON is nested too deeply\. Nothing was"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_json_array(collab, tmp_path, content, message):
    path = tmp_path / "events.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")

    with pytest.raises(CommandError, match=message):
        run(path, "--county", busiest()[1])

    assert not PoliceEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="police.imported").exists()


def test_it_refuses_bad_arguments_and_missing_files(collab, north, tmp_path, write):
    with pytest.raises(CommandError, match="no-such.json: cannot be read"):
        run(tmp_path / "no-such.json")
    with pytest.raises(CommandError, match="only https URLs"):
        run("http://example.org/events.json")
    with pytest.raises(CommandError, match="like 'Örebro län'"):
        run(write([]), "--county", "Örebro")
    north.municipality_name = ""
    north.save(update_fields=["municipality_name"])
    with pytest.raises(CommandError, match="has no municipality name"):
        run(write([]))
    assert not PoliceEvent.objects.exists()


def test_it_reads_the_place_from_the_last_part_of_the_title():
    assert title_place("22 augusti 17.59, Brand, Kävlinge") == "Kävlinge"
    assert title_place("22 augusti 10.00, Trafikolycka, personskada, Malmö") == "Malmö"
    assert title_place("Brand") == ""


def test_a_skip_reason_is_read_in_the_readers_language(collab, alice):
    """A file staged by a Swedish-speaking coordinator (or a worker) keeps each
    reason's message, so an English-speaking colleague reads it in English."""
    from django.test import Client
    from django.utils import translation

    from samsyn.organisations.access import Access
    from samsyn.police.batches import stage_events
    from samsyn.police.skips import shown_reason

    municipality, county = busiest()
    no_id = copy.deepcopy([e for e in sample() if place_of(e) == municipality][0])
    del no_id["id"]
    with translation.override("sv"):
        batch = stage_events(
            Access.for_user(alice, collab),
            json.dumps([no_id]).encode(),
            "händelser.json",
            county=county,
            places=[],
        )
    [group] = batch.skipped
    assert group["count"] == 1 and group["reason"] == "id: saknas"
    row = group["examples"][0]
    assert row["reason"] == "id: saknas"  # the text at import time
    assert (row["msg"], row["args"]) == ("%(field)s: missing", {"field": "id"})
    with translation.override("en"):
        assert shown_reason(row) == "id: missing"
    with translation.override("sv"):
        assert shown_reason(row) == "id: saknas"
    # Rows stored before reasons kept their message show their text as it was.
    assert shown_reason({"row": 3, "reason": "gammal text"}) == "gammal text"

    client = Client()
    client.force_login(alice)
    page = client.get(f"/police/imports/{batch.pk}/", headers={"Accept-Language": "en"})
    assert "<td>id: missing</td>" in page.content.decode()
    assert "<li>Event #1: id: missing</li>" in page.content.decode()

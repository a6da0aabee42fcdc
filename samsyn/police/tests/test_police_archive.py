"""The police events archive: read as a stream, skips summarised by reason, a size
limit with advice on the page and none on the command line, and re-imports that
undo an earlier --place."""

from __future__ import annotations

import copy
import io
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.lib.jsonstream import JsonArrayReader, JsonStreamError
from samsyn.police import views
from samsyn.police.actions import import_police_events
from samsyn.police.models import ImportBatch, PoliceEvent

MUNICIPALITY, COUNTY = "Örebro", "Örebro län"


def event(n: int, place: str = MUNICIPALITY, kind: str = "Stöld") -> dict[str, Any]:
    """One feed event filed under the county, the place named last in the title."""
    return {
        "id": n,
        "datetime": "2025-03-02 10:15:00 +01:00",
        "name": f"2 mars 09.30, {kind}, {place}",
        "summary": "Text.",
        "url": f"/aktuellt/handelser/2025/mars/2/{n}/",
        "type": kind,
        "location": {"name": COUNTY, "gps": "59.274,15.2066"},
    }


def archive(n: int, every_own: int = 10) -> list[dict[str, Any]]:
    """n events, one in ``every_own`` in the municipality, the rest in Kumla."""
    return [
        event(i, MUNICIPALITY if i % every_own == 0 else "Kumla")
        for i in range(1, n + 1)
    ]


@pytest.fixture
def orebro(north):  # type: ignore[no-untyped-def]
    north.municipality_name = MUNICIPALITY
    north.save(update_fields=["municipality_name"])
    return north


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "import_police_events",
        str(path),
        "--collaboration",
        "north",
        "--county",
        COUNTY,
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


# --- the stream reader -------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(json_values, max_size=8),
    chunk=st.integers(min_value=1, max_value=64),
    indent=st.sampled_from([None, 1]),
)
def test_the_reader_gives_what_json_loads_gives_whatever_the_chunk_size(
    values: list[Any], chunk: int, indent: int | None
) -> None:
    raw = json.dumps(values, indent=indent, ensure_ascii=False).encode()
    assert list(JsonArrayReader(io.BytesIO(raw), chunk_size=chunk)) == values


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n", "The file is empty."),
        (b'{"id": 1}', "Expected a JSON array of events, found a dict."),
        (b"[1, 2", "Not valid JSON (line 1: Expecting ',' delimiter)."),
        (b'[1,\n2,\n{"a" 1}]', "Not valid JSON (line 3: Expecting ':' delimiter)."),
        (b"[1] 2", "Not valid JSON (line 1: Extra data)."),
        (b'["\xc3\xa5", "\xe5"]', "Not UTF-8 text (line 1: invalid continuation"),
    ],
)
def test_the_reader_names_the_problem_and_the_line(raw: bytes, message: str) -> None:
    with pytest.raises(JsonStreamError) as caught:
        list(JsonArrayReader(io.BytesIO(raw), chunk_size=3))
    assert str(caught.value).startswith(message)


def test_the_reader_splits_numbers_and_multibyte_letters_across_chunks() -> None:
    raw = '[12345, "åäö", 6.5e3, -7]'.encode()
    for chunk in range(1, len(raw) + 1):
        reader = JsonArrayReader(io.BytesIO(b"\xef\xbb\xbf" + raw), chunk_size=chunk)
        assert list(reader) == [12345, "åäö", 6500.0, -7]
        assert reader.bytes_read == len(raw) + 3


# --- the import ---------------------------------------------------------------------


def test_a_streamed_archive_imports_like_the_same_events_in_a_list(orebro, tmp_path):
    events = archive(5_000)
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(events, ensure_ascii=False), "utf-8")

    listed = import_police_events(orebro, events, county_name=COUNTY, dry_run=True)
    with path.open("rb") as fh:
        streamed = import_police_events(
            orebro,
            JsonArrayReader(fh, chunk_size=4096),
            county_name=COUNTY,
            size=path.stat().st_size,
        )

    assert (streamed.new, len(streamed.skipped), streamed.read) == (500, 4_500, 5_000)
    assert (listed.new, len(listed.skipped)) == (streamed.new, len(streamed.skipped))
    assert PoliceEvent.objects.count() == 500
    # Skips are kept by reason: one reason, three examples, not 4,500 rows.
    [group] = ImportBatch.objects.get().skipped
    assert group["count"] == 4_500 and len(group["examples"]) == 3
    assert group["reason"] == "name: in … (…), not in Örebro municipality"


def test_an_archive_broken_halfway_writes_nothing(orebro, tmp_path):
    text = json.dumps(archive(3_000), ensure_ascii=False)
    path = tmp_path / "archive.json"
    path.write_text(text[:-500] + "garbage", "utf-8")

    with pytest.raises(CommandError, match=r"Not valid JSON \(line 1: .*Nothing was"):
        run(path)

    assert not PoliceEvent.objects.exists()
    assert not ImportBatch.objects.exists()


def test_the_command_prints_one_line_per_reason_not_per_event(orebro, tmp_path):
    events = archive(1_000) + [{"id": "x"}, {"id": 5_000}]
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(events, ensure_ascii=False), "utf-8")

    out, err = run(path)

    lines = out.splitlines()
    assert lines[0] == "Skipped 902 events, by reason:"
    assert "  900 × name: in … (…), not in Örebro municipality" in lines
    assert "  1 × id: … is not a positive whole number" in lines
    assert "  1 × datetime: … is not like '2026-08-22 19:51:41 +02:00'" in lines
    assert len(lines) == 1 + 3 + 3 + 1 + 1 + 1  # heading, reasons, examples, total
    assert lines[-1] == "imported 100 new, 0 unchanged, 902 skipped"
    assert "1002 events in " in err


# --- a re-import without --place ----------------------------------------------------


def test_a_reimport_without_a_place_removes_the_events_kept_for_it(orebro, tmp_path):
    events = [event(1), event(2, "Vivalla"), event(3, "Vivalla"), event(4, "Kumla")]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events, ensure_ascii=False), "utf-8")
    run(path, "--place", "Vivalla")
    assert PoliceEvent.objects.municipality_level().count() == 3

    dry, _ = run(path, "--dry-run")
    assert dry.splitlines()[-1] == (
        "dry run: would have imported 0 new, 1 unchanged, 3 skipped, 2 removed"
    )
    assert PoliceEvent.objects.count() == 3

    out, _ = run(path)

    assert out.splitlines()[-1] == "imported 0 new, 1 unchanged, 3 skipped, 2 removed"
    assert (
        "2 events stored by an earlier import are no longer kept with these options "
        "and were removed: Vivalla (2)"
    ) in out
    assert list(PoliceEvent.objects.values_list("external_id", flat=True)) == [1]
    assert ImportBatch.objects.order_by("pk").last().options["removed"] == 2
    # Events that are not in the file stay as they are.
    other = tmp_path / "other.json"
    other.write_text(json.dumps([event(9)], ensure_ascii=False), "utf-8")
    run(other)
    assert PoliceEvent.objects.count() == 2


def test_a_malformed_copy_of_a_stored_event_leaves_it_alone(orebro, tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps([event(1)]), "utf-8")
    run(path)
    broken = copy.deepcopy(event(1))
    broken["location"]["gps"] = "nowhere"
    path.write_text(json.dumps([broken]), "utf-8")

    out, _ = run(path)

    assert out.splitlines()[-1] == "imported 0 new, 0 unchanged, 1 skipped"
    assert PoliceEvent.objects.count() == 1


# --- the page's limit ---------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_refuses_a_large_archive_before_reading_it_and_says_what_to_do(
    alice, orebro
):
    body = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'
    response = _client(alice).post(
        "/police/imports/events/",
        data=body,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(30 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.content.decode() == (
        "The file is larger than 20 MB. Import it with the command "
        "`samsyn import_police_events FILE --collaboration SLUG`, which reads files "
        "of any size."
    )
    assert not ImportBatch.objects.exists()


def test_the_page_refuses_a_large_upload_without_a_declared_length(
    alice, orebro, monkeypatch
):
    monkeypatch.setattr(views, "EVENTS_WEB_MAX_BYTES", 100)
    upload = SimpleUploadedFile("archive.json", json.dumps(archive(10)).encode())

    response = _client(alice).post(
        "/police/imports/events/", {"events-file": upload, "events-county": COUNTY}
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Import it with the command" in page and "Nothing was imported" not in page
    assert not ImportBatch.objects.exists()


def test_the_batch_page_lists_reasons_not_rows(alice, orebro) -> None:
    events = archive(400, every_own=400)
    upload = SimpleUploadedFile("archive.json", json.dumps(events).encode())
    client = _client(alice)
    response = client.post(
        "/police/imports/events/", {"events-file": upload, "events-county": COUNTY}
    )
    page = client.get(response["Location"]).content.decode()

    assert "399 skipped rows" in page
    assert page.count("<li>Event ") == 3
    assert "name: in … (…), not in Örebro municipality" in page

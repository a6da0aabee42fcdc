"""Request bodies are refused by their declared size before anything reads them, and
JSON that is not text is a bad request, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from samsyn.tests.support import api_client

MB = 1024 * 1024


def _declared(client: Client, path: str, size: int, **extra: str):  # type: ignore[no-untyped-def]
    """POST a small multipart body that says it is ``size`` bytes long: reading it
    whole would fail (the test client's payload holds only the small body)."""
    body = b'--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nhej\r\n--x--\r\n'
    return client.post(
        path,
        data=body,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(size),
        **extra,
    )


@pytest.mark.django_db
def test_a_60_mb_attachment_is_refused_before_it_is_read(alice) -> None:
    """The note form takes a 10 MB document: 60 MB is refused by its declared
    length, before the body is read (no view, no CSRF check, no form)."""
    client = Client()
    client.force_login(alice)
    response = _declared(client, f"/interventions/{uuid.uuid4()}/notes/", 60 * MB)
    assert response.status_code == 413
    text = response.content.decode()
    assert "60 MB" in text and "11 MB" in text


@pytest.mark.parametrize(
    ("path", "limit_mb", "said"),
    [
        # The events page names the file's limit and where larger files go.
        ("/police/imports/events/", 21, "larger than 20 MB. Import it with"),
        ("/police/imports/crimes/", 21, "21 MB"),
        ("/surveys/import/", 6, "6 MB"),
    ],
)
@pytest.mark.django_db
def test_each_upload_page_has_its_own_limit(
    alice, path: str, limit_mb: int, said: str
) -> None:
    client = Client()
    client.force_login(alice)
    refused = _declared(client, path, limit_mb * MB + 1)
    assert refused.status_code == 413, path
    assert said in refused.content.decode()


@pytest.mark.django_db
def test_a_form_without_a_file_takes_djangos_limit(alice) -> None:
    client = Client()
    client.force_login(alice)
    assert _declared(client, "/reports/new/", 3 * MB).status_code == 413


@pytest.mark.django_db
def test_a_5_mb_json_body_is_413_with_a_json_message(alice) -> None:
    body = json.dumps({"category": "gathering", "description": "x" * (5 * MB)})
    response = api_client(alice).post(
        "/api/v1/reports", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


@pytest.mark.parametrize("text", ['"\\ud800"', '"a\\udfffb"', '"\\uDBFF"'])
@pytest.mark.django_db
def test_a_lone_surrogate_in_json_is_400(alice, west_area, text: str) -> None:
    body = (
        '{"category": "gathering", "lat": 59.2741, "lon": 15.2066, '
        f'"description": {text}}}'
    )
    response = api_client(alice).post(
        "/api/v1/reports", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Unicode" in response.json()["detail"]


@pytest.mark.django_db
def test_a_surrogate_pair_is_text_and_passes(alice, west_area) -> None:
    body = (
        '{"category": "gathering", "lat": 59.2741, "lon": 15.2066, '
        '"description": "\\ud83d\\ude00"}'
    )
    response = api_client(alice).post(
        "/api/v1/reports", data=body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["properties"]["description"] == "\U0001f600"


@pytest.mark.django_db
def test_a_lone_surrogate_in_an_open311_json_body_is_400(alice) -> None:
    response = Client().post(
        "/open311/v2/requests.json",
        data='{"description": "\\ud800"}',
        content_type="application/json",
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_json_that_is_not_utf8_is_a_client_error(alice, west_area) -> None:
    body = b'{"category": "gathering", "lat": 59.2741, "lon": 15.2066, "description": "\xff\xfe"}'
    response = api_client(alice).post(
        "/api/v1/reports", data=body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500

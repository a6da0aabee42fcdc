"""The Open311 api_key: in a header instead of the URL, and never in a log."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client

from samsyn.integrations.actions import create_open311_key
from samsyn.integrations.logging import GunicornLogger, MaskSecretsFilter, mask_secrets
from samsyn.reports.models import Report
from samsyn.tests.support import make_report


@pytest.fixture
def key(north_org):  # type: ignore[no-untyped-def]
    _row, raw = create_open311_key(north_org, label="city system")
    return raw


def test_it_accepts_the_key_in_a_header_for_reading(north_org, south_org, key):
    make_report(north_org, category="unsafe_lighting", description="Lamp out")
    client = Client()
    url = "/open311/v2/requests.json?jurisdiction_id=north"
    assert client.get(url).status_code == 403
    r = client.get(url, headers={"X-Api-Key": key})
    assert r.status_code == 200
    assert r.json()[0]["description"] == "Lamp out"
    assert client.get(url, headers={"X-Api-Key": "wrong"}).status_code == 403


def test_it_accepts_the_key_in_a_header_for_posting(north_org, key):
    r = Client().post(
        "/open311/v2/requests.json",
        {"service_code": "unsafe_lighting", "lat": 59.27, "long": 15.2},
        headers={"X-Api-Key": key},
    )
    assert r.status_code == 200, r.content
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "GET /open311/v2/requests.json?jurisdiction_id=north&api_key=o311_abc-DEF_1 HTTP/1.1",
            "GET /open311/v2/requests.json?jurisdiction_id=north&api_key=*** HTTP/1.1",
        ),
        ("/x?api_key=s3cret", "/x?api_key=***"),
        ("/x?API_KEY=s3cret&y=1", "/x?API_KEY=***&y=1"),
        ("/x?access_token=t0k&api_key=k", "/x?access_token=***&api_key=***"),
        ("api_key=k", "api_key=***"),
        ("/x?my_api_key_hint=1&q=api", "/x?my_api_key_hint=1&q=api"),
    ],
)
def test_it_masks_keys_in_query_strings(text, masked):
    assert mask_secrets(text) == masked


def test_the_access_log_never_shows_the_key():
    """gunicorn's access log line (samsyn's logger class) masks the request line,
    the query string and the referrer."""
    logger = GunicornLogger(
        SimpleNamespace(
            errorlog="-",
            loglevel="info",
            accesslog=None,
            syslog=False,
            capture_output=False,
            logconfig=None,
            logconfig_dict={},
            logconfig_json=None,
            disable_redirect_access_to_syslog=False,
            access_log_format='%(h)s "%(r)s" %(s)s "%(q)s" "%(f)s"',
            user=0,
            group=0,
        )
    )
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/open311/v2/requests.json?api_key=o311_SECRET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/open311/v2/requests.json",
        "QUERY_STRING": "api_key=o311_SECRET",
        "HTTP_REFERER": "https://x.example/?api_key=o311_SECRET",
        "REMOTE_ADDR": "10.0.0.9",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, timedelta(0))
    line = logger.cfg.access_log_format % atoms
    assert "o311_SECRET" not in line
    assert "api_key=***" in line


def test_the_application_log_never_shows_the_key(caplog):
    """Django's own request lines (runserver, django.request) and the outbound
    client's, through the console handler's filter."""
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /open311/v2/requests.json?api_key=o311_SECRET HTTP/1.1", 200, 10),
        None,
    )
    assert MaskSecretsFilter().filter(record) is True
    assert "o311_SECRET" not in record.getMessage()
    assert "api_key=***" in record.getMessage()


def test_the_console_handler_masks(settings):
    filters = settings.LOGGING["handlers"]["console"].get("filters", [])
    assert "mask_secrets" in filters
    spec = settings.LOGGING["filters"]["mask_secrets"]
    assert spec["()"] == "samsyn.integrations.logging.MaskSecretsFilter"

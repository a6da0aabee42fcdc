from __future__ import annotations

import json
import logging

import pytest
from django.core.management import call_command
from django.test import Client

from samsyn.integrations.logging import JsonFormatter, request_id_var
from samsyn.integrations.management.commands.doctor import ERROR, run_checks
from samsyn.integrations.metrics import REQUESTS
from samsyn.integrations.middleware import RequestMetricsMiddleware
from samsyn.tests.support import make_report


def test_it_reports_readiness(db):
    r = Client().get("/integrations/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "tasks", "media"}


def test_it_fails_readiness_when_media_is_not_writable(db, settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"
    r = Client().get("/integrations/health")
    assert r.status_code == 503
    assert r.json()["checks"]["media"]["ok"] is False


def test_with_files_in_the_database_readiness_needs_no_media_folder(
    db, settings, tmp_path
):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"  # unusable, and not needed
    settings.FILE_STORAGE = "database"
    r = Client().get("/integrations/health")
    assert r.status_code == 200
    assert r.json()["checks"]["media"]["ok"] is True


def test_it_hides_metrics_without_a_token(db, settings):
    settings.SAMSYN_METRICS_TOKEN = ""
    assert Client().get("/integrations/metrics").status_code == 404


def test_it_serves_prometheus_metrics_with_the_token(north_org, settings, rf):
    settings.SAMSYN_METRICS_TOKEN = "s3cret"
    make_report(north_org)
    REQUESTS.reset()
    middleware = RequestMetricsMiddleware(lambda request: Client().get("/healthz"))
    response = middleware(rf.get("/healthz", HTTP_X_REQUEST_ID="abc-1"))
    assert response["X-Request-ID"] == "abc-1"
    client = Client()
    assert client.get("/integrations/metrics").status_code == 401
    wrong = client.get("/integrations/metrics", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401
    r = client.get("/integrations/metrics", HTTP_AUTHORIZATION="Bearer s3cret")
    assert r.status_code == 200
    text = r.content.decode()
    assert r["Content-Type"].startswith("text/plain; version=0.0.4")
    assert 'samsyn_reports_total{collaboration="north"} 1' in text
    assert "samsyn_build_info{" in text
    assert (
        'samsyn_http_request_duration_seconds_bucket{view="unmatched",le="+Inf"} 1'
        in text
    )
    assert "# TYPE samsyn_http_requests_total counter" in text


def test_it_logs_json_with_the_request_id():
    record = logging.LogRecord(
        "samsyn.x", logging.WARNING, "f.py", 1, "hej %s", ("då",), None
    )
    record.report = "abc"
    token = request_id_var.set("rid-1")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    out = json.loads(line)
    assert out["message"] == "hej då"
    assert out["level"] == "WARNING"
    assert out["logger"] == "samsyn.x"
    assert out["request_id"] == "rid-1"
    assert out["report"] == "abc"
    assert out["timestamp"].endswith("+00:00")


def test_doctor_fails_on_a_bad_production_configuration(db, settings, capsys):
    settings.DEBUG = False
    settings.SECRET_KEY = "dev-only-secret-key-change-me"
    settings.ALLOWED_HOSTS = ["*"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    with pytest.raises(SystemExit) as exc:
        call_command("doctor", "--offline")
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "SECRET_KEY" in out and "ALLOWED_HOSTS" in out and "e-mail" in out
    assert "→" in out  # says what to fix


def test_doctor_passes_a_good_configuration(db, settings, tmp_path):
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 60
    settings.ALLOWED_HOSTS = ["samsyn.example.se"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.css").write_text("")
    settings.MEDIA_ROOT = tmp_path / "media"
    findings = run_checks(offline=True)
    assert [f.topic for f in findings if f.level == ERROR] == []


def test_doctor_warns_when_the_accessibility_review_is_over_a_year_old(settings):
    from datetime import date

    from samsyn.integrations.management.commands.doctor import (
        OK,
        WARN,
        check_accessibility_review,
    )

    settings.SAMSYN_ACCESSIBILITY_REVIEWED = date(2025, 11, 1)
    old = check_accessibility_review(today=date(2026, 11, 22))
    assert old.level == WARN and "SAMSYN_ACCESSIBILITY_REVIEWED" in old.fix
    settings.SAMSYN_ACCESSIBILITY_REVIEWED = date(2026, 6, 1)
    assert check_accessibility_review(today=date(2026, 11, 22)).level == OK

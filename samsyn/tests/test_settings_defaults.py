"""The settings default to production: DEBUG off (so a real SECRET_KEY is needed),
background work queued in the database; development turns DEBUG on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import json; from samsyn import settings as s; print(json.dumps({"
    "'debug': s.DEBUG, 'tasks': s.TASKS['default']['BACKEND'], "
    "'secure': s.SESSION_COOKIE_SECURE, '2fa': s.SAMSYN_REQUIRE_2FA, "
    "'storage': s.STORAGES['staticfiles']['BACKEND']}))"
)
UNSET = {
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "TASKS_BACKEND",
    "SAMSYN_REQUIRE_2FA",
}


def _settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-c", READ],
        env={k: v for k, v in os.environ.items() if k not in UNSET} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _read(env: dict[str, str]) -> dict:
    result = _settings(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_debug_and_secret_key_the_app_refuses_to_start() -> None:
    result = _settings({})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_is_the_default() -> None:
    values = _read({"SECRET_KEY": "k8$Zq!v2Lr#9wT4pX7mN1cB6yH3jF0sD5gA8eU2iO4lK7zQ9xW"})
    assert values == {
        "debug": False,
        "tasks": "django_tasks_db.DatabaseBackend",
        "secure": True,
        "2fa": True,
        "storage": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


def test_development_runs_tasks_in_the_request_unless_told_otherwise() -> None:
    assert _read({"DEBUG": "true"})["tasks"] == (
        "django_tasks.backends.immediate.ImmediateBackend"
    )
    chosen = _read(
        {"DEBUG": "true", "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    )
    assert chosen["tasks"] == "django_tasks_db.DatabaseBackend"


def test_the_test_suite_runs_with_debug_on() -> None:
    from django.conf import settings

    assert os.environ["DEBUG"] == "true"  # pytest-env, pyproject.toml
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")

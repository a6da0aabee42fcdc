"""The PostgreSQL connection settings taken from DATABASE_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _databases(env: dict[str, str]) -> dict:
    code = (
        "import json; from samsyn import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    out = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-c", code],
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_postgresql_connections_are_kept_and_checked_before_reuse() -> None:
    db = _databases({"DATABASE_URL": "postgres://u:p@db.example:5432/samsyn"})
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["NAME"] == "samsyn"
    assert db["CONN_MAX_AGE"] == 60
    # A kept connection that died in a database restart is replaced, not used.
    assert db["CONN_HEALTH_CHECKS"] is True


def test_sqlite_is_the_default_without_database_url() -> None:
    db = _databases({})
    assert db["ENGINE"] == "django.db.backends.sqlite3"

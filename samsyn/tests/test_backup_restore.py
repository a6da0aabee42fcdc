"""`samsyn backup` / `samsyn restore`: a backup restored into an EMPTY database holds
the same rows (counts per table and a checksum of the report rows)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from samsyn.lib.backup import BackupError, restore
from samsyn.tests.support import make_report

REPORT_COLUMNS = (
    "id, collaboration_id, organisation_id, category_id, occurred_at, lon, lat, "
    "description, severity, restricted, idempotency_key"
)


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def _snapshot(cursor: Any, tables: list[str]) -> tuple[dict[str, int], str]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from introspection
        counts[table] = cursor.fetchone()[0]
    cursor.execute(f"SELECT {REPORT_COLUMNS} FROM reports_report ORDER BY id")  # noqa: S608
    digest = hashlib.sha256()
    for row in cursor.fetchall():
        digest.update(repr(tuple(str(v) for v in row)).encode())
    return counts, digest.hexdigest()


@pytest.fixture
def data(transactional_db, north_org, bob, west_area) -> Iterator[None]:  # type: ignore[no-untyped-def]
    for i in range(25):
        make_report(
            north_org,
            reporter=bob,
            description=f"report {i} – åäö \u2603",
            severity=1 + i % 4,
            idempotency_key=f"key-{i}",
        )
    yield


def _settings_db() -> dict[str, Any]:
    return dict(connection.settings_dict)


def test_it_restores_a_sqlite_backup_into_an_empty_database(
    data: None, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite backup")
    out = tmp_path / "backup.sqlite3"
    call_command("backup", "--output", str(out))
    empty = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "new.db")}
    restore(empty, out)

    tables = _tables()
    # Both sides read the same way: plain sqlite3 connections on the two files.
    source = sqlite3.connect(connection.settings_dict["NAME"])
    restored = sqlite3.connect(empty["NAME"])
    try:
        before = _snapshot(source.cursor(), tables)
        after = _snapshot(restored.cursor(), tables)
    finally:
        source.close()
        restored.close()
    assert before[0]["reports_report"] == 25
    assert after == before


@pytest.fixture
def second_pg_database() -> Iterator[dict[str, Any]]:
    import psycopg

    db = _settings_db()
    name = f"{db['NAME']}_restore"[:63]
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**db, "NAME": name, "_params": {**params, "dbname": name}}
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_it_restores_a_postgresql_backup_into_an_empty_database(
    data: None, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backup")
    import psycopg

    target = request.getfixturevalue("second_pg_database")
    out = tmp_path / "backup.pgdump"
    call_command("backup", "--output", str(out))
    assert out.read_bytes().startswith(b"PGDMP")
    restore(target, out)

    tables = _tables()
    with connection.cursor() as cur:
        before = _snapshot(cur, tables)
    with psycopg.connect(**target["_params"]) as restored:
        after = _snapshot(restored.cursor(), tables)
    assert before[0]["reports_report"] == 25
    assert after == before


def test_it_refuses_a_file_that_is_not_a_backup(db: None, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    with pytest.raises(CommandError, match="not a"):
        call_command("restore", str(bogus), "--yes")
    with pytest.raises(BackupError, match="no such file"):
        restore(_settings_db(), tmp_path / "missing")

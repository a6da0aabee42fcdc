"""Readiness checks, shared by /integrations/health and ``samsyn doctor``."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from samsyn.files.models import StoredFile


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


def database() -> Check:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - report any failure
        return Check("database", False, f"{type(exc).__name__}: {exc}")
    return Check("database", True, connections[DEFAULT_DB_ALIAS].vendor)


def unapplied_migrations() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def migrations() -> Check:
    try:
        pending = unapplied_migrations()
    except Exception as exc:  # noqa: BLE001
        return Check("migrations", False, f"{type(exc).__name__}: {exc}")
    if pending:
        return Check("migrations", False, f"{len(pending)} unapplied: {pending[0]}…")
    return Check("migrations", True, "all applied")


def tasks() -> Check:
    try:
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        name = type(backend).__name__
    except Exception as exc:  # noqa: BLE001
        return Check("tasks", False, f"{type(exc).__name__}: {exc}")
    if "django_tasks_db" in type(backend).__module__:
        from samsyn.integrations.metrics import tasks_pending

        try:
            pending = tasks_pending()
        except Exception as exc:  # noqa: BLE001 - table missing etc.
            return Check("tasks", False, f"{name}: {exc}")
        return Check("tasks", True, f"{name}, {pending} pending")
    return Check("tasks", True, name)


def media() -> Check:
    if settings.FILE_STORAGE == "database":
        try:
            count = StoredFile.objects.count()
        except Exception as exc:  # noqa: BLE001 - table missing etc.
            return Check("media", False, f"database storage: {exc}")
        detail = f"{count} files" if settings.DEBUG else "reachable"
        return Check("media", True, f"in the database ({detail})")
    root = Path(settings.MEDIA_ROOT)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".probe-"):
            pass
    except OSError as exc:
        return Check("media", False, f"{root}: {exc.strerror or exc}")
    return Check("media", True, str(root) if settings.DEBUG else "writable")


def readiness() -> list[Check]:
    db = database()
    if not db.ok:
        return [
            db,
            Check("migrations", False, "database unreachable"),
            tasks(),
            media(),
        ]
    return [db, migrations(), tasks(), media()]

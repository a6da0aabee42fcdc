"""Backing up and restoring the configured database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
snapshot while the site keeps running; restore copies the file back the same way.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
--no-owner`` into the configured database. Both refuse to restore a file that is not
a backup of the same kind of database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from samsyn.lib.progress import Progress, null

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


def engine_kind(db: Mapping[str, Any]) -> str:
    engine = str(db.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Unsupported database engine: {engine}")


def default_filename(db: Mapping[str, Any], now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if engine_kind(db) == "sqlite" else "pgdump"
    return f"samsyn-{stamp}.{suffix}"


def backup(
    db: Mapping[str, Any], output: Path, progress: Progress | None = None
) -> Path:
    """Write a backup of ``db`` (a Django DATABASES entry) to ``output``."""
    output.parent.mkdir(parents=True, exist_ok=True)
    progress = progress or null()
    progress.stage("copying the database")
    if engine_kind(db) == "sqlite":
        _sqlite_copy(Path(str(db["NAME"])), output, progress)
    else:
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(output)]
            + _pg_args(db),
            db,
        )
    return output


def restore(
    db: Mapping[str, Any], source: Path, progress: Progress | None = None
) -> None:
    """Replace the contents of ``db`` with the backup in ``source``."""
    progress = progress or null()
    if not source.is_file():
        raise BackupError(f"{source}: no such file.")
    head = source.read_bytes()[:16] if source.stat().st_size else b""
    if engine_kind(db) == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source}: not an SQLite backup.")
        progress.stage("restoring the database")
        _sqlite_copy(source, Path(str(db["NAME"])), progress)
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(f"{source}: not a pg_dump custom-format backup.")
        progress.stage("restoring the database (pg_restore)")
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
            ]
            + _pg_args(db, dbname_flag=True)
            + [str(source)],
            db,
        )


# Pages copied per step of the SQLite online backup (4 KiB pages: 16 MiB a step).
SQLITE_PAGES_PER_STEP = 4096


def _sqlite_copy(src: Path, dst: Path, progress: Progress | None = None) -> None:
    if not src.is_file():
        raise BackupError(f"{src}: no such database file.")
    # mode=ro: a backup never creates or changes its source.
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(dst)
        try:

            def step(status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress.update(total - remaining, total)

            source.backup(target, pages=SQLITE_PAGES_PER_STEP, progress=step)
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    finally:
        source.close()


def _pg_args(db: Mapping[str, Any], *, dbname_flag: bool = False) -> list[str]:
    args: list[str] = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    args += ["--no-password"]
    name = str(db["NAME"])
    return args + (["--dbname", name] if dbname_flag else [name])


def _run(cmd: list[str], db: Mapping[str, Any]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} is not installed (apt install postgresql-client).")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed program, no shell
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[-2000:]}")

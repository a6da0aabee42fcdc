"""The one module with database-specific code.

Everything else goes through the ORM and runs the same on SQLite and PostgreSQL.
Here: bulk loading of many rows (COPY on PostgreSQL, executemany on SQLite), used by
the demo loader and importers, and fast column reads for the analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def bulk_insert(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert many rows fast. Values must already be in the database's format
    (use `db_value_*` helpers). Returns the number of rows written."""
    count = 0
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:  # psycopg 3
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Table and column names come from model metadata, never from input.
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) VALUES ({marks})"  # noqa: S608
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 20_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def uuid_db_value(u: Any) -> str:
    """UUIDs: native type on PostgreSQL, 32 hex characters on SQLite (Django's format)."""
    return str(u) if connection.vendor == "postgresql" else u.hex


def datetime_db_values(epoch_s: Any) -> list[str]:
    """UTC datetimes from epoch seconds (numpy array) as strings the database accepts."""
    import numpy as np

    text = np.datetime_as_string(np.asarray(epoch_s, dtype="datetime64[s]"), unit="s")
    if connection.vendor == "postgresql":
        return [t + "+00:00" for t in text.tolist()]
    return [t.replace("T", " ") for t in text.tolist()]


def reset_sequence(table: str) -> None:
    """After inserting explicit ids on PostgreSQL, move the id sequence past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        quoted = connection.ops.quote_name(table)
        sql = "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {}), 1))".format(quoted)  # noqa: S608, UP032
        cursor.execute(sql, [table])

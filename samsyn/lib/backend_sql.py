"""The one module with database-specific code.

Everything else goes through the ORM and runs the same on SQLite and PostgreSQL.
Here: bulk loading of many rows (COPY on PostgreSQL, executemany on SQLite), used by
the demo loader and importers, and fast column reads for the analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import FloatField, Func


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
        sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {quoted}), 1))"  # noqa: S608, UP032
        cursor.execute(sql, [table])


def fetch_columns(sql: str, params: Sequence[Any], n_columns: int) -> Any:
    """Run a SELECT of ``n_columns`` numeric, non-NULL columns and return a float64
    array of shape (rows, n_columns), without building a Python object per row.

    PostgreSQL: ``COPY (query) TO STDOUT`` in binary, parsed with one numpy
    structured dtype (every column must be cast to float8 in the query).
    SQLite: the rows are concatenated into one text value inside the database and
    parsed by numpy in one call. Integers up to 2**53 (ids, epoch seconds) are exact.
    """
    import numpy as np

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor.mogrify(sql, params)
            buf = bytearray()
            with cursor.cursor.copy(f"COPY ({raw}) TO STDOUT (FORMAT binary)") as copy:
                for block in copy:
                    buf += block
            # 11-byte signature, 4-byte flags, 4-byte extension length; 2-byte trailer.
            body = memoryview(buf)[19:-2]
            fields: list[tuple[str, str]] = [("n", ">i2")]
            for i in range(n_columns):
                fields += [(f"l{i}", ">i4"), (f"c{i}", ">f8")]
            rows = np.frombuffer(body, dtype=np.dtype(fields))
            out = np.empty((len(rows), n_columns), dtype=np.float64)
            for i in range(n_columns):
                out[:, i] = rows[f"c{i}"]
            return out
        cols = " || ',' || ".join(f"c{i}" for i in range(n_columns))
        wrapped = (
            f"SELECT group_concat({cols}, ',') FROM ("  # noqa: S608 - internal SQL
            + sql
            + ")"
        )
        cursor.execute(wrapped, params)
        text = cursor.fetchone()[0]
        if not text:
            return np.empty((0, n_columns), dtype=np.float64)
        flat = np.fromstring(text, dtype=np.float64, sep=",")
        return flat.reshape(-1, n_columns)


class Epoch(Func):
    """Seconds since 1970 (UTC) of a datetime column, as a float."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, conn: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            conn,
            template="ROUND((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
        )

    def as_postgresql(self, compiler: Any, conn: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, conn, template="EXTRACT(EPOCH FROM %(expressions)s)::float8"
        )

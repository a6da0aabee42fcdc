"""Reads that may go to a PostgreSQL replica, and the rule that keeps them fresh.

With ``DATABASE_REPLICA_URL`` set (settings.py), the heavy reads (analyses, the figures
of a new picture or annual report, exports) run on the replica inside
``replica_reads()``; everything else, and every write, stays on the primary.

The staleness rule (docs/decisions/0022-reads-on-a-replica.md): a replica serves a
read only once it has replayed everything the primary had committed when the read
began. ``replica_reads()`` asks the primary for its WAL position and waits, at most
``SAMSYN_REPLICA_WAIT_MS``, until the replica has replayed it; a replica further
behind is not used and the reads go to the primary. So a picture generated right
after a report was acknowledged includes that report, whichever node took it. Reads
inside an open transaction on the primary stay there too: they may need the
transaction's own uncommitted writes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
log = logging.getLogger(__name__)
_reads_on: ContextVar[str | None] = ContextVar("samsyn_replica_reads", default=None)


def replica_configured() -> bool:
    return bool(settings.DATABASE_REPLICA_URL) and REPLICA in settings.DATABASES


def _primary_position() -> str | None:
    primary = connections[DEFAULT_DB_ALIAS]
    if primary.vendor != "postgresql":
        return None
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return str(cursor.fetchone()[0])


def _replica_has(position: str | None) -> bool:
    """True when the replica has replayed `position` (or is not in recovery, i.e. it
    is the primary itself or was promoted)."""
    replica = connections[REPLICA]
    if position is None or replica.vendor != "postgresql":
        return True
    with replica.cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), "
            "COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)",
            [position],
        )
        in_recovery, replayed = cursor.fetchone()
    return (not in_recovery) or bool(replayed)


def fresh_replica(wait_ms: int | None = None) -> bool:
    """Whether the replica can serve a read that must see every committed write."""
    if not replica_configured():
        return False
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False
    wait = settings.SAMSYN_REPLICA_WAIT_MS if wait_ms is None else wait_ms
    try:
        position = _primary_position()
        deadline = time.monotonic() + wait / 1000
        while True:
            if _replica_has(position):
                return True
            if time.monotonic() >= deadline:
                log.warning(
                    "replica behind the primary by more than %s ms; reading from "
                    "the primary",
                    wait,
                )
                return False
            time.sleep(0.01)
    except DatabaseError:
        log.warning("replica unreachable; reading from the primary", exc_info=True)
        connections[REPLICA].close()
        return False


@contextmanager
def replica_reads() -> Iterator[str]:
    """Send the reads inside to the replica when it is configured and fresh (see the
    module's rule); yields the alias the reads use."""
    if _reads_on.get() is not None:
        yield _reads_on.get() or DEFAULT_DB_ALIAS
        return
    alias = REPLICA if fresh_replica() else DEFAULT_DB_ALIAS
    token = _reads_on.set(alias)
    try:
        yield alias
    finally:
        _reads_on.reset(token)


class ReplicaRouter:
    """Reads inside ``replica_reads()`` go to the replica; all else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = _reads_on.get()
        if alias == REPLICA and connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # A write transaction opened inside the block: read what it wrote.
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA

"""Task workers that outlive each other: heartbeats and stale-claim recovery.

django_tasks_db claims a task by marking it RUNNING with the worker's id and never
looks at it again; a worker killed in the middle of a task (kill -9, a lost machine,
an out-of-memory kill) leaves it RUNNING for ever, and a PDF job waits for ever.
Every ``samsyn db_worker`` therefore writes a heartbeat (``WorkerBeat``) every quarter
of ``SAMSYN_WORKER_STALE_SECONDS`` and, from the same thread, hands back to the queue
the tasks whose worker has not been heard from for that long. Another worker then
runs them from the start: tasks must be safe to run again after a partial run (a PDF
job is: it writes its file and marks the job done at its end).

A worker only recovers others' tasks after its own heartbeat has gone through
without a break for the whole stale period, so a database failover (when no worker
could write its heartbeat) does not make live workers look dead.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samsyn.jobs.models import WorkerBeat

logger = logging.getLogger("samsyn.jobs.workers")

RUNNING = "RUNNING"


def stale_after() -> timedelta:
    return timedelta(seconds=int(settings.SAMSYN_WORKER_STALE_SECONDS))


def beat(worker_id: str, *, now: datetime | None = None) -> None:
    """Record that ``worker_id`` is alive."""
    now = now or timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(seen=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "seen": now,
                "started": now,
                "host": socket.gethostname()[:200],
                "pid": os.getpid(),
            },
        )


def forget(worker_id: str) -> None:
    """A worker stopping cleanly removes its heartbeat."""
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def last_worker(task: DBTaskResult) -> str:
    ids = task.worker_ids or []
    return str(ids[-1]) if ids else ""


def recover_stale_claims(
    *, now: datetime | None = None, max_attempts: int | None = None
) -> list[str]:
    """Hand back to the queue every RUNNING task whose worker is not alive.

    A task is taken back when it was claimed longer ago than the stale period and
    its worker's heartbeat is older than that (or gone). One claimed
    ``max_attempts`` times already fails instead (it may be what kills workers).
    Returns the ids of the tasks taken back or failed.
    """
    now = now or timezone.now()
    cutoff = now - stale_after()
    attempts = max_attempts or int(settings.SAMSYN_TASK_MAX_ATTEMPTS)
    alive = set(
        WorkerBeat.objects.filter(seen__gte=cutoff).values_list("worker_id", flat=True)
    )
    touched: list[str] = []
    with transaction.atomic():
        stale = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=RUNNING, started_at__lt=cutoff)
            .order_by("started_at")
        )
        for task in stale:
            worker = last_worker(task)
            if worker in alive:
                continue
            if len(task.worker_ids or []) >= attempts:
                DBTaskResult.objects.filter(pk=task.pk, status=RUNNING).update(
                    status="FAILED",
                    finished_at=now,
                    exception_class_path="samsyn.jobs.workers.WorkerLost",
                    traceback=(
                        f"The worker {worker} stopped while running this task, "
                        f"{attempts} times; not retried again."
                    ),
                )
                logger.error(
                    "Task %s lost its worker %s times: failed", task.pk, attempts
                )
            else:
                DBTaskResult.objects.filter(pk=task.pk, status=RUNNING).update(
                    status="READY", started_at=None
                )
                logger.warning(
                    "Task %s was claimed by %s, not heard from since before %s: "
                    "back in the queue",
                    task.pk,
                    worker,
                    cutoff.isoformat(),
                )
            touched.append(str(task.pk))
    return touched


def release_own_claims(worker_id: str) -> list[str]:
    """Hand back the tasks this worker claimed but is no longer running.

    Called when the worker's loop lost its database in the middle of a task (the
    task's end could not be written): the worker lives on, so its heartbeat would
    keep the task RUNNING for ever.
    """
    released = []
    for task in DBTaskResult.objects.filter(status=RUNNING):
        if last_worker(task) == worker_id:
            DBTaskResult.objects.filter(pk=task.pk, status=RUNNING).update(
                status="READY", started_at=None
            )
            released.append(str(task.pk))
    return released


class Heartbeat(threading.Thread):
    """Beat every quarter of the stale period; recover others' tasks when healthy."""

    def __init__(
        self, worker_id: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.clock = clock
        self.period = stale_after().total_seconds()
        self.stopping = threading.Event()
        self.healthy_since: float | None = None

    def tick(self) -> None:
        try:
            beat(self.worker_id)
        except DatabaseError as exc:
            logger.warning("Heartbeat of %s not written: %s", self.worker_id, exc)
            self.healthy_since = None
            connections["default"].close()
            return
        if self.healthy_since is None:
            self.healthy_since = self.clock()
        if self.clock() - self.healthy_since < self.period:
            return
        try:
            recover_stale_claims()
        except DatabaseError as exc:
            logger.warning("Stale tasks not recovered: %s", exc)
            connections["default"].close()

    def run(self) -> None:
        try:
            # The worker wrote its first beat before starting this thread.
            while not self.stopping.wait(max(0.5, self.period / 4)):
                self.tick()
        finally:
            connections["default"].close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)

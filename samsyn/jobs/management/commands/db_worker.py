"""``samsyn db_worker``: django_tasks_db's worker, with a heartbeat, stale-claim
recovery and a loop that outlives a database failover (samsyn/jobs/workers.py).

It replaces django_tasks_db's command of the same name (samsyn.jobs comes before
django_tasks_db in INSTALLED_APPS) and takes the same options.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import DatabaseError, close_old_connections, connections
from django_tasks_db.management.commands import db_worker as base

from samsyn.jobs.workers import Heartbeat, beat, forget, release_own_claims

logger = logging.getLogger("samsyn.jobs.workers")


class Worker(base.Worker):
    def run(self) -> None:
        self.wait_for_database()
        heart = Heartbeat(self.worker_id)
        heart.start()
        try:
            while True:
                try:
                    super().run()
                    return
                except DatabaseError as exc:
                    if not self.running or self.batch:
                        raise
                    # The database went away (a failover): the task being run, if
                    # any, could not be finished; hand it back and carry on.
                    logger.warning(
                        "Worker %s lost the database: %s", self.worker_id, exc
                    )
                    self.running_task = False
                    connections.close_all()
                    self.wait_for_database()
                    released = release_own_claims(self.worker_id)
                    if released:
                        logger.warning(
                            "Tasks %s back in the queue", ", ".join(released)
                        )
        finally:
            heart.stop()
            try:
                forget(self.worker_id)
            except DatabaseError:
                pass

    def wait_for_database(self) -> None:
        """Write the first heartbeat, retrying until the database answers."""
        while True:
            try:
                beat(self.worker_id)
                return
            except DatabaseError as exc:
                if not self.running or self.batch:
                    raise
                logger.warning(
                    "Worker %s waits for the database: %s", self.worker_id, exc
                )
                connections.close_all()
                time.sleep(max(self.interval, 1))
                close_old_connections()


class Command(base.Command):
    help = (
        "Run a database task worker (with a heartbeat; tasks of workers that died "
        "go back to the queue)"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        original = base.Worker
        base.Worker = Worker  # type: ignore[misc]  # handle() builds base.Worker
        try:
            super().handle(*args, **options)
        finally:
            base.Worker = original  # type: ignore[misc]

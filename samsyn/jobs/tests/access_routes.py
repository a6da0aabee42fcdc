"""The jobs pages in the access matrix: a job is visible to its owner only, or
(without an owner) to every member of its collaboration; nothing of south reaches
north and the other way round."""

from __future__ import annotations

from typing import Any


def build(world: Any, kit: Any) -> None:
    from samsyn.jobs.models import Job

    collab = world.orgs["kommun"].collaboration
    world.extra["job_alice"] = Job.objects.create(
        collaboration=collab,
        owner=world.users[kit.ALICE],
        kind=Job.Kind.IMPORT,
        status=Job.Status.RUNNING,
        done=5,
        total=10,
    )
    world.extra["job_shared"] = Job.objects.create(
        collaboration=collab, kind=Job.Kind.PICTURE_PDF, status=Job.Status.DONE
    )


def routes(kit: Any) -> dict[str, Any]:
    Route, everyone = kit.Route, kit.everyone
    owner_only = everyone(404, **{kit.ALICE: 200})
    members = everyone(200, **{kit.CARL: 404})

    def code(w: Any, key: str) -> str:
        return str(w.extra[key].code)

    return {
        "jobs:list": Route("GET", lambda w: "/jobs/", everyone(200)),
        "jobs:detail": Route(
            "GET", lambda w: f"/jobs/{code(w, 'job_alice')}/", owner_only
        ),
        "jobs:progress": Route(
            "GET", lambda w: f"/jobs/{code(w, 'job_shared')}/progress/", members
        ),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    """The job URLs again, for a shared job of south: only carl sees it."""
    Route, everyone = kit.Route, kit.everyone

    def south(w: Any) -> str:
        from samsyn.jobs.models import Job

        if "south_job" not in w.extra:
            w.extra["south_job"] = Job.objects.create(
                collaboration=w.orgs["south"].collaboration, kind=Job.Kind.PICTURE_PDF
            )
        return str(w.extra["south_job"].code)

    carl_only = everyone(404, **{kit.CARL: 200})
    return {
        "jobs:detail": Route("GET", lambda w: f"/jobs/{south(w)}/", carl_only),
        "jobs:progress": Route(
            "GET", lambda w: f"/jobs/{south(w)}/progress/", carl_only
        ),
    }

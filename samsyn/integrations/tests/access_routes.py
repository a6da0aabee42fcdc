"""The integrations app's URLs for the access matrix (organisations/tests/test_isolation)."""

from __future__ import annotations

from typing import Any


def export_job(user: Any, collaboration: Any) -> Any:
    """A finished export job of ``user``, its file stored, as a large export leaves."""
    from samsyn.integrations.export_jobs import export_subject
    from samsyn.jobs.files import save_result
    from samsyn.jobs.models import Job
    from samsyn.organisations.access import Access

    access = Access.for_user(user, collaboration)
    job = Job.objects.create(
        collaboration=collaboration,
        owner=user,
        kind=Job.Kind.EXPORT,
        status=Job.Status.DONE,
        subject=export_subject(access, "reports", "csv", {}),
    )
    save_result(job, "matrix.csv", b"\xef\xbb\xbfcode\r\n")
    return job


def build(world: Any, kit: Any) -> None:
    from samsyn.integrations.models import Webhook

    world.extra["export_job"] = export_job(
        world.users[kit.ALICE], world.orgs["kommun"].collaboration
    )

    # A receiver nobody listens on: test deliveries fail fast, nothing leaves.
    world.extra["webhook"] = Webhook.objects.create(
        collaboration=world.orgs["kommun"].collaboration,
        name="Drift",
        url="http://127.0.0.1:9/hook",
    )


def hook(w: Any, tail: str) -> str:
    return f"/integrations/webhooks/{w.extra['webhook'].code}/{tail}"


def routes(kit: Any) -> dict[str, Any]:
    R, everyone, A = kit.Route, kit.everyone, kit
    hooks_page = everyone(404, **{A.ALICE: 200, A.ADAM: 200, A.CARL: 200})
    hooks_north = everyone(404, **{A.ALICE: 200, A.ADAM: 200})
    hooks_north_post = everyone(404, **{A.ALICE: 302, A.ADAM: 302})
    api = everyone(200, anonymous=401)
    out = {
        "integrations:export": R(
            "GET", lambda w: "/integrations/export/", everyone(200)
        ),
        # A queued export's file: its owner's only.
        "integrations:export_download": R(
            "GET",
            lambda w: f"/integrations/export/{w.extra['export_job'].code}/download/",
            everyone(404, **{A.ALICE: 200}),
        ),
        # Webhooks: coordinators and administrators, each their own collaboration's.
        "integrations:webhooks": R(
            "GET", lambda w: "/integrations/webhooks/", hooks_page
        ),
        "integrations:webhook_new": R(
            "GET", lambda w: "/integrations/webhooks/new/", hooks_page
        ),
        "integrations:webhook": R("GET", lambda w: hook(w, ""), hooks_north),
        "integrations:webhook_edit": R("GET", lambda w: hook(w, "edit/"), hooks_north),
        "integrations:webhook_delete": R(
            "GET", lambda w: hook(w, "delete/"), hooks_north
        ),
        "integrations:webhook_toggle": R(
            "POST", lambda w: hook(w, "toggle/"), hooks_north_post
        ),
        "integrations:webhook_rotate": R(
            "POST", lambda w: hook(w, "rotate/"), hooks_north_post
        ),
        "integrations:webhook_test": R(
            "POST", lambda w: hook(w, "test/"), hooks_north_post
        ),
        "integrations:health": R(
            "GET", lambda w: "/integrations/health", everyone(200, anonymous=200)
        ),
        # No SAMSYN_METRICS_TOKEN in tests: the endpoint does not exist.
        "integrations:metrics": R(
            "GET", lambda w: "/integrations/metrics", everyone(404, anonymous=404)
        ),
        "api:export_reports": R("GET", lambda w: "/api/v1/exports/reports.csv", api),
        "api:export_interventions": R(
            "GET", lambda w: "/api/v1/exports/interventions.csv", api
        ),
        "api:export_pictures": R("GET", lambda w: "/api/v1/exports/pictures.csv", api),
    }
    # The service list is public; reading requests needs an api_key unless
    # SAMSYN_OPEN311_PUBLIC is on, so sessions get the Open311 403.
    out["open311:services"] = R(
        "GET",
        lambda w: "/open311/v2/services.json?jurisdiction_id=north",
        everyone(200, anonymous=200),
    )
    out["open311:requests"] = R(
        "GET",
        lambda w: "/open311/v2/requests.json?jurisdiction_id=north",
        everyone(403, anonymous=403),
    )
    out["open311:request"] = R(
        "GET",
        lambda w: f"/open311/v2/requests/{w.public.code}.json?jurisdiction_id=north",
        everyone(403, anonymous=403),
    )
    return out


def restricted_routes(kit: Any) -> dict[str, Any]:
    """The webhook URLs again, for south's hook: only carl, south's coordinator."""
    R, everyone, A = kit.Route, kit.everyone, kit

    def south(w: Any, tail: str) -> str:
        from samsyn.integrations.models import Webhook

        if "south_webhook" not in w.extra:
            w.extra["south_webhook"] = Webhook.objects.create(
                collaboration=w.orgs["south"].collaboration,
                name="South",
                url="http://127.0.0.1:9/south",
            )
        return f"/integrations/webhooks/{w.extra['south_webhook'].code}/{tail}"

    def south_export(w: Any) -> str:
        if "south_export" not in w.extra:
            w.extra["south_export"] = export_job(
                w.users[A.CARL], w.orgs["south"].collaboration
            )
        return f"/integrations/export/{w.extra['south_export'].code}/download/"

    page = everyone(404, **{A.CARL: 200})
    post = everyone(404, **{A.CARL: 302})
    return {
        "integrations:export_download": R("GET", south_export, page),
        "integrations:webhook": R("GET", lambda w: south(w, ""), page),
        "integrations:webhook_edit": R("GET", lambda w: south(w, "edit/"), page),
        "integrations:webhook_delete": R("GET", lambda w: south(w, "delete/"), page),
        "integrations:webhook_toggle": R("POST", lambda w: south(w, "toggle/"), post),
        "integrations:webhook_rotate": R("POST", lambda w: south(w, "rotate/"), post),
        "integrations:webhook_test": R("POST", lambda w: south(w, "test/"), post),
    }

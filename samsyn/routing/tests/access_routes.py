"""The routing app's URLs in the access matrix (see organisations/tests/test_isolation).

The owner's queue is for members of an organisation with a role that may change its
reports' status (not the steering group); the rules page for coordinators; a
restricted report in the queue, and its fix photo, only for those who may see it.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image

from samsyn.reports.models import Report, ReportStatusChange
from samsyn.routing.models import FixPhoto, RoutingRule


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, format="PNG")
    return out.getvalue()


def build(world: Any, kit: Any) -> None:
    kommun = world.orgs["kommun"]
    # The world's restricted report (the police's, owned by the municipality),
    # assigned: no new report, so other apps' counts stay as declared.
    hidden = world.restricted
    Report.objects.filter(pk=hidden.pk).update(status=Report.Status.ASSIGNED)
    change = ReportStatusChange.objects.create(
        report=hidden,
        collaboration=hidden.collaboration,
        status=Report.Status.ASSIGNED,
        owner=kommun,
    )
    photo = FixPhoto(change=change)
    photo.photo.save("photo.png", ContentFile(_png()), save=True)
    rule = RoutingRule.objects.create(collaboration=kommun.collaboration, owner=kommun)
    world.extra.update(routing_hidden=hidden, routing_photo=photo, routing_rule=rule)


def routes(kit: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    coordinators = everyone(404, **{kit.ALICE: 200, kit.CARL: 200})
    return {
        "routing:queue": R(
            "GET", lambda w: "/routing/queue/", everyone(200, **{kit.SAM: 404})
        ),
        "routing:rules": R("GET", lambda w: "/routing/rules/", coordinators),
        "routing:notices": R("GET", lambda w: "/routing/notices/", everyone(200)),
        "api:routing_queue": R(
            "GET", lambda w: "/api/v1/routing/queue", everyone(200, 401)
        ),
        "api:routing_rules": R(
            "GET", lambda w: "/api/v1/routing/rules", everyone(200, 401)
        ),
        "api:routing_properties": R(
            "GET", lambda w: "/api/v1/routing/properties", everyone(200, 401)
        ),
        **restricted_routes(kit),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    R, A = kit.Route, kit
    return {
        "routing:queue_item": R(
            "GET",
            lambda w: f"/routing/queue/{w.extra['routing_hidden'].code}/",
            {A.ANON: A.LOGIN, A.ALICE: 200, A.BOB: 404, A.PETRA: 404, A.ANNA: 200}
            | {A.SAM: 404, A.ADAM: 404, A.CARL: 404},
        ),
        "routing:photo": R(
            "GET",
            lambda w: f"/routing/photos/{w.extra['routing_photo'].code}/",
            {A.ANON: A.LOGIN, A.ALICE: 200, A.BOB: 404, A.PETRA: 200, A.ANNA: 200}
            | {A.SAM: 404, A.ADAM: 404, A.CARL: 404},
        ),
        "routing:rule_delete": R(
            "POST",
            lambda w: f"/routing/rules/{w.extra['routing_rule'].code}/delete/",
            {A.ANON: A.LOGIN, A.ALICE: 302, A.BOB: 404, A.PETRA: 404, A.ANNA: 404}
            | {A.SAM: 404, A.ADAM: 404, A.CARL: 404},
        ),
    }

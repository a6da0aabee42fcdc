"""The JSON API, /api/v1/: one NinjaAPI, one router per app.

Machine clients authenticate with ``Authorization: Bearer TOKEN`` (see
``samsyn create_api_token``); the browser uses its session (with CSRF). A request
that presents a token is judged by the token alone, never by a session beside it; a
session counts only under the second-factor rule (``session_counts``). Errors are
JSON with a message per field, never an HTML page or a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from samsyn.accounts.middleware import session_counts
from samsyn.accounts.models import ApiToken
from samsyn.organisations.access import Access
from samsyn.organisations.middleware import SESSION_KEY

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    openapi_description = "A token from `samsyn create_api_token USERNAME`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=ApiToken.hash(token))
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and row.read_only:
            raise HttpError(403, _("This token is read-only."))
        now = timezone.now()
        if row.last_used is None or (now - row.last_used).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used=now)
        request.user = row.user
        return row.user


class SessionAuth(NinjaSessionAuth):
    """The browser's session, when it counts (verified second factor, if needed).

    Never when the request carries an ``Authorization`` header: a bad token is a
    401, not a fall-back to whatever session came with it.
    """

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.headers.get("Authorization"):
            return None
        if not session_counts(request.user):
            return None
        return super().authenticate(request, key)


api = NinjaAPI(
    title="Samsyn API",
    version="1",
    urls_namespace="api",
    description=(
        "Samsyn's API: the checklist, reports as GeoJSON and their creation with "
        "idempotency keys. Choose the collaboration with the `X-Collaboration` header "
        "(its short name) when your account belongs to more than one."
    ),
    auth=[TokenAuth(), SessionAuth()],
)


def api_access(request: HttpRequest) -> Access:
    """The caller's access in the collaboration named by X-Collaboration (or default)."""
    from samsyn.organisations.models import Collaboration

    cached = getattr(request, "_api_access", None)
    if cached is not None:
        return cached
    user = request.user
    mine = user.collaborations()
    wanted = request.headers.get("X-Collaboration") or (
        request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    )
    collab: Collaboration | None = None
    if wanted:
        collab = mine.filter(slug=wanted).first()
        if collab is None and request.headers.get("X-Collaboration"):
            raise HttpError(403, _("You are not a member of that collaboration."))
    if collab is None:
        collab = mine.order_by("name").first()
    if collab is None:
        raise HttpError(403, _("You are not a member of any collaboration."))
    access = Access.for_user(user, collab)
    request._api_access = access  # type: ignore[attr-defined]
    return access


class FieldError(HttpError):
    """A bad value in one named parameter or header: a 422 with ``errors[field]``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(422, message)
        self.field = field


def field_errors(errors: dict[str, list[str]], status: int = 422) -> HttpResponse:
    return api.create_response(
        None,  # type: ignore[arg-type]
        {"detail": _("The request has errors."), "errors": errors},
        status=status,
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [
            str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query")
        ]
        field = ".".join(loc) or "__all__"
        errors.setdefault(field, []).append(str(err.get("msg", _("Invalid value."))))
    return api.create_response(
        request, {"detail": _("The request has errors."), "errors": errors}, status=422
    )


@api.exception_handler(FieldError)
def on_field_error(request: HttpRequest, exc: FieldError) -> HttpResponse:
    return field_errors({exc.field: [str(exc)]})


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("Authentication required.")}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, HttpError):
        return api.create_response(
            request, {"detail": str(exc)}, status=exc.status_code
        )
    log.exception("API error on %s %s", request.method, request.path)
    return api.create_response(
        request, {"detail": _("Something went wrong on our side.")}, status=500
    )


# App routers mounted under /api/v1/<prefix>. An app joins the API by having an
# ``api.py`` with a ``router``; apps without one are skipped.
ROUTERS: list[tuple[str, str]] = [
    ("/", "samsyn.reports.api"),
    ("/", "samsyn.areas.api"),
    ("/analysis", "samsyn.analysis.api"),
    ("/pictures", "samsyn.pictures.api"),
    ("/problems", "samsyn.problems.api"),
    ("/meetings", "samsyn.meetings.api"),
    ("/interventions", "samsyn.interventions.api"),
    ("/feedback", "samsyn.feedback.api"),
    ("/patrols", "samsyn.patrols.api"),
    ("/police", "samsyn.police.api"),
    ("/coverage", "samsyn.coverage.api"),
    ("/residents", "samsyn.residents.api"),
    ("/walks", "samsyn.walks.api"),
    ("/surveys", "samsyn.surveys.api"),
    ("/exports", "samsyn.integrations.api"),
    ("/routing", "samsyn.routing.api"),
]


def _add_routers() -> None:
    import importlib
    import importlib.util

    for prefix, module in ROUTERS:
        if importlib.util.find_spec(module) is None:
            continue
        api.add_router(prefix, importlib.import_module(module).router)


_add_routers()

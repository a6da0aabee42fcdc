from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration

SESSION_KEY = "collaboration"


def active_collaboration(request: HttpRequest) -> Collaboration | None:
    """The collaboration the signed-in user works in now.

    Chosen in the session; falls back to the user's first collaboration. A user who
    belongs to none gets None and sees no tenant data.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    mine = user.collaborations()
    wanted = request.session.get(SESSION_KEY)
    if wanted:
        found = mine.filter(slug=wanted).first()
        if found is not None:
            return found
    return mine.order_by("name").first()


class ActiveCollaborationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Lazy: pages that never ask (static, health) cost no query.
        request._access = None  # type: ignore[attr-defined]
        return self.get_response(request)


def require_access(request: HttpRequest, cap: Cap) -> Access:
    """The request's access when it has `cap`; otherwise 404 (not a member here, or a
    role without this capability: nothing to show, and nothing to confirm)."""
    access = get_access(request)
    if not access.can(cap):
        raise Http404
    return access


def get_access(request: HttpRequest) -> Access:
    cached = getattr(request, "_access", None)
    if cached is None:
        cached = Access.for_user(request.user, active_collaboration(request))
        request._access = cached  # type: ignore[attr-defined]
    return cached

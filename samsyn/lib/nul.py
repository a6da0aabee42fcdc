"""Refuse requests whose parameters contain NUL characters.

PostgreSQL text cannot hold NUL (0x00), so a NUL in a query parameter or form field
that reaches a query or an insert is a server error there (SQLite stores it quietly).
No legitimate client sends one: the request is answered 400 before any view runs, on
every database alike. JSON bodies are checked by the API's own schemas.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.utils.translation import gettext

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MACHINE_PREFIXES = ("/api/", "/open311/")


def _has_nul(params: QueryDict) -> bool:
    return any("\x00" in k or any("\x00" in v for v in vs) for k, vs in params.lists())


def has_nul(request: HttpRequest) -> bool:
    """True when a query parameter or a form field (name or value) contains NUL."""
    if _has_nul(request.GET):
        return True
    if request.method == "POST" and request.content_type in FORM_TYPES:
        return _has_nul(request.POST)
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            message = gettext(
                "The request contains a NUL character, which is not allowed."
            )
            if request.path.startswith(MACHINE_PREFIXES):
                return HttpResponseBadRequest(
                    json.dumps({"detail": message}), content_type="application/json"
                )
            return HttpResponseBadRequest(message, content_type="text/plain")
        return self.get_response(request)

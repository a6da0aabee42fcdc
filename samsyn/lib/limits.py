"""Request bodies: refused by their declared size before anything reads them, and
JSON text that cannot be stored refused as a bad request.

Django reads a form's whole body (uploads too: to memory or a temporary file) the
first time anything looks at ``request.POST``, and the CSRF check does that before
any view. A 60 MB file sent to a form that takes 10 MB would be read whole and only
then refused by the form. :class:`RequestLimitsMiddleware` compares the
``Content-Length`` with the limit of the view the path leads to (``@max_body``
beside the view, else ``DATA_UPLOAD_MAX_MEMORY_SIZE``) and answers 413 at once.

JSON may spell a lone surrogate (``"\\ud800"``): valid JSON, but no UTF-8 text, so
the database refuses it and the request would end in a 500. Such a body is a 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.formats import number_format
from django.utils.translation import gettext

MACHINE_PREFIXES = ("/api/", "/open311/")
# Room for the other fields of a form that carries a file.
FORM_ROOM = 1024 * 1024
# A \u escape of a UTF-16 surrogate (D800-DFFF); only then is the body parsed here.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")

V = TypeVar("V", bound=Callable[..., Any])


def max_body(file_bytes: int, advice: Any = None) -> Callable[[V], V]:
    """A view that takes a file of up to ``file_bytes``: its requests may be that
    large plus room for the rest of the form (FORM_ROOM). ``advice`` (a lazy
    translation) replaces the general advice when a request is refused: where to go
    with a larger file."""

    def mark(view: V) -> V:
        view.max_request_bytes = file_bytes + FORM_ROOM  # type: ignore[attr-defined]
        view.max_file_bytes = file_bytes  # type: ignore[attr-defined]
        view.too_large_advice = advice  # type: ignore[attr-defined]
        return view

    return mark


def _view(request: HttpRequest) -> Any:
    try:
        return resolve(request.path_info).func
    except Resolver404:
        return None


def body_limit(request: HttpRequest) -> int:
    """The largest body the view at ``request.path_info`` takes, in bytes."""
    default = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    return int(getattr(_view(request), "max_request_bytes", default))


def megabytes(size: int) -> str:
    """A size in MB as people read it: "60", "2,5" in Swedish."""
    value = round(size / (1024 * 1024), 1)
    return number_format(int(value) if value.is_integer() else value)


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def not_utf8(value: Any) -> bool:
    """True when a decoded JSON value holds a string that UTF-8 cannot encode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(not_utf8(k) or not_utf8(v) for k, v in value.items())
    if isinstance(value, list):
        return any(not_utf8(v) for v in value)
    return False


def _has_lone_surrogate(request: HttpRequest) -> bool:
    if request.content_type != "application/json":
        return False
    body = request.body
    if not SURROGATE_ESCAPE.search(body):
        return False
    try:
        return not_utf8(json.loads(body))
    except (ValueError, RecursionError):
        return False  # not JSON: the API's own parsing answers that


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith(MACHINE_PREFIXES):
        return HttpResponse(
            json.dumps({"detail": message}),
            status=status,
            content_type="application/json",
        )
    return HttpResponse(
        message, status=status, content_type="text/plain; charset=utf-8"
    )


class RequestLimitsMiddleware:
    """413 for a body larger than its view takes; 400 for JSON that is not text."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length:
            limit = body_limit(request)
            if limit and length > limit:
                advice = getattr(_view(request), "too_large_advice", None)
                if advice:
                    message = gettext(
                        "The file is larger than %(mb)s MB. %(advice)s"
                    ) % {
                        "mb": megabytes(limit - FORM_ROOM),
                        "advice": advice,
                    }
                else:
                    message = gettext(
                        "The request is too large (%(size)s MB): this page takes at "
                        "most %(limit)s MB. Send a smaller file or less data."
                    ) % {"size": megabytes(length), "limit": megabytes(limit)}
                return _refuse(request, 413, message)
            if _has_lone_surrogate(request):
                message = gettext(
                    "The request contains text that is not valid Unicode (a lone "
                    "surrogate such as \\ud800)."
                )
                return _refuse(request, 400, message)
        return self.get_response(request)

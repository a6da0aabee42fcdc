"""Request id and request metrics, for structured logs and /integrations/metrics.

Add ``samsyn.integrations.middleware.RequestMetricsMiddleware`` near the top of
MIDDLEWARE (after SecurityMiddleware) so it times the whole request.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from samsyn.integrations.logging import request_id_var
from samsyn.integrations.metrics import REQUESTS

SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        elapsed = time.perf_counter() - start
        match = getattr(request, "resolver_match", None)
        # The URL name, never the path: paths carry codes and would explode labels.
        view = (match.view_name if match else "") or "unmatched"
        REQUESTS.observe(request.method or "", view, response.status_code, elapsed)
        response["X-Request-ID"] = rid
        return response

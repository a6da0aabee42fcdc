"""gunicorn settings for the load test: warm Django up in the master (with --preload)
so every worker, including one restarted after kill -9, forks ready to serve."""

from __future__ import annotations

from typing import Any


def when_ready(server: Any) -> None:
    from django.test import Client
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view and the API
    Client().get("/api/v1/ping")  # the first request's lazy imports
    from django.db import connections

    connections.close_all()  # never share a database connection with the workers

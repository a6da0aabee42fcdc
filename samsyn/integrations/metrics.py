"""Prometheus text-format metrics: request counts and latencies, plus gauges read
from the database when scraped.

Request metrics live in the memory of each web process (no extra service). Run the
scrape against each process, or accept per-process numbers; see docs/deploy.md.
"""

from __future__ import annotations

import platform
import threading
from collections import defaultdict
from importlib import metadata

import django
from django.apps import apps
from django.db.models import Count

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RequestMetrics:
    """Counters and a latency histogram per (method, view, status class)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.counts: dict[tuple[str, str, str], int] = defaultdict(int)
        self.buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.sums: dict[str, float] = defaultdict(float)
        self.totals: dict[str, int] = defaultdict(int)

    def observe(self, method: str, view: str, status: int, seconds: float) -> None:
        with self._lock:
            self.counts[(method, view, str(status))] += 1
            row = self.buckets[view]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    row[i] += 1
            self.sums[view] += seconds
            self.totals[view] += 1

    def lines(self) -> list[str]:
        with self._lock:
            out = [
                "# HELP samsyn_http_requests_total HTTP requests by view and status.",
                "# TYPE samsyn_http_requests_total counter",
            ]
            for (method, view, status), n in sorted(self.counts.items()):
                labels = _labels(method=method, view=view, status=status)
                out.append(f"samsyn_http_requests_total{labels} {n}")
            out += [
                "# HELP samsyn_http_request_duration_seconds Time to answer, by view.",
                "# TYPE samsyn_http_request_duration_seconds histogram",
            ]
            name = "samsyn_http_request_duration_seconds"
            for view in sorted(self.totals):
                for bound, n in zip(BUCKETS, self.buckets[view], strict=True):
                    out.append(f"{name}_bucket{_labels(view=view, le=str(bound))} {n}")
                total = self.totals[view]
                out.append(f"{name}_bucket{_labels(view=view, le='+Inf')} {total}")
                out.append(f"{name}_sum{_labels(view=view)} {self.sums[view]:.6f}")
                out.append(f"{name}_count{_labels(view=view)} {total}")
            return out


REQUESTS = RequestMetrics()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
    return "{" + inner + "}"


def version() -> str:
    try:
        return metadata.version("samsyn")
    except metadata.PackageNotFoundError:
        return "unknown"


def database_lines() -> list[str]:
    from samsyn.integrations.models import WebhookDelivery
    from samsyn.reports.models import Report

    out = [
        "# HELP samsyn_reports_total Reports stored, per collaboration.",
        "# TYPE samsyn_reports_total gauge",
    ]
    rows = Report.objects.values("collaboration__slug").annotate(n=Count("id"))
    for row in sorted(rows, key=lambda r: r["collaboration__slug"]):
        labels = _labels(collaboration=row["collaboration__slug"])
        out.append(f"samsyn_reports_total{labels} {row['n']}")
    out += [
        "# HELP samsyn_webhook_deliveries Webhook deliveries by status.",
        "# TYPE samsyn_webhook_deliveries gauge",
    ]
    for row in WebhookDelivery.objects.values("status").annotate(n=Count("id")):
        out.append(
            f"samsyn_webhook_deliveries{_labels(status=row['status'])} {row['n']}"
        )
    if apps.is_installed("samsyn.notifications"):
        from samsyn.notifications.models import Notification

        out += [
            "# HELP samsyn_notifications Notifications by delivery status.",
            "# TYPE samsyn_notifications gauge",
        ]
        for row in Notification.objects.values("status").annotate(n=Count("id")):
            out.append(
                f"samsyn_notifications{_labels(status=row['status'])} {row['n']}"
            )
    pending = tasks_pending()
    if pending is not None:
        out += [
            "# HELP samsyn_tasks_pending Tasks waiting in the database queue.",
            "# TYPE samsyn_tasks_pending gauge",
            f"samsyn_tasks_pending {pending}",
        ]
    return out


def tasks_pending() -> int | None:
    """Queued tasks when django_tasks_db is in use; None otherwise."""
    if not apps.is_installed("django_tasks_db"):
        return None
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - installed but renamed
        return None
    return DBTaskResult.objects.filter(status="READY").count()


def build_lines() -> list[str]:
    labels = _labels(
        version=version(),
        python=platform.python_version(),
        django=django.get_version(),
    )
    return [
        "# HELP samsyn_build_info Versions of the running code.",
        "# TYPE samsyn_build_info gauge",
        f"samsyn_build_info{labels} 1",
    ]


def render() -> str:
    return "\n".join(build_lines() + REQUESTS.lines() + database_lines()) + "\n"

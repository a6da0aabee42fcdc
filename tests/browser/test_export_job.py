"""A large export as a job, as a coordinator sees it: the pending page with its
progress, then the download link once a worker has written the file.

Saves docs/screenshots/export-job-*.png (desktop and phone).
"""

from __future__ import annotations

from typing import Any

import pytest

from samsyn.integrations.export_jobs import build_export
from samsyn.jobs.models import Job
from samsyn.organisations.models import Membership
from samsyn.tests.support import (
    CollaborationFactory,
    OrganisationFactory,
    make_area,
    make_report,
    member,
)

from .conftest import DESKTOP, PHONE, log_in, new_context, screenshot
from .test_accessibility import run_axe, with_axe

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

PASSWORD = "trygg-i-orebro-2025"  # noqa: S105 - test-only


@pytest.fixture
def kalle(transactional_db: Any, settings: Any, tmp_path: Any) -> Any:
    settings.SAMSYN_EXPORT_JOB_ROWS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    collab = CollaborationFactory(slug="orebro", name="EST Örebro")
    org = OrganisationFactory(collaboration=collab, slug="kommun", name="Örebro kommun")
    make_area(collab, ref="W", name="Väster")
    for _ in range(8):
        make_report(org)
    user = member(org, Membership.Role.COORDINATOR, "kalle")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_large_export_shows_progress_then_the_download(
    browser: Any, live_server: Any, kalle: Any, device: str
) -> None:
    context = with_axe(
        new_context(browser, DESKTOP if device == "desktop" else PHONE, live_server.url)
    )
    page = context.new_page()
    log_in(page, "kalle", PASSWORD)
    page.goto("/integrations/export/?kind=reports&format=csv")
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert page.locator(f"#job-{job.code} progress").count() == 1
    screenshot(page, f"export-job-pending-{device}.png")
    assert run_axe(page) == []

    query = {"format": ["csv"], "kind": ["reports"]}
    build_export.call(kalle.pk, job.collaboration_id, "reports", "csv", query, job.pk)
    page.wait_for_selector(f"#job-{job.code} a.button", timeout=5000)
    screenshot(page, f"export-job-done-{device}.png")
    with page.expect_download() as info:
        page.click(f"#job-{job.code} a.button")
    assert info.value.suggested_filename.endswith(".csv")
    context.close()
    Job.objects.all().delete()

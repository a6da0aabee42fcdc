"""`samsyn verify_audit`: walk the audit chain and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samsyn.organisations.models import verify_audit_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exits 1 at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_audit_chain()
        if not result.ok:
            where = (
                f"at entry {result.broken_id}"
                if result.broken_id is not None
                else "at the end"
            )
            raise CommandError(
                f"Audit chain broken {where}: {result.reason}. "
                f"{result.checked} entries before it are intact.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {result.checked} entries.")
        )

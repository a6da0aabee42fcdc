"""`samsyn verify_audit`: walk the audit chains and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.organisations.models import (
    NO_COLLABORATION_CHAIN,
    Collaboration,
    verify_audit_chain,
)


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chains (one per collaboration, and one for "
        "entries without a collaboration); exits 1 at the first broken link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--collaboration",
            metavar="SLUG",
            help="Verify only this collaboration's chain.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chain = None
        label = "every chain"
        if options.get("collaboration"):
            slug = options["collaboration"]
            collaboration = Collaboration.objects.filter(slug=slug).first()
            if collaboration is None:
                raise CommandError(f"No collaboration with the slug {slug!r}.")
            chain = collaboration.pk
            label = f"the chain of {slug}"
        result = verify_audit_chain(chain)
        if not result.ok:
            where = (
                f"at entry {result.broken_id}"
                if result.broken_id is not None
                else "at the end"
            )
            which = (
                "the chain without a collaboration"
                if result.chain == NO_COLLABORATION_CHAIN
                else f"the chain of collaboration {result.chain}"
            )
            raise CommandError(
                f"Audit chain broken {where} ({which}): {result.reason}. "
                f"{result.checked} entries before it are intact.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact ({label}): {result.checked} entries."
            )
        )

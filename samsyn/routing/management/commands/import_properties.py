from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samsyn.organisations.models import Collaboration, Organisation
from samsyn.routing.properties import (
    PropertyImportError,
    check_properties,
    read_property_file,
    replace_properties,
)


class Command(BaseCommand):
    help = (
        "Import the properties (land it is responsible for) of one organisation from "
        "GeoJSON, GeoPackage or Shapefile (WGS84 or SWEREF 99 TM). Replaces that "
        "organisation's properties in one transaction; any bad feature stops it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--owner", required=True, help="organisation short name")
        parser.add_argument("--collaboration", required=True, help="collaboration slug")
        parser.add_argument("--name-property", default="name")
        parser.add_argument("--ref-property", default="ref")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            collab = Collaboration.objects.get(slug=opts["collaboration"])
        except Collaboration.DoesNotExist as exc:
            raise CommandError(
                _("No collaboration '%(slug)s'.") % {"slug": opts["collaboration"]}
            ) from exc
        try:
            owner = Organisation.objects.get(collaboration=collab, slug=opts["owner"])
        except Organisation.DoesNotExist as exc:
            raise CommandError(
                _("No organisation '%(slug)s' in %(collab)s.")
                % {"slug": opts["owner"], "collab": collab.slug}
            ) from exc
        try:
            features, crs = read_property_file(opts["file"])
            checked = check_properties(
                owner,
                features,
                declared_crs=crs,
                name_property=opts["name_property"],
                ref_property=opts["ref_property"],
            )
        except PropertyImportError as exc:
            raise CommandError(
                _("Nothing was imported:") + "\n  " + "\n  ".join(exc.problems)
            ) from exc
        if opts["dry_run"]:
            self.stdout.write(
                _(
                    "Would replace %(old)s properties of %(owner)s with %(new)s "
                    "(%(crs)s):"
                )
                % {
                    "old": checked.replaced,
                    "owner": owner.name,
                    "new": len(checked.rows),
                    "crs": checked.crs,
                }
            )
            for name in checked.names[:50]:
                self.stdout.write(f"  {name}")
            return
        count = replace_properties(checked)
        self.stdout.write(
            _("Imported %(n)s properties of %(owner)s (%(crs)s).")
            % {"n": count, "owner": owner.name, "crs": checked.crs}
        )

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samsyn.areas.actions import apply_area_import, plan_area_import
from samsyn.areas.reader import MAX_FILE_BYTES, BoundaryFileError, read_boundaries
from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration

# SCB's DeSO and RegSO files name their columns like this (2018 and 2025 editions);
# without --scb the same columns are found by guessing.
SCB_PRESETS: dict[str, dict[str, str]] = {
    "deso": {"code": "deso", "name": "deso", "population": "befolkning"},
    "regso": {"code": "regsokod", "name": "regso", "population": "befolkning"},
}


class Command(BaseCommand):
    help = (
        "Import districts or areas from a GeoJSON, GeoPackage or Shapefile file in "
        "SWEREF 99 TM, a local SWEREF 99 zone, RT90, WGS84 or Web Mercator (declared "
        "in the file, or detected and said). The code, name, population and district "
        "properties are guessed unless given. All-or-nothing; --dry-run shows the "
        f"preview and writes nothing. Files up to {MAX_FILE_BYTES // 1_048_576} MB."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--collaboration", required=True, help="collaboration slug")
        parser.add_argument("--level", required=True, choices=["district", "area"])
        parser.add_argument("--layer", default=None, help="GeoPackage layer name")
        parser.add_argument(
            "--crs",
            default=None,
            help="coordinate system when the file has none or a wrong one, e.g. "
            "EPSG:3011",
        )
        parser.add_argument("--scb", choices=sorted(SCB_PRESETS), default=None)
        parser.add_argument("--code-property", default=None)
        parser.add_argument("--name-property", default=None)
        parser.add_argument("--population-property", default=None)
        parser.add_argument(
            "--parent-property",
            default=None,
            help="for areas: the property holding the district's code (found by "
            "itself when its values are the districts' codes; without it, existing "
            "district links are kept)",
        )
        parser.add_argument(
            "--clear-parents",
            action="store_true",
            help="remove the areas' district links",
        )
        parser.add_argument(
            "--municipality",
            default=None,
            help="keep only the features of this municipality code (kommun column, "
            "or codes beginning with it)",
        )
        parser.add_argument(
            "--max-mb",
            type=int,
            default=MAX_FILE_BYTES // 1_048_576,
            help="largest file taken, in MB",
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        collab = Collaboration.objects.filter(slug=opts["collaboration"]).first()
        if collab is None:
            raise CommandError(
                _("No collaboration '%(slug)s'.") % {"slug": opts["collaboration"]}
            )
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(_("%(file)s: no such file.") % {"file": path})
        if opts["parent_property"] and opts["clear_parents"]:
            raise CommandError(
                _("Give either --parent-property or --clear-parents, not both.")
            )
        preset = SCB_PRESETS.get(opts["scb"] or "", {})
        progress = for_command(self, label="areas")
        try:
            source = read_boundaries(
                path,
                layer=opts["layer"],
                crs=opts["crs"],
                max_bytes=opts["max_mb"] * 1_048_576,
            )
            plan = plan_area_import(
                collab,
                source,
                level=opts["level"],
                code_property=opts["code_property"] or preset.get("code"),
                name_property=opts["name_property"] or preset.get("name"),
                population_property=opts["population_property"]
                or preset.get("population"),
                parent_property=opts["parent_property"],
                clear_parents=opts["clear_parents"],
                municipality=opts["municipality"],
                progress=progress,
            )
            for line in plan.summary_lines():
                self.stdout.write(line)
            if opts["dry_run"] and not plan.problems:
                progress.finish()
                self.stdout.write(
                    _(
                        "would import %(new)s new and %(updated)s updated %(level)ss (%(crs)s)"
                    )
                    % {
                        "new": plan.created,
                        "updated": plan.updated,
                        "level": opts["level"],
                        "crs": source.crs,
                    }
                )
                return
            result = apply_area_import(collab, plan, progress=progress)
        except BoundaryFileError as exc:
            progress.fail("nothing was imported")
            raise CommandError(
                _("Nothing was imported:") + "\n  " + "\n  ".join(exc.problems)
            ) from exc
        progress.finish()
        self.stdout.write(
            _("imported %(new)s new and %(updated)s updated %(level)ss (%(crs)s)")
            % {
                "new": result.created,
                "updated": result.updated,
                "level": opts["level"],
                "crs": result.crs,
            }
        )

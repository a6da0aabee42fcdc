"""``import_boundaries``: the same command as ``import_areas`` (kept for its name)."""

from samsyn.areas.management.commands.import_areas import Command as ImportAreas


class Command(ImportAreas):
    pass

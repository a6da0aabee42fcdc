"""`samsyn move_files --to database|filesystem`: copy every stored file across.

Run it once when switching SAMSYN_FILE_STORAGE (before restarting with the new
setting): files already present at the destination are left as they are, and the
source is not changed, so it can be run again after an interruption.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.core.management.base import BaseCommand, CommandParser

from samsyn.files.storage import DatabaseStorage


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name under ``folder``, depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in files:
        yield prefix + name
    for sub in folders:
        yield from walk(storage, prefix + sub)


class Command(BaseCommand):
    help = "Copy every stored file between the media folder and the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", choices=["database", "filesystem"], required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        disk = FileSystemStorage(location=settings.MEDIA_ROOT)
        database = DatabaseStorage()
        source, target = (
            (disk, database) if options["to"] == "database" else (database, disk)
        )
        copied = kept = size = 0
        for name in walk(source):
            if target.exists(name):
                kept += 1
                continue
            with source.open(name, "rb") as fh:
                data = fh.read()
            target.save(name, ContentFile(data))
            copied += 1
            size += len(data)
        self.stdout.write(
            f"Copied {copied} files ({size} bytes) to the {options['to']}; "
            f"{kept} were there already. Now set SAMSYN_FILE_STORAGE={options['to']}."
        )

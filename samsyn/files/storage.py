"""A Django storage that keeps files in the database (`StoredFile`).

Chosen with ``SAMSYN_FILE_STORAGE=database`` (settings.py): every web node and task
worker then reads the same files without a shared disk. Names are paths with ``/``;
folders exist only as prefixes of names, so an empty folder never lingers.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from samsyn.files.models import StoredFile


def _clean(name: str) -> str:
    return name.replace("\\", "/").lstrip("/")


@deconstructible
class DatabaseStorage(Storage):
    """Files as rows: written in one statement, read whole (files here are PDFs,
    exports and photos of at most some tens of megabytes)."""

    def _open(self, name: str, mode: str = "rb") -> File[Any]:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError(
                "DatabaseStorage opens files for reading only; use save()."
            )
        row = StoredFile.objects.filter(name=_clean(name)).only("content").first()
        if row is None:
            raise FileNotFoundError(name)
        return ContentFile(bytes(row.content), name=name)

    def _save(self, name: str, content: IO[bytes] | File[Any]) -> str:
        if hasattr(content, "seek"):
            content.seek(0)
        data = content.read()
        if isinstance(data, str):
            data = data.encode()
        name = _clean(name)
        while True:
            try:
                with transaction.atomic():
                    StoredFile.objects.create(name=name, content=data, size=len(data))
                return name
            except IntegrityError:
                # Another writer took the name between get_available_name and here.
                name = self.get_alternative_name(*self._split(name))

    @staticmethod
    def _split(name: str) -> tuple[str, str]:
        folder, _, base = name.rpartition("/")
        stem, dot, ext = base.rpartition(".")
        if not dot:
            stem, ext = base, ""
        prefix = f"{folder}/" if folder else ""
        return prefix + stem, f".{ext}" if ext else ""

    def delete(self, name: str) -> None:
        StoredFile.objects.filter(name=_clean(name)).delete()

    def exists(self, name: str) -> bool:
        return StoredFile.objects.filter(name=_clean(name)).exists()

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = _clean(path).rstrip("/")
        prefix = f"{prefix}/" if prefix else ""
        names = StoredFile.objects.filter(name__startswith=prefix).values_list(
            "name", flat=True
        )
        folders: set[str] = set()
        files: list[str] = []
        for name in names:
            rest = name[len(prefix) :]
            head, sep, _tail = rest.partition("/")
            if sep:
                folders.add(head)
            else:
                files.append(rest)
        if not prefix or folders or files:
            return sorted(folders), sorted(files)
        raise FileNotFoundError(path)

    def size(self, name: str) -> int:
        size = (
            StoredFile.objects.filter(name=_clean(name))
            .values_list("size", flat=True)
            .first()
        )
        if size is None:
            raise FileNotFoundError(name)
        return int(size)

    def _times(self, name: str) -> tuple[datetime, datetime]:
        row = (
            StoredFile.objects.filter(name=_clean(name))
            .values_list("created", "modified")
            .first()
        )
        if row is None:
            raise FileNotFoundError(name)
        return row

    def get_created_time(self, name: str) -> datetime:
        return timezone.localtime(self._times(name)[0])

    def get_modified_time(self, name: str) -> datetime:
        return timezone.localtime(self._times(name)[1])

    def get_accessed_time(self, name: str) -> datetime:
        return self.get_modified_time(name)

    def url(self, name: str | None) -> str:
        # Files are served only by views that check the reader's rights first.
        raise NotImplementedError("Stored files have no public URL.")

"""Importing the public police events feed: validate all, keep the collaboration's own,
write all-or-nothing, re-importing changes nothing. Rules in docs/decisions/0006."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from django.db import transaction
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samsyn.lib.geo import in_sweden
from samsyn.organisations.models import Collaboration, record
from samsyn.police.models import ImportBatch, PoliceEvent
from samsyn.police.skips import Skip, SkipSummary
from samsyn.police.titles import event_time

POLICE_SITE = "https://polisen.se"
COUNTY_SUFFIX = " län"
PROGRESS_EVERY = 100
# Checked events are written (or compared) this many at a time, so memory holds a
# few thousand events however long the archive is.
WRITE_EVERY = 2_000

# Feed types that are not incidents: night summaries ("Sammanfattning natt",
# "Sammanfattning kväll och natt", …), notices ("Övrigt", "Information": press officer
# hours, closed media centre) and follow-ups of an earlier event ("Uppdatering").
NOT_INCIDENT_TYPES = {"övrigt", "information", "uppdatering"}
SUMMARY_PREFIX = "sammanfattning"

# "2026-08-22 19:51:41 +02:00"; the hour may lack its leading zero ("7:32:06").
DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2}):(\d{2}) ([+-])(\d{2}):(\d{2})$"
)
GPS_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")

MAX_LENGTHS = {
    "name": PoliceEvent._meta.get_field("name").max_length or 300,
    "type": PoliceEvent._meta.get_field("type").max_length or 100,
    "location.name": PoliceEvent._meta.get_field("location_name").max_length or 100,
    "url": PoliceEvent._meta.get_field("url").max_length or 500,
}

# external_id is a 64-bit integer column.
MAX_EXTERNAL_ID = 2**63

Progress = Callable[[str, int, int], None]


class PoliceImportError(Exception):
    """The import cannot start (bad arguments); nothing was written."""


class NotOurs(Skip):
    """The event is well formed but not the collaboration's: about another place, or
    county context without a county given. A stored copy from an earlier import
    with other options is removed (see docs/decisions/0017)."""


@dataclass
class ImportSummary:
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    # Stored events that this file, read with these options, no longer keeps.
    removed: int = 0
    removed_places: Counter[str] = field(default_factory=Counter)
    skipped: SkipSummary = field(default_factory=SkipSummary)
    dry_run: bool = False
    read: int = 0  # events or rows read from the file

    @property
    def line(self) -> str:
        parts = [_("%(n)s new") % {"n": self.new}]
        if self.updated:
            parts.append(_("%(n)s updated") % {"n": self.updated})
        parts += [
            _("%(n)s unchanged") % {"n": self.unchanged},
            _("%(n)s skipped") % {"n": len(self.skipped)},
        ]
        if self.removed:
            parts.append(_("%(n)s removed") % {"n": self.removed})
        if self.dry_run:
            return _("dry run: would have imported %(parts)s") % {
                "parts": ", ".join(parts)
            }
        return _("imported %(parts)s") % {"parts": ", ".join(parts)}

    def removed_line(self) -> str:
        """What a re-import with other options took away, by place ("" if nothing)."""
        if not self.removed:
            return ""
        places = ", ".join(
            f"{place} ({n})" for place, n in self.removed_places.most_common(10)
        )
        return _(
            "%(n)s events stored by an earlier import are no longer kept with these "
            "options and were removed: %(places)s"
        ) % {"n": self.removed, "places": places}


def finish_batch(batch: ImportBatch, summary: ImportSummary) -> None:
    """Store a finished import's counts and skips (summarised by reason)."""
    batch.new_count = summary.new
    batch.updated_count = summary.updated
    batch.unchanged_count = summary.unchanged
    batch.skipped_count = len(summary.skipped)
    batch.skipped = summary.skipped.stored()
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = dj_timezone.now()
    batch.progress_done = batch.progress_total = max(
        batch.progress_total, summary.read, 1
    )
    if summary.removed:
        batch.options = {**(batch.options or {}), "removed": summary.removed}
    batch.payload = b""
    batch.save()


def shown(value: Any, limit: int = 60) -> str:
    """repr() of a value for a skip reason, cut short: a hostile megabyte-long value
    must not end up in the batch's skip list."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_datetime(value: Any) -> datetime:
    """The feed's local time with offset (the publication), as an aware UTC datetime."""
    m = DATETIME_RE.match(value) if isinstance(value, str) else None
    if m is None:
        raise Skip(
            gettext_noop(
                "datetime: %(value)s is not like '2026-08-22 19:51:41 +02:00'"
            ),
            {"value": shown(value)},
        )
    y, mo, d, h, mi, s, sign, oh, om = m.groups()
    try:
        offset = timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == "-" else 1)
        local = datetime(
            int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone(offset)
        )
    except ValueError as exc:
        raise Skip(
            gettext_noop("datetime: %(value)s is not a valid time (%(error)s)"),
            {"value": shown(value), "error": exc},
        ) from exc
    return local.astimezone(UTC)


def parse_gps(value: Any) -> tuple[float, float]:
    """'lat,lng' of the place's centroid, inside Sweden."""
    m = GPS_RE.match(value) if isinstance(value, str) else None
    if m is None:
        raise Skip(
            gettext_noop("location.gps: %(value)s is not 'lat,lng'"),
            {"value": shown(value)},
        )
    lat, lon = float(m.group(1)), float(m.group(2))
    if not (math.isfinite(lat) and math.isfinite(lon) and in_sweden(lon, lat)):
        raise Skip(
            gettext_noop("location.gps: %(value)s is not in Sweden"),
            {"value": shown(value)},
        )
    return lat, lon


def title_place(title: str) -> str:
    """The place named last in a title like '22 augusti 17.59, Brand, Kävlinge'."""
    parts = [p.strip() for p in title.split(",")]
    return parts[-1] if len(parts) >= 3 else ""


def is_summary_type(event_type: str) -> bool:
    t = event_type.strip().casefold()
    return t.startswith(SUMMARY_PREFIX) or t in NOT_INCIDENT_TYPES


def classify(
    location_name: str,
    title: str,
    *,
    municipality: str,
    county: str | None,
    places: Iterable[str] = (),
) -> tuple[str, str]:
    """(precision, place) for an event, or Skip with the reason it is not ours.

    location.name ending in " län" is a county. The feed currently files events under the
    county and names the municipality last in the title; then the title decides: the
    county itself → county context, our municipality → municipality, a listed place →
    town, anything else → another municipality, skipped. A location.name that is not a
    county is our municipality, a listed place (town), or skipped.
    """
    same = municipality.casefold()
    ours = {p.casefold() for p in places}
    if location_name.endswith(COUNTY_SUFFIX):
        if county is not None and location_name.casefold() != county.casefold():
            raise NotOurs(
                gettext_noop("location.name: in %(place)s, not %(county)s"),
                {"place": location_name, "county": county},
            )
        place = title_place(title)
        folded = place.casefold()
        if not place or place.endswith(COUNTY_SUFFIX):
            if county is None:
                raise NotOurs(
                    gettext_noop(
                        "location.name: county-wide event in %(place)s; give the "
                        "collaboration's county to keep it as context"
                    ),
                    {"place": location_name},
                )
            if place and folded != location_name.casefold():
                raise NotOurs(
                    gettext_noop("name: about %(place)s, not %(county)s"),
                    {"place": place, "county": county},
                )
            return PoliceEvent.Precision.COUNTY, location_name
        if folded == same:
            return PoliceEvent.Precision.MUNICIPALITY, place
        if folded in ours:
            return PoliceEvent.Precision.TOWN, place
        raise NotOurs(
            gettext_noop(
                "name: in %(place)s (%(location)s), not in %(municipality)s municipality"
            ),
            {"place": place, "location": location_name, "municipality": municipality},
        )
    folded = location_name.casefold()
    if folded == same:
        return PoliceEvent.Precision.MUNICIPALITY, location_name
    if folded in ours:
        return PoliceEvent.Precision.TOWN, location_name
    raise NotOurs(
        gettext_noop(
            "location.name: %(place)s is not in %(municipality)s municipality"
        ),
        {"place": location_name, "municipality": municipality},
    )


def _text(value: Any, key: str, *, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise Skip(gettext_noop("%(field)s: missing"), {"field": key})
        return ""
    if not isinstance(value, str):
        raise Skip(gettext_noop("%(field)s: not text"), {"field": key})
    if "\x00" in value:  # PostgreSQL cannot store a NUL character in text
        raise Skip(gettext_noop("%(field)s: contains a NUL character"), {"field": key})
    value = value.strip()
    limit = MAX_LENGTHS.get(key)
    if limit and len(value) > limit:
        raise Skip(
            gettext_noop("%(field)s: longer than %(max)s characters"),
            {"field": key, "max": limit},
        )
    return value


def _absolute_url(value: str) -> str:
    if not value:
        return ""
    if value.startswith("/") and not value.startswith("//"):
        return POLICE_SITE + value
    if value.startswith("https://"):
        return value
    raise Skip(
        gettext_noop("url: %(value)s is neither a polisen.se path nor an https link"),
        {"value": shown(value)},
    )


def event_values(
    event: Any,
    *,
    municipality: str,
    county: str | None,
    places: Iterable[str] = (),
) -> dict[str, Any]:
    """The row for one feed event, or Skip with the first problem found."""
    if not isinstance(event, dict):
        raise Skip(gettext_noop("not a JSON object"))
    ext_id = event.get("id")
    if ext_id is None:
        raise Skip(gettext_noop("%(field)s: missing"), {"field": "id"})
    if (
        isinstance(ext_id, bool)
        or not isinstance(ext_id, int)
        or not 0 < ext_id < MAX_EXTERNAL_ID
    ):
        raise Skip(
            gettext_noop("id: %(value)s is not a positive whole number"),
            {"value": shown(ext_id)},
        )
    published_at = parse_datetime(event.get("datetime"))
    name = _text(event.get("name"), "name")
    when = event_time(name, published_at)
    event_type = _text(event.get("type"), "type")
    summary = _text(event.get("summary"), "summary", required=False)
    url = _absolute_url(_text(event.get("url"), "url", required=False))
    location = event.get("location")
    if not isinstance(location, dict):
        raise Skip(gettext_noop("%(field)s: missing"), {"field": "location"})
    location_name = _text(location.get("name"), "location.name")
    lat, lon = parse_gps(location.get("gps"))
    precision, place = classify(
        location_name, name, municipality=municipality, county=county, places=places
    )
    values = {
        "external_id": ext_id,
        "occurred_at": when.at,
        "published_at": published_at,
        "time_source": when.source,
        "name": name,
        "summary": summary,
        "url": url,
        "type": event_type,
        "location_name": location_name,
        "place_name": place,
        "precision": str(precision),
        "centroid_lat": lat,
        "centroid_lon": lon,
        "is_summary": is_summary_type(event_type),
    }
    values["content_hash"] = content_hash(values)
    return values


def content_hash(values: dict[str, Any]) -> str:
    """SHA-256 of what is stored, so a changed event (or changed rules) is an update."""
    canonical = {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in values.items()
        if k != "content_hash"
    }
    blob = json.dumps(canonical, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _existing(
    collaboration: Collaboration, ids: list[int]
) -> dict[int, tuple[int, str]]:
    found: dict[int, tuple[int, str]] = {}
    for start in range(0, len(ids), 500):
        rows = PoliceEvent.objects.filter(
            collaboration=collaboration, external_id__in=ids[start : start + 500]
        ).values_list("external_id", "pk", "content_hash")
        found.update({ext: (pk, h) for ext, pk, h in rows})
    return found


def _write(
    collaboration: Collaboration,
    rows: dict[int, dict[str, Any]],
    summary: ImportSummary,
) -> None:
    """Create the new events among ``rows``, update the changed ones."""
    existing = _existing(collaboration, list(rows))
    to_create: list[PoliceEvent] = []
    to_update: list[tuple[int, dict[str, Any]]] = []
    for ext_id, values in rows.items():
        old = existing.get(ext_id)
        if old is None:
            to_create.append(PoliceEvent(collaboration=collaboration, **values))
        elif old[1] == values["content_hash"]:
            summary.unchanged += 1
        else:
            to_update.append((old[0], values))
    summary.new += len(to_create)
    summary.updated += len(to_update)
    if summary.dry_run:
        return
    now = dj_timezone.now()
    PoliceEvent.objects.bulk_create(to_create, batch_size=500)
    for pk, values in to_update:
        PoliceEvent.objects.filter(pk=pk).update(updated=now, **values)


def _remove(
    collaboration: Collaboration, ids: list[int], summary: ImportSummary
) -> None:
    """Remove stored events that this import's options no longer keep."""
    for start in range(0, len(ids), 500):
        stored = PoliceEvent.objects.filter(
            collaboration=collaboration, external_id__in=ids[start : start + 500]
        )
        places = list(stored.values_list("place_name", flat=True))
        if not places:
            continue
        summary.removed += len(places)
        summary.removed_places.update(places)
        if not summary.dry_run:
            stored.delete()


def import_police_events(
    collaboration: Collaboration,
    events: Iterable[Any],
    *,
    county_name: str | None = None,
    places: Iterable[str] = (),
    dry_run: bool = False,
    by: Any = None,
    progress: Progress | None = None,
    file_name: str = "",
    batch: ImportBatch | None = None,
    size: int = 0,
) -> ImportSummary:
    """Import feed events for the collaboration's municipality (and county context).

    ``events`` may be a list or a ``JsonArrayReader`` streaming an archive: events are
    checked and written a few thousand at a time, so memory does not grow with the
    file. An event that is malformed or about another place is skipped with its
    reason (summarised by reason). New events are created, changed ones updated,
    identical ones left alone; a stored event that these options no longer keep
    (a town not listed with ``places`` any more, county context without a county)
    is removed. All of it happens in one transaction: a file that turns out broken
    halfway writes nothing. A dry run reports the same numbers and writes nothing.
    ``size`` (bytes, when known) lets progress count bytes read.
    """
    municipality = collaboration.municipality_name.strip()
    if not municipality:
        raise PoliceImportError(
            _("Collaboration '%(slug)s' has no municipality name.")
            % {"slug": collaboration.slug}
        )
    if county_name is not None:
        county_name = county_name.strip()
        if not county_name.endswith(COUNTY_SUFFIX):
            raise PoliceImportError(
                _("County %(county)s should be a name like 'Örebro län'.")
                % {"county": repr(county_name)}
            )
    places = [p.strip() for p in places if p.strip()]
    summary = ImportSummary(dry_run=dry_run)
    total = len(events) if isinstance(events, list) else 0
    streamed = size and hasattr(events, "position")
    seen: set[int] = set()
    rows: dict[int, dict[str, Any]] = {}
    not_ours: list[int] = []
    with transaction.atomic():
        for i, event in enumerate(events, start=1):
            key: int | str = f"#{i}"
            if isinstance(event, dict) and type(event.get("id")) is int:
                key = event["id"]
            try:
                values = event_values(
                    event, municipality=municipality, county=county_name, places=places
                )
                if values["external_id"] in seen:
                    raise Skip(gettext_noop("id: appears more than once in the file"))
            except NotOurs as exc:
                summary.skipped.add(key, exc.reason)
                if isinstance(key, int):
                    not_ours.append(key)
            except Skip as exc:
                summary.skipped.add(key, exc.reason)
            else:
                seen.add(values["external_id"])
                rows[values["external_id"]] = values
            if len(rows) >= WRITE_EVERY:
                _write(collaboration, rows, summary)
                rows.clear()
            if len(not_ours) >= WRITE_EVERY:
                _remove(collaboration, not_ours, summary)
                not_ours.clear()
            summary.read = i
            if progress and i % PROGRESS_EVERY == 0:
                if streamed:
                    position = events.position  # type: ignore[attr-defined]
                    progress("read", min(position, size - 1), size)
                else:
                    progress("checked", i, total or i)
        _write(collaboration, rows, summary)
        _remove(collaboration, not_ours, summary)
        if progress:
            if streamed:
                progress("read", size, size)
            else:
                progress("checked", summary.read, summary.read)
        if dry_run:
            return summary
        if batch is None:
            batch = ImportBatch.objects.create(
                collaboration=collaboration,
                kind=ImportBatch.Kind.EVENTS,
                file_name=file_name,
                created_by=by if getattr(by, "pk", None) else None,
            )
        finish_batch(batch, summary)
        record(
            by,
            "police.imported",
            collaboration,
            data={
                "new": summary.new,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "skipped": len(summary.skipped),
                "removed": summary.removed,
                "county": county_name or "",
                "places": places,
                "batch": batch.pk,
            },
        )
    return summary

"""The boundary import page: upload → preview (with a small map) → confirm → import.

The uploaded file waits server-side in ``settings.SAMSYN_BOUNDARY_UPLOADS`` (a folder
per upload, named by a random token that only the uploader's session knows) between
the preview and the confirmation; it is removed on import, and after a day.
"""

from __future__ import annotations

import secrets
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import shapely
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samsyn.areas.actions import AreaImportPlan, apply_area_import, plan_area_import
from samsyn.areas.models import Area
from samsyn.areas.reader import (
    SUFFIXES,
    BoundaryFileError,
    read_boundaries,
    to_wgs84_geojson,
    too_large_message,
)
from samsyn.lib.limits import max_body
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access

# The web takes smaller files than the command line (MAX_FILE_BYTES): a browser
# upload of more than this is better done with `samsyn import_areas`.
WEB_MAX_BYTES = 50 * 1024 * 1024
SESSION_KEY = "boundary_uploads"
KEEP_SECONDS = 24 * 3600
ZIP_MEMBERS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".geojson", ".json", ".gpkg")


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Boundary file"),
        help_text=gettext_lazy(
            "GeoJSON, GeoPackage, or a Shapefile as a .zip (the .shp, .dbf, .prj and "
            ".cpg files together), at most 50 MB."
        ),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Import as"), choices=Area.Level.choices, initial="area"
    )
    municipality = forms.CharField(
        label=gettext_lazy("Only this municipality code"),
        required=False,
        max_length=4,
        help_text=gettext_lazy("For a file of a whole county, e.g. 1880."),
    )
    crs = forms.ChoiceField(
        label=gettext_lazy("Coordinate system"),
        required=False,
        choices=[("", gettext_lazy("As the file says, or detected"))]
        + [
            (f"EPSG:{e}", f"EPSG:{e}")
            for e in (3006, *range(3007, 3019), 3021, 4326, 3857)
        ],
    )
    clear_parents = forms.BooleanField(
        label=gettext_lazy("Remove the areas' district links"), required=False
    )


def _uploads() -> Path:
    root = Path(settings.SAMSYN_BOUNDARY_UPLOADS)
    root.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in root.iterdir():  # forgotten previews
        if old.is_dir() and now - old.stat().st_mtime > KEEP_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    return root


def _save(upload: Any, folder: Path) -> Path:
    """The uploaded file in ``folder``; a .zip is unpacked (its boundary files only,
    without folders) and the file to read inside it is returned."""
    name = Path(upload.name or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in (*SUFFIXES, ".zip") or suffix == ".dbf":
        raise BoundaryFileError(
            [
                _(
                    "%(file)s: give a GeoJSON (.geojson), a GeoPackage (.gpkg) or a "
                    "Shapefile packed as a .zip."
                )
                % {"file": name}
            ]
        )
    target = folder / f"upload{suffix}"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    if suffix != ".zip":
        return target
    try:
        with zipfile.ZipFile(target) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and Path(m.filename).suffix.lower() in ZIP_MEMBERS
            ]
            if sum(m.file_size for m in members) > WEB_MAX_BYTES:
                raise BoundaryFileError(
                    [
                        too_large_message(
                            name, sum(m.file_size for m in members), WEB_MAX_BYTES
                        )
                    ]
                )
            for m in members:
                flat = Path(m.filename).name
                stem, ext = Path(flat).stem, Path(flat).suffix.lower()
                with (
                    archive.open(m) as src,
                    (folder / f"{stem}{ext}").open("wb") as dst,
                ):
                    shutil.copyfileobj(src, dst)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BoundaryFileError(
            [
                _("%(file)s: not a readable .zip (%(error)s).")
                % {"file": name, "error": exc}
            ]
        ) from exc
    finally:
        target.unlink(missing_ok=True)
    inner = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".shp", ".gpkg", ".geojson", ".json")
    )
    if len(inner) != 1:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s should hold one boundary file (a Shapefile's .shp with "
                    "its .dbf, or one .gpkg or .geojson); it holds %(n)s."
                )
                % {"file": name, "n": len(inner)}
            ]
        )
    return inner[0]


def _plan(access: Access, entry: dict[str, Any]) -> AreaImportPlan:
    source = read_boundaries(
        Path(entry["path"]), crs=entry["crs"] or None, max_bytes=WEB_MAX_BYTES
    )
    source.name = entry["name"]
    return plan_area_import(
        access.collaboration,
        source,
        level=entry["level"],
        clear_parents=entry["clear_parents"],
        municipality=entry["municipality"] or None,
    )


def _entry(request: HttpRequest, access: Access, token: str) -> dict[str, Any]:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["collaboration"] != access.collaboration.pk:
        raise Http404
    if not Path(entry["path"]).exists():
        raise Http404
    return entry


def _forget(request: HttpRequest, token: str) -> None:
    uploads = request.session.get(SESSION_KEY, {})
    entry = uploads.pop(token, None)
    request.session[SESSION_KEY] = uploads
    if entry:
        shutil.rmtree(Path(entry["path"]).parent, ignore_errors=True)


@max_body(WEB_MAX_BYTES)
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.MANAGE_AREAS)
    if access.collaboration is None:
        raise Http404
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            token = secrets.token_urlsafe(18)
            folder = _uploads() / token
            folder.mkdir()
            try:
                if upload.size > WEB_MAX_BYTES:
                    raise BoundaryFileError(
                        [too_large_message(upload.name, upload.size, WEB_MAX_BYTES)]
                    )
                path = _save(upload, folder)
                entry = {
                    "path": str(path),
                    "name": Path(upload.name).name,
                    "collaboration": access.collaboration.pk,
                    "level": form.cleaned_data["level"],
                    "municipality": form.cleaned_data["municipality"].strip(),
                    "crs": form.cleaned_data["crs"],
                    "clear_parents": form.cleaned_data["clear_parents"],
                }
                _plan(access, entry)  # a file that cannot be read stops here
            except BoundaryFileError as exc:
                shutil.rmtree(folder, ignore_errors=True)
                for problem in exc.problems[:20]:
                    form.add_error("file", problem)
            else:
                uploads = request.session.get(SESSION_KEY, {})
                uploads[token] = entry
                request.session[SESSION_KEY] = uploads
                return redirect("areas:preview", token=token)
    counts = {
        level: Area.objects.in_collaboration(access.collaboration)
        .filter(level=level)
        .count()
        for level in Area.Level.values
    }
    return render(
        request,
        "areas/import.html",
        {"form": form, "counts": counts, "max_mb": WEB_MAX_BYTES // 1_048_576},
        status=status,
    )


def _map_features(plan: AreaImportPlan) -> list[dict[str, Any]]:
    """The planned areas for the preview map, simplified to ~1/600 of their extent."""
    geoms = [r.geometry for r in plan.rows]
    if not geoms:
        return []
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    tolerance = max(maxx - minx, maxy - miny, 1.0) / 600
    return [
        {
            "type": "Feature",
            "properties": {"name": f"{r.ref} {r.name}" if r.name != r.ref else r.ref},
            "geometry": to_wgs84_geojson(
                shapely.simplify(r.geometry, tolerance, preserve_topology=True)
            ),
        }
        for r in plan.rows
    ]


@login_required
def preview(request: HttpRequest, token: str) -> HttpResponse:
    access = require_access(request, Cap.MANAGE_AREAS)
    entry = _entry(request, access, token)
    try:
        plan = _plan(access, entry)
    except BoundaryFileError as exc:
        _forget(request, token)
        messages.error(request, " ".join(exc.problems[:5]))
        return redirect("areas:import")
    return render(
        request,
        "areas/preview.html",
        {
            "plan": plan,
            "entry": entry,
            "token": token,
            "features": _map_features(plan),
            "overlaps": plan.overlaps[:20],
            "gaps": plan.gaps[:10],
            "map": {
                "tile_url": settings.SAMSYN_TILE_URL,
                "tile_attribution": settings.SAMSYN_TILE_ATTRIBUTION,
            },
        },
        status=422 if plan.problems else 200,
    )


@login_required
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    access = require_access(request, Cap.MANAGE_AREAS)
    entry = _entry(request, access, token)
    try:
        plan = _plan(access, entry)
        result = apply_area_import(access.collaboration, plan, by=request.user)
    except BoundaryFileError as exc:
        messages.error(
            request, _("Nothing was imported:") + " " + " ".join(exc.problems[:5])
        )
        return redirect("areas:preview", token=token)
    _forget(request, token)
    messages.success(
        request,
        _("Imported %(new)s new and %(updated)s updated areas (%(crs)s).")
        % {"new": result.created, "updated": result.updated, "crs": result.crs},
    )
    return redirect("areas:import")

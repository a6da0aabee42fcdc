"""The walk report: a server-side SVG map of the route and observations, and the
PDF (WeasyPrint) printed from the same HTML template as the page."""

from __future__ import annotations

from html import escape

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from samsyn.lib.geo import to_sweref
from samsyn.walks.models import Walk, WalkObservation


def route_svg(
    walk: Walk, observations: list[WalkObservation], width: int = 640
) -> SafeString:
    """Route line and numbered observation points, north up, in SWEREF metres."""
    line = [tuple(map(float, to_sweref(lon, lat))) for lon, lat in walk.route_points]
    points = [(o.x, o.y) for o in observations]
    ring: list[tuple[float, float]] = []
    if walk.area_id and walk.area and walk.area.geometry.get("type") == "Polygon":
        ring = [
            tuple(map(float, to_sweref(lon, lat)))
            for lon, lat in walk.area.geometry["coordinates"][0]
        ]
    xs = [p[0] for p in line + points] or [p[0] for p in ring]
    ys = [p[1] for p in line + points] or [p[1] for p in ring]
    if not xs:
        return mark_safe("")  # noqa: S308
    margin = 24.0
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    span = max(x1 - x0, y1 - y0, 50.0)
    scale = (width - 2 * margin) / span
    height = round((y1 - y0) * scale + 2 * margin)

    def px(x: float, y: float) -> str:
        return f"{margin + (x - x0) * scale:.1f},{margin + (y1 - y) * scale:.1f}"

    parts = [
        f'<svg class="walk-map" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(walk.title)}">',
        f'<rect width="{width}" height="{height}" fill="#f6f8fa"/>',
    ]
    if ring:
        parts.append(
            '<polygon points="'
            + " ".join(px(*p) for p in ring)
            + '" fill="#eef1f4" stroke="#8a99a8" stroke-width="1"/>'
        )
    if line:
        parts.append(
            '<polyline points="'
            + " ".join(px(*p) for p in line)
            + '" fill="none" stroke="#1f4e79" stroke-width="4" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
        )
    for i, (x, y) in enumerate(points, start=1):
        cx, cy = px(x, y).split(",")
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="10" fill="#b3006b" stroke="#fff" '
            f'stroke-width="2"/><text x="{cx}" y="{float(cy) + 4:.1f}" '
            f'text-anchor="middle" font-size="11" font-family="sans-serif" '
            f'fill="#fff">{i}</text>'
        )
    # 100 m scale bar, bottom left.
    bar = 100 * scale
    parts.append(
        f'<line x1="{margin}" y1="{height - 8}" x2="{margin + bar:.1f}" '
        f'y2="{height - 8}" stroke="#333" stroke-width="2"/><text x="{margin}" '
        f'y="{height - 12}" font-size="10" font-family="sans-serif">100 m</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


def walk_html(walk: Walk, observations: list[WalkObservation]) -> str:
    """The walk report's printable HTML, in the current language."""
    return render_to_string(
        "walks/print.html",
        {
            "walk": walk,
            "observations": observations,
            "svg": route_svg(walk, observations),
            "organisations": list(walk.organisations.all()),
        },
    )


def walk_observations(walk: Walk) -> list[WalkObservation]:
    return list(
        walk.observations.select_related("category", "report__owner", "intervention")
    )


def walk_pdf(walk: Walk, observations: list[WalkObservation], base_url: str) -> bytes:
    from samsyn.jobs.pdf import html_to_pdf

    return html_to_pdf(walk_html(walk, observations), base_url=base_url)

"""Tiny server-side SVG charts: sparklines and a projected map, with no JavaScript.

The same markup is used on web pages and in WeasyPrint PDFs. Inputs are plain numbers
(map coordinates in SWEREF 99 TM metres, a projected system, so x/y scale linearly
to the drawing). Everything is escaped; the output is safe to mark as safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.formats import number_format

FILL = {
    "green": "#4caf50",
    "yellow": "#f2c318",
    "orange": "#f28c28",
    "red": "#d93025",
    # Not covered: no reports and no check-in (samsyn.coverage), never green.
    "grey": "#9aa3ad",
}


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def describe(
    label: str,
    points: Sequence[str],
    values: Sequence[float | None],
    *,
    missing: str = "–",
) -> str:
    """A chart's text equivalent: its label, then each point with its value.

    "Littering: 2024 12, 2025 9". A value of None is `missing`. Numbers are in the
    active language's format, as on the page.
    """
    pairs = ", ".join(
        f"{p} {missing if v is None else number_format(v)}"
        for p, v in zip(points, values, strict=False)
    )
    return f"{label}: {pairs}" if pairs else label


def sparkline(
    values: Sequence[float | None],
    *,
    width: int = 96,
    height: int = 24,
    label: str = "",
    points: Sequence[str] = (),
) -> str:
    """A line of `values` (None = gap) with the last point marked.

    With `points` (a name for each value, e.g. its year), the label a screen reader
    reads also gives every value (describe()): the line alone says nothing to it.
    """
    vals = [v for v in values if v is not None]
    if points:
        label = describe(label, points, values)
    title = f"<title>{escape(label)}</title>" if label else ""
    head = (
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img"'
        + (f' aria-label="{escape(label)}"' if label else "")
        + ">"
        + title
    )
    if not vals:
        return head + "</svg>"
    top = max(max(vals), 1)
    n = len(values)
    pad = 2
    step = (width - 2 * pad) / max(n - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (height - 2 * pad) * v / top

    segments: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
        else:
            segments[-1].append(xy(i, v))
    paths = "".join(
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="'
        + " ".join(f"{_f(x)},{_f(y)}" for x, y in seg)
        + '"/>'
        for seg in segments
        if seg
    )
    last = next((i for i in range(n - 1, -1, -1) if values[i] is not None), None)
    dot = ""
    if last is not None:
        x, y = xy(last, values[last] or 0)
        dot = f'<circle cx="{_f(x)}" cy="{_f(y)}" r="2" fill="currentColor"/>'
    return head + paths + dot + "</svg>"


def map_svg(
    *,
    areas: Sequence[dict],
    points: Sequence[Sequence[float]] = (),
    cells: Sequence[dict] = (),
    width: int = 640,
    margin: float = 8,
    point_colours: Sequence[str] = (),
    label: str = "",
    view: tuple[float, float, float, float] | None = None,
    frame: tuple[float, float, float, float] | None = None,
    decorative: bool = False,
) -> str:
    """A map of area polygons (each {'rings': [[(x, y), ...]], 'name', 'fill'}),
    hotspot cells ({'x0','y0','x1','y1','bin'}) and points ([x, y, colour_index, ...]),
    all in projected metres. North is up; the aspect ratio is kept.

    ``view`` (x0, y0, x1, y1) draws only that window (a zoomed map; what lies
    outside is cut off); ``frame`` outlines a window, as an overview map shows
    where the zoomed one is. A ``decorative`` map (such an overview, beside the map and
    the lists that carry its information) is hidden from assistive technology
    instead of being labelled."""
    xs: list[float] = []
    ys: list[float] = []
    if view is not None:
        xs.extend((view[0], view[2]))
        ys.extend((view[1], view[3]))
        points = [
            p
            for p in points
            if view[0] <= p[0] <= view[2] and view[1] <= p[1] <= view[3]
        ]
    else:
        for a in areas:
            for ring in a["rings"]:
                xs.extend(p[0] for p in ring)
                ys.extend(p[1] for p in ring)
        for p in points:
            xs.append(p[0])
            ys.append(p[1])
    if not xs:
        return (
            f'<svg class="map-svg" xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="40" viewBox="0 0 {width} 40"></svg>'
        )
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    span = max(x1 - x0, y1 - y0, 1.0)
    scale = (width - 2 * margin) / max(x1 - x0, span * 0.3)
    height = round((y1 - y0) * scale + 2 * margin)

    def px(x: float) -> float:
        return margin + (x - x0) * scale

    def py(y: float) -> float:
        return margin + (y1 - y) * scale

    parts = [
        f'<svg class="map-svg" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        + (
            'aria-hidden="true" focusable="false">'
            if decorative
            else f'role="img" aria-label="{escape(label)}">'
        )
    ]
    for a in areas:
        d = " ".join(
            "M" + " L".join(f"{_f(px(x))},{_f(py(y))}" for x, y in ring) + " Z"
            for ring in a["rings"]
        )
        fill = FILL.get(a.get("fill", ""), "#eef1f4")
        parts.append(
            f'<path d="{d}" fill="{fill}" fill-opacity="0.35" stroke="#555" '
            f'stroke-width="0.8"><title>{escape(a.get("name", ""))}</title></path>'
        )
    for c in cells:
        w = max((c["x1"] - c["x0"]) * scale, 1)
        h = max((c["y1"] - c["y0"]) * scale, 1)
        alpha = {3: 0.75, 2: 0.5}.get(c.get("bin", 2), 0.35)
        parts.append(
            f'<rect x="{_f(px(c["x0"]))}" y="{_f(py(c["y1"]))}" width="{_f(w)}" '
            f'height="{_f(h)}" fill="#b3006b" fill-opacity="{alpha}" stroke="none"/>'
        )
    if frame is not None:
        parts.append(
            f'<rect x="{_f(px(frame[0]))}" y="{_f(py(frame[3]))}" '
            f'width="{_f((frame[2] - frame[0]) * scale)}" '
            f'height="{_f((frame[3] - frame[1]) * scale)}" fill="none" '
            f'stroke="#111" stroke-width="1.5"/>'
        )
    colours = list(point_colours) or ["#1a4f8b"]
    for p in points:
        colour = colours[int(p[2]) % len(colours)] if len(p) > 2 else colours[0]
        parts.append(
            f'<circle cx="{_f(px(p[0]))}" cy="{_f(py(p[1]))}" r="2.2" '
            f'fill="{colour}" stroke="#fff" stroke-width="0.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)

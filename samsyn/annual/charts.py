"""The monthly chart of the annual report: bars for the year, a line for the year
before, as escaped server-side SVG (the same markup on the page and in the PDF).
samsyn/lib/svgchart.py has sparklines and maps only; this adds labelled axes."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from samsyn.lib.svgchart import describe


def monthly_chart(
    this: Sequence[int],
    previous: Sequence[int] | None,
    *,
    months: Sequence[str],
    label: str,
    legend: tuple[str, str],
    width: int = 560,
    height: int = 200,
) -> str:
    left, right, top, bottom = 34, 8, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([*this, *(previous or []), 1])
    step = plot_w / 12

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / peak

    # The text equivalent gives every value, not only the tooltips of the bars.
    text = ". ".join(
        [label, describe(legend[0], months, this)]
        + ([describe(legend[1], months, previous)] if previous else [])
    )
    parts = [
        f'<svg class="annual-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(text)}">'
        f"<title>{escape(text)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}" stroke="#888" stroke-width="1"/>',
        f'<text x="{left - 4}" y="{y(peak) + 4:.1f}" text-anchor="end" '
        f'font-size="10" fill="#555">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h:.1f}" text-anchor="end" '
        f'font-size="10" fill="#555">0</text>',
    ]
    for i, v in enumerate(this):
        x = left + i * step + step * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{step * 0.7:.1f}" '
            f'height="{top + plot_h - y(v):.1f}" fill="#1a4f8b"><title>'
            f"{escape(months[i])}: {v}</title></rect>"
        )
        parts.append(
            f'<text x="{left + i * step + step / 2:.1f}" y="{top + plot_h + 13}" '
            f'text-anchor="middle" font-size="10" fill="#333">'
            f"{escape(months[i])}</text>"
        )
    if previous:
        pts = " ".join(
            f"{left + i * step + step / 2:.1f},{y(v):.1f}"
            for i, v in enumerate(previous)
        )
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="#c0392b" '
            f'stroke-width="2" stroke-dasharray="4 3"/>'
        )
    ly = height - 6
    parts.append(
        f'<rect x="{left}" y="{ly - 8}" width="10" height="8" fill="#1a4f8b"/>'
        f'<text x="{left + 14}" y="{ly}" font-size="10">{escape(legend[0])}</text>'
    )
    if previous:
        parts.append(
            f'<line x1="{left + 120}" y1="{ly - 4}" x2="{left + 134}" y2="{ly - 4}" '
            f'stroke="#c0392b" stroke-width="2" stroke-dasharray="4 3"/>'
            f'<text x="{left + 138}" y="{ly}" font-size="10">{escape(legend[1])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

"""One focus style reaches 3:1 against every background the app uses (WCAG 1.4.11).

Computed from static/css/site.css itself: the ring and its halo are the custom
properties --focus and --focus-halo (technique C40: two colours at least 9:1 apart,
so one of them reaches 3:1 on any background). Every background colour in the file
is checked, and no rule draws a focus outline in any other colour.
"""

from __future__ import annotations

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()
HEX = r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b"


def _rgb(value: str) -> tuple[float, float, float]:
    value = value.strip()
    if value.startswith("#"):
        h = value[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    m = re.fullmatch(r"rgba?\(([^)]*)\)", value)
    assert m, value
    parts = [float(p) for p in re.split(r"[,\s/]+", m.group(1).strip()) if p]
    r, g, b = parts[:3]
    alpha = parts[3] if len(parts) > 3 else 1.0
    # Over the page, at worst over white: what a translucent background shows.
    return tuple(alpha * c + (1 - alpha) * 255 for c in (r, g, b))  # type: ignore[return-value]


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def custom_properties() -> dict[str, str]:
    root = re.search(r":root\s*{([^}]*)}", CSS)
    assert root
    body = re.sub(r"/\*.*?\*/", "", root.group(1), flags=re.S)
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", body))


def backgrounds() -> set[str]:
    """Every colour the file paints a background with, custom properties resolved."""
    props = custom_properties()
    found: set[str] = {props["--bg"], props["--card"]}
    for value in re.findall(r"background(?:-color)?\s*:\s*([^;}]+)", CSS):
        for name in re.findall(r"var\((--[\w-]+)\)", value):
            found.add(props[name].strip())
        found.update(re.findall(HEX + r"|rgba?\([^)]*\)", value))
    return {c for c in found if not c.startswith("rgba") or "," in c}


def test_the_ring_and_its_halo_reach_3_to_1_on_every_background() -> None:
    props = custom_properties()
    ring, halo = props["--focus"].strip(), props["--focus-halo"].strip()
    assert contrast(ring, halo) >= 9
    colours = backgrounds()
    assert len(colours) > 20  # the parse found the file's backgrounds
    failing = {
        bg: (round(contrast(ring, bg), 2), round(contrast(halo, bg), 2))
        for bg in sorted(colours)
        if max(contrast(ring, bg), contrast(halo, bg)) < 3
    }
    assert failing == {}


def test_the_old_amber_ring_would_have_failed() -> None:
    assert round(contrast("#f2a900", "#ffffff"), 2) == 2.01
    assert round(contrast("#f2a900", "#f5f6f8"), 2) == 1.86


def test_every_focus_outline_uses_the_one_style() -> None:
    rules = re.findall(r"([^{}]*:focus[^{}]*){([^}]*)}", CSS)
    assert rules
    for selector, body in rules:
        for outline in re.findall(r"outline\s*:\s*([^;]+)", body):
            assert outline.strip() == "none" or "var(--focus)" in outline, selector

from xml.etree import ElementTree  # noqa: S405 (our own output)

from samsyn.lib.svgchart import map_svg, sparkline


def test_it_draws_a_sparkline_with_the_last_point_marked():
    svg = sparkline([1, 3, 2], label="Gathering <x>")
    root = ElementTree.fromstring(svg)  # noqa: S314
    assert root.tag.endswith("svg")
    assert "&lt;x&gt;" in svg
    assert svg.count("<circle") == 1
    assert svg.count(",") == 3  # three points in the polyline


def test_it_draws_an_empty_sparkline_without_values():
    assert "<polyline" not in sparkline([])
    assert "<polyline" not in sparkline([None, None])


def test_it_projects_the_map_with_north_up():
    svg = map_svg(
        areas=[{"name": "A", "rings": [[(0, 0), (100, 0), (100, 100), (0, 100)]]}],
        points=[[0, 100, 0], [100, 0, 0]],
        cells=[{"x0": 0, "y0": 0, "x1": 50, "y1": 50, "bin": 3}],
        width=116,
        margin=8,
    )
    ElementTree.fromstring(svg)  # noqa: S314
    # (0, 100) is the top-left corner, (100, 0) the bottom-right.
    assert 'cx="8" cy="8"' in svg
    assert 'cx="108" cy="108"' in svg
    assert '<rect x="8" y="58"' in svg


def test_it_draws_an_empty_map_without_geometry():
    assert "<path" not in map_svg(areas=[])

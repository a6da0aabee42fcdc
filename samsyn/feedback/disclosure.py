"""Statistical disclosure control for the public feedback pages (no Django).

What is published, per collaboration and period, is one table and its margins:

* the count per area and category (shown on each area's page),
* the total per area (the collaboration page, and the head of each area page),
* the total per category over the whole collaboration,
* the grand total.

Totals are sums over the shown categories and the collaboration's areas only, so
every published figure is part of one two-way table whose rows add up to the area
totals and whose columns add up to the category totals. A reader who sees all the
pages knows every published figure and these sums, and nothing else.

The rule
--------
1. Primary suppression: a count `v` with `0 < v < minimum` is hidden. Zero is
   published: it describes no event and no one. So a reader knows that every
   hidden figure is at least 1, and the proof below takes that into account.
2. Complementary suppression: picture the table with its margins as a bipartite
   graph, one node per row (each area, plus the total row) and per column (each
   category, plus the total column); each figure is the edge between its row and
   its column (an area total joins the area's row to the total column, the grand
   total joins the total row to the total column). While some hidden figure lies
   on no *allowed* cycle of hidden figures (below), the cheapest allowed path
   between its two ends through non-zero figures is hidden too. Interior cells are
   cheapest, then area and category totals, the grand total last.

Hidden figures are not all small: a complementary one may be any size. The pages
therefore show every hidden figure with the same neutral mark, never as "fewer
than the minimum".

Why it is safe
--------------
Write each margin with a minus sign; then every row and every column of the
extended table sums to zero. Adding +1, -1, +1, ... around an (even, bipartite)
cycle of hidden figures keeps every such sum, so it changes no published figure.
In true figures a step raises or lowers a figure (margins move the other way to
interior cells); a cycle is *allowed* when every figure it lowers is at least 2,
so that all hidden figures stay at least 1. Every hidden figure on an allowed
cycle is therefore consistent with a second value, one more or one less: none can
be derived exactly from the published ones, even knowing hidden figures are not
zero. This check is exact: two tables that agree on the published figures differ
by a sum of cycles that each move every figure the same way as the whole
difference (a conformal decomposition), and any one of them is itself allowed.
An allowed cycle always exists: a non-zero cell, its area total, the grand total
and its category total form a cycle that raises all four.

The test suite checks this by brute force on small random tables
(samsyn/feedback/tests/test_disclosure.py).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

TOTAL = "__total__"  # the key of the margin row/column

# Relative cost of suppressing one unit of a figure: keep totals visible.
_COST = {"cell": 1, "row": 20, "col": 20, "grand": 400}


@dataclass(frozen=True)
class Figure:
    """One published figure: its value, or None when suppressed."""

    value: int | None
    minimum: int

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        # A hidden figure may be any value from 1 up (complementary suppression
        # hides large ones too), so it is never written as "fewer than".
        return "hidden" if self.value is None else str(self.value)


@dataclass
class ProtectedTable:
    """A table ready to publish: every figure either shown or suppressed."""

    minimum: int
    rows: list[Hashable]
    cols: list[Hashable]
    cells: dict[tuple[Hashable, Hashable], Figure] = field(default_factory=dict)
    row_totals: dict[Hashable, Figure] = field(default_factory=dict)
    col_totals: dict[Hashable, Figure] = field(default_factory=dict)
    total: Figure = field(default_factory=lambda: Figure(0, 1))

    def published_values(self) -> list[int]:
        figs = [
            *self.cells.values(),
            *self.row_totals.values(),
            *self.col_totals.values(),
            self.total,
        ]
        return [f.value for f in figs if f.value is not None]


# An edge of the bipartite graph: (row node, column node). Row nodes are ("r", key),
# column nodes ("c", key); the total row/column use TOTAL as key.
Node = tuple[str, Hashable]
Edge = tuple[Node, Node]


def _edges(
    cells: Mapping[tuple[Hashable, Hashable], int],
    rows: list[Hashable],
    cols: list[Hashable],
) -> tuple[dict[Edge, int], dict[Edge, str]]:
    values: dict[Edge, int] = {}
    kinds: dict[Edge, str] = {}
    row_sum: dict[Hashable, int] = defaultdict(int)
    col_sum: dict[Hashable, int] = defaultdict(int)
    for r in rows:
        for c in cols:
            v = int(cells.get((r, c), 0))
            if v < 0:
                raise ValueError("counts must be non-negative")
            e = (("r", r), ("c", c))
            values[e], kinds[e] = v, "cell"
            row_sum[r] += v
            col_sum[c] += v
    for r in rows:
        e = (("r", r), ("c", TOTAL))
        values[e], kinds[e] = row_sum[r], "row"
    for c in cols:
        e = (("r", TOTAL), ("c", c))
        values[e], kinds[e] = col_sum[c], "col"
    e = (("r", TOTAL), ("c", TOTAL))
    values[e], kinds[e] = sum(row_sum.values()), "grand"
    return values, kinds


# A margin is written with a minus sign in the extended table (see the module
# docstring), so a step around a cycle moves it the other way.
_SIGN = {"cell": 1, "row": -1, "col": -1, "grand": 1}


def _arcs(
    values: dict[Edge, int], kinds: dict[Edge, str], edges: Iterable[Edge]
) -> dict[Node, list[tuple[Node, Edge]]]:
    """The directed steps a cycle may take along `edges`.

    Going from a row node to a column node adds one to the edge in the extended
    table, going back subtracts one; in true figures that is +1 or -1 by the
    edge's sign. A step that lowers a figure is allowed only when the figure is
    at least 2: a reader knows every hidden figure is at least 1 (zero is
    published), so a lower figure must stay at least 1.
    """
    adj: dict[Node, list[tuple[Node, Edge]]] = defaultdict(list)
    for e in edges:
        v = values[e]
        if v <= 0:
            continue
        a, b = e
        sign = _SIGN[kinds[e]]
        for frm, to, change in ((a, b, sign), (b, a, -sign)):
            if change > 0 or v >= 2:
                adj[frm].append((to, e))
    return adj


def _orientations(
    values: dict[Edge, int], kinds: dict[Edge, str], e: Edge
) -> list[tuple[Node, Node]]:
    """The ways (start, goal) to close a cycle through `e`: `e` is stepped from
    goal to start, and a path must lead from start back to goal."""
    a, b = e
    sign = _SIGN[kinds[e]]
    out = []
    if sign > 0 or values[e] >= 2:  # stepping a -> b
        out.append((b, a))
    if sign < 0 or values[e] >= 2:  # stepping b -> a
        out.append((a, b))
    return out


def _protected(
    values: dict[Edge, int], kinds: dict[Edge, str], suppressed: set[Edge], e: Edge
) -> bool:
    """Can `e` move by one while every published figure stays, and every hidden
    figure stays at least 1? That is: does an allowed cycle of hidden edges pass
    through it? (Exact: any other table differs by a sum of such cycles.)"""
    adj = _arcs(values, kinds, suppressed - {e})
    for start, goal in _orientations(values, kinds, e):
        seen = {start}
        todo = [start]
        while todo:
            n = todo.pop()
            if n == goal:
                return True
            for m, _e in adj[n]:
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
    return False


def _cheapest_path(
    values: dict[Edge, int], kinds: dict[Edge, str], suppressed: set[Edge], skip: Edge
) -> list[Edge]:
    """Cheapest allowed path closing a cycle through `skip` (Dijkstra).

    Suppressed edges cost nothing; a published one costs its value times its kind's
    weight, so small interior cells are sacrificed before totals.
    """
    adj = _arcs(values, kinds, [e for e in values if e != skip])
    best_path: list[Edge] | None = None
    best_cost = float("inf")
    for start, goal in _orientations(values, kinds, skip):
        best: dict[Node, float] = {start: 0}
        back: dict[Node, tuple[Node, Edge]] = {}
        heap: list[tuple[float, int, Node]] = [(0, 0, start)]
        tick = 0
        while heap:
            cost, _, n = heapq.heappop(heap)
            if n == goal:
                break
            if cost > best.get(n, float("inf")):
                continue
            for m, e in adj[n]:
                step = 0 if e in suppressed else values[e] * _COST[kinds[e]] + 1
                if cost + step < best.get(m, float("inf")):
                    best[m] = cost + step
                    back[m] = (n, e)
                    tick += 1
                    heapq.heappush(heap, (cost + step, tick, m))
        if goal not in back or best[goal] >= best_cost:
            continue
        path = []
        n = goal
        while n != start:
            n, e = back[n]
            path.append(e)
        best_path, best_cost = path, best[goal]
    if best_path is None:  # cannot happen for non-zero figures (module docstring)
        raise RuntimeError("no complementary suppression path")
    return best_path


def protect_table(
    cells: Mapping[tuple[Hashable, Hashable], int],
    minimum: int,
    rows: Iterable[Hashable] | None = None,
    cols: Iterable[Hashable] | None = None,
) -> ProtectedTable:
    """Suppress a two-way table of counts with its margins (see the module docstring).

    `cells` maps (row, column) to a count; missing cells are zero. `rows`/`cols` fix
    the order and may name rows/columns without any counts.
    """
    rows = list(rows) if rows is not None else sorted({r for r, _ in cells}, key=str)
    cols = list(cols) if cols is not None else sorted({c for _, c in cells}, key=str)
    minimum = max(int(minimum), 1)
    values, kinds = _edges(cells, rows, cols)
    suppressed = {e for e, v in values.items() if 0 < v < minimum}
    changed = True
    while changed:
        changed = False
        for e in sorted(suppressed, key=str):
            if not _protected(values, kinds, suppressed, e):
                suppressed.update(_cheapest_path(values, kinds, suppressed, e))
                changed = True
                break

    def fig(e: Edge) -> Figure:
        return Figure(None if e in suppressed else values[e], minimum)

    table = ProtectedTable(minimum=minimum, rows=rows, cols=cols)
    for r in rows:
        for c in cols:
            table.cells[(r, c)] = fig((("r", r), ("c", c)))
        table.row_totals[r] = fig((("r", r), ("c", TOTAL)))
    for c in cols:
        table.col_totals[c] = fig((("r", TOTAL), ("c", c)))
    table.total = fig((("r", TOTAL), ("c", TOTAL)))
    return table


def protect(
    counts: Mapping[tuple[Hashable, Hashable, Hashable], int],
    minimum: int,
    *,
    areas: Iterable[Hashable] | None = None,
    categories: Iterable[Hashable] | None = None,
) -> dict[Hashable, ProtectedTable]:
    """Counts per (area, category, period) → one protected table per period.

    Periods are protected independently: publish periods that do not overlap (the
    public page uses one window of whole weeks), since overlapping windows could be
    differenced against each other.
    """
    by_period: dict[Hashable, dict[tuple[Hashable, Hashable], int]] = defaultdict(dict)
    for (area, category, period), n in counts.items():
        by_period[period][(area, category)] = n
    area_list = list(areas) if areas is not None else None
    cat_list = list(categories) if categories is not None else None
    return {
        period: protect_table(cells, minimum, area_list, cat_list)
        for period, cells in by_period.items()
    }

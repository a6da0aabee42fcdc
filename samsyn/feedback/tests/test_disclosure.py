"""Suppression on the public page: properties checked by brute force on small tables."""

from __future__ import annotations

from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.feedback.disclosure import Figure, ProtectedTable, protect, protect_table

Key = tuple[str, Hashable, Hashable]  # ("cell", r, c) | ("row", r, None) | ...


def all_figures(table: ProtectedTable) -> dict[Key, Figure]:
    out: dict[Key, Figure] = {}
    for (r, c), f in table.cells.items():
        out[("cell", r, c)] = f
    for r, f in table.row_totals.items():
        out[("row", r, None)] = f
    for c, f in table.col_totals.items():
        out[("col", None, c)] = f
    out[("grand", None, None)] = table.total
    return out


def true_values(cells: dict, rows: list, cols: list) -> dict[Key, int]:
    out: dict[Key, int] = {}
    for r in rows:
        for c in cols:
            out[("cell", r, c)] = cells.get((r, c), 0)
        out[("row", r, None)] = sum(cells.get((r, c), 0) for c in cols)
    for c in cols:
        out[("col", None, c)] = sum(cells.get((r, c), 0) for r in rows)
    out[("grand", None, None)] = sum(out[("row", r, None)] for r in rows)
    return out


def other_value_possible(table: ProtectedTable, target: Key, truth: int) -> bool:
    """Is there a non-negative integer table that matches every published figure
    and the row/column sums, in which `target` differs from `truth`? (Brute force.)

    Zero is always published, so a reader knows every hidden figure is at least 1:
    the other table must respect that too."""
    rows, cols = table.rows, table.cols
    known = {k: f.value for k, f in all_figures(table).items() if f.value is not None}
    hidden = [k for k, f in all_figures(table).items() if f.value is None]
    unknown = [(r, c) for r in rows for c in cols if ("cell", r, c) not in known]
    grand = known.get(("grand", None, None))
    cap = grand if grand is not None else 3 * table.minimum * (len(unknown) + 1)

    def bound(r: Hashable, c: Hashable) -> int:
        b = cap
        for k in (("row", r, None), ("col", None, c)):
            if k in known:
                b = min(b, known[k])
        return b

    def fits(values: dict) -> bool:
        figs = dict(known)
        cell = {
            (r, c): known.get(("cell", r, c), values.get((r, c)))
            for r in rows
            for c in cols
        }
        sums = {("cell", r, c): cell[(r, c)] for r in rows for c in cols}
        for r in rows:
            sums[("row", r, None)] = sum(cell[(r, c)] for c in cols)
        for c in cols:
            sums[("col", None, c)] = sum(cell[(r, c)] for r in rows)
        sums[("grand", None, None)] = sum(sums[("row", r, None)] for r in rows)
        if any(sums[k] != v for k, v in figs.items()):
            return False
        if any(sums[k] < 1 for k in hidden):
            return False
        return sums[target] != truth

    def partial_ok(values: dict) -> bool:
        for r in rows:
            k = ("row", r, None)
            if k in known:
                s = sum(known.get(("cell", r, c), values.get((r, c), 0)) for c in cols)
                if s > known[k]:
                    return False
        for c in cols:
            k = ("col", None, c)
            if k in known:
                s = sum(known.get(("cell", r, c), values.get((r, c), 0)) for r in rows)
                if s > known[k]:
                    return False
        return True

    # The last unknown of a row or column with a published total is forced.
    last_in_row = {
        r: max((i for i, u in enumerate(unknown) if u[0] == r), default=-1)
        for r in rows
    }
    last_in_col = {
        c: max((i for i, u in enumerate(unknown) if u[1] == c), default=-1)
        for c in cols
    }

    def forced(i: int, values: dict) -> int | None:
        r, c = unknown[i]
        if last_in_row[r] == i and ("row", r, None) in known:
            rest = sum(
                known.get(("cell", r, x), values.get((r, x), 0)) for x in cols if x != c
            )
            return known[("row", r, None)] - rest
        if last_in_col[c] == i and ("col", None, c) in known:
            rest = sum(
                known.get(("cell", y, c), values.get((y, c), 0)) for y in rows if y != r
            )
            return known[("col", None, c)] - rest
        return None

    def search(i: int, values: dict) -> bool:
        if i == len(unknown):
            return fits(values)
        r, c = unknown[i]
        f = forced(i, values)
        if f is not None and f < 0:
            return False
        for v in [f] if f is not None else range(bound(r, c) + 1):
            values[(r, c)] = v
            if partial_ok(values) and search(i + 1, values):
                return True
        del values[(r, c)]
        return False

    return search(0, {})


def check_safe(cells: dict, rows: list, cols: list, minimum: int) -> ProtectedTable:
    table = protect_table(cells, minimum, rows, cols)
    truth = true_values(cells, rows, cols)
    figs = all_figures(table)
    for key, fig in figs.items():
        if fig.value is not None:
            # Published figures are exact, and never a small non-zero count.
            assert fig.value == truth[key]
            assert fig.value == 0 or fig.value >= minimum, key
    for key, fig in figs.items():
        if fig.suppressed:
            assert other_value_possible(table, key, truth[key]), (
                f"{key} (true value {truth[key]}) can be derived from {figs}"
            )
    return table


counts = st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5, 7, 12])


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict, list, list, int]:
    n_rows = draw(st.integers(1, 3))
    n_cols = draw(st.integers(1, 3))
    rows = [f"a{i}" for i in range(n_rows)]
    cols = [f"k{j}" for j in range(n_cols)]
    cells = {(r, c): draw(counts) for r in rows for c in cols}
    minimum = draw(st.integers(2, 5))
    return cells, rows, cols, minimum


@settings(max_examples=150, deadline=None)
@given(tables())
def test_it_never_publishes_a_small_count_nor_lets_one_be_derived(table):
    cells, rows, cols, minimum = table
    check_safe(cells, rows, cols, minimum)


def test_it_publishes_everything_when_all_counts_are_large():
    cells = {("a", "x"): 10, ("a", "y"): 6, ("b", "x"): 5, ("b", "y"): 9}
    table = check_safe(cells, ["a", "b"], ["x", "y"], 5)
    assert sorted(table.published_values()) == sorted([10, 6, 5, 9, 16, 14, 15, 15, 30])


def test_it_suppresses_a_second_cell_so_the_total_cannot_be_differenced():
    # Area a: 3 gatherings (small), 20 littering. Publishing the area total 23
    # and the 20 would give the 3 away; a second figure must go too.
    cells = {("a", "x"): 3, ("a", "y"): 20, ("b", "x"): 8, ("b", "y"): 9}
    table = check_safe(cells, ["a", "b"], ["x", "y"], 5)
    assert table.cells[("a", "x")].suppressed
    suppressed = [k for k, f in all_figures(table).items() if f.suppressed]
    assert len(suppressed) >= 4  # a cycle in a two-way table has at least four


def test_it_checker_catches_naive_suppression():
    # Only the small cell hidden: the checker must see it is derivable.
    cells = {("a", "x"): 3, ("a", "y"): 20}
    naive = protect_table(cells, 5, ["a"], ["x", "y"])
    naive.cells[("a", "y")] = Figure(20, 5)
    naive.row_totals["a"] = Figure(23, 5)
    naive.col_totals["y"] = Figure(20, 5)
    naive.total = Figure(23, 5)
    naive.cells[("a", "x")] = Figure(None, 5)
    assert not other_value_possible(naive, ("cell", "a", "x"), 3)


def test_it_knows_a_hidden_figure_is_never_zero():
    # Four ones in a square with published totals of 2: a reader who knows that
    # hidden figures are at least 1 (zero is published) gets 1 + 1 = 2 exactly.
    cells = {("a", "x"): 1, ("a", "y"): 1, ("b", "x"): 1, ("b", "y"): 1}
    cells.update({("c", "x"): 9, ("c", "y"): 9})
    table = check_safe(cells, ["a", "b", "c"], ["x", "y"], 2)
    assert table.cells[("a", "x")].suppressed


def test_it_hides_a_large_figure_only_when_the_hidden_set_needs_it():
    # Complementary suppression hides 20 (not a small count): the page must not
    # call it small, so Figure carries no "fewer than" wording.
    cells = {("a", "x"): 3, ("a", "y"): 20, ("b", "x"): 8, ("b", "y"): 9}
    table = protect_table(cells, 5, ["a", "b"], ["x", "y"])
    secondary = [
        k
        for k, f in all_figures(table).items()
        if f.suppressed and k != ("cell", "a", "x")
    ]
    assert secondary
    assert all("<" not in str(all_figures(table)[k]) for k in secondary)


def test_it_protects_each_period_on_its_own():
    counts = {("a", "x", "2026-W01"): 2, ("a", "x", "2026-W02"): 9}
    tables_ = protect(counts, 5, areas=["a"], categories=["x"])
    assert tables_["2026-W01"].total.suppressed
    assert tables_["2026-W02"].total.value == 9

"""Square-grid binning on projected coordinates (SWEREF 99 TM, EPSG:3006, metres).

A cell is pure integer arithmetic on x/y: ``ix = floor((x - x0) / cell)``. The
grid origin is snapped to a multiple of the cell size so that grids of the same
cell size line up with each other and with SCB's population grids (250 m, 1 km).

Conventions
-----------
* Raster arrays have shape ``(ny, nx)``; row ``iy`` grows northwards (row 0 is the
  southernmost row), column ``ix`` grows eastwards.
* Flat cell index ``= iy * nx + ix`` (C order of the raster).
* Cells are half-open ``[x0 + ix*cell, x0 + (ix+1)*cell)``. A point lying exactly
  on the outer east or north boundary of the grid is put in the last column/row,
  so a grid built from an extent contains every point of that extent.
* Points outside the grid (or with NaN coordinates) are dropped and reported as
  flat index ``-1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Grid"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _as_f64(a: ArrayLike) -> FloatArray:
    return np.ascontiguousarray(a, dtype=np.float64).ravel()


@dataclass(frozen=True)
class Grid:
    """A regular square grid.

    Attributes:
        x0: west edge of column 0 (metres, a multiple of ``cell`` when built by
            :meth:`from_extent` / :meth:`from_points`).
        y0: south edge of row 0 (metres).
        cell: cell side length in metres (> 0).
        nx: number of columns (>= 0).
        ny: number of rows (>= 0).
    """

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int

    def __post_init__(self) -> None:
        if not (self.cell > 0 and math.isfinite(self.cell)):
            raise ValueError("cell size must be a positive finite number")
        if self.nx < 0 or self.ny < 0:
            raise ValueError("nx and ny must be >= 0")

    # ------------------------------------------------------------------ building
    @classmethod
    def from_extent(
        cls, xmin: float, ymin: float, xmax: float, ymax: float, cell: float
    ) -> Grid:
        """Smallest snapped grid covering ``[xmin, xmax] x [ymin, ymax]``.

        The origin is ``floor(min / cell) * cell``; the east/north boundary is the
        first multiple of ``cell`` strictly above ``max`` (so a point at ``max``
        is inside a regular half-open cell).
        """
        if xmax < xmin or ymax < ymin:
            raise ValueError("empty extent")
        x0 = math.floor(xmin / cell) * cell
        y0 = math.floor(ymin / cell) * cell
        nx = math.floor((xmax - x0) / cell) + 1
        ny = math.floor((ymax - y0) / cell) + 1
        return cls(float(x0), float(y0), float(cell), int(nx), int(ny))

    @classmethod
    def from_points(
        cls, x: ArrayLike, y: ArrayLike, cell: float, pad: float = 0.0
    ) -> Grid:
        """Snapped grid covering the points' extent, enlarged by ``pad`` metres.

        Non-finite coordinates are ignored. With no finite point the grid is
        empty (``nx = ny = 0``) with origin 0, 0.
        """
        xa, ya = _as_f64(x), _as_f64(y)
        ok = np.isfinite(xa) & np.isfinite(ya)
        if not ok.all():
            xa, ya = xa[ok], ya[ok]
        if xa.size == 0:
            return cls(0.0, 0.0, float(cell), 0, 0)
        return cls.from_extent(
            float(xa.min()) - pad,
            float(ya.min()) - pad,
            float(xa.max()) + pad,
            float(ya.max()) + pad,
            cell,
        )

    # ---------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, int]:
        """Raster shape ``(ny, nx)``."""
        return (self.ny, self.nx)

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    @property
    def cell_area_km2(self) -> float:
        return self.cell * self.cell / 1e6

    def expanded(self, k: int) -> Grid:
        """The grid grown by ``k`` cells on every side (same lattice)."""
        return Grid(
            self.x0 - k * self.cell,
            self.y0 - k * self.cell,
            self.cell,
            self.nx + 2 * k,
            self.ny + 2 * k,
        )

    # ------------------------------------------------------------------ indexing
    def _axis_index(
        self, v: FloatArray, origin: float, n: int
    ) -> tuple[IntArray, bool]:
        """Index along one axis, in ``[-1, n]`` (-1 / n = outside), and whether
        every value is inside (known for free from the min/max check)."""
        if v.size == 0:
            return np.zeros(0, dtype=np.int64), True
        t = v - origin
        t /= self.cell  # division (not * 1/cell) keeps exact multiples exact
        np.floor(t, out=t)
        lo, top = t.min(), t.max()
        if not (lo >= -1.0 and top <= n):  # also True when a NaN is present
            # Clamp so the int cast is defined everywhere; fmax/fmin map NaN
            # to the bound, so NaN becomes -1 (outside).
            np.fmax(t, -1.0, out=t)
            np.fmin(t, float(n), out=t)
        idx = t.astype(np.int64)
        inside = bool(lo >= 0 and top < n)
        if not top < n:  # some index is n (or NaN was clamped)
            hi = np.flatnonzero(idx == n)
            # A point exactly on the outer boundary belongs to the last cell.
            on_edge = hi[v[hi] == origin + n * self.cell]
            idx[on_edge] = n - 1
            inside = bool(lo >= 0 and on_edge.size == hi.size and top == n)
        return idx, inside

    def _cell_xy(
        self, xa: FloatArray, ya: FloatArray
    ) -> tuple[IntArray, IntArray, bool]:
        if xa.shape != ya.shape:
            raise ValueError("x and y must have the same length")
        ix, okx = self._axis_index(xa, self.x0, self.nx)
        iy, oky = self._axis_index(ya, self.y0, self.ny)
        return ix, iy, okx and oky

    def cell_xy(self, x: ArrayLike, y: ArrayLike) -> tuple[IntArray, IntArray]:
        """Column and row index of each point; ``-1``/``n`` mark outside points."""
        ix, iy, _ = self._cell_xy(_as_f64(x), _as_f64(y))
        return ix, iy

    def flat_index(self, x: ArrayLike, y: ArrayLike) -> IntArray:
        """Flat cell index (``iy * nx + ix``) per point, ``-1`` when outside."""
        ix, iy = self.cell_xy(x, y)
        ok = (ix.view(np.uint64) < self.nx) & (iy.view(np.uint64) < self.ny)
        flat = iy * self.nx
        flat += ix
        flat[~ok] = -1
        return flat

    # ---------------------------------------------------------------- aggregation
    def counts(
        self, x: ArrayLike, y: ArrayLike, weights: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Number (or weight sum) of points per cell as a float64 ``(ny, nx)``
        raster (ready for Gi* / KDE). Points outside the grid are ignored.
        """
        out = self.cube(x, y, weights=weights).reshape(self.ny, self.nx)
        return out.astype(np.float64, copy=False)

    def cube(
        self,
        x: ArrayLike,
        y: ArrayLike,
        t: ArrayLike | None = None,
        n_steps: int = 1,
        category: ArrayLike | None = None,
        n_categories: int = 1,
        weights: ArrayLike | None = None,
    ) -> NDArray[np.int64] | NDArray[np.float64]:
        """Counts per cell x time step x category in one ``np.bincount`` pass.

        Args:
            x, y: point coordinates in metres (same CRS as the grid).
            t: integer time-step index per point in ``[0, n_steps)`` (e.g. ISO
                week number since the start of the period, computed by the
                caller); ``None`` means one step.
            category: integer category code per point in ``[0, n_categories)``.
            weights: optional weight per point (default 1).

        Returns:
            array of shape ``(n_cells, n_steps, n_categories)`` -- int64 counts
            without ``weights``, float64 weight sums with them (no conversion
            pass on large cubes); the
            flat cell axis follows :meth:`flat_index`. Points outside the grid or
            with ``t``/``category`` out of range are dropped.
        """
        xa, ya = _as_f64(x), _as_f64(y)
        if xa.shape != ya.shape:
            raise ValueError("x and y must have the same length")
        n_total = self.n_cells * n_steps * n_categories
        shape = (self.n_cells, n_steps, n_categories)
        if xa.size == 0 or n_total == 0:
            return np.zeros(shape, dtype=np.int64 if weights is None else np.float64)
        # Fast path: the per-axis min/max checks prove that every point is
        # inside, so no per-point validity mask is needed (the common case).
        ix, iy, inside = self._cell_xy(xa, ya)
        valid: NDArray[np.bool_] | None = None
        if not inside:
            valid = ix.view(np.uint64) < self.nx
            valid &= iy.view(np.uint64) < self.ny
        flat = iy
        flat *= self.nx
        flat += ix
        for codes, size in ((t, n_steps), (category, n_categories)):
            if codes is None:
                if size != 1:
                    raise ValueError("codes are required when the axis size is > 1")
                continue
            c = np.asarray(codes).ravel()
            if c.shape != xa.shape:
                raise ValueError("t/category must have one value per point")
            c = c.astype(np.int64, copy=False)
            if not (c.min() >= 0 and c.max() < size):
                ok = c.view(np.uint64) < size
                valid = ok if valid is None else valid & ok
            flat *= size
            flat += c
        if valid is not None and not valid.all():
            # Route dropped points to a sentinel bin that is sliced off below
            # (cheaper than compressing the index array).
            np.copyto(flat, n_total, where=~valid)
        w = None if weights is None else _as_f64(weights)
        out = np.bincount(flat, weights=w, minlength=n_total + 1)[:n_total]
        return out.reshape(shape)

    # ---------------------------------------------------------------- geometry
    def x_centres(self) -> FloatArray:
        return self.x0 + (np.arange(self.nx) + 0.5) * self.cell

    def y_centres(self) -> FloatArray:
        return self.y0 + (np.arange(self.ny) + 0.5) * self.cell

    def centres(self, flat: ArrayLike | None = None) -> tuple[FloatArray, FloatArray]:
        """Cell-centre coordinates (metres) of the given flat cells (default all)."""
        f = (
            np.arange(self.n_cells, dtype=np.int64)
            if flat is None
            else np.asarray(flat, dtype=np.int64).ravel()
        )
        iy, ix = np.divmod(f, self.nx) if self.nx else (f, f)
        return (
            self.x0 + (ix + 0.5) * self.cell,
            self.y0 + (iy + 0.5) * self.cell,
        )

    def corners(
        self, flat: ArrayLike | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """``(xmin, ymin, xmax, ymax)`` of the given flat cells (default all)."""
        xc, yc = self.centres(flat)
        h = 0.5 * self.cell
        return xc - h, yc - h, xc + h, yc + h

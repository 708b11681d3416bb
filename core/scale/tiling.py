"""Square tiles on a grid anchored at a fixed origin, and the halo of each tile.

A point belongs to the tile its coordinates fall in (points without coordinates to tile 0);
a tile's halo is every other point within `halo` metres of the tile's square, found by
rectangle, so a tile with its halo holds every neighbour its own points can have.
"""
import dataclasses
import math
from typing import Iterator, List, Tuple

import numpy as np

from ..errors import InputError

TARGET_POINTS = 250_000  # points per tile when the size is chosen automatically
MAX_TILES = 1_000_000


@dataclasses.dataclass(frozen=True)
class TileGrid:
    """Tiles of side `size` metres; tile (row, col) covers [x0 + col*size, x0 + (col+1)*size)."""

    x0: float
    y0: float
    size: float
    ncols: int
    nrows: int

    @property
    def n_tiles(self) -> int:
        return self.ncols * self.nrows

    def tile_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The tile id (row * ncols + col) of each point; 0 for a point without coordinates."""
        x, y = np.asarray(x, float), np.asarray(y, float)
        ok = np.isfinite(x) & np.isfinite(y)
        col = np.zeros(len(x), np.int64)
        row = np.zeros(len(x), np.int64)
        col[ok] = np.clip(np.floor((x[ok] - self.x0) / self.size), 0, self.ncols - 1)
        row[ok] = np.clip(np.floor((y[ok] - self.y0) / self.size), 0, self.nrows - 1)
        return row * self.ncols + col

    def bounds(self, tile: int) -> Tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of a tile's square (the outer tiles reach to infinity)."""
        row, col = divmod(int(tile), self.ncols)
        xmin = -math.inf if col == 0 else self.x0 + col * self.size
        ymin = -math.inf if row == 0 else self.y0 + row * self.size
        xmax = math.inf if col == self.ncols - 1 else self.x0 + (col + 1) * self.size
        ymax = math.inf if row == self.nrows - 1 else self.y0 + (row + 1) * self.size
        return xmin, ymin, xmax, ymax

    def near(self, tile: int, halo: float) -> List[int]:
        """The tiles whose squares come within `halo` of this tile's square (itself included)."""
        row, col = divmod(int(tile), self.ncols)
        reach = int(math.ceil(halo / self.size)) if halo > 0 else 0
        rows = range(max(0, row - reach), min(self.nrows, row + reach + 1))
        cols = range(max(0, col - reach), min(self.ncols, col + reach + 1))
        return [r * self.ncols + c for r in rows for c in cols]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(d: dict) -> "TileGrid":
        return TileGrid(float(d["x0"]), float(d["y0"]), float(d["size"]), int(d["ncols"]), int(d["nrows"]))


def grid_for(xmin: float, ymin: float, xmax: float, ymax: float, n_points: int,
             size: float = 0.0, target: int = TARGET_POINTS) -> TileGrid:
    """Tiles over the extent: of side `size`, or sized for about `target` points each."""
    w, h = max(xmax - xmin, 0.0), max(ymax - ymin, 0.0)
    if not size:
        area = max(w * h, 1.0)
        size = math.sqrt(area * target / max(n_points, 1))
        size = max(size, max(w, h, 1.0) / 1000.0)
    if not (size > 0 and math.isfinite(size)):
        raise InputError("The tile size must be a positive distance in metres.")
    ncols, nrows = max(1, int(math.ceil(w / size))), max(1, int(math.ceil(h / size)))
    if w / size == int(w / size) and w > 0:
        ncols += 1  # the point at xmax falls in a tile of its own column
    if h / size == int(h / size) and h > 0:
        nrows += 1
    if ncols * nrows > MAX_TILES:
        raise InputError(f"A tile size of {size:g} m cuts the extent into {ncols * nrows} tiles; "
                         "choose a larger tile size.")
    return TileGrid(float(xmin), float(ymin), float(size), ncols, nrows)


def grid_of_points(x: np.ndarray, y: np.ndarray, size: float = 0.0,
                   target: int = TARGET_POINTS) -> TileGrid:
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return TileGrid(0.0, 0.0, 1.0, 1, 1)
    return grid_for(float(x[ok].min()), float(y[ok].min()), float(x[ok].max()), float(y[ok].max()),
                    int(ok.sum()), size, target)


def in_rect(x, y, rect, halo: float) -> np.ndarray:
    """Points within the rectangle grown by `halo` (a square's halo is taken as its rectangle)."""
    xmin, ymin, xmax, ymax = rect
    return (x >= xmin - halo) & (x < xmax + halo) & (y >= ymin - halo) & (y < ymax + halo)


def cut(x: np.ndarray, y: np.ndarray, grid: TileGrid, halo: np.ndarray) -> Iterator[Tuple[int, np.ndarray, np.ndarray]]:
    """(tile, core, halo) positions into x, y for every tile holding points, in tile order.

    halo: the halo width of each tile (an array over tile ids, or a number for all)."""
    tile = grid.tile_of(x, y)
    order = np.argsort(tile, kind="stable")
    starts = np.searchsorted(tile[order], np.arange(grid.n_tiles + 1))
    widths = np.broadcast_to(np.asarray(halo, float), (grid.n_tiles,))
    for t in range(grid.n_tiles):
        core = order[starts[t]:starts[t + 1]]
        if core.size == 0:
            continue
        h = float(widths[t])
        if h <= 0:
            yield t, core, np.empty(0, np.int64)
            continue
        cand = np.concatenate([order[starts[u]:starts[u + 1]] for u in grid.near(t, h) if u != t] or
                              [np.empty(0, np.int64)])
        sel = in_rect(x[cand], y[cand], grid.bounds(t), h)
        yield t, core, np.sort(cand[sel])

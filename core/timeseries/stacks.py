"""Raster stacks (one file per date): the mean of the pixels inside a circle, window by window."""
import dataclasses
import datetime as dt
import threading
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..crs import same_crs, transform_points
from ..errors import InputError
from ..progress import checkpoint, Progress, ensure
from ..raster import Grid, grid_of, open_raster, read_float, row_windows
from .monthly import MONTH_DAY, stack_dates


@dataclasses.dataclass(frozen=True)
class StackSeries:
    """A stack's values at one place: the circle mean and the pixel count at each date."""

    label: str
    dates: Tuple[dt.date, ...]
    values: np.ndarray
    pixels: np.ndarray


def circle_window(grid: Grid, x: float, y: float, radius: float,
                  site_wkt: str = "") -> Optional[Tuple[Tuple[int, int, int, int], np.ndarray]]:
    """The pixel window around a circle and the mask of its pixels whose centre lies inside.

    The circle is in `site_wkt` (metres); the grid may be in another CRS. When no pixel centre
    falls inside (a circle smaller than a pixel), the pixel holding the centre is used.
    None when the circle misses the raster.
    """
    same = same_crs(site_wkt, grid.crs_wkt)
    ang = np.linspace(0.0, 2.0 * np.pi, 33)
    bx, by = x + radius * np.cos(ang), y + radius * np.sin(ang)
    bx, by = np.r_[bx, x], np.r_[by, y]
    if not same:
        bx, by = transform_points(bx, by, site_wkt, grid.crs_wkt)
    col, row = grid.world_to_pixel(bx, by)
    c0, c1 = int(np.floor(np.min(col))), int(np.floor(np.max(col)))
    r0, r1 = int(np.floor(np.min(row))), int(np.floor(np.max(row)))
    c0, r0 = max(c0, 0), max(r0, 0)
    c1, r1 = min(c1, grid.width - 1), min(r1, grid.height - 1)
    if c1 < c0 or r1 < r0:
        return None
    window = (c0, r0, c1 - c0 + 1, r1 - r0 + 1)
    cx, cy = grid.centres(window)
    gx, gy = np.meshgrid(cx, cy)
    if not same:
        gx, gy = transform_points(gx.ravel(), gy.ravel(), grid.crs_wkt, site_wkt)
        gx, gy = gx.reshape(len(cy), len(cx)), gy.reshape(len(cy), len(cx))
    mask = (gx - x) ** 2 + (gy - y) ** 2 <= radius ** 2
    return _with_centre_pixel(window, mask, col[-1], row[-1])


def polygon_window(grid: Grid, xs: Sequence[float], ys: Sequence[float],
                   site_wkt: str = "") -> Optional[Tuple[Tuple[int, int, int, int], np.ndarray]]:
    """The pixel window around a polygon and the mask of its pixels whose centre lies inside
    (the pixel holding the centroid when none does). None when the polygon misses the raster."""
    from matplotlib.path import Path

    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    same = same_crs(site_wkt, grid.crs_wkt)
    bx, by = np.r_[xs, xs.mean()], np.r_[ys, ys.mean()]
    if not same:
        bx, by = transform_points(bx, by, site_wkt, grid.crs_wkt)
    col, row = grid.world_to_pixel(bx, by)
    c0, c1 = max(int(np.floor(np.min(col))), 0), min(int(np.floor(np.max(col))), grid.width - 1)
    r0, r1 = max(int(np.floor(np.min(row))), 0), min(int(np.floor(np.max(row))), grid.height - 1)
    if c1 < c0 or r1 < r0:
        return None
    window = (c0, r0, c1 - c0 + 1, r1 - r0 + 1)
    cx, cy = grid.centres(window)
    gx, gy = np.meshgrid(cx, cy)
    gx, gy = gx.ravel(), gy.ravel()
    if not same:
        gx, gy = transform_points(gx, gy, grid.crs_wkt, site_wkt)
    mask = Path(np.column_stack([xs, ys])).contains_points(np.column_stack([gx, gy])).reshape(len(cy), len(cx))
    return _with_centre_pixel(window, mask, col[-1], row[-1])


CUBE_BYTES = 256 * 2 ** 20  # a single-grid stack up to this size is held in memory once read
STRIP_ROWS = 512  # rows read between two progress reports (cancel checks) when the stack is loaded


class StackReader:
    """A labelled stack whose files stay open, so repeated circle means only read small windows.

    A stack whose files share one grid and fit in CUBE_BYTES (as float32) is read whole on first
    use and kept as a (dates, rows, cols) cube: a circle mean is then one slice, not a read per
    file. Safe to call from one worker thread at a time (a lock guards the GDAL datasets).
    """

    def __init__(self, label: str, paths: Sequence[str], site_wkt: str = "", month_day: int = MONTH_DAY):
        if not paths:
            raise InputError(f"The stack '{label}' has no files.")
        self.label = label
        self.files: List[Tuple[str, dt.date]] = stack_dates(paths, month_day)
        self.site_wkt = site_wkt
        self._datasets: Dict[str, object] = {}
        self._grids: Dict[str, Grid] = {}
        self._lock = threading.Lock()
        self._cube = None  # None: not decided yet; False: too big or several grids; else the array

    @property
    def dates(self) -> Tuple[dt.date, ...]:
        return tuple(d for _, d in self.files)

    def _open(self, path: str):
        ds = self._datasets.get(path)
        if ds is None:
            ds = open_raster(path)
            self._datasets[path] = ds
            self._grids[path] = grid_of(ds)
        return ds, self._grids[path]

    def circle_means(self, x: float, y: float, radius: float,
                     progress: Optional[Progress] = None) -> StackSeries:
        """The mean of the finite pixels whose centre is within `radius` of (x, y), per date."""
        return self._means(lambda grid: circle_window(grid, x, y, radius, self.site_wkt), progress)

    def polygon_means(self, xs: Sequence[float], ys: Sequence[float],
                      progress: Optional[Progress] = None) -> StackSeries:
        """The mean of the finite pixels whose centre is inside the polygon, per date."""
        return self._means(lambda grid: polygon_window(grid, xs, ys, self.site_wkt), progress)

    def held(self) -> bool:
        """True once the whole stack is in memory (a circle mean is then a slice, no file read)."""
        return bool(self._cube)

    def _load_cube(self, progress: Progress):
        """The whole stack as float32 (nodata as NaN) when it has one grid and is small enough."""
        if self._cube is None:
            grids = {self._open(path)[1] for path, _ in self.files}
            grid = next(iter(grids))
            if len(grids) == 1 and grid.width * grid.height * len(self.files) * 4 <= CUBE_BYTES:
                cube = np.empty((len(self.files), grid.height, grid.width), np.float32)
                for i, (path, _) in enumerate(self.files):
                    band = self._open(path)[0].GetRasterBand(1)
                    for win in row_windows(grid.width, grid.height, STRIP_ROWS):
                        checkpoint()  # circle_means may be called without a progress of its own
                        progress((i + win[1] / grid.height) / len(self.files))
                        cube[i, win[1]:win[1] + win[3]] = read_float(band, win, np.float32)
                self._cube = (grid, cube)
            else:
                self._cube = False
        return self._cube

    def _means(self, window_of, progress: Optional[Progress] = None) -> StackSeries:
        progress = ensure(progress)
        values = np.full(len(self.files), np.nan)
        pixels = np.zeros(len(self.files), dtype=np.int64)
        windows: Dict[Grid, object] = {}
        with self._lock:
            held = self._load_cube(progress)
        if held:
            grid, cube = held
            found = window_of(grid)
            if found is not None:
                (c0, r0, w, h), mask = found
                block = cube[:, r0:r0 + h, c0:c0 + w][:, mask]
                ok = np.isfinite(block)
                pixels = ok.sum(axis=1).astype(np.int64)
                total = np.where(ok, block, 0.0).sum(axis=1, dtype=np.float64)
                with np.errstate(invalid="ignore", divide="ignore"):
                    values = np.where(pixels > 0, total / np.maximum(pixels, 1), np.nan)
            progress(1.0)
            return StackSeries(self.label, self.dates, values, pixels)
        with self._lock:
            for i, (path, _) in enumerate(self.files):
                if i % 8 == 0:
                    progress(i / len(self.files))
                ds, grid = self._open(path)
                if grid not in windows:
                    windows[grid] = window_of(grid)
                found = windows[grid]
                if found is None:
                    continue
                window, mask = found
                block = read_float(ds.GetRasterBand(1), window)[mask]
                block = block[np.isfinite(block)]
                pixels[i] = block.size
                if block.size:
                    values[i] = float(block.mean())
        progress(1.0)
        return StackSeries(self.label, self.dates, values, pixels)

    def close(self) -> None:
        """Release the open files."""
        with self._lock:
            self._datasets.clear()
            self._grids.clear()
            self._cube = None



def _with_centre_pixel(window, mask, col: float, row: float):
    """(window, mask); an empty mask gets the pixel holding the centre (col, row), None when the
    centre lies outside the window."""
    if not mask.any():
        c0, r0, w, h = window
        cc, rr = int(np.floor(col)), int(np.floor(row))
        if not (c0 <= cc < c0 + w and r0 <= rr < r0 + h):
            return None
        mask[rr - r0, cc - c0] = True
    return window, mask

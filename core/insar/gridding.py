"""Tracks onto common places (grid cells or points) and common dates, for the decomposition.

As EGMS L3 Ortho: every measurement point of a track falls in one square cell (aligned to
multiples of the cell size in the tracks' CRS, 100 m in EPSG:3035 for EGMS); per cell and track
the points are averaged (LOS vector, velocity, series) and the result sits at the cell centre.
The standard deviation of a track's cell velocity is sqrt(sum s_i^2) / n (independent points).
At points instead of cells, each point of the first track gathers every track's points within a
radius. Cell series are then resampled onto common dates (a regular step inside the period
every track covers): by default each common date takes the track's nearest acquisition (the
equidistant ones averaged), which is what reproduces the official EGMS L3 series; or linearly.
No value comes from an acquisition more than MAX_GAP days away (linear: across a longer gap).
"""
import dataclasses
import datetime as dt
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError
from ..progress import Progress, checkpoint, ensure

MAX_GAP = 90.0  # days: a longer gap between acquisitions is not interpolated across
DATE_BLOCK = 32  # dates averaged at a time


@dataclasses.dataclass
class Track:
    """One LOS track: points (x, y in the common CRS) with their LOS unit vector and velocity."""

    name: str
    x: np.ndarray
    y: np.ndarray
    east: np.ndarray
    north: np.ndarray
    up: np.ndarray
    velocity: np.ndarray
    velocity_std: np.ndarray
    coherence: np.ndarray
    dates: List[dt.date] = dataclasses.field(default_factory=list)
    series: Optional[np.ndarray] = None  # points x dates, mm


@dataclasses.dataclass
class Targets:
    """Where the solution is given, and which points of each track serve each target."""

    x: np.ndarray
    y: np.ndarray
    ids: Optional[np.ndarray]  # None on a grid: see cell_ids
    members: List[Tuple[np.ndarray, np.ndarray]]  # per track: (target index, point index)
    cells: Optional[np.ndarray] = None  # grid: (column, row) index of each cell
    size: float = 0.0

    def ids_of(self, keep: np.ndarray) -> np.ndarray:
        """The ids of the targets selected by `keep`."""
        return self.ids[keep] if self.ids is not None else cell_ids(self.cells[keep], self.size)


def floor_std(std: np.ndarray) -> np.ndarray:
    """A std of 0 (a rounded value, e.g. EGMS's 0.0) becomes half the smallest positive std."""
    s = np.asarray(std, float).copy()
    positive = s[np.isfinite(s) & (s > 0)]
    if positive.size:
        s[np.isfinite(s) & (s <= 0)] = positive.min() / 2.0
    else:
        s[np.isfinite(s) & (s <= 0)] = np.nan
    return s


def grid_targets(tracks: Sequence[Track], size: float) -> Targets:
    """Square cells of `size` aligned to multiples of it; every cell any track falls in."""
    if not size > 0:
        raise InputError(f"The cell size must be positive (got {size:g}).")
    ix = [np.floor(t.x / size).astype(np.int64) for t in tracks]
    iy = [np.floor(t.y / size).astype(np.int64) for t in tracks]
    x0, y0 = min(int(a.min()) for a in ix), min(int(a.min()) for a in iy)
    rows = max(int(a.max()) for a in iy) - y0 + 1
    keys = [(a - x0) * rows + (b - y0) for a, b in zip(ix, iy)]  # one integer per cell
    checkpoint()
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    checkpoint()
    cells = np.column_stack([unique // rows + x0, unique % rows + y0])
    members, start = [], 0
    for k in keys:
        members.append((inverse[start:start + len(k)], np.arange(len(k))))
        start += len(k)
    return Targets((cells[:, 0] + 0.5) * size, (cells[:, 1] + 0.5) * size, None, members, cells, size)


def _metres(v: np.ndarray) -> np.ndarray:
    """Cell corners for ids: whole metres as integers, else to the millimetre."""
    if np.all(v == np.round(v)):
        return v.astype(np.int64).astype(str)
    return np.char.rstrip(np.char.rstrip(np.char.mod("%.3f", v), "0"), ".")


def cell_ids(cells: np.ndarray, size: float) -> np.ndarray:
    """'E<x>N<y>' of each cell's lower-left corner in the CRS, e.g. E4597500N1739700."""
    if len(cells) == 0:
        return np.empty(0, dtype=object)
    east = np.char.add("E", _metres(cells[:, 0] * float(size)))
    north = np.char.add("N", _metres(cells[:, 1] * float(size)))
    return np.char.add(east, north).astype(object)


def point_targets(tracks: Sequence[Track], radius: float, ids: np.ndarray) -> Targets:
    """The points of the first track; each gathers every track's points within `radius`."""
    from scipy.spatial import cKDTree

    if not radius > 0:
        raise InputError(f"The search radius must be positive (got {radius:g}).")
    first = tracks[0]
    xy = np.column_stack([first.x, first.y])
    members = []
    for t in tracks:
        near = cKDTree(np.column_stack([t.x, t.y])).query_ball_point(xy, radius)
        lengths = np.array([len(n) for n in near], dtype=np.int64)
        target = np.repeat(np.arange(len(xy)), lengths)
        point = np.concatenate([np.asarray(n, dtype=np.int64) for n in near]) if len(near) else target
        members.append((target, point.astype(np.int64)))
    return Targets(first.x.copy(), first.y.copy(), ids, members)


def _mean(target: np.ndarray, values: np.ndarray, n_targets: int) -> np.ndarray:
    ok = np.isfinite(values)
    total = np.bincount(target[ok], values[ok], minlength=n_targets)
    count = np.bincount(target[ok], minlength=n_targets)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


@dataclasses.dataclass
class CellTrack:
    """One track averaged per target: count, LOS vector, velocity, its std, coherence, series."""

    count: np.ndarray
    east: np.ndarray
    north: np.ndarray
    up: np.ndarray
    velocity: np.ndarray
    velocity_std: np.ndarray
    coherence: np.ndarray
    series: Optional[np.ndarray]


def aggregate(track: Track, target: np.ndarray, point: np.ndarray, n_targets: int,
              min_points: int = 1, progress: Optional[Progress] = None) -> CellTrack:
    """Average the points of `track` per target; targets with fewer than min_points get NaN."""
    progress = ensure(progress)
    usable = np.isfinite(track.velocity[point])
    target, point = target[usable], point[usable]
    count = np.bincount(target, minlength=n_targets)
    mean = {}
    for k in ("east", "north", "up", "velocity", "coherence"):
        mean[k] = _mean(target, getattr(track, k)[point], n_targets)
        checkpoint()
    std = floor_std(track.velocity_std)[point]
    known = np.bincount(target[np.isfinite(std)], minlength=n_targets)
    var = np.bincount(target[np.isfinite(std)], std[np.isfinite(std)] ** 2, minlength=n_targets)
    with np.errstate(invalid="ignore", divide="ignore"):
        vstd = np.where(known == count, np.sqrt(var) / count, np.nan)
    series = None
    if track.series is not None and track.dates:
        series = np.empty((n_targets, len(track.dates)))
        for j0 in range(0, len(track.dates), DATE_BLOCK):
            block = track.series[point, j0:j0 + DATE_BLOCK]
            for j in range(block.shape[1]):
                series[:, j0 + j] = _mean(target, block[:, j], n_targets)
            progress(min(1.0, (j0 + DATE_BLOCK) / len(track.dates)))
    weak = count < max(1, int(min_points))
    for arr in (*mean.values(), vstd) + ((series,) if series is not None else ()):
        arr[weak] = np.nan
    return CellTrack(count, mean["east"], mean["north"], mean["up"], mean["velocity"], vstd,
                     mean["coherence"], series)


def common_dates(date_lists: Sequence[Sequence[dt.date]], step_days: int) -> List[dt.date]:
    """Dates every `step_days` from the latest first date to the earliest last date of the tracks
    (0: the first track's own dates inside that period)."""
    if any(not d for d in date_lists):
        raise InputError("Every track needs date fields (DYYYYMMDD) to give the series on common "
                         "dates; untick 'Series on common dates' or import the tracks with their series.")
    start = max(min(d) for d in date_lists)
    end = min(max(d) for d in date_lists)
    if start > end:
        raise InputError(f"The tracks share no period: the latest first date is {start} and the "
                         f"earliest last date {end}.")
    if step_days and step_days > 0:
        n = (end - start).days // int(step_days)
        return [start + dt.timedelta(days=int(step_days) * i) for i in range(n + 1)]
    return sorted(d for d in date_lists[0] if start <= d <= end)


def interpolate(dates: Sequence[dt.date], series: np.ndarray, targets: Sequence[dt.date],
                max_gap: float = MAX_GAP, progress: Optional[Progress] = None,
                method: str = "nearest") -> np.ndarray:
    """Every row of `series` (on `dates`) at `targets`: the nearest valid acquisition (equidistant
    ones averaged) within max_gap days, or linear interpolation without crossing a gap longer
    than max_gap; NaN outside a row's valid dates."""
    progress = ensure(progress)
    rows_at = _nearest_rows if method == "nearest" else _interp_rows
    t = np.array([d.toordinal() for d in dates], float)
    tt = np.array([d.toordinal() for d in targets], float)
    order = np.argsort(t)
    t, y = t[order], np.asarray(series, float)[:, order]
    out = np.full((y.shape[0], len(tt)), np.nan)
    full = np.isfinite(y).all(axis=1)
    if full.any() and len(t) >= 1:
        out[full] = rows_at(t, y[full], tt, max_gap)
    rows = np.flatnonzero(~full)
    for i, r in enumerate(rows):
        ok = np.isfinite(y[r])
        if ok.sum() >= 1:
            out[r] = rows_at(t[ok], y[r:r + 1, ok], tt, max_gap)[0]
        if i % 2000 == 0:
            progress(i / max(len(rows), 1))
    progress(1.0)
    return out


def _nearest_rows(t: np.ndarray, y: np.ndarray, tt: np.ndarray, max_gap: float) -> np.ndarray:
    distance = np.abs(tt[:, None] - t[None, :])  # targets x acquisitions
    nearest = distance.min(axis=1)
    w = (distance == nearest[:, None]).astype(float)
    w /= w.sum(axis=1, keepdims=True)
    out = y @ w.T
    out[:, (tt < t[0]) | (tt > t[-1]) | (nearest > max_gap)] = np.nan
    return out


def _interp_rows(t: np.ndarray, y: np.ndarray, tt: np.ndarray, max_gap: float) -> np.ndarray:
    j = np.clip(np.searchsorted(t, tt, side="right") - 1, 0, len(t) - 1)
    j1 = np.minimum(j + 1, len(t) - 1)
    span = t[j1] - t[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(span > 0, (tt - t[j]) / span, 0.0)
    out = y[:, j] * (1 - w) + y[:, j1] * w
    exact = tt == t[j]
    bad = (tt < t[0]) | (tt > t[-1]) | ((span > max_gap) & ~exact)
    out[:, bad] = np.nan
    return out


def cell_raster(x: np.ndarray, y: np.ndarray, values: np.ndarray, size: float):
    """((x0, size, 0, y1, 0, -size), array) holding `values` at the cells centred on (x, y)."""
    ix = np.floor(np.asarray(x) / size).astype(np.int64)
    iy = np.floor(np.asarray(y) / size).astype(np.int64)
    x0, y1 = ix.min(), iy.max() + 1
    width, height = int(ix.max() - x0 + 1), int(y1 - iy.min())
    if width * height > 100_000_000:
        raise InputError(f"The raster of {width} x {height} cells of {size:g} m is too large; use "
                         "larger cells or leave the raster outputs out (the point layers hold it all).")
    out = np.full((height, width), np.nan, np.float32)
    out[y1 - 1 - iy, ix - x0] = values
    return (float(x0 * size), float(size), 0.0, float(y1 * size), 0.0, -float(size)), out

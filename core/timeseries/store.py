"""InSAR points held for interactive use: coordinates in a k-d tree and the series as float32."""
import dataclasses
import datetime as dt
import os
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from scipy.spatial import cKDTree

from ..dates import date_fields
from ..errors import InputError
from ..points import find_column
from ..progress import Progress, ensure
from ..vector_io import arrow_batches, points_from_wkb

ID_FIELDS = ("pid", "code", "id", "point_id")
# per-point attributes kept beside the series, when the layer has them
EXTRA_FIELDS = {"velocity": ("velocity", "vel", "mean_velocity"),
                "velocity_std": ("velocity_std", "v_stdev", "mean_velocity_std"),
                "rmse": ("rmse",), "rmse_ts": ("rmse_ts",), "los_east": ("los_east",),
                "los_north": ("los_north",), "los_up": ("los_up",),
                "incidence": ("incidence", "incidence_angle"), "heading": ("heading", "track_angle")}


@dataclasses.dataclass(frozen=True)
class CircleSeries:
    """The InSAR points within a circle, summarised per acquisition date."""

    dates: Tuple[dt.date, ...]
    mean: np.ndarray    # mm
    spread: np.ndarray  # standard deviation across the points, mm
    count: np.ndarray   # points with a value on that date
    n_points: int


def summarise(dates: Sequence[dt.date], rows: np.ndarray, complete: bool = False) -> CircleSeries:
    """Mean, spread (sample std) and count per date of an (n_points, n_dates) matrix.

    A block without NULLs (the usual case) takes a fast path: the float64 sums of the float32
    values and of their squares, without a float64 copy of the block.
    complete=True says the caller knows the block has no NULL (PointStore.circle does).
    """
    rows = np.asarray(rows)
    rows = rows.reshape(-1, len(dates))
    n = rows.shape[0]
    if n > 1 and rows.dtype in (np.float32, np.float64) and (complete or np.isfinite(rows).all()):
        total = rows.sum(axis=0, dtype=np.float64)
        squares = np.einsum("ij,ij->j", rows, rows, dtype=np.float64)  # float64 sums, no copy
        mean = total / n
        # one pass for both sums; in float64 the cancellation costs ~1e-12 of the variance here
        spread = np.sqrt(np.maximum(squares - total * mean, 0.0) / (n - 1))
        return CircleSeries(tuple(dates), mean, spread, np.full(len(dates), n, np.int64), int(n))
    rows = rows.astype(np.float64)
    ok = np.isfinite(rows)
    count = ok.sum(axis=0)
    total = np.where(ok, rows, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        dev = np.where(ok, rows - mean, 0.0)
        spread = np.where(count > 1, np.sqrt((dev ** 2).sum(axis=0) / np.maximum(count - 1, 1)),
                          np.nan)
    return CircleSeries(tuple(dates), mean, spread, count.astype(np.int64), int(rows.shape[0]))


def spatial_order(x: np.ndarray, y: np.ndarray, bits: int = 10) -> np.ndarray:
    """A permutation putting the points in Z (Morton) order over a 2^bits grid of their extent
    (points without coordinates last). Stable, so equal cells keep their input order."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        return np.arange(len(x))
    cells = (1 << bits) - 1
    def cell(v):
        lo, hi = np.min(v[ok]), np.max(v[ok])
        c = np.zeros(len(v), np.uint64)
        c[ok] = np.clip(((v[ok] - lo) / ((hi - lo) or 1.0) * cells).astype(np.int64), 0, cells)
        return c
    cx, cy = cell(x), cell(y)
    key = np.zeros(len(x), np.uint64)
    for b in range(bits):
        key |= ((cx >> np.uint64(b)) & np.uint64(1)) << np.uint64(2 * b)
        key |= ((cy >> np.uint64(b)) & np.uint64(1)) << np.uint64(2 * b + 1)
    key[~ok] = np.uint64(1) << np.uint64(2 * bits)
    return np.argsort(key, kind="stable")


class PointStore:
    """Points with ids and a (n_points, n_dates) float32 series matrix, indexed once by a k-d tree.

    lookup='brute' answers the same queries by scanning every point (the benchmark's baseline).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, ids: np.ndarray, dates: Sequence[dt.date],
                 series: np.ndarray, crs_wkt: str = "", lookup: str = "kdtree",
                 extra: Optional[Dict[str, np.ndarray]] = None, reorder: bool = False):
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        # reorder=True: rows in Z order (nearby points in nearby rows), so that a circle's rows are
        # read from memory together; the layer readers use it, row numbers are then the store's own
        order = spatial_order(x, y) if reorder else slice(None)
        self.extra = {k: np.asarray(v, np.float64)[order] for k, v in (extra or {}).items()}
        self.x, self.y = x[order], y[order]
        self.ids = np.asarray(ids)[order]
        self.dates = tuple(dates)
        self.series = np.asarray(series, np.float32)[order]
        self.crs_wkt = crs_wkt
        if self.series.shape != (len(self.x), len(self.dates)):
            raise ValueError(f"series shape {self.series.shape} does not match "
                             f"{len(self.x)} points and {len(self.dates)} dates")
        self._rows = np.flatnonzero(np.isfinite(self.x) & np.isfinite(self.y))
        self.complete_row = np.isfinite(self.series).all(axis=1)  # rows without a NULL date
        if self._rows.size == 0:
            raise InputError("The InSAR layer has no point with valid coordinates.")
        self.lookup = lookup
        self.tree = cKDTree(np.column_stack([self.x[self._rows], self.y[self._rows]]),
                            leafsize=32, balanced_tree=False, compact_nodes=False)

    def __len__(self) -> int:
        return len(self.x)

    def nearest(self, x: float, y: float) -> Tuple[int, float]:
        """(row, distance) of the point nearest to (x, y)."""
        if self.lookup == "brute":
            d2 = (self.x - x) ** 2 + (self.y - y) ** 2
            i = int(np.nanargmin(d2))
            return i, float(np.sqrt(d2[i]))
        dist, k = self.tree.query([x, y])
        return int(self._rows[k]), float(dist)

    def within(self, x: float, y: float, radius: float) -> np.ndarray:
        """Rows of the points within `radius` of (x, y), sorted."""
        if self.lookup == "brute":
            return np.flatnonzero((self.x - x) ** 2 + (self.y - y) ** 2 <= radius * radius)
        return np.sort(self._rows[self.tree.query_ball_point([x, y], radius)])

    def circle(self, x: float, y: float, radius: float) -> CircleSeries:
        """Mean, spread and count of the series of the points within `radius`."""
        return self.summarise(self.within(x, y, radius))

    def summarise(self, rows: np.ndarray, minus: Optional[np.ndarray] = None) -> CircleSeries:
        """Mean, spread and count of the given rows' series (less `minus` per date when given)."""
        block = self.series[rows]
        complete = bool(self.complete_row[rows].all())
        if minus is not None:
            block = block - minus.astype(np.float32)
            complete = complete and bool(np.isfinite(minus).all())
        return summarise(self.dates, block, complete=complete)

    def point_series(self, row: int) -> np.ndarray:
        """The series of one point as float64 (NaN for NULL)."""
        return self.series[row].astype(np.float64)

    def in_polygon(self, xs: Sequence[float], ys: Sequence[float]) -> np.ndarray:
        """Rows of the points inside a polygon (one ring), sorted."""
        from matplotlib.path import Path

        xs, ys = np.asarray(xs, float), np.asarray(ys, float)
        cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
        rows = self.within(cx, cy, float(np.hypot(xs.max() - cx, ys.max() - cy)) + 1e-9)
        if rows.size == 0:
            return rows
        inside = Path(np.column_stack([xs, ys])).contains_points(np.column_stack([self.x[rows], self.y[rows]]))
        return rows[inside]

    def attributes(self, row: int) -> Tuple[Tuple[str, float], ...]:
        """The point's finite extra attributes (velocity, velocity_std, rmse, LOS, ...)."""
        return tuple((k, float(v[row])) for k, v in self.extra.items() if np.isfinite(v[row]))

    def sigma(self, row: int) -> Optional[float]:
        """The point's displacement uncertainty (rmse_ts, else rmse), mm, when the layer has one."""
        for name in ("rmse_ts", "rmse"):
            if name in self.extra and np.isfinite(self.extra[name][row]):
                return float(self.extra[name][row])
        return None


def _text_ids(values) -> np.ndarray:
    """Text ids (OGR's Arrow batches give them as bytes) as str, so that 'A18IT' shows as A18IT."""
    return np.array([v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                     for v in np.asarray(values, dtype=object).tolist()], dtype=object)


def find_id_field(names: Sequence[str]) -> Optional[str]:
    """The point-id field among `names` (pid, CODE, id, point_id), else None."""
    return find_column(names, ID_FIELDS)


def read_store(path: str, layer: Optional[str] = None, progress: Optional[Progress] = None,
               lookup: str = "kdtree") -> PointStore:
    """Read a point file into a PointStore in bulk (OGR Arrow batches, float32 series)."""
    from osgeo import ogr

    ogr.UseExceptions()
    progress = ensure(progress)
    if not os.path.exists(path):
        raise InputError(f"The file '{path}' does not exist.")
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    if lyr is None:
        raise InputError(f"'{os.path.basename(path)}' has no layer named '{layer}'.")
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    dated = date_fields(names)
    if not dated:
        raise InputError("The InSAR layer has no date fields. Date fields are named DYYYYMMDD, "
                         "D_YYYYMMDD or YYYYMMDD, one per acquisition.")
    id_field = find_id_field(names)
    extras = {k: find_column(names, aliases) for k, aliases in EXTRA_FIELDS.items()}
    extras = {k: v for k, v in extras.items() if v is not None}
    keep = [n for n, _ in dated] + ([id_field] if id_field else []) + list(extras.values())
    lyr.SetIgnoredFields([n for n in names if n not in keep])
    n = lyr.GetFeatureCount()
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    ids = np.zeros(n, dtype=np.int64) if id_field is None else None
    id_parts = []
    series = np.full((n, len(dated)), np.nan, np.float32)
    extra = {k: [] for k in extras}
    geom_name = lyr.GetGeometryColumn() or "wkb_geometry"
    fid_name = lyr.GetFIDColumn() or "OGC_FID"
    i = 0
    for batch in arrow_batches(ds, lyr, len(keep), ("INCLUDE_FID=YES", "USE_MASKED_ARRAYS=YES",
                                                   "MAX_FEATURES_IN_BATCH=65536")):
        geoms = batch.get(geom_name)
        k = len(geoms)
        if i + k > n:  # a driver that under-reported its count
            grow = i + k - n
            x, y = np.r_[x, np.full(grow, np.nan)], np.r_[y, np.full(grow, np.nan)]
            series = np.vstack([series, np.full((grow, len(dated)), np.nan, np.float32)])
            if ids is not None:
                ids = np.r_[ids, np.zeros(grow, np.int64)]
            n = i + k
        x[i:i + k], y[i:i + k] = points_from_wkb(geoms)
        for j, (name, _) in enumerate(dated):
            col = batch[name]
            series[i:i + k, j] = np.ma.filled(np.ma.asarray(col, dtype=np.float64), np.nan)
        for key, name in extras.items():
            extra[key].append(np.ma.filled(np.ma.asarray(batch[name], dtype=np.float64), np.nan))
        if ids is not None:
            ids[i:i + k] = batch.get(fid_name, np.arange(i, i + k))
        else:
            id_parts.append(np.ma.filled(np.ma.asarray(batch[id_field]), -1) if
                            np.asarray(batch[id_field]).dtype.kind in "iuf" else
                            _text_ids(batch[id_field]))
        i += k
        progress(0.9 * i / max(n, 1))
    if id_parts:
        ids = np.concatenate(id_parts)
    srs = lyr.GetSpatialRef()
    store = PointStore(x[:i], y[:i], ids[:i], [d for _, d in dated], series[:i],
                       srs.ExportToWkt() if srs is not None else "", lookup,
                       {k: np.concatenate(v)[:i] for k, v in extra.items() if v}, reorder=True)
    progress(1.0)
    return store

"""Splice two adjacent tracks: match points in the overlap, estimate the secondary's offset
robustly (a constant or a plane), remove it from the secondary's rate and series, and merge.

The offset is d = v_secondary - v_reference over matched pairs, modelled as
    constant:  d = a
    plane:     d = a + b * (x - x0) / 1000 + c * (y - y0) / 1000     (b, c in mm/yr per km)
with (x0, y0) the centroid of the matched pairs, fitted by Huber M-estimation (iteratively
reweighted least squares, k = 1.345, scale = median |residual| / 0.6745, re-estimated each pass).
"""
import dataclasses
import datetime as dt
from typing import Optional, Sequence, Tuple

import numpy as np
from scipy.spatial import cKDTree

from ..crs import require_projected, transform_points
from ..dates import decimal_years, field_name
from ..errors import InputError
from ..points import PointTable, numeric
from ..progress import Progress, checkpoint, ensure, row_chunks
from .layout import LAYOUT

MIN_PAIRS = 10
HUBER_K = 1.345


@dataclasses.dataclass(frozen=True)
class Pairs:
    """Matched points: indices into the reference and the secondary, and their distance (m)."""

    ref: np.ndarray
    sec: np.ndarray
    distance: np.ndarray


@dataclasses.dataclass(frozen=True)
class Offset:
    """The fitted offset of the secondary track and how well the corrected tracks agree."""

    correction: str
    a: float
    b: float
    c: float
    origin: Tuple[float, float]
    rmse: float
    rmse_before: float
    n_pairs: int
    fraction_within_3rmse: float

    @property
    def offset(self) -> float:
        """The offset at the centroid of the pairs (mm/yr): the constant, or the plane's a."""
        return self.a

    def at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The offset (mm/yr) at coordinates x, y."""
        return self.a + self.b * (np.asarray(x) - self.origin[0]) / 1000.0 + \
            self.c * (np.asarray(y) - self.origin[1]) / 1000.0


def match_pairs(xr: np.ndarray, yr: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                max_distance: float) -> Pairs:
    """One-to-one pairs: each secondary point to its nearest reference point within max_distance;
    a reference point claimed by several secondaries keeps only the closest one."""
    ok_r = np.flatnonzero(np.isfinite(xr) & np.isfinite(yr))
    ok_s = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
    empty = Pairs(np.empty(0, int), np.empty(0, int), np.empty(0))
    if len(ok_r) == 0 or len(ok_s) == 0:
        return empty
    tree = cKDTree(np.column_stack([xr[ok_r], yr[ok_r]]))
    dist, idx = tree.query(np.column_stack([xs[ok_s], ys[ok_s]]), distance_upper_bound=max_distance)
    hit = np.isfinite(dist)
    if not hit.any():
        return empty
    ref, sec, dist = ok_r[idx[hit]], ok_s[hit], dist[hit]
    order = np.lexsort((sec, dist))
    ref, sec, dist = ref[order], sec[order], dist[order]
    _, first = np.unique(ref, return_index=True)
    keep = np.sort(first)
    return Pairs(ref[keep], sec[keep], dist[keep])


def huber_fit(design: np.ndarray, d: np.ndarray, k: float = HUBER_K, max_iter: int = 100,
              tol: float = 1e-10) -> np.ndarray:
    """Huber M-estimate of the coefficients of d ~ design (IRLS, MAD scale re-estimated each pass)."""
    coef = np.linalg.lstsq(design, d, rcond=None)[0]
    if design.shape[1] == 1 and np.allclose(design, 1.0):
        coef = np.array([np.median(d)])
    for _ in range(max_iter):
        r = d - design @ coef
        scale = np.median(np.abs(r)) / 0.6744897501960817  # MAD about 0, as statsmodels' RLM
        if not scale > 0:
            break
        u = np.abs(r) / (k * scale)
        w = np.where(u <= 1.0, 1.0, 1.0 / np.maximum(u, 1e-300))
        sw = np.sqrt(w)
        new = np.linalg.lstsq(design * sw[:, None], d * sw, rcond=None)[0]
        done = np.max(np.abs(new - coef)) <= tol * (1.0 + np.max(np.abs(coef)))
        coef = new
        if done:
            break
    return coef


def estimate_offset(x: np.ndarray, y: np.ndarray, rate_ref: np.ndarray, rate_sec: np.ndarray,
                    correction: str = "constant") -> Offset:
    """Fit the offset rate_sec - rate_ref at the pair locations x, y (reference coordinates)."""
    if correction not in ("constant", "plane"):
        raise InputError(f"Unknown correction '{correction}'; use constant or plane.")
    d = np.asarray(rate_sec, float) - np.asarray(rate_ref, float)
    n = len(d)
    if n < MIN_PAIRS:
        raise InputError(f"Only {n} matched pairs have a velocity on both tracks; at least {MIN_PAIRS} "
                         "are needed. Increase MATCH_DISTANCE or check that the tracks overlap.")
    x0, y0 = float(np.mean(x)), float(np.mean(y))
    if correction == "constant":
        design = np.ones((n, 1))
    else:
        design = np.column_stack([np.ones(n), (x - x0) / 1000.0, (y - y0) / 1000.0])
        if np.linalg.matrix_rank(design) < 3:
            raise InputError("The matched pairs lie on a line, so a plane cannot be fitted; "
                             "use CORRECTION = constant.")
    coef = huber_fit(design, d)
    a, b, c = (float(coef[0]), 0.0, 0.0) if correction == "constant" else map(float, coef)
    resid = d - design @ coef
    rmse = float(np.sqrt(np.mean(resid ** 2)))
    before = float(np.sqrt(np.mean(d ** 2)))
    within = float(np.mean(np.abs(resid) <= 3.0 * rmse))
    return Offset(correction, a, b, c, (x0, y0), rmse, before, n, within)


def resample_series(src_dates: Sequence[dt.date], series: np.ndarray,
                    dst_dates: Sequence[dt.date]) -> np.ndarray:
    """Linear interpolation in time onto dst_dates; NaN outside the source span or next to a NULL."""
    ts, td = decimal_years(list(src_dates)), decimal_years(list(dst_dates))
    out = np.full((series.shape[0], len(td)), np.nan)
    for k, t in enumerate(td):
        checkpoint()
        if t < ts[0] or t > ts[-1]:
            continue
        j = min(int(np.searchsorted(ts, t, side="right")) - 1, len(ts) - 1)
        if ts[j] == t:
            out[:, k] = series[:, j]
            continue
        w = (t - ts[j]) / (ts[j + 1] - ts[j])
        out[:, k] = (1.0 - w) * series[:, j] + w * series[:, j + 1]
    return out


def remove_offset(dates: Sequence[dt.date], series: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """A series (n_points, n_dates, mm) minus a rate offset (mm/yr) accumulated since its first date."""
    t = decimal_years(list(dates))
    since = (t - t[0])[None, :]
    offset = np.asarray(offset, float)
    out = np.empty(series.shape)
    for rows in row_chunks(*series.shape):
        out[rows] = series[rows] - offset[rows, None] * since
    return out


def _first_valid(series: np.ndarray) -> np.ndarray:
    ok = np.isfinite(series)
    idx = np.where(ok.any(axis=1), ok.argmax(axis=1), 0)
    return series[np.arange(len(series)), idx]


def correct_series(ref_dates: Sequence[dt.date], ref_series: np.ndarray, sec_dates: Sequence[dt.date],
                   sec_series: np.ndarray, sec_offset: np.ndarray, corrected_rate: np.ndarray,
                   pairs: Pairs) -> Tuple[np.ndarray, np.ndarray]:
    """The secondary series on the reference dates, offset removed and aligned (see docs/insar.md).

    Returns the series and the per-epoch alignment constants (zeros when the dates agree).
    """
    ts = decimal_years(list(sec_dates))
    s = remove_offset(sec_dates, sec_series, sec_offset)
    same = list(ref_dates) == list(sec_dates)
    if same:
        return s, np.zeros(len(ref_dates))
    t_ref0 = decimal_years([ref_dates[0]])[0]
    out = resample_series(sec_dates, s, ref_dates)
    if ts[0] <= t_ref0 <= ts[-1]:
        datum = resample_series(sec_dates, s, ref_dates[:1])[:, 0]
    else:  # the secondary starts after the reference: extrapolate with its corrected rate
        datum = _first_valid(s) + corrected_rate * (t_ref0 - ts[0])
    out -= datum[:, None]
    diff = ref_series[pairs.ref] - out[pairs.sec]
    shift = np.zeros(len(ref_dates))
    enough = np.isfinite(diff).sum(axis=0) >= MIN_PAIRS
    if enough.any():
        shift[enough] = np.nanmedian(diff[:, enough], axis=0)
    return out + shift[None, :], shift


def _num(table: PointTable, name: str) -> np.ndarray:
    if name not in table.columns:
        return np.full(len(table), np.nan)
    return numeric(table.columns[name], name)


def _merge_column(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        return np.concatenate([a, b]).astype(np.int64)
    if a.dtype.kind in "fiu" and b.dtype.kind in "fiu":
        return np.concatenate([a.astype(float), b.astype(float)])
    txt = lambda c: np.array([None if v is None or (isinstance(v, float) and v != v) else str(v)  # noqa: E731
                              for v in c.tolist()], dtype=object)
    return np.concatenate([txt(a), txt(b)])


def splice(ref: PointTable, sec: PointTable, max_distance: float = 60.0, correction: str = "constant",
           names: Tuple[str, str] = ("reference", "secondary"),
           progress: Optional[Progress] = None) -> Tuple[PointTable, PointTable, Offset, np.ndarray]:
    """Merged table (with `track`), pairs table, the fitted offset, and the per-epoch alignment."""
    progress = ensure(progress)
    if not max_distance > 0:
        raise InputError("MATCH_DISTANCE must be a positive distance in metres.")
    require_projected(ref.crs_wkt, ref.x, ref.y, "The reference layer")
    sx, sy = transform_points(sec.x, sec.y, sec.crs_wkt, ref.crs_wkt) if sec.crs_wkt else (sec.x, sec.y)
    v_ref, v_sec = _num(ref, "velocity"), _num(sec, "velocity")
    if "velocity" not in ref.columns or "velocity" not in sec.columns:
        raise InputError("Both layers need a 'velocity' field (mm/yr); import them with "
                         "'Import InSAR points' first.")
    ref_dates, ref_series = ref.series()
    sec_dates, sec_series = sec.series()
    progress(0.1)
    ok_r, ok_s = np.isfinite(v_ref), np.isfinite(v_sec)
    for ok, what in ((ok_r, "reference"), (ok_s, "secondary")):
        if not ok.any():
            raise InputError(f"The {what} layer's velocity is NULL at every point; there is nothing to "
                             "match.")
    pairs = match_pairs(np.where(ok_r, ref.x, np.nan), ref.y, np.where(ok_s, sx, np.nan), sy, max_distance)
    if len(pairs.ref) == 0:
        raise InputError(f"The tracks do not overlap: no secondary point lies within {max_distance:g} m of "
                         "a reference point. Check that both layers cover a common strip and share a CRS.")
    fit = estimate_offset(ref.x[pairs.ref], ref.y[pairs.ref], v_ref[pairs.ref], v_sec[pairs.sec], correction)
    progress(0.3)
    sec_off = fit.at(sx, sy)
    v_sec_corr = v_sec - sec_off
    sec_series_corr, shift = correct_series(ref_dates, ref_series, sec_dates, sec_series, sec_off,
                                            v_sec_corr, pairs)
    progress(0.6)
    # Overlap: a secondary point with any reference point within max_distance is dropped.
    fr = np.isfinite(ref.x) & np.isfinite(ref.y)
    fs = np.isfinite(sx) & np.isfinite(sy)
    keep = np.zeros(len(sec), bool)
    dist, _ = cKDTree(np.column_stack([ref.x[fr], ref.y[fr]])).query(
        np.column_stack([sx[fs], sy[fs]]), distance_upper_bound=max_distance)
    keep[np.flatnonzero(fs)] = ~np.isfinite(dist)
    merged = _merged(ref, sec, keep, sx, sy, v_sec_corr, ref_dates, ref_series, sec_series_corr, names)
    pair_table = _pairs_table(ref, sec, pairs, v_ref, v_sec, sec_off)
    progress(1.0)
    return merged, pair_table, fit, shift


def corrected_secondary(ref: PointTable, sec: PointTable, fit: Offset) -> PointTable:
    """The whole secondary track with the fitted offset removed, in the reference's CRS: velocity
    minus offset(x, y), each date minus offset·(t − t_first) on its own dates, every other field as
    it was, and the removed offset (mm/yr) in the field `offset`. The overlap is kept: beside the
    reference it is an independent measurement of the same ground (e.g. for a regression)."""
    sx, sy = transform_points(sec.x, sec.y, sec.crs_wkt, ref.crs_wkt) if sec.crs_wkt else (sec.x, sec.y)
    off = fit.at(sx, sy)
    cols = dict(sec.columns)
    cols["velocity"] = _num(sec, "velocity") - off
    named = sec.date_columns()
    if named:
        dates, series = sec.series()
        fixed = remove_offset(dates, series, off)
        for j, (name, _) in enumerate(named):
            cols[name] = fixed[:, j]
    cols["offset"] = off
    return PointTable(sx, sy, cols, ref.crs_wkt)


def _merged(ref, sec, keep, sx, sy, v_sec_corr, dates, ref_series, sec_series, names) -> PointTable:
    n_r, n_s = len(ref), int(keep.sum())
    cols = {}
    a_pid = ref.columns.get("pid", np.arange(1, n_r + 1, dtype=np.int64))
    b_pid = sec.columns.get("pid", np.arange(1, len(sec) + 1, dtype=np.int64))[keep]
    cols["pid"] = _merge_column(np.asarray(a_pid), np.asarray(b_pid))
    # a reference that is itself a merge (a third track spliced on) keeps its own track names
    ref_names = [None if v is None else str(v) for v in ref.columns["track"].tolist()] \
        if "track" in ref.columns else [names[0]] * n_r
    cols["track"] = np.array(ref_names + [names[1]] * n_s, dtype=object)
    for name in LAYOUT[1:]:
        if name not in ref.columns and name not in sec.columns:
            continue
        b = v_sec_corr[keep] if name == "velocity" else _num(sec, name)[keep]
        cols[name] = np.concatenate([_num(ref, name), b])
    for j, d in enumerate(dates):
        cols[field_name(d)] = np.concatenate([ref_series[:, j], sec_series[keep, j]])
    return PointTable(np.concatenate([ref.x, sx[keep]]), np.concatenate([ref.y, sy[keep]]), cols,
                      ref.crs_wkt)


def _pairs_table(ref, sec, pairs: Pairs, v_ref, v_sec, sec_off) -> PointTable:
    r, s = pairs.ref, pairs.sec
    pid_r = np.asarray(ref.columns.get("pid", np.arange(1, len(ref) + 1)))[r]
    pid_s = np.asarray(sec.columns.get("pid", np.arange(1, len(sec) + 1)))[s]
    diff = v_sec[s] - v_ref[r]
    cols = {"pid_ref": pid_r, "pid_sec": pid_s, "distance": pairs.distance.astype(float),
            "rate_ref": v_ref[r], "rate_sec": v_sec[s], "difference": diff,
            "correction": sec_off[s], "rate_sec_corrected": v_sec[s] - sec_off[s],
            "residual": diff - sec_off[s]}
    valid = np.isfinite(diff)
    table = PointTable(ref.x[r], ref.y[r], cols, ref.crs_wkt)
    return table.subset(valid) if not valid.all() else table

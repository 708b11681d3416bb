"""Raster values at points, read tile by tile (never one read per point)."""
from typing import Optional, Sequence

import numpy as np

from .crs import transform_points
from .errors import InputError
from .progress import Progress, ensure
from .raster import grid_of, open_raster

TILE = 1024


def sample(path: str, x: np.ndarray, y: np.ndarray, points_wkt: str = "",
           bands: Optional[Sequence[int]] = None, method: str = "nearest",
           progress: Optional[Progress] = None) -> np.ndarray:
    """Values of `bands` (1-based; default all) at the points: an (n, n_bands) float array.

    Points outside the raster or on nodata get NaN. Points are reprojected to the raster's
    CRS when `points_wkt` is given and differs. method is 'nearest' or 'bilinear'; bilinear
    needs all four neighbours valid, otherwise the point gets NaN.
    """
    progress = ensure(progress)
    if method not in ("nearest", "bilinear"):
        raise InputError(f"Unknown sampling method '{method}'; use nearest or bilinear.")
    ds = open_raster(path)
    grid = grid_of(ds)
    bands = list(bands) if bands else list(range(1, ds.RasterCount + 1))
    bad = [b for b in bands if b < 1 or b > ds.RasterCount]
    if bad:
        raise InputError(f"Band {bad[0]} does not exist; the raster has {ds.RasterCount} band(s).")
    nodata = [ds.GetRasterBand(b).GetNoDataValue() for b in bands]
    px, py = transform_points(x, y, points_wkt, grid.crs_wkt) if points_wkt else (np.asarray(x, float),
                                                                                  np.asarray(y, float))
    col, row = grid.world_to_pixel(px, py)
    out = np.full((len(px), len(bands)), np.nan)
    if method == "nearest":
        ci, ri = np.floor(col), np.floor(row)
        halo = 0
    else:  # the four pixel centres around the point
        ci, ri = np.floor(col - 0.5), np.floor(row - 0.5)
        halo = 1
    inside = np.isfinite(ci) & np.isfinite(ri) & (ci >= 0) & (ri >= 0) & \
        (ci + halo < grid.width) & (ri + halo < grid.height)
    idx = np.nonzero(inside)[0]
    if idx.size == 0:
        return out
    ci_i, ri_i = ci[idx].astype(np.int64), ri[idx].astype(np.int64)
    tiles_x = (grid.width + TILE - 1) // TILE
    tile = (ri_i // TILE) * tiles_x + ci_i // TILE
    order = np.argsort(tile, kind="stable")
    idx, ci_i, ri_i, tile = idx[order], ci_i[order], ri_i[order], tile[order]
    starts = np.flatnonzero(np.r_[True, tile[1:] != tile[:-1]])
    stops = np.r_[starts[1:], len(tile)]
    band_list = [int(b) for b in bands]
    for k, (a, b) in enumerate(zip(starts, stops)):
        if k % 16 == 0:
            progress(k / len(starts))
        c, r = ci_i[a:b], ri_i[a:b]
        x0, y0 = int(c.min()), int(r.min())
        xs, ys = int(c.max()) - x0 + 1 + halo, int(r.max()) - y0 + 1 + halo
        block = ds.ReadAsArray(x0, y0, xs, ys, band_list=band_list)
        if block is None:
            raise InputError(f"Reading '{path}' failed (is the file truncated or corrupt?).")
        block = block.reshape(len(band_list), ys, xs)
        lc, lr = c - x0, r - y0
        if method == "nearest":
            out[idx[a:b]] = _values(block, lr, lc, nodata).T
        else:
            fx = (col[idx[a:b]] - 0.5) - c
            fy = (row[idx[a:b]] - 0.5) - r
            v00, v01 = _values(block, lr, lc, nodata), _values(block, lr, lc + 1, nodata)
            v10, v11 = _values(block, lr + 1, lc, nodata), _values(block, lr + 1, lc + 1, nodata)
            out[idx[a:b]] = ((v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy).T
    out[~np.isfinite(out)] = np.nan
    progress(1.0)
    return out


def _values(block: np.ndarray, rows: np.ndarray, cols: np.ndarray, nodata) -> np.ndarray:
    """(bands, k) float values of a block at pixels (rows, cols); nodata as NaN."""
    raw = block[:, rows, cols]
    vals = raw.astype(float)
    for j, nd in enumerate(nodata):
        if nd is not None:
            vals[j][raw[j] == nd] = np.nan
    return vals


def require_values(values: np.ndarray, what: str) -> np.ndarray:
    """Refuse sampled values that are all missing: the raster does not cover the points."""
    v = np.asarray(values, float)
    if v.size and not np.isfinite(v).any():
        raise InputError(f"{what} has no value at any of the {v.shape[0]} points: it does not cover "
                         "them, or is nodata there. Check the raster's extent and CRS against the "
                         "points'.")
    return values


def sample_band1(path: str, x: np.ndarray, y: np.ndarray, points_wkt: str, what: str,
                 progress: Optional[Progress] = None) -> np.ndarray:
    """Band 1 of the raster at the points (nearest pixel; NaN outside or on nodata), refused
    by require_values (naming the raster `what`) when it has no value at any point."""
    return require_values(sample(path, x, y, points_wkt, [1], progress=progress)[:, 0], what)

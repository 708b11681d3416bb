"""Window samples for the NDVI-coherence model: NDVI on the coherence grid, n x n window statistics.

The paper (section 3.2): mask pixels whose coherence or NDVI is below 0.2, cut the image into
n x n pixel windows, and keep the windows whose Pearson R between NDVI and coherence passes a
threshold; the window means are the samples the models are fitted to.
"""
import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
from osgeo import gdal

from ..crs import same_crs, transform_points
from ..errors import InputError
from ..progress import Progress, ensure
from ..raster import Grid, grid_of, open_raster, read_float

gdal.UseExceptions()
MIN_VALID_SHARE = 0.5  # a window needs at least half its pixels (and 3) unmasked


def onto_grid(path: str, grid: Grid, what: str = "NDVI") -> tuple:
    """`path` as a dataset on `grid`: itself when the grids match, else a lazy warped VRT.

    A finer raster is averaged (area-weighted: GDAL's 'average' weights each source pixel by
    the fraction of it inside the target pixel); a coarser one is interpolated bilinearly.
    Returns (dataset, how) with `how` one of 'same grid', 'averaged', 'bilinear'.
    """
    src = open_raster(path)
    g = grid_of(src)
    if g.same_as(grid) and same_crs(g.crs_wkt, grid.crs_wkt):
        return src, "same grid"
    if not _overlap(src, g, grid):
        raise InputError(f"The {what} raster does not overlap the coherence raster. Give rasters "
                         "of the same area.")
    finer = g.pixel_size[0] * g.pixel_size[1] < grid.pixel_size[0] * grid.pixel_size[1] * 0.999
    how = "averaged" if finer else "bilinear"
    xmin, ymin, xmax, ymax = grid.extent
    ds = gdal.Warp("", path, format="VRT", outputBounds=(xmin, ymin, xmax, ymax),
                   width=grid.width, height=grid.height, dstSRS=grid.crs_wkt or None,
                   resampleAlg="average" if finer else "bilinear", outputType=gdal.GDT_Float32,
                   dstNodata=float("nan"))
    return ds, how


def _overlap(src: gdal.Dataset, g: Grid, grid: Grid) -> bool:
    if same_crs(g.crs_wkt, grid.crs_wkt):
        return g.overlaps(grid)
    xmin, ymin, xmax, ymax = g.extent
    xs, ys = transform_points(np.array([xmin, xmax, xmin, xmax]), np.array([ymin, ymin, ymax, ymax]),
                              g.crs_wkt, grid.crs_wkt)
    return Grid((xs.min(), 1, 0, ys.max(), 0, -1), int(max(xs.max() - xs.min(), 1)),
                int(max(ys.max() - ys.min(), 1)), grid.crs_wkt).overlaps(grid)


@dataclass(frozen=True)
class WindowSamples:
    """Statistics of every n x n window with enough unmasked pixels."""

    row: np.ndarray            # window row / column index
    col: np.ndarray
    x: np.ndarray              # window centre, map units
    y: np.ndarray
    n_pixels: np.ndarray       # unmasked pixels in the window
    ndvi: np.ndarray           # mean NDVI
    coherence: np.ndarray      # mean coherence
    r: np.ndarray              # Pearson R between NDVI and coherence inside the window
    used: np.ndarray           # |R| >= min_abs_r
    window: int
    tried: int                 # windows with enough unmasked pixels and some variation
    total: int                 # all whole windows in the raster
    resampling: str = ""

    @property
    def best_abs_r(self) -> float:
        return float(np.nanmax(np.abs(self.r))) if np.isfinite(self.r).any() else float("nan")


def window_stats(ndvi: np.ndarray, coh: np.ndarray, n: int, mask_below: float):
    """Per-window count, means and Pearson R of a strip of whole windows (rows = n)."""
    k = ndvi.shape[1] // n
    a = ndvi[:n, :k * n].reshape(n, k, n).transpose(1, 0, 2).reshape(k, n * n)
    b = coh[:n, :k * n].reshape(n, k, n).transpose(1, 0, 2).reshape(k, n * n)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(a) & np.isfinite(b) & (a >= mask_below) & (b >= mask_below)
    cnt = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ma = np.where(ok, a, 0).sum(axis=1) / cnt
        mb = np.where(ok, b, 0).sum(axis=1) / cnt
        da = np.where(ok, a - ma[:, None], 0)
        db = np.where(ok, b - mb[:, None], 0)
        sab, saa, sbb = (da * db).sum(axis=1), (da * da).sum(axis=1), (db * db).sum(axis=1)
        r = sab / np.sqrt(saa * sbb)
    return cnt, ma, mb, r


def sample_windows(ndvi_path: str, coherence_path: str, window: int = 10, mask_below: float = 0.2,
                   min_abs_r: float = 0.6, progress: Optional[Progress] = None) -> WindowSamples:
    """Window means of NDVI and coherence and their R, on the coherence grid, strip by strip."""
    progress = ensure(progress)
    if window < 2:
        raise InputError(f"WINDOW must be at least 2 pixels to compute a correlation (got {window}).")
    cds = open_raster(coherence_path)
    grid = grid_of(cds)
    if window > min(grid.width, grid.height):
        raise InputError(f"The window ({window} x {window} pixels) is larger than the coherence "
                         f"raster ({grid.width} x {grid.height} pixels). Use a smaller WINDOW.")
    nds, how = onto_grid(ndvi_path, grid)
    cband, nband = cds.GetRasterBand(1), nds.GetRasterBand(1)
    k = grid.width // window
    rows_w = grid.height // window
    out = {key: [] for key in ("row", "col", "cnt", "ndvi", "coh", "r")}
    cmax = -np.inf
    need = max(3, math.ceil(MIN_VALID_SHARE * window * window))
    for i in range(rows_w):
        progress(i / max(rows_w, 1))
        win = (0, i * window, k * window, window)
        c = read_float(cband, win, np.float64)
        v = read_float(nband, win, np.float64)
        if np.isfinite(c).any():
            cmax = max(cmax, float(np.nanmax(c)))
        cnt, mn, mc, r = window_stats(v, c, window, mask_below)
        keep = (cnt >= need) & np.isfinite(r)
        idx = np.nonzero(keep)[0]
        out["row"].append(np.full(idx.size, i))
        out["col"].append(idx)
        out["cnt"].append(cnt[idx])
        out["ndvi"].append(mn[idx])
        out["coh"].append(mc[idx])
        out["r"].append(r[idx])
    progress(1.0)
    if cmax > 1.0 + 1e-3:
        raise InputError(f"The COHERENCE raster holds values up to {cmax:.3g}; coherence lies in "
                         "[0, 1]. Is it a coherence raster (and not an amplitude or intensity)?")
    cat = {key: (np.concatenate(v) if v else np.empty(0)) for key, v in out.items()}
    x0, dx, _, y0, _, dy = grid.transform
    xs = x0 + dx * (cat["col"] + 0.5) * window
    ys = y0 + dy * (cat["row"] + 0.5) * window
    r = cat["r"]
    return WindowSamples(cat["row"].astype(np.int64), cat["col"].astype(np.int64), xs, ys,
                         cat["cnt"].astype(np.int64), cat["ndvi"], cat["coh"], r,
                         np.abs(r) >= min_abs_r, window, int(r.size), int(k * rows_w), how)

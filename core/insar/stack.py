"""A dated GeoTIFF stack (displacement in mm) to points, one per valid pixel centre.

Two shapes are accepted: one multi-band file whose band descriptions are dates
(DYYYYMMDD, YYYYMMDD or YYYY-MM-DD), or one of several single-band files named with a date
(disp_20190109.tif, disp_20190121.tif, ...) in one folder: the others are found beside it.
"""
import datetime as dt
import glob
import os
import re
from typing import List, Optional, Tuple

import numpy as np

from ..dates import date_of_field, date_of_filename, parse_yyyymmdd
from ..errors import InputError
from ..points import PointTable
from ..progress import Progress, ensure
from ..raster import grid_of, open_raster, read_float, row_windows
from .layout import make_table

RASTER_EXTENSIONS = (".tif", ".tiff", ".vrt", ".img")
_DATE_IN_NAME = re.compile(r"(?<!\d)\d{4}[-_]?\d{2}[-_]?\d{2}(?!\d)")


def _band_date(text: str) -> Optional[dt.date]:
    """The date a band description stands for (DYYYYMMDD, D_YYYYMMDD, YYYYMMDD, YYYY-MM-DD)."""
    text = (text or "").strip()
    d = date_of_field(text)  # raises InputError for a date-shaped name that is not a real date
    if d is not None:
        return d
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return parse_yyyymmdd("".join(m.groups()))
    return None


def stack_layers(path: str) -> List[Tuple[str, int, dt.date]]:
    """(file, band, date) of every layer of the stack `path` belongs to, sorted by date."""
    ds = open_raster(path)
    if ds.RasterCount > 1:
        dates = [_band_date(ds.GetRasterBand(b).GetDescription()) for b in range(1, ds.RasterCount + 1)]
        if any(d is None for d in dates):
            raise InputError(f"'{os.path.basename(path)}' has {ds.RasterCount} bands but not every band "
                             "description is a date. Name the bands DYYYYMMDD, or give one single-band "
                             "file per date named like disp_YYYYMMDD.tif.")
        layers = [(path, b + 1, d) for b, d in enumerate(dates)]
    else:
        stem, ext = os.path.splitext(os.path.basename(path))
        if date_of_filename(path) is None or not _DATE_IN_NAME.search(stem):
            raise InputError(f"'{os.path.basename(path)}' is a single raster without a date in its name. "
                             "Give a multi-band file with dated band descriptions, or one file per date "
                             "named like disp_YYYYMMDD.tif; if it holds a velocity in mm/yr, choose the "
                             "FORMAT 'Velocity raster'.")
        key = _DATE_IN_NAME.sub("#", stem)
        folder = os.path.dirname(os.path.abspath(path))
        layers = []
        for p in sorted(glob.glob(os.path.join(glob.escape(folder), "*" + ext))):
            s = os.path.splitext(os.path.basename(p))[0]
            if _DATE_IN_NAME.search(s) and _DATE_IN_NAME.sub("#", s) == key:
                layers.append((p, 1, date_of_filename(p)))
    layers.sort(key=lambda t: t[2])
    for a, b in zip(layers, layers[1:]):
        if a[2] == b[2]:
            raise InputError(f"Two layers of the stack have the date {a[2].isoformat()} "
                             f"({os.path.basename(a[0])} band {a[1]}, {os.path.basename(b[0])} band {b[1]}).")
    return layers


def read_stack(path: str, nodata: Optional[float] = None, rows_per_strip: int = 256,
               progress: Optional[Progress] = None) -> PointTable:
    """Every pixel with at least one valid value becomes a point; velocity is fitted (mm/yr)."""
    progress = ensure(progress)
    layers = stack_layers(path)
    datasets = {p: open_raster(p) for p in {p for p, _, _ in layers}}
    grid = grid_of(datasets[layers[0][0]])
    for p, ds in datasets.items():
        if not grid_of(ds).same_as(grid):
            raise InputError(f"'{os.path.basename(p)}' is not on the same grid as "
                             f"'{os.path.basename(layers[0][0])}'; warp the stack to one grid first.")
    xs, ys, series = [], [], []
    for w in row_windows(grid.width, grid.height, rows_per_strip):
        block = np.stack([read_float(datasets[p].GetRasterBand(b), w) for p, b, _ in layers])
        if nodata is not None:
            block[block == nodata] = np.nan
        valid = np.isfinite(block).any(axis=0)
        rr, cc = np.nonzero(valid)
        cx, cy = grid.centres(w)
        xs.append(cx[cc])
        ys.append(cy[rr])
        series.append(block[:, rr, cc].T)
        progress((w[1] + w[3]) / grid.height)
    x = np.concatenate(xs)
    if len(x) == 0:
        raise InputError(f"The stack of '{os.path.basename(path)}' has no valid pixel.")
    return make_table(x, np.concatenate(ys), grid.crs_wkt, [d for _, _, d in layers],
                      np.concatenate(series))

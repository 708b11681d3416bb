"""Dated rasters and sources aligned onto one output grid, read window by window with bounded memory.

Every reader here goes through GDAL's block cache. The cache is process-wide and by default may
grow to 5% of RAM, so the loops flush the datasets they use once a strip of 256 rows (one row of
output blocks) is done (`Source.release`). A run then holds about one row of blocks per input and
output, whatever the raster size: some 100 MB for a 10980 x 10980 Sentinel-2 tile.
"""
import calendar
import dataclasses
import datetime as dt
import os
import re
from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, osr

from ..crs import same_crs
from ..dates import file_date
from ..errors import Cancelled, InputError
from ..raster import Grid, Window, extents_overlap, grid_of, open_raster, read_float

gdal.UseExceptions()
osr.UseExceptions()

STRIP_PIXELS = 1 << 22  # about 4 M pixels per window over all its float32 arrays (16 MB)
OUT_ROWS = 256  # the block height of the GeoTIFFs core.raster.create writes
_META_KEYS = ("ACQUISITION_DATE", "ACQUISITIONDATE", "DATE_ACQUIRED", "SENSING_TIME", "SENSING_DATE",
              "PRODUCT_START_TIME", "DATATAKE_1_DATATAKE_SENSING_START", "START_TIME", "DATE",
              "TIFFTAG_DATETIME")
_META_DATE = re.compile(r"(\d{4})[-:/]?(\d{2})[-:/]?(\d{2})")


@dataclasses.dataclass(frozen=True)
class DatedRaster:
    """A raster with the period it stands for: one day, or a whole month for YYYYMM names."""

    path: str
    start: dt.date
    end: dt.date
    source: str  # where the date came from: 'file name' or the metadata key

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    def in_window(self, first: dt.date, last: dt.date) -> bool:
        """True when the raster's period overlaps [first, last] (both ends inclusive)."""
        return self.start <= last and self.end >= first

    def in_month(self, year: int, month: int) -> bool:
        """True when the raster's period overlaps the given calendar month."""
        last = calendar.monthrange(year, month)[1]
        return self.in_window(dt.date(year, month, 1), dt.date(year, month, last))


def _date_in_metadata(ds: gdal.Dataset) -> Optional[Tuple[dt.date, str]]:
    domains = [ds.GetMetadata() or {}] + [ds.GetRasterBand(1).GetMetadata() or {}]
    for key in _META_KEYS:
        for md in domains:
            value = next((v for k, v in md.items() if k.upper() == key), None)
            if not value:
                continue
            m = _META_DATE.search(value)
            if m:
                try:
                    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), key
                except ValueError:
                    continue
    return None


def date_raster(path: str) -> DatedRaster:
    """The date of a raster: from its file name (YYYYMMDD or YYYYMM), else from GDAL metadata."""
    found = file_date(path)
    if found is not None:
        return DatedRaster(path, found.first, found.last, "file name")
    found = _date_in_metadata(open_raster(path))
    if found is None:
        raise InputError(f"No date found for '{os.path.basename(path)}': put it in the file name as "
                         "YYYYMMDD or YYYYMM (e.g. ndvi_20190709.tif), or set the GDAL metadata item "
                         "ACQUISITION_DATE.")
    return DatedRaster(path, found[0], found[0], found[1])


def date_rasters(paths: Sequence[str]) -> List[DatedRaster]:
    """Every raster with its date, sorted by date (repeated dates are allowed)."""
    if not paths:
        raise InputError("No input rasters were given.")
    out = [date_raster(p) for p in paths]
    out.sort(key=lambda r: (r.start, r.path))
    return out


def in_window(rasters: Sequence[DatedRaster], first: dt.date, last: dt.date) -> List[DatedRaster]:
    """The rasters inside [first, last], both ends inclusive; InputError when there are none."""
    if last < first:
        raise InputError(f"The window ends ({last.isoformat()}) before it starts ({first.isoformat()}); "
                         "swap START and END.")
    chosen = [r for r in rasters if r.in_window(first, last)]
    if not chosen:
        span = f"{rasters[0].start.isoformat()} to {rasters[-1].end.isoformat()}" if rasters else "none"
        raise InputError(f"No dated input falls between {first.isoformat()} and {last.isoformat()} "
                         f"(the inputs cover {span}). Widen the window or add rasters for it.")
    return chosen


def crs_name(wkt: str) -> str:
    if not wkt:
        return "no CRS"
    srs = osr.SpatialReference()
    srs.SetFromUserInput(wkt)
    code = srs.GetAuthorityCode(None)
    return f"{srs.GetName()}" + (f" (EPSG:{code})" if code else "")


def extent_in(grid: Grid, wkt: str) -> Tuple[float, float, float, float]:
    """The grid's extent expressed in another CRS (xmin, ymin, xmax, ymax)."""
    if same_crs(grid.crs_wkt, wkt):
        return grid.extent
    src, dst = osr.SpatialReference(), osr.SpatialReference()
    src.SetFromUserInput(grid.crs_wkt)
    dst.SetFromUserInput(wkt)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, dst)
    xmin, ymin, xmax, ymax = grid.extent
    return tuple(ct.TransformBounds(xmin, ymin, xmax, ymax, 21))


def _check_band(ds: gdal.Dataset, band: int, path: str) -> None:
    if not 1 <= int(band) <= ds.RasterCount:
        raise InputError(f"Band {band} does not exist in '{os.path.basename(path)}', which has "
                         f"{ds.RasterCount} band(s). Choose a band from 1 to {ds.RasterCount}.")


class Source:
    """One band of a raster as seen on an output grid: read directly, or through a warped VRT."""

    def __init__(self, path: str, grid: Grid, band: int = 1, resampling: str = "average",
                 reproject: bool = False, what: str = "the output grid"):
        self.path = path
        self.ds = open_raster(path)
        _check_band(self.ds, band, path)
        own = grid_of(self.ds)
        name = os.path.basename(path)
        if not same_crs(own.crs_wkt, grid.crs_wkt) and not reproject:
            raise InputError(f"'{name}' is in {crs_name(own.crs_wkt)} but {what} is in "
                             f"{crs_name(grid.crs_wkt)}. Give a TARGET raster to define the output grid "
                             "(inputs are then reprojected onto it), or warp the inputs to one CRS first.")
        if not extents_overlap(extent_in(own, grid.crs_wkt), grid.extent):
            raise InputError(f"'{name}' does not overlap {what}; check that the inputs cover the same "
                             "area (and carry the right CRS).")
        self.resampled = not (own.same_as(grid) and same_crs(own.crs_wkt, grid.crs_wkt))
        self._keep = [self.ds]  # a warped VRT holds plain handles to its sources: keep them alive
        if self.resampled:
            src_band = self.ds.GetRasterBand(int(band))
            nodata = src_band.GetNoDataValue()
            if nodata is None and src_band.DataType in (gdal.GDT_Float32, gdal.GDT_Float64):
                nodata = np.nan
            one = gdal.Translate("", self.ds, format="VRT", bandList=[int(band)])
            xmin, ymin, xmax, ymax = grid.extent
            self.ds = gdal.Warp("", one, format="VRT", outputBounds=(xmin, ymin, xmax, ymax),
                                width=grid.width, height=grid.height, dstSRS=grid.crs_wkt or None,
                                resampleAlg=resampling, outputType=gdal.GDT_Float32,
                                srcNodata=nodata, dstNodata=np.nan, multithread=False)
            self._keep.append(one)
            band = 1
        self.band = self.ds.GetRasterBand(int(band))
        self.block_rows = 0 if self.resampled else self.band.GetBlockSize()[1]

    def read(self, window: Window) -> np.ndarray:
        """A window of the band on the output grid as float32, nodata as NaN."""
        return read_float(self.band, window, dtype=np.float32)

    def release(self, row_end: int) -> None:
        """Drop this source's cached blocks once a strip ending at `row_end` has used them up.

        Blocks still needed by the next strip (a block taller than a strip) are kept, so every
        input block is decoded once; the cache then holds at most one row of blocks per input.
        """
        if self.block_rows and row_end % self.block_rows and row_end < self.band.YSize:
            return
        self.ds.FlushCache()
        for ds in self._keep:
            ds.FlushCache()


def reference_grid(path: str) -> Grid:
    """The grid of a raster (the first input or a TARGET)."""
    return grid_of(open_raster(path))


def output_grid(target: str, first_input: str) -> Tuple[Grid, str]:
    """The output grid (TARGET's, else the first input's) and how to name it in a message."""
    if target:
        return reference_grid(target), f"the TARGET raster '{os.path.basename(target)}'"
    return reference_grid(first_input), f"the first input '{os.path.basename(first_input)}'"


def windows_for(grid: Grid, arrays: int = 1, budget: Optional[int] = None) -> List[Tuple[Window, bool]]:
    """Windows in strips of 256 rows (the output's block height), split into column chunks so that
    `arrays` float32 arrays of one window fit the pixel budget; True marks a strip's last window.
    """
    budget = budget or STRIP_PIXELS
    rows = min(OUT_ROWS, grid.height)
    cols = min(grid.width, max(OUT_ROWS, budget // max(1, arrays * rows) // OUT_ROWS * OUT_ROWS))
    out = []
    for yoff in range(0, grid.height, rows):
        ys = min(rows, grid.height - yoff)
        starts = list(range(0, grid.width, cols))
        for k, xoff in enumerate(starts):
            out.append(((xoff, yoff, min(cols, grid.width - xoff), ys), k == len(starts) - 1))
    return out


class Sample:
    """A thinned sample of the values written so far, for the limits of a colour ramp."""

    def __init__(self, total_pixels: int, cap: int = 200_000):
        # every stride-th row and column: about `cap` values spread over the whole raster
        self.stride = max(1, int(np.ceil(np.sqrt(total_pixels / cap))))
        self.cap, self.parts, self.n = cap, [], 0

    def add(self, arr: np.ndarray) -> None:
        v = arr[:: self.stride, :: self.stride]
        v = v[np.isfinite(v)]
        if self.n < self.cap and v.size:
            self.parts.append(v[: self.cap - self.n].astype(np.float64))
            self.n += min(v.size, self.cap - self.n)

    def _values(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.empty(0)

    def abs_limit(self, q: float = 98.0) -> Optional[float]:
        """The q-th percentile of |values| (None when nothing finite was written)."""
        v = self._values()
        return float(np.percentile(np.abs(v), q)) if v.size else None

    def limits(self, lo: float = 2.0, hi: float = 98.0) -> Optional[Tuple[float, float]]:
        """The lo-th and hi-th percentiles of the values (None when nothing finite was written)."""
        v = self._values()
        return (float(np.percentile(v, lo)), float(np.percentile(v, hi))) if v.size else None

    def within(self, lo: float, hi: float) -> bool:
        """True when every sampled value lies in [lo, hi] (e.g. NDVI in [-1, 1])."""
        v = self._values()
        return bool(v.size) and float(v.min()) >= lo and float(v.max()) <= hi


def gdal_callback(progress):
    """A GDAL progress callback that forwards to `progress` and stops GDAL on cancel."""
    state = {"cancelled": False}

    def callback(fraction, _message, _data):
        try:
            progress(fraction)
        except Cancelled:
            state["cancelled"] = True
            return 0
        return 1

    callback.state = state
    return callback


def run_gdal(func, progress, *args, **kwargs):
    """Call a GDAL utility with a cancellable progress callback; raise Cancelled if it stopped."""
    cb = gdal_callback(progress)
    try:
        out = func(*args, callback=cb, **kwargs)
    except RuntimeError:
        if cb.state["cancelled"]:
            raise Cancelled() from None
        raise
    if cb.state["cancelled"]:
        raise Cancelled()
    return out

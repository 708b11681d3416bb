"""Raster reading and writing with GDAL, block by block, with atomic outputs."""
import contextlib
import dataclasses
import os
from typing import Iterator, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, osr

from .atomic import atomic_output
from .errors import InputError

gdal.UseExceptions()

Window = Tuple[int, int, int, int]  # xoff, yoff, xsize, ysize


def _compression() -> list:
    """ZSTD level 1 where GDAL has it (about DEFLATE's size at close to uncompressed speed)."""
    options = gdal.GetDriverByName("GTiff").GetMetadataItem("DMD_CREATIONOPTIONLIST") or ""
    return ["COMPRESS=ZSTD", "ZSTD_LEVEL=1"] if "ZSTD" in options else ["COMPRESS=DEFLATE", "ZLEVEL=1"]


GTIFF_OPTIONS = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", *_compression(), "BIGTIFF=IF_SAFER"]


@dataclasses.dataclass(frozen=True)
class Grid:
    """A north-up raster grid: geotransform, size and CRS."""

    transform: Tuple[float, float, float, float, float, float]
    width: int
    height: int
    crs_wkt: str = ""

    @property
    def pixel_size(self) -> Tuple[float, float]:
        return abs(self.transform[1]), abs(self.transform[5])

    @property
    def extent(self) -> Tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax)."""
        x0, dx, _, y0, _, dy = self.transform
        xs = (x0, x0 + dx * self.width)
        ys = (y0, y0 + dy * self.height)
        return min(xs), min(ys), max(xs), max(ys)

    def world_to_pixel(self, x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Fractional (column, row) of world coordinates; pixel centres are at +0.5."""
        x0, dx, _, y0, _, dy = self.transform
        return (np.asarray(x) - x0) / dx, (np.asarray(y) - y0) / dy

    def centres(self, window: Optional[Window] = None) -> Tuple[np.ndarray, np.ndarray]:
        """World x of the columns and y of the rows of a window (pixel centres)."""
        xoff, yoff, xs, ys = window or (0, 0, self.width, self.height)
        x0, dx, _, y0, _, dy = self.transform
        return x0 + dx * (np.arange(xoff, xoff + xs) + 0.5), y0 + dy * (np.arange(yoff, yoff + ys) + 0.5)

    def same_as(self, other: "Grid", tol: float = 1e-6) -> bool:
        """True when both grids have the same size and geotransform (CRS not compared)."""
        return (self.width, self.height) == (other.width, other.height) and np.allclose(
            self.transform, other.transform, rtol=0, atol=tol * max(self.pixel_size))

    def overlaps(self, other: "Grid") -> bool:
        return extents_overlap(self.extent, other.extent)


def extents_overlap(a: Tuple[float, ...], b: Tuple[float, ...]) -> bool:
    """True when two (xmin, ymin, xmax, ymax) extents share some area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def open_raster(path: str, update: bool = False) -> gdal.Dataset:
    """Open a raster or raise InputError with a helpful message."""
    if not path:
        raise InputError("No raster was given.")
    if not os.path.exists(path.split("|")[0]) and not path.startswith(("/vsi", "NETCDF:", "HDF5:")):
        raise InputError(f"The raster '{path}' does not exist.")
    try:
        ds = gdal.Open(path, gdal.GA_Update if update else gdal.GA_ReadOnly)
    except RuntimeError as e:
        raise InputError(f"Cannot read '{os.path.basename(path)}' as a raster "
                         f"(is it truncated or corrupt?): {e}") from None
    if ds is None or ds.RasterCount == 0:
        raise InputError(f"Cannot read '{os.path.basename(path)}' as a raster.")
    return ds


def grid_of(ds: gdal.Dataset) -> Grid:
    gt = ds.GetGeoTransform()
    if gt[2] != 0 or gt[4] != 0:
        raise InputError(f"'{os.path.basename(ds.GetDescription())}' is rotated; warp it to a "
                         "north-up grid first (Raster > Projections > Warp).")
    return Grid(tuple(gt), ds.RasterXSize, ds.RasterYSize, ds.GetProjection() or "")


def row_windows(width: int, height: int, rows: int) -> Iterator[Window]:
    """Strips of whole rows covering the raster."""
    for yoff in range(0, height, rows):
        yield 0, yoff, width, min(rows, height - yoff)


def read_float(band: gdal.Band, window: Optional[Window] = None, dtype=np.float64) -> np.ndarray:
    """A window of a band as floats, with nodata and non-finite values as NaN."""
    xoff, yoff, xs, ys = window or (0, 0, band.XSize, band.YSize)
    arr = band.ReadAsArray(xoff, yoff, xs, ys)
    if arr is None:
        raise InputError("Reading the raster failed (is the file truncated or corrupt?).")
    if np.iscomplexobj(arr):
        raise InputError("The raster is complex; this step needs a real-valued raster.")
    out = arr.astype(dtype, copy=True)
    nodata = band.GetNoDataValue()
    if nodata is not None:
        out[arr == nodata] = np.nan
    out[~np.isfinite(out)] = np.nan
    return out


def srs_wkt(text: str) -> str:
    """WKT for an 'EPSG:nnnn' code or WKT text."""
    if not text:
        return ""
    srs = osr.SpatialReference()
    srs.SetFromUserInput(text)
    return srs.ExportToWkt()


def is_geographic(wkt: str) -> bool:
    if not wkt:
        return False
    srs = osr.SpatialReference()
    srs.SetFromUserInput(wkt)
    return bool(srs.IsGeographic())


@contextlib.contextmanager
def create(path: str, grid: Grid, bands: int = 1, dtype=gdal.GDT_Float32,
           nodata: Optional[float] = np.nan, options: Sequence[str] = GTIFF_OPTIONS,
           descriptions: Optional[Sequence[str]] = None) -> Iterator[gdal.Dataset]:
    """Create a GeoTIFF at a temporary path, yield it, and move it to `path` when the block ends.

    Drop every reference to the yielded dataset inside the block: one kept past it is closed
    later and leaves a stray `.aux.xml` beside the moved file.
    """
    with atomic_output(path) as tmp:
        drv = gdal.GetDriverByName("GTiff")
        ds = drv.Create(tmp, grid.width, grid.height, bands, dtype, options=list(options))
        ds.SetGeoTransform(grid.transform)
        if grid.crs_wkt:
            ds.SetProjection(grid.crs_wkt)
        for b in range(bands):
            band = ds.GetRasterBand(b + 1)
            if nodata is not None:
                band.SetNoDataValue(float(nodata))
            if descriptions:
                band.SetDescription(descriptions[b])
        try:
            yield ds
            ds.FlushCache()
        finally:
            ds = None


def write_array(path: str, grid: Grid, array: np.ndarray, nodata: Optional[float] = np.nan,
                dtype=gdal.GDT_Float32, descriptions: Optional[Sequence[str]] = None) -> str:
    """Write a whole (bands, rows, cols) or (rows, cols) array as a GeoTIFF."""
    arr = array[None] if array.ndim == 2 else array
    with create(path, grid, arr.shape[0], dtype, nodata, descriptions=descriptions) as ds:
        for b in range(arr.shape[0]):
            ds.GetRasterBand(b + 1).WriteArray(arr[b])
    return path

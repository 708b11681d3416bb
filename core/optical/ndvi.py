"""NDVI = (NIR - Red) / (NIR + Red), on arrays and on rasters strip by strip."""
import dataclasses
import os
from typing import Optional

import numpy as np

from ..errors import InputError
from ..progress import Progress, ensure
from ..raster import create, grid_of, open_raster
from .stack import Source, crs_name, same_crs, windows_for


@dataclasses.dataclass(frozen=True)
class NdviResult:
    """What an NDVI run wrote: the path, the grid size and how many pixels got a value."""

    path: str
    width: int
    height: int
    valid: int
    masked: int
    nir_resampled: bool


def ndvi(red: np.ndarray, nir: np.ndarray, scale: float = 1.0, offset: float = 0.0) -> np.ndarray:
    """NDVI of reflectance = value * scale + offset; NaN where an input is NaN or NIR + Red <= 0.

    Values are clipped to [-1, 1] (only reachable with negative reflectances). The result is
    float32; NaN marks nodata.
    """
    r = np.asarray(red, dtype=np.float32)
    n = np.asarray(nir, dtype=np.float32)
    if scale != 1.0 or offset != 0.0:
        r = r * np.float32(scale) + np.float32(offset)
        n = n * np.float32(scale) + np.float32(offset)
    den = n + r
    good = den > 0  # False for NaN too
    out = np.full(den.shape, np.nan, dtype=np.float32)
    np.divide(n - r, den, out=out, where=good)
    np.clip(out, -1.0, 1.0, out=out)
    return out


def ndvi_raster(red_path: str, red_band: int, nir_path: Optional[str], nir_band: int, out_path: str,
                scale: float = 1.0, offset: float = 0.0,
                progress: Optional[Progress] = None) -> NdviResult:
    """Write the NDVI of two bands (of one raster, or of two) as a float32 GeoTIFF on RED's grid.

    A NIR raster on another grid in the same CRS is resampled onto RED's grid (average).
    """
    progress = ensure(progress)
    if scale == 0:
        raise InputError("SCALE must not be 0: reflectance = value x SCALE + OFFSET.")
    same_file = not nir_path or os.path.abspath(nir_path) == os.path.abspath(red_path)
    if same_file and int(red_band) == int(nir_band):
        raise InputError(f"RED and NIR are both band {red_band} of '{os.path.basename(red_path)}'. "
                         "Choose the near-infrared band as NIR_BAND (e.g. B8 for Sentinel-2).")
    grid = grid_of(open_raster(red_path))
    red = Source(red_path, grid, red_band)
    if not same_file:
        nir_crs = grid_of(open_raster(nir_path)).crs_wkt
        if not same_crs(nir_crs, grid.crs_wkt):
            raise InputError(f"The NIR raster '{os.path.basename(nir_path)}' is in {crs_name(nir_crs)} but "
                             f"the RED raster is in {crs_name(grid.crs_wkt)}. Warp one onto the other's "
                             "CRS first (Raster > Projections > Warp).")
    nir = Source(red_path if same_file else nir_path, grid, nir_band, what="the RED raster")
    windows = windows_for(grid, arrays=6)
    valid = 0
    with create(out_path, grid, 1, descriptions=["NDVI"]) as ds:
        band = ds.GetRasterBand(1)
        for i, (win, strip_done) in enumerate(windows):
            progress(i / len(windows))
            out = ndvi(red.read(win), nir.read(win), scale, offset)
            valid += int(np.count_nonzero(np.isfinite(out)))
            band.WriteArray(out, win[0], win[1])
            if strip_done:  # a whole row of output blocks is complete: write it out, free the cache
                ds.FlushCache()
                red.release(win[1] + win[3])
                nir.release(win[1] + win[3])
        band.SetMetadata({"FORMULA": "(NIR - RED) / (NIR + RED)", "SCALE": str(scale),
                          "OFFSET": str(offset)})
    progress(1.0)
    total = grid.width * grid.height
    return NdviResult(out_path, grid.width, grid.height, valid, total - valid, nir.resampled)

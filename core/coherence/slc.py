"""Coherence of raster files: complex inputs checked and read tile by tile, float32 output."""
import os
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal

from ..crs import same_crs
from ..errors import InputError
from ..progress import Progress, ensure
from ..raster import Grid, create, grid_of, open_raster
from . import estimator as est

gdal.UseExceptions()
_NOT_PARTS = ("amp", "phase", "intens", "coher", "magn")


@dataclass
class Source:
    """One input image: a complex band, a real/imaginary band pair, or one real band."""

    name: str          # the parameter name, for messages
    path: str
    ds: gdal.Dataset
    bands: Tuple[int, ...]
    complex_band: bool
    nodata: Optional[float]

    @property
    def grid(self) -> Grid:
        return grid_of(self.ds)

    def read(self, window: Tuple[int, int, int, int], view: np.ndarray) -> None:
        """Read a window into a (complex64 or float32) view; nodata values become 0."""
        xo, yo, xs, ys = window
        if view.dtype == np.complex64 and not self.complex_band:
            self.ds.GetRasterBand(self.bands[0]).ReadAsArray(xo, yo, xs, ys, buf_obj=view.real)
            self.ds.GetRasterBand(self.bands[1]).ReadAsArray(xo, yo, xs, ys, buf_obj=view.imag)
        else:
            self.ds.GetRasterBand(self.bands[0]).ReadAsArray(xo, yo, xs, ys, buf_obj=view)
        if self.nodata is not None and np.isfinite(self.nodata) and self.nodata != 0:
            view[view == self.nodata] = 0


def _type_name(band: gdal.Band) -> str:
    return gdal.GetDataTypeName(band.DataType)


def open_complex(path: str, name: str) -> Source:
    """An SLC or interferogram: one complex band, or two real bands holding real and imaginary parts."""
    ds = open_raster(path)
    b1 = ds.GetRasterBand(1)
    base = os.path.basename(path)
    if gdal.DataTypeIsComplex(b1.DataType):
        return Source(name, path, ds, (1,), True, b1.GetNoDataValue())
    if ds.RasterCount >= 2:
        b2 = ds.GetRasterBand(2)
        descr = (b1.GetDescription() + " " + b2.GetDescription()).lower()
        if gdal.DataTypeIsComplex(b2.DataType) or any(w in descr for w in _NOT_PARTS):
            raise InputError(f"{name}: '{base}' has real bands described as '{descr.strip()}', not "
                             "the real and imaginary parts of a complex image. Give a complex SLC "
                             "(CInt16, CFloat32 or CFloat64) or a two-band real/imaginary raster.")
        return Source(name, path, ds, (1, 2), False, b1.GetNoDataValue())
    raise InputError(f"{name}: '{base}' is not complex: it has one real band ({_type_name(b1)}). "
                     "Coherence needs complex SLCs (CInt16, CFloat32 or CFloat64), or two-band "
                     "rasters holding the real and imaginary parts. For an interferogram with "
                     "amplitude rasters, use the interferogram mode.")


def open_real(path: str, name: str) -> Source:
    """A one-band real raster (amplitude or phase)."""
    ds = open_raster(path)
    b1 = ds.GetRasterBand(1)
    if gdal.DataTypeIsComplex(b1.DataType):
        raise InputError(f"{name}: '{os.path.basename(path)}' is complex; give a real raster "
                         "(for an amplitude, the magnitude |s| of the SLC).")
    return Source(name, path, ds, (1,), False, b1.GetNoDataValue())


def same_grid(sources: Sequence[Source]) -> Grid:
    """The common grid of co-registered inputs, or InputError naming the difference."""
    first = sources[0]
    g0 = first.grid
    for s in sources[1:]:
        g = s.grid
        if (g.width, g.height) != (g0.width, g0.height):
            raise InputError(f"{first.name} and {s.name} are on different grids: {g0.width} x "
                             f"{g0.height} pixels against {g.width} x {g.height}. Co-register "
                             "them (same size and pixel grid) before estimating coherence.")
        if not g.same_as(g0):
            raise InputError(f"{first.name} and {s.name} are on different grids: their "
                             f"geotransforms differ ({_fmt(g0.transform)} against "
                             f"{_fmt(g.transform)}). Co-register them first.")
        if not same_crs(g.crs_wkt, g0.crs_wkt):
            raise InputError(f"{first.name} and {s.name} are in different coordinate systems. "
                             "Co-register them on one grid first.")
    return g0


def _fmt(t) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in t) + ")"


@dataclass(frozen=True)
class CoherenceRun:
    """What a raster run did."""

    path: str
    width: int
    height: int
    window_x: int
    window_y: int
    mean: float
    valid_fraction: float


def _run(sources: List[Source], dtypes, build, grid: Grid, out_path: str, wy: int, wx: int,
         progress: Optional[Progress], threads: int, tile=est.TILE,
         phase: bool = False) -> CoherenceRun:
    progress = ensure(progress)
    est._check_window((grid.height, grid.width), wy, wx)
    stats = np.zeros(3)  # sum, count of valid, count of all

    with create(out_path, grid, 1, gdal.GDT_Float32, np.nan, descriptions=["coherence"]) as ds:
        band = ds.GetRasterBand(1)

        def read(spec: est.TileSpec, views: List[np.ndarray]) -> None:
            for src, v in zip(sources, views):
                src.read(spec.src, v)
            if phase:  # the phase becomes exp(i*phase)
                phi = views[0].real.copy()
                if np.nanmax(np.abs(phi), initial=0.0) > 2 * np.pi + 1e-3:
                    raise InputError(f"{sources[0].name} holds values up to "
                                     f"{np.nanmax(np.abs(phi)):.3g}; a wrapped phase must be in "
                                     "radians within [-pi, pi].")
                np.exp(1j * phi, out=views[0])

        def write(spec: est.TileSpec, res: np.ndarray) -> None:
            band.WriteArray(res, spec.x0, spec.y0)
            ok = np.isfinite(res)
            stats[0] += float(res[ok].sum())
            stats[1] += int(ok.sum())
            stats[2] += res.size

        est.run_tiles(grid.height, grid.width, wy, wx, dtypes, read, write, build, progress,
                      tile, threads)
        band.SetMetadataItem("WINDOW", f"{wx}x{wy}")
    mean = stats[0] / stats[1] if stats[1] else float("nan")
    return CoherenceRun(out_path, grid.width, grid.height, wx, wy, float(mean),
                        float(stats[1] / max(stats[2], 1)))


def coherence_raster(reference: str, secondary: str, out_path: str, window_y: int, window_x: int,
                     progress: Optional[Progress] = None, threads: int = 1) -> CoherenceRun:
    """Coherence of two co-registered SLC rasters, written as a float32 GeoTIFF."""
    ref = open_complex(reference, "REFERENCE")
    sec = open_complex(secondary, "SECONDARY")
    grid = same_grid([ref, sec])
    return _run([ref, sec], (np.complex64, np.complex64), est.build_slc, grid, out_path,
                window_y, window_x, progress, threads)


def coherence_interferogram_raster(interferogram: str, amplitude_1: str, amplitude_2: str,
                                   out_path: str, window_y: int, window_x: int,
                                   progress: Optional[Progress] = None,
                                   threads: int = 1) -> CoherenceRun:
    """Coherence from an interferogram (complex, or one real band of phase in radians) and two amplitudes."""
    ds = open_raster(interferogram)
    phase = ds.RasterCount == 1 and not gdal.DataTypeIsComplex(ds.GetRasterBand(1).DataType)
    ifg = open_real(interferogram, "INTERFEROGRAM") if phase else open_complex(interferogram,
                                                                               "INTERFEROGRAM")
    a1, a2 = open_real(amplitude_1, "AMPLITUDE_1"), open_real(amplitude_2, "AMPLITUDE_2")
    grid = same_grid([ifg, a1, a2])
    if phase:
        sources = [_PhaseAsComplex(ifg), a1, a2]
        build = est.build_phase_interferogram
    else:
        sources, build = [ifg, a1, a2], est.build_interferogram
    return _run(sources, (np.complex64, np.float32, np.float32), build, grid, out_path,
                window_y, window_x, progress, threads, phase=phase)


class _PhaseAsComplex:
    """Reads a real phase band into the real part of a complex view (converted after reading)."""

    def __init__(self, src: Source):
        self.src = src
        self.name = src.name

    def read(self, window, view: np.ndarray) -> None:
        xo, yo, xs, ys = window
        self.src.ds.GetRasterBand(1).ReadAsArray(xo, yo, xs, ys, buf_obj=view.real)
        view.imag[...] = 0
        nd = self.src.nodata
        if nd is not None and np.isfinite(nd):
            view.real[view.real == nd] = np.nan

"""Per-pixel composites (max = MVC, mean, median) over dated rasters, window by window."""
import dataclasses
import datetime as dt
import os
import shutil
import tempfile
import warnings
from typing import Callable, List, Optional, Sequence

import numpy as np
from osgeo import gdal

from ..atomic import atomic_output, remove_outputs
from ..errors import InputError
from ..progress import Progress, ensure
from ..raster import GTIFF_OPTIONS, Grid, Window, create
from .stack import (DatedRaster, Sample, Source, in_window, output_grid, reference_grid, run_gdal,
                    windows_for)

METHODS = ("max", "mean", "median")


@dataclasses.dataclass(frozen=True)
class CompositeResult:
    """What a composite run wrote and which inputs it used."""

    path: str
    method: str
    used: tuple  # the file names, in date order
    resampled: tuple  # the file names that were resampled onto the output grid
    valid: int
    limits: Optional[tuple]  # 2nd and 98th percentiles of the output, for a colour ramp
    ndvi_like: bool  # every sampled output value lies in [-1, 1]


def check_method(method: str) -> str:
    if method not in METHODS:
        raise InputError(f"Unknown composite method '{method}'; use one of {', '.join(METHODS)}.")
    return method


def reduce_stack(arrays: Sequence[np.ndarray], method: str) -> np.ndarray:
    """Per-pixel max, mean or median of same-shaped arrays, ignoring NaN (all NaN gives NaN)."""
    check_method(method)
    stack = np.stack([np.asarray(a, dtype=np.float32) for a in arrays])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels are expected
        if method == "max":
            return np.nanmax(stack, axis=0)
        if method == "mean":
            return np.nanmean(stack, axis=0)
        return np.nanmedian(stack, axis=0)


def composite_window(sources: Sequence[Source], window: Window, method: str,
                     tick: Callable[[], None] = lambda: None) -> np.ndarray:
    """The composite of every source over one window; `tick()` runs after each read (cancel)."""
    if method == "median":
        arrays = []
        for s in sources:
            arrays.append(s.read(window))
            tick()
        return reduce_stack(arrays, "median")
    acc, count = None, None  # running max / sum: one array in memory, whatever the number of inputs
    for s in sources:
        a = s.read(window)
        if acc is None:
            acc = np.full(a.shape, np.nan, np.float32) if method == "max" else np.zeros(a.shape)
            count = np.zeros(a.shape, np.int32)
        if method == "max":
            np.fmax(acc, a, out=acc)
        else:
            ok = np.isfinite(a)
            acc[ok] += a[ok]
            count += ok
        tick()
    if method == "mean":
        acc = np.divide(acc, count, out=np.full(acc.shape, np.nan), where=count > 0)
    return acc.astype(np.float32)


def open_sources(rasters: Sequence[DatedRaster], grid: Grid, reproject: bool,
                 what: str) -> List[Source]:
    """Each raster's band 1 as a Source on `grid` (errors name the file that is wrong)."""
    return [Source(r.path, grid, 1, "average", reproject, what) for r in rasters]


def composite_sources(out_path: str, sources: Sequence[Source], grid: Grid, method: str,
                      progress: Optional[Progress] = None, description: str = "",
                      sample: Optional[Sample] = None) -> int:
    """Write the composite of `sources` on `grid` to a float32 GeoTIFF; return the valid pixels.

    `sample`, when given, collects a thinned sample of the output values.
    """
    progress = ensure(progress)
    check_method(method)
    # median holds every input of a window, and np.nanmedian needs a few copies of that stack
    arrays = 3 * (len(sources) + 2) if method == "median" else 4
    windows = windows_for(grid, arrays)
    steps = max(1, len(windows) * len(sources))
    valid, done = 0, [0]

    def tick():
        done[0] += 1
        progress(done[0] / steps)

    with create(out_path, grid, 1, descriptions=[description or method]) as ds:
        band = ds.GetRasterBand(1)
        for win, strip_done in windows:
            progress(done[0] / steps)
            out = composite_window(sources, win, method, tick)
            valid += int(np.count_nonzero(np.isfinite(out)))
            band.WriteArray(out, win[0], win[1])
            if sample is not None:
                sample.add(out)
            if strip_done:
                ds.FlushCache()
                for s in sources:
                    s.release(win[1] + win[3])
    progress(1.0)
    return valid


def composite(out_path: str, rasters: Sequence[DatedRaster], first: dt.date, last: dt.date,
              method: str, target: Optional[str] = None, first_input: Optional[str] = None,
              progress: Optional[Progress] = None) -> CompositeResult:
    """Composite the rasters dated inside [first, last] onto TARGET's grid or the first input's."""
    check_method(method)
    chosen = in_window(rasters, first, last)
    grid, what = output_grid(target, first_input or rasters[0].path)
    sources = open_sources(chosen, grid, bool(target), what)
    sample = Sample(grid.width * grid.height)
    valid = composite_sources(out_path, sources, grid, method, progress,
                              f"{method} {first.isoformat()}..{last.isoformat()}", sample)
    return CompositeResult(out_path, method, tuple(r.name for r in chosen),
                           tuple(r.name for r, s in zip(chosen, sources) if s.resampled), valid,
                           sample.limits(), sample.within(-1.0, 1.0))


def average_onto(src_path: str, grid: Grid, out_path: str, progress: Optional[Progress] = None,
                 memory_mb: int = 64) -> str:
    """Area-weighted average of a raster onto `grid` (GDAL warp, bounded memory), written atomically."""
    progress = ensure(progress)
    xmin, ymin, xmax, ymax = grid.extent
    with atomic_output(out_path) as tmp:
        ds = run_gdal(gdal.Warp, progress, tmp, src_path, format="GTiff",
                      outputBounds=(xmin, ymin, xmax, ymax), width=grid.width, height=grid.height,
                      dstSRS=grid.crs_wkt or None, resampleAlg="average", outputType=gdal.GDT_Float32,
                      dstNodata=np.nan, warpMemoryLimit=memory_mb * 1024 * 1024, multithread=False,
                      creationOptions=GTIFF_OPTIONS)
        ds = None  # noqa: F841  (close before the move)
    return out_path


@dataclasses.dataclass(frozen=True)
class PairResult:
    """One pair's composite: its dates, the inputs used and the file (None when skipped)."""

    reference: dt.date
    secondary: dt.date
    used: tuple
    path: Optional[str]


def pair_name(reference: dt.date, secondary: dt.date, prefix: str = "ndvi_mvc") -> str:
    """The output file name of one pair: ndvi_mvc_<ref>_<sec>.tif (dates as YYYYMMDD)."""
    return f"{prefix}_{reference:%Y%m%d}_{secondary:%Y%m%d}.tif"


def pair_composites(rasters: Sequence[DatedRaster], pairs: Sequence[tuple], target: str, folder: str,
                    method: str = "max", progress: Optional[Progress] = None,
                    prefix: str = "ndvi_mvc", first_input: Optional[str] = None) -> List[PairResult]:
    """One composite per (reference, secondary) pair over the dates between them, averaged onto TARGET.

    The composite is made on the first input's grid (others resampled onto it), then averaged
    (area-weighted) onto the target grid, as in the Ningxia paper. Pairs with no input inside
    their window are skipped (path None). On an error or cancel, the files already written
    by this call are removed.
    """
    progress = ensure(progress)
    check_method(method)
    if not pairs:
        raise InputError("The PAIRS table has no rows; it needs reference and secondary dates.")
    target_grid = reference_grid(target)
    first_input = first_input or rasters[0].path
    native = reference_grid(first_input)
    what = f"the first input '{os.path.basename(first_input)}'"
    Source(first_input, target_grid, 1, reproject=True, what="the TARGET raster")  # overlap check
    plan = []
    for ref, sec in pairs:
        a, b = min(ref, sec), max(ref, sec)
        plan.append((ref, sec, [r for r in rasters if r.in_window(a, b)]))
    if not any(chosen for _, _, chosen in plan):
        raise InputError(f"No dated input falls inside any pair's window (the inputs cover "
                         f"{rasters[0].start.isoformat()} to {rasters[-1].end.isoformat()}). "
                         "Check the PAIRS dates and the input dates.")
    used = {r.path: r for _, _, chosen in plan for r in chosen}
    sources = {p: Source(p, native, 1, "average", True, what) for p in used}  # checks them all
    os.makedirs(folder, exist_ok=True)
    results, written = [], []
    scratch = tempfile.mkdtemp(prefix=".insarfusion-mvc-", dir=folder)
    todo = sum(1 for p in plan if p[2])
    try:
        for ref, sec, chosen in plan:
            if not chosen:
                results.append(PairResult(ref, sec, (), None))
                continue
            step = progress.sub(len(written) / todo, (len(written) + 1) / todo)
            tmp = os.path.join(scratch, "composite.tif")
            composite_sources(tmp, [sources[r.path] for r in chosen], native, method,
                              step.sub(0.0, 0.7))
            out = os.path.join(folder, pair_name(ref, sec, prefix))
            average_onto(tmp, target_grid, out, step.sub(0.7, 1.0))
            written.append(out)
            os.remove(tmp)
            results.append(PairResult(ref, sec, tuple(r.name for r in chosen), out))
    except BaseException:
        remove_outputs(written)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    progress(1.0)
    return results

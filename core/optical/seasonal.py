"""Seasonal and interannual change of a dated stack (NDVI or soil moisture), window by window.

Interannual = summer(B) - summer(A); seasonal = summer(B) - winter(B), where summer and winter
are calendar months. When several rasters fall in one month they are composited per pixel first
(mean by default), so a stack of 5-day NDVI works as well as a monthly one.
"""
import calendar
import dataclasses
from typing import List, Optional, Sequence, Tuple

from ..errors import InputError
from ..progress import Progress, ensure
from ..raster import create
from .composite import check_method, composite_window, open_sources
from .stack import DatedRaster, Sample, output_grid, windows_for


@dataclasses.dataclass(frozen=True)
class SeasonalResult:
    """The two change rasters, the years and months used and the inputs behind each month."""

    interannual: str
    seasonal: str
    year_a: int
    year_b: int
    summer_a: tuple
    summer_b: tuple
    winter_b: tuple
    interannual_limit: Optional[float]  # 98th percentile of |change|, for a colour ramp
    seasonal_limit: Optional[float]


def month_name(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"


def in_month(rasters: Sequence[DatedRaster], year: int, month: int) -> List[DatedRaster]:
    """The rasters whose date (or month) falls in the given month; InputError when there are none."""
    chosen = [r for r in rasters if r.in_month(year, month)]
    if not chosen:
        have = sorted({(r.start.year, r.start.month) for r in rasters})
        listing = ", ".join(f"{y}-{m:02d}" for y, m in have[:24]) + (" …" if len(have) > 24 else "")
        raise InputError(f"No input falls in {month_name(year, month)}. The inputs cover the months "
                         f"{listing}. Check YEAR_A, YEAR_B, SUMMER_MONTH and WINTER_MONTH.")
    return chosen


def default_years(rasters: Sequence[DatedRaster], summer_month: int) -> Tuple[int, int]:
    """YEAR_B = the last year with a summer-month input, YEAR_A = the year before it.

    (When only one year is given, the other is the year next to it.)
    """
    years = sorted({r.start.year for r in rasters if r.in_month(r.start.year, summer_month)}
                   | {r.end.year for r in rasters if r.in_month(r.end.year, summer_month)})
    if not years:
        raise InputError(f"No input falls in {calendar.month_name[summer_month]} of any year; "
                         "check SUMMER_MONTH and the input dates.")
    return years[-1] - 1, years[-1]


def seasonal_change(rasters: Sequence[DatedRaster], out_interannual: str, out_seasonal: str,
                    year_a: Optional[int] = None, year_b: Optional[int] = None,
                    summer_month: int = 7, winter_month: int = 1, method: str = "mean",
                    target: Optional[str] = None, first_input: Optional[str] = None,
                    progress: Optional[Progress] = None) -> SeasonalResult:
    """Write interannual and seasonal change rasters (float32, units of the inputs)."""
    progress = ensure(progress)
    check_method(method)
    for name, m in (("SUMMER_MONTH", summer_month), ("WINTER_MONTH", winter_month)):
        if not 1 <= int(m) <= 12:
            raise InputError(f"{name} must be a month from 1 to 12, not {m}.")
    if year_b is None:
        year_b = default_years(rasters, summer_month)[1] if year_a is None else year_a + 1
    if year_a is None:
        year_a = year_b - 1
    if year_a == year_b:
        raise InputError(f"YEAR_A and YEAR_B are both {year_a}; the interannual change needs two years.")
    summer_a = in_month(rasters, year_a, summer_month)
    summer_b = in_month(rasters, year_b, summer_month)
    winter_b = in_month(rasters, year_b, winter_month)
    grid, what = output_grid(target, first_input or rasters[0].path)
    groups = [open_sources(g, grid, bool(target), what) for g in (summer_a, summer_b, winter_b)]
    n_reads = sum(len(g) for g in groups)
    arrays = (3 * max(len(g) for g in groups) + 6) if method == "median" else 8
    windows = windows_for(grid, arrays)
    steps, done = max(1, len(windows) * n_reads), [0]

    def tick():
        done[0] += 1
        progress(done[0] / steps)

    samples = Sample(grid.width * grid.height), Sample(grid.width * grid.height)
    names = (f"{month_name(year_b, summer_month)} - {month_name(year_a, summer_month)}",
             f"{month_name(year_b, summer_month)} - {month_name(year_b, winter_month)}")
    with create(out_interannual, grid, 1, descriptions=[names[0]]) as d_inter, \
            create(out_seasonal, grid, 1, descriptions=[names[1]]) as d_seas:
        for win, strip_done in windows:
            progress(done[0] / steps)
            sa, sb, wb = (composite_window(g, win, method, tick) for g in groups)
            for ds, values, sample in ((d_inter, sb - sa, samples[0]), (d_seas, sb - wb, samples[1])):
                ds.GetRasterBand(1).WriteArray(values, win[0], win[1])
                sample.add(values)
                if strip_done:
                    ds.FlushCache()
            if strip_done:
                for g in groups:
                    for s in g:
                        s.release(win[1] + win[3])
    progress(1.0)
    return SeasonalResult(out_interannual, out_seasonal, int(year_a), int(year_b),
                          tuple(r.name for r in summer_a), tuple(r.name for r in summer_b),
                          tuple(r.name for r in winter_b), samples[0].abs_limit(), samples[1].abs_limit())

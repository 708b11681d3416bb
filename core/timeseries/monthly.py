"""The common monthly time base: interpolation onto it, smoothing, and the rate of a series."""
import datetime as dt
from typing import List, Sequence, Tuple

import numpy as np

from ..dates import MONTH_DAY, MONTH_FIRST, MONTH_MIDDLE, date_of_filename, dated_files, ordinal_days
from ..errors import InputError

MONTH_DAYS = 365.25 / 12.0  # the mean length of a month, days
FIRST, MIDDLE = MONTH_FIRST, MONTH_MIDDLE  # the day a month-only file name (YYYYMM) may stand for


def month_base(first: dt.date, last: dt.date, day: int = MONTH_DAY) -> List[dt.date]:
    """Day `day` of every month for which that day lies within [first, last]."""
    if last < first:
        raise InputError(f"The time span is empty: {first.isoformat()} is after {last.isoformat()}.")
    out = []
    year, month = first.year, first.month
    while True:
        d = dt.date(year, month, day)
        if d > last:
            break
        if d >= first:
            out.append(d)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def stack_dates(paths: Sequence[str], month_day: int = MONTH_DAY) -> List[Tuple[str, dt.date]]:
    """(path, date) sorted by date; a month-only name (ndvi_201907.tif) stands for `month_day`,
    by default the middle of the month (core.dates.MONTH_DAY): a monthly mean or composite
    describes the whole month. Use FIRST only for rasters that really hold the 1st of the month.
    """
    return dated_files(paths, month_day)


def is_dated(path: str) -> bool:
    """True when the file name carries a date (YYYYMMDD or YYYYMM)."""
    return date_of_filename(path) is not None


def to_base(dates: Sequence[dt.date], values: np.ndarray, base: Sequence[dt.date]) -> np.ndarray:
    """Linear interpolation of a dated series onto `base`; NaN outside its finite span."""
    t = ordinal_days(dates)
    v = np.asarray(values, float)
    ok = np.isfinite(v)
    out = np.full(len(base), np.nan)
    if ok.sum() == 0:
        return out
    tb = ordinal_days(base)
    t, v = t[ok], v[ok]
    inside = (tb >= t[0]) & (tb <= t[-1])
    out[inside] = np.interp(tb[inside], t, v)
    return out


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average over `window` samples (an even window grows by one).

    Only full windows of finite values give a value: the (window - 1) / 2 samples at each end
    of a run, and any sample near a gap, become NaN (a shrinking window would bend a trend).
    """
    v = np.asarray(values, float)
    window = int(window)
    if window < 1:
        raise InputError("The smoothing window must be at least 1 month (1 = no smoothing).")
    if window == 1 or v.size == 0:
        return v.copy()
    if window % 2 == 0:
        window += 1
    ok = np.isfinite(v)
    kernel = np.ones(window)
    total = np.convolve(np.where(ok, v, 0.0), kernel, mode="same")
    count = np.convolve(ok.astype(float), kernel, mode="same")
    full = count > window - 0.5
    out = np.full(v.shape, np.nan)
    out[full] = total[full] / window
    return out


def rate_per_month(base: Sequence[dt.date], values: np.ndarray) -> np.ndarray:
    """The time derivative of a series on the base, in units per mean month.

    Central differences (second order on uneven spacing) where both neighbours have a value;
    the first and last sample of each run stay NaN, as a one-sided difference there would
    shift the phase of a seasonal rate.
    """
    v = np.asarray(values, float)
    t = ordinal_days(base)
    out = np.full(v.shape, np.nan)
    if v.size < 3:
        return out
    h1, h2 = t[1:-1] - t[:-2], t[2:] - t[1:-1]
    a, b, c = v[:-2], v[1:-1], v[2:]
    out[1:-1] = (h1 ** 2 * c - h2 ** 2 * a + (h2 ** 2 - h1 ** 2) * b) / (h1 * h2 * (h1 + h2))
    return out * MONTH_DAYS


def step_days(base: Sequence[dt.date]) -> float:
    """The mean spacing of a base in days."""
    t = ordinal_days(base)
    return float(np.mean(np.diff(t))) if len(t) > 1 else MONTH_DAYS

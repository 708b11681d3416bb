"""Per-point seasonal model d(t) = a + v*t + A*sin(2*pi*t) + B*cos(2*pi*t), all points at once.

t is the decimal year (2019.0 = 1 January 2019). The fit is ordinary least squares per point
over that point's valid (non-NULL) dates, solved for every point together through batched
4x4 normal equations, so any pattern of missing dates is handled exactly.

Derived quantities (R = sqrt(A^2 + B^2), phi = atan2(B, A), omega = 2*pi per year):
- seasonal_amplitude = R (mm): half the peak-to-trough range of the seasonal component.
- seasonal_peak_doy: day of year at which A*sin + B*cos is highest: 1 + 365.25 * frac, with
  frac = ((pi/2 - phi) / (2*pi)) mod 1.
- max_seasonal_subsidence / max_seasonal_uplift (mm): the fall from a seasonal high to the next
  low, and the rise from a low to the next high, of the fitted motion v*t + A*sin + B*cos
  (closed form; with c = clip(-v / (R*omega), -1, 1):
  fall = v*(2*pi - 2*acos c)/omega - 2*R*sqrt(1 - c^2),  rise = v*2*acos(c)/omega + 2*R*sqrt(1 - c^2)).
  With no trend they are -2R and +2R; a trend makes them unequal, as in the Heihe paper's
  -70 mm / +60 mm. When the trend outruns the seasonal swing there is no reversal: the
  opposite movement is 0 and the other is v times one year.
- fit_rmse (mm): sqrt(mean of squared residuals) over the point's valid dates.
"""
import dataclasses
import datetime as dt
from typing import Optional, Sequence

import numpy as np

from ..dates import decimal_years
from ..errors import InputError
from ..progress import Progress, ensure
from ..smallmat import eigvalsh, spd_solve

OMEGA = 2.0 * np.pi
MIN_DATES = 5
CHUNK = 20000


@dataclasses.dataclass(frozen=True)
class SeasonalFit:
    """Fitted coefficients and derived quantities, one value per point (NaN when not fitted)."""

    offset: np.ndarray
    trend: np.ndarray
    sin: np.ndarray
    cos: np.ndarray
    fit_rmse: np.ndarray
    n_dates: np.ndarray

    @property
    def amplitude(self) -> np.ndarray:
        return np.hypot(self.sin, self.cos)

    @property
    def peak_doy(self) -> np.ndarray:
        phi = np.arctan2(self.cos, self.sin)
        frac = np.mod((np.pi / 2 - phi) / OMEGA, 1.0)
        return 1.0 + 365.25 * frac

    def swings(self):
        """(max_seasonal_subsidence <= 0, max_seasonal_uplift >= 0) in mm, see the module doc."""
        r, v = self.amplitude, self.trend
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(r > 0, -v / (r * OMEGA), -np.sign(v))
        c = np.clip(np.nan_to_num(c, nan=0.0), -1.0, 1.0)
        c = np.where(np.isfinite(v) & np.isfinite(r), c, np.nan)
        acos, root = np.arccos(c), np.sqrt(1.0 - c ** 2)
        fall = v * (OMEGA - 2.0 * acos) / OMEGA - 2.0 * r * root
        rise = v * 2.0 * acos / OMEGA + 2.0 * r * root
        return np.minimum(fall, 0.0), np.maximum(rise, 0.0)


def design(dates: Sequence[dt.date]) -> np.ndarray:
    """Columns 1, t - t_mean, sin(2 pi t), cos(2 pi t) for the dates (t in decimal years)."""
    t = decimal_years(list(dates))
    return np.column_stack([np.ones_like(t), t - t.mean(), np.sin(OMEGA * t), np.cos(OMEGA * t)])


def fit(dates: Sequence[dt.date], series: np.ndarray, progress: Optional[Progress] = None) -> SeasonalFit:
    """Fit every row of `series` (n_points, n_dates; NaN = NULL) at once."""
    progress = ensure(progress)
    dates = list(dates)
    if len(dates) < MIN_DATES:
        raise InputError(f"The seasonal fit needs at least {MIN_DATES} dates; the layer has {len(dates)}.")
    t = decimal_years(dates)
    if t[-1] - t[0] < 0.5:
        raise InputError("The dates span less than half a year, too short to separate a seasonal "
                         "cycle from the trend. Use a series covering at least a year.")
    g = design(dates)
    outer = (g[:, :, None] * g[:, None, :]).reshape(len(dates), 16)  # g_j g_j^T per date
    y = np.asarray(series, float)
    n = len(y)
    coef = np.full((n, 4), np.nan)
    rmse = np.full(n, np.nan)
    count = np.zeros(n, dtype=np.int64)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        yc = y[start:stop]
        w = np.isfinite(yc)
        y0 = np.where(w, yc, 0.0)
        # einsum, not BLAS: a point's bits then depend on its own series only (core/smallmat.py)
        normal = np.einsum("nd,dk->nk", w.astype(float), outer).reshape(-1, 4, 4)  # sum of g g^T
        rhs = np.einsum("nd,dk->nk", y0, g)
        cnt = w.sum(axis=1)
        ok = cnt >= MIN_DATES
        eig = eigvalsh(np.where(ok[:, None, None], normal, np.eye(4)))
        ok &= eig[:, 0] > 1e-10 * eig[:, -1]  # well-conditioned: the terms are separable
        if ok.any():
            sol = spd_solve(normal[ok], rhs[ok])
            res = np.where(w[ok], yc[ok] - np.einsum("nk,dk->nd", sol, g), 0.0)
            coef[start:stop][ok] = sol
            rmse[start:stop][ok] = np.sqrt((res ** 2).sum(axis=1) / cnt[ok])
        count[start:stop] = cnt
        progress(stop / n)
    # contiguous columns: numpy's own vector sin/arctan2 then run on them in every process,
    # where strided ones go to the C library, whose bits differed between QGIS and a Dask worker
    col = [np.ascontiguousarray(coef[:, k]) for k in range(4)]
    return SeasonalFit(col[0], col[1], col[2], col[3], rmse, count)

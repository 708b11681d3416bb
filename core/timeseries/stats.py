"""Pearson correlation with p-values, and the lag of a variable behind a reference series."""
import dataclasses
import itertools
import math
from typing import Dict, List, Sequence, Tuple

import numpy as np
from .. import compat

MIN_PAIRS = 4  # fewer common samples than this give r = NaN


@dataclasses.dataclass(frozen=True)
class Correlation:
    """Pearson r between two variables over their common finite samples."""

    variable_a: str
    variable_b: str
    r: float
    p_value: float
    n: int


@dataclasses.dataclass(frozen=True)
class Lag:
    """How far `variable` lags the reference: positive lag_days = the variable comes later."""

    variable: str
    lag_days: float
    r_at_lag: float    # the signed cross-correlation at the refined lag
    r_with_rate: float  # Pearson r at zero lag
    p_value: float      # of r_with_rate
    n: int
    at_limit: bool      # the best shift is at the edge of the searched window


def pearson(a: np.ndarray, b: np.ndarray) -> Tuple[float, float, int]:
    """(r, two-sided p-value, n) over the samples where both are finite (scipy's definition)."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    ok = np.isfinite(a) & np.isfinite(b)
    n = int(ok.sum())
    if n < MIN_PAIRS:
        return math.nan, math.nan, n
    x, y = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    denom = math.sqrt(float(np.dot(x, x)) * float(np.dot(y, y)))
    if denom == 0.0:
        return math.nan, math.nan, n
    r = max(min(float(np.dot(x, y)) / denom, 1.0), -1.0)
    # Under H0 r follows a Beta(n/2 - 1, n/2 - 1) on [-1, 1]: p = 2 * I_{(1-|r|)/2}(k, k).
    k = n / 2.0 - 1.0
    p = 2.0 * compat.beta_cdf(k, k, 0.5 * (1.0 - abs(r)))
    return r, float(min(max(p, 0.0), 1.0)), n


def correlations(series: Dict[str, np.ndarray]) -> List[Correlation]:
    """Pearson r and p for every pair of named series (in the order given)."""
    out = []
    for (na, a), (nb, b) in itertools.combinations(series.items(), 2):
        r, p, n = pearson(a, b)
        out.append(Correlation(na, nb, r, p, n))
    return out


def correlation_matrix(names: Sequence[str], pairs: Sequence[Correlation]) -> np.ndarray:
    """A symmetric matrix of r (1 on the diagonal) from the pairwise results."""
    index = {n: i for i, n in enumerate(names)}
    mat = np.full((len(names), len(names)), np.nan)
    np.fill_diagonal(mat, 1.0)
    for c in pairs:
        if c.variable_a in index and c.variable_b in index:
            i, j = index[c.variable_a], index[c.variable_b]
            mat[i, j] = mat[j, i] = c.r
    return mat


def cross_correlation(reference: np.ndarray, variable: np.ndarray,
                      max_shift: int) -> Tuple[np.ndarray, np.ndarray]:
    """(shifts, r): r[k] = Pearson r of reference[t] with variable[t + shift[k]].

    A variable that lags the reference by L samples, variable(t) = reference(t - L),
    peaks at shift = +L.
    """
    ref = np.asarray(reference, float)
    var = np.asarray(variable, float)
    n = len(ref)
    shifts = np.arange(-max_shift, max_shift + 1)
    r = np.full(len(shifts), np.nan)
    for i, k in enumerate(shifts):
        if abs(k) >= n:
            continue
        a = ref[max(0, -k): n - max(0, k)]
        b = var[max(0, k): n + min(0, k)]
        r[i] = pearson(a, b)[0]
    return shifts, r


def refine_peak(values: np.ndarray, i: int, method: str = "parabolic") -> Tuple[float, float]:
    """Sub-sample position offset (within +-1) and height of the peak of `values` at index i."""
    if i <= 0 or i >= len(values) - 1 or not np.all(np.isfinite(values[i - 1:i + 2])):
        return 0.0, float(values[i])
    if method == "spline":
        from scipy.interpolate import CubicSpline

        ok = np.isfinite(values)
        idx = np.flatnonzero(ok)
        spline = CubicSpline(idx, values[ok])
        fine = np.linspace(i - 1, i + 1, 401)
        j = int(np.argmax(spline(fine)))
        return float(fine[j] - i), float(spline(fine[j]))
    if method != "parabolic":
        raise ValueError(f"unknown refinement {method!r}")
    ym, y0, yp = (float(v) for v in values[i - 1:i + 2])
    curvature = ym - 2.0 * y0 + yp
    if curvature >= 0.0:  # not a maximum: keep the sample
        return 0.0, y0
    delta = 0.5 * (ym - yp) / curvature
    delta = min(max(delta, -1.0), 1.0)
    return delta, y0 - 0.25 * (ym - yp) * delta


def estimate_lag(reference: np.ndarray, variable: np.ndarray, max_shift: int, step_days: float,
                 name: str = "", method: str = "parabolic") -> Lag:
    """The shift of `variable` behind `reference` that maximises |cross-correlation|, in days.

    The integer shift with the largest |r| is refined to sub-sample precision by a parabola
    (or a cubic spline) through |r| around it, so half a step is resolved.
    """
    r0, p0, n0 = pearson(reference, variable)
    shifts, r = cross_correlation(reference, variable, max_shift)
    mag = np.abs(r)
    if not np.isfinite(mag).any():
        return Lag(name, math.nan, math.nan, r0, p0, n0, False)
    i = int(np.nanargmax(mag))
    delta, peak = refine_peak(mag, i, method)
    sign = 1.0 if r[i] >= 0 else -1.0
    at_limit = i == 0 or i == len(shifts) - 1
    return Lag(name, float((shifts[i] + delta) * step_days), sign * min(peak, 1.0), r0, p0, n0,
               at_limit)

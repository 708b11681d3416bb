"""Simple linear regression y = alpha + k x (Heihe paper eqs. 7-9), per group and variable.

Slope and intercept by least squares (eq. 8), Pearson r, R^2 = r^2, RMSE = sqrt(mean((y - yhat)^2))
(eq. 9, divided by n as in the paper), the two-sided p-value of the slope, and the t intervals:
confidence intervals of the coefficients, the confidence band of the mean and the prediction
band. All in closed form (what statsmodels' OLS gives for one regressor, which the tests check):
importing statsmodels' OLS alone costs 0.3 s, too long a wait without a chance to cancel.
"""
import dataclasses
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy import stats

from ..errors import InputError
from ..progress import checkpoint

MIN_POINTS = 3  # a line through fewer points leaves no degree of freedom for its errors


@dataclasses.dataclass(frozen=True)
class LineFit:
    """One regression of `dependent` on `explanatory` within one group."""

    group: str
    dependent: str
    explanatory: str
    confidence: float
    n: int
    slope: float
    intercept: float
    r: float
    r2: float
    rmse: float
    p_value: float
    slope_se: float
    slope_ci: Tuple[float, float]
    intercept_se: float
    intercept_ci: Tuple[float, float]
    x: np.ndarray
    y: np.ndarray

    @property
    def predicted(self) -> np.ndarray:
        return self.intercept + self.slope * self.x

    @property
    def residuals(self) -> np.ndarray:
        """Observed minus predicted."""
        return self.y - self.predicted


def _empty(group, dependent, explanatory, confidence, x, y) -> LineFit:
    nan = float("nan")
    return LineFit(group, dependent, explanatory, confidence, len(x), nan, nan, nan, nan, nan, nan,
                   nan, (nan, nan), nan, (nan, nan), x, y)


def fit_line(x: np.ndarray, y: np.ndarray, confidence: float = 0.95, group: str = "all",
             dependent: str = "y", explanatory: str = "x") -> LineFit:
    """Least-squares line of y on x over the pairs where both are finite."""
    if not 0.0 < confidence < 1.0:
        raise InputError(f"The confidence level must be between 0 and 1 (e.g. 0.95); got {confidence}.")
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < MIN_POINTS or np.ptp(x) == 0:
        return _empty(group, dependent, explanatory, confidence, x, y)
    n = len(x)
    xm, ym = x.mean(), y.mean()
    dx, dy = x - xm, y - ym
    sxx, syy = float(dx @ dx), float(dy @ dy)
    slope = float(dx @ dy) / sxx
    intercept = float(ym - slope * xm)
    resid = y - (intercept + slope * x)
    rss = float(resid @ resid)
    s2 = rss / (n - 2)
    slope_se = float(np.sqrt(s2 / sxx))
    intercept_se = float(np.sqrt(s2 * (1.0 / n + xm * xm / sxx)))
    t = float(stats.t.ppf(0.5 + confidence / 2.0, n - 2))
    p = float(2.0 * stats.t.sf(abs(slope / slope_se), n - 2)) if slope_se > 0 else 0.0
    r = float(np.corrcoef(x, y)[0, 1]) if np.ptp(y) > 0 else float("nan")
    r2 = 1.0 - rss / syy if syy > 0 else float("nan")
    return LineFit(group, dependent, explanatory, confidence, n, slope, intercept, r, r2,
                   float(np.sqrt(np.mean(resid ** 2))), p, slope_se,
                   (slope - t * slope_se, slope + t * slope_se), intercept_se,
                   (intercept - t * intercept_se, intercept + t * intercept_se), x, y)


def bands(fit: LineFit, x0: np.ndarray) -> Dict[str, np.ndarray]:
    """The fitted line at x0 with the confidence band of the mean and the prediction band."""
    x0 = np.asarray(x0, float)
    n = fit.n
    xm = fit.x.mean()
    sxx = float(np.sum((fit.x - xm) ** 2))
    s = np.sqrt(float(np.sum(fit.residuals ** 2)) / (n - 2))
    t = stats.t.ppf(0.5 + fit.confidence / 2.0, n - 2)
    mean = fit.intercept + fit.slope * x0
    lever = 1.0 / n + (x0 - xm) ** 2 / sxx
    half_mean, half_obs = t * s * np.sqrt(lever), t * s * np.sqrt(1.0 + lever)
    return {"mean": mean, "mean_low": mean - half_mean, "mean_high": mean + half_mean,
            "obs_low": mean - half_obs, "obs_high": mean + half_obs}


def natural_key(text: str):
    """Sort key so that P2 comes before P10."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", str(text))]


def group_labels(groups: Optional[Sequence]) -> Tuple[List[str], Optional[np.ndarray]]:
    """(sorted distinct group names, the name of each point or None for NULL)."""
    if groups is None:
        return ["all"], None
    labels = np.array([None if (g is None or (isinstance(g, float) and np.isnan(g))) else
                       (str(int(g)) if isinstance(g, (float, np.floating)) and float(g).is_integer()
                        else str(g)) for g in groups], dtype=object)
    names = sorted({g for g in labels if g is not None}, key=natural_key)
    return names, labels


def regress(dependent: np.ndarray, explanatory: Dict[str, np.ndarray], groups: Optional[Sequence] = None,
            confidence: float = 0.95, dependent_name: str = "y") -> List[LineFit]:
    """A fit per group and explanatory variable (each regressed on its own)."""
    names, labels = group_labels(groups)
    if not names:
        raise InputError("The group field holds only NULL values; choose another or none.")
    fits = []
    for g in names:
        mask = np.ones(len(dependent), bool) if labels is None else (labels == g)
        for xname, xv in explanatory.items():
            checkpoint()
            fits.append(fit_line(np.asarray(xv, float)[mask], np.asarray(dependent, float)[mask],
                                 confidence, g, dependent_name, xname))
    return fits

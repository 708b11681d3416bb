"""Simple linear regression y = alpha + k x (Heihe paper eqs. 7-9), per group and variable.

Slope and intercept by least squares (eq. 8), Pearson r, R^2 = r^2, RMSE = sqrt(mean((y - yhat)^2))
(eq. 9, divided by n as in the paper), the two-sided p-value of the slope, and the intervals
from statsmodels: confidence intervals of the coefficients, the confidence band of the mean
and the prediction band.
"""
import dataclasses
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError

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
    import statsmodels.api as sm

    if not 0.0 < confidence < 1.0:
        raise InputError(f"The confidence level must be between 0 and 1 (e.g. 0.95); got {confidence}.")
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < MIN_POINTS or np.ptp(x) == 0:
        return _empty(group, dependent, explanatory, confidence, x, y)
    res = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()
    ci = res.conf_int(alpha=1.0 - confidence)
    intercept, slope = (float(v) for v in res.params)
    resid = y - (intercept + slope * x)
    r = float(np.corrcoef(x, y)[0, 1]) if np.ptp(y) > 0 else float("nan")
    return LineFit(group, dependent, explanatory, confidence, len(x), slope, intercept, r,
                   float(res.rsquared), float(np.sqrt(np.mean(resid ** 2))), float(res.pvalues[1]),
                   float(res.bse[1]), (float(ci[1, 0]), float(ci[1, 1])), float(res.bse[0]),
                   (float(ci[0, 0]), float(ci[0, 1])), x, y)


def bands(fit: LineFit, x0: np.ndarray) -> Dict[str, np.ndarray]:
    """The fitted line at x0 with the confidence band of the mean and the prediction band."""
    import statsmodels.api as sm

    x0 = np.asarray(x0, float)
    res = sm.OLS(fit.y, sm.add_constant(fit.x, has_constant="add")).fit()
    frame = res.get_prediction(sm.add_constant(x0, has_constant="add")).summary_frame(
        alpha=1.0 - fit.confidence)
    return {"mean": frame["mean"].to_numpy(), "mean_low": frame["mean_ci_lower"].to_numpy(),
            "mean_high": frame["mean_ci_upper"].to_numpy(), "obs_low": frame["obs_ci_lower"].to_numpy(),
            "obs_high": frame["obs_ci_upper"].to_numpy()}


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
            fits.append(fit_line(np.asarray(xv, float)[mask], np.asarray(dependent, float)[mask],
                                 confidence, g, dependent_name, xname))
    return fits

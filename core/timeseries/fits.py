"""Model fits of a displacement series: polynomials, seasonal terms, exponential and logarithmic.

Time is in years since the first date with a value (365.25-day years). The linear models are
ordinary least squares; the exponential and logarithmic ones are non-linear least squares
(scipy's curve_fit, Levenberg-Marquardt), whose standard errors are those of the linearised
model at the optimum, sigma² (JᵀJ)⁻¹ with sigma² = SSR / (n - p), as OLS gives.
R² = 1 - SSR / SST; RMSE = sqrt(SSR / n) (the residuals' root mean square).
"""
import dataclasses
import datetime as dt
import math
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError

YEAR = 365.25
TWO_PI = 2.0 * math.pi


@dataclasses.dataclass(frozen=True)
class Fit:
    """A fitted model: its parameters with standard errors, goodness of fit and residuals."""

    model: str
    names: Tuple[str, ...]
    params: np.ndarray
    stderr: np.ndarray
    r2: float
    rmse: float
    n: int
    t0: dt.date               # the date of t = 0
    fitted: np.ndarray        # on the input dates (NaN where the input was NaN)
    residuals: np.ndarray     # value - fitted
    formula: str

    def param(self, name: str) -> float:
        return float(self.params[self.names.index(name)])

    def describe(self) -> str:
        """One line: the formula, each parameter ± its standard error, R², RMSE."""
        terms = ", ".join(f"{n} = {p:.4g} ± {s:.2g}" for n, p, s in zip(self.names, self.params, self.stderr))
        return f"{self.model}: {self.formula}; {terms}; R² = {self.r2:.3f}, RMSE = {self.rmse:.3g}"

    def curve(self, t_years: np.ndarray) -> np.ndarray:
        """The model evaluated at times in years since t0."""
        return MODELS[self.model].value(np.asarray(t_years, float), self.params)


@dataclasses.dataclass(frozen=True)
class Model:
    names: Tuple[str, ...]
    formula: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    design: Optional[Callable[[np.ndarray], np.ndarray]] = None  # linear models: the design matrix
    start: Optional[Callable[[np.ndarray, np.ndarray], Sequence[float]]] = None


def _poly(degree: int) -> Model:
    names = ("a", "b", "c", "d")[:degree + 1]
    formula = " + ".join(["a", "b·t", "c·t²", "d·t³"][:degree + 1])
    design = lambda t: np.column_stack([t ** k for k in range(degree + 1)])  # noqa: E731
    return Model(names, formula, lambda t, p: design(t) @ p, design)


def _seasonal(harmonics: int) -> Model:
    names = ["a", "b"] + [f"{f}{k}" for k in range(1, harmonics + 1) for f in ("cos", "sin")]

    def design(t):
        cols = [np.ones_like(t), t]
        for k in range(1, harmonics + 1):
            cols += [np.cos(TWO_PI * k * t), np.sin(TWO_PI * k * t)]
        return np.column_stack(cols)

    formula = "a + b·t + cos1·cos 2πt + sin1·sin 2πt" + (" + cos2·cos 4πt + sin2·sin 4πt" if harmonics > 1 else "")
    return Model(tuple(names), formula, lambda t, p: design(t) @ p, design)


def _exp_value(t, p):
    a, b, tau = p
    return a + b * (1.0 - np.exp(-t / tau))


def _log_value(t, p):
    a, b, tau = p
    return a + b * np.log1p(t / tau)


def _nonlinear_start(t, y):
    span = max(float(np.ptp(t)), 1e-3)
    return [float(y[0]), float(y[-1] - y[0]), span / 3.0]


MODELS: Dict[str, Model] = {
    "linear": _poly(1),
    "quadratic": _poly(2),
    "cubic": _poly(3),
    "annual": _seasonal(1),
    "annual+semiannual": _seasonal(2),
    "exponential": Model(("a", "b", "tau"), "a + b·(1 - exp(-t/tau))", _exp_value, start=_nonlinear_start),
    "logarithmic": Model(("a", "b", "tau"), "a + b·ln(1 + t/tau)", _log_value, start=_nonlinear_start),
}
LABELS = {"linear": "Linear", "quadratic": "Quadratic", "cubic": "Cubic", "annual": "Annual",
          "annual+semiannual": "Annual + semi-annual", "exponential": "Exponential",
          "logarithmic": "Logarithmic"}


def years_since(dates: Sequence[dt.date], t0: dt.date) -> np.ndarray:
    return np.array([(d - t0).days / YEAR for d in dates], float)


def fit(model: str, dates: Sequence[dt.date], values: np.ndarray) -> Fit:
    """Fit `model` (a key of MODELS) to the finite values of a dated series."""
    if model not in MODELS:
        raise InputError(f"Unknown model '{model}'; choose one of {', '.join(MODELS)}.")
    m = MODELS[model]
    y_all = np.asarray(values, float)
    ok = np.isfinite(y_all)
    p = len(m.names)
    if ok.sum() <= p:
        raise InputError(f"The {LABELS[model].lower()} model has {p} parameters and needs more than "
                         f"{p} dated values; the series has {int(ok.sum())}.")
    t0 = dates[int(np.flatnonzero(ok)[0])]
    t_all = years_since(dates, t0)
    t, y = t_all[ok], y_all[ok]
    if m.design is not None:
        params, cov = _ols(m.design(t), y)
    else:
        params, cov = _nls(m, t, y)
    fitted_ok = m.value(t, params)
    resid = y - fitted_ok
    ssr = float(resid @ resid)
    sst = float(((y - y.mean()) ** 2).sum())
    fitted = np.full_like(y_all, np.nan)
    fitted[ok] = fitted_ok
    return Fit(model, m.names, params, np.sqrt(np.maximum(np.diag(cov), 0.0)),
               1.0 - ssr / sst if sst > 0 else math.nan, math.sqrt(ssr / len(y)), int(len(y)), t0,
               fitted, y_all - fitted, m.formula)


def _ols(x: np.ndarray, y: np.ndarray):
    params, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ params
    dof = len(y) - x.shape[1]
    sigma2 = float(resid @ resid) / dof
    return params, sigma2 * np.linalg.pinv(x.T @ x)


def _nls(m: Model, t: np.ndarray, y: np.ndarray):
    from scipy.optimize import curve_fit

    def f(tt, *p):
        return m.value(tt, np.asarray(p))

    try:
        params, cov = curve_fit(f, t, y, p0=m.start(t, y), bounds=([-np.inf, -np.inf, 1e-4],
                                                                 [np.inf, np.inf, 1e4]), maxfev=4000)
    except (RuntimeError, ValueError) as e:
        raise InputError(f"The model {m.formula} did not converge on this series ({e}); "
                         "try another model.") from None
    return params, np.where(np.isfinite(cov), cov, np.nan)


def ambiguity_mm(wavelength_mm: float) -> float:
    """The phase-ambiguity step in LOS displacement: half the radar wavelength."""
    return wavelength_mm / 2.0

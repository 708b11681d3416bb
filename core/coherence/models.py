"""NDVI-to-coherence models fitted to window means, with honest prediction intervals.

- linear       gamma = a + b*NDVI          ordinary least squares
- logarithmic  gamma = a + b*ln(NDVI)      ordinary least squares on ln(NDVI)
- exponential  gamma = a*exp(b*NDVI) + c   non-linear least squares (c = 0 without offset)

Prediction interval for a new observation at x0, at confidence level p:
  yhat(x0) +- t_{(1+p)/2, n-k} * sqrt(s^2 + g0' C g0)
with s^2 = RSS/(n-k), C the covariance of the parameters and g0 the gradient of the model
with respect to the parameters at x0. For the linear models g0 = (1, x0) and C = s^2 (X'X)^-1,
which is the textbook OLS interval; for the exponential model C = s^2 (J'J)^-1 at the
least-squares solution (J the Jacobian) and the interval is the delta-method interval.
"""
import math
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

import numpy as np
from scipy import optimize, stats

from ..errors import InputError
from ..progress import checkpoint

MODELS = ("exponential", "linear", "logarithmic")
CRITERIA = (("rmse", "lower"), ("r2", "higher"), ("picp", "higher"), ("pinaw", "lower"))
NAN = float("nan")


def evaluate(model: str, params: Sequence[float], x) -> np.ndarray:
    """The model's coherence at NDVI x (NaN where the logarithm is undefined)."""
    a, b, c = (float(p) for p in (list(params) + [NAN] * 3)[:3])
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if model == "linear":
            return a + b * x
        if model == "logarithmic":
            return np.where(x > 0, a + b * np.log(np.where(x > 0, x, 1.0)), np.nan)
        if model == "exponential":
            return a * np.exp(b * x) + (0.0 if not math.isfinite(c) else c)
    raise InputError(f"Unknown model '{model}'; use one of {', '.join(MODELS)}.")


def formula(model: str, params: Sequence[float]) -> str:
    """A readable formula with the fitted numbers."""
    a, b, c = (list(params) + [NAN] * 3)[:3]
    if model == "linear":
        return f"γ = {a:.4g} {_signed(b)}·NDVI"
    if model == "logarithmic":
        return f"γ = {a:.4g} {_signed(b)}·ln(NDVI)"
    tail = f" {_signed(c)}" if math.isfinite(c) and c != 0 else ""
    return f"γ = {a:.4g}·exp({b:.4g}·NDVI){tail}"


def _signed(v: float) -> str:
    return f"+ {v:.4g}" if v >= 0 else f"− {abs(v):.4g}"


def _gradient(model: str, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """d model / d free parameters, shape (n, k)."""
    if model == "linear":
        return np.column_stack([np.ones_like(x), x])
    if model == "logarithmic":
        return np.column_stack([np.ones_like(x), np.log(x)])
    e = np.exp(p[1] * x)
    cols = [e, p[0] * x * e] + ([np.ones_like(x)] if len(p) == 3 else [])
    return np.column_stack(cols)


@dataclass(frozen=True)
class ModelFit:
    """One fitted model: parameters, standard errors and the paper's four scores."""

    model: str
    params: Tuple[float, float, float]      # a, b, c (c NaN when the model has none)
    se: Tuple[float, float, float]
    n: int
    k: int                                  # number of fitted parameters
    sigma: float                            # residual standard error sqrt(RSS / (n - k))
    confidence: float
    rmse: float
    r2: float
    picp: float
    pinaw: float
    cov: np.ndarray = field(repr=False)
    note: str = ""

    @property
    def ok(self) -> bool:
        return all(math.isfinite(v) for v in (self.rmse, self.r2, self.picp, self.pinaw))

    def predict(self, x) -> np.ndarray:
        return evaluate(self.model, self.params, x)

    def interval(self, x) -> Tuple[np.ndarray, np.ndarray]:
        """Lower and upper prediction bounds for new observations at x."""
        x = np.asarray(x, dtype=float)
        p = np.array([v for v in self.params[:self.k]])
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            g = _gradient(self.model, p, x)
            var = self.sigma ** 2 + np.einsum("ij,jk,ik->i", g, self.cov, g)
        half = stats.t.ppf(0.5 + self.confidence / 2.0, self.n - self.k) * np.sqrt(var)
        y = self.predict(x)
        return y - half, y + half


def picp(y, lower, upper) -> float:
    """Prediction interval coverage probability: the share of y inside [lower, upper]."""
    y, lo, hi = (np.asarray(v, float) for v in (y, lower, upper))
    return float(np.mean((y >= lo) & (y <= hi))) if y.size else NAN


def pinaw(y, lower, upper) -> float:
    """Prediction interval normalised average width: mean(upper - lower) / (max y - min y)."""
    y, lo, hi = (np.asarray(v, float) for v in (y, lower, upper))
    span = float(np.ptp(y)) if y.size else 0.0
    return float(np.mean(hi - lo) / span) if span > 0 else NAN


def _exp_start(x: np.ndarray, y: np.ndarray, offset: bool) -> np.ndarray:
    """Starting values: for a grid of b the model is linear in (a, c); keep the best."""
    best, start = np.inf, None
    scale = max(float(np.ptp(x)), 1e-6)
    for b in np.concatenate([-np.geomspace(0.02, 60, 80), np.geomspace(0.02, 60, 80)]) / scale:
        checkpoint()
        e = np.exp(b * x)
        if not np.all(np.isfinite(e)):
            continue
        A = np.column_stack([e, np.ones_like(x)]) if offset else e[:, None]
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        rss = float(np.sum((A @ coef - y) ** 2))
        if rss < best:
            best, start = rss, np.r_[coef[0], b, coef[1:]]
    return start


def fit_model(model: str, x, y, confidence: float = 0.99, exp_offset: bool = True) -> ModelFit:
    """Fit one model to (NDVI, coherence) samples and score it."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if model not in MODELS:
        raise InputError(f"Unknown model '{model}'; use one of {', '.join(MODELS)}.")
    k = 3 if (model == "exponential" and exp_offset) else 2
    n = x.size
    if n <= k:
        raise InputError(f"The {model} model needs more than {k} samples; only {n} are left.")
    note = ""
    if model in ("linear", "logarithmic"):
        X = _gradient(model, np.zeros(2), x)
        p, *_ = np.linalg.lstsq(X, y, rcond=None)
    else:
        p0 = _exp_start(x, y, exp_offset)
        f = (lambda t, a, b, c: a * np.exp(b * t) + c) if exp_offset else \
            (lambda t, a, b: a * np.exp(b * t))
        try:
            p, _ = optimize.curve_fit(f, x, y, p0=p0, maxfev=20000)
        except (RuntimeError, optimize.OptimizeWarning) as e:
            p, note = p0, f"non-linear least squares did not converge ({e}); grid start kept"
    resid = y - evaluate(model, list(p) + ([0.0] if model == "exponential" and k == 2 else []), x)
    rss = float(resid @ resid)
    sigma = math.sqrt(rss / (n - k))
    J = _gradient(model, np.asarray(p, float), x)
    try:
        cov = sigma ** 2 * np.linalg.inv(J.T @ J)
    except np.linalg.LinAlgError:
        cov, note = np.full((k, k), np.inf), "the parameters are not identifiable from these samples"
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    params = list(map(float, p)) + ([0.0] if model == "exponential" and k == 2 else [])
    params += [NAN] * (3 - len(params))
    ses = list(map(float, se)) + [NAN] * (3 - k)
    tss = float(np.sum((y - y.mean()) ** 2))
    base = ModelFit(model, tuple(params), tuple(ses), n, k, sigma, confidence,
                    math.sqrt(rss / n), 1.0 - rss / tss if tss > 0 else NAN, NAN, NAN, cov, note)
    lo, hi = base.interval(x)
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        return base
    return ModelFit(model, base.params, base.se, n, k, sigma, confidence, base.rmse, base.r2,
                    picp(y, lo, hi), pinaw(y, lo, hi), cov, note)


@dataclass(frozen=True)
class FitSet:
    """Every requested model fitted to the same samples, and the winner."""

    fits: List[ModelFit]
    best: str
    reason: str
    excluded_nonpositive: int
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)


def fit_models(x, y, models: Sequence[str] = MODELS, confidence: float = 0.99,
               exp_offset: bool = True) -> FitSet:
    """Fit the models on the same samples; NDVI <= 0 is excluded when the log model is asked for."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if not 0 < confidence < 1:
        raise InputError(f"CONFIDENCE must be between 0 and 1 (got {confidence}); 0.99 is the paper's.")
    models = [m for m in MODELS if m in models] or list(MODELS)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    excluded = 0
    if "logarithmic" in models:
        pos = x > 0
        excluded = int(np.sum(~pos))
        if excluded == x.size:
            raise InputError(f"All {excluded} samples have NDVI <= 0, where ln(NDVI) is undefined. "
                             "Drop the logarithmic model or raise MASK_BELOW above 0.")
        x, y = x[pos], y[pos]
    fits = []
    for m in models:
        checkpoint()
        fits.append(fit_model(m, x, y, confidence, exp_offset))
    best, reason = best_model(fits)
    return FitSet(fits, best, reason, excluded, x, y)


def _ranks(values: List[float], better: str) -> List[int]:
    """1 = best; equal values share the better rank."""
    keyed = [v if better == "lower" else -v for v in values]
    return [1 + sum(1 for w in keyed if w < v) for v in keyed]


def best_model(fits: Sequence[ModelFit]) -> Tuple[str, str]:
    """The paper's rule: the model best on RMSE, R², PICP and PINAW together.

    Each criterion ranks the models (RMSE and PINAW lower is better, R² and PICP higher),
    comparing values rounded to 4 significant digits, as printed; ties share the better rank.
    The winner has the most first places; ties go to the lowest sum of ranks, then the lowest
    unrounded RMSE, then the fewest parameters. Models whose scores are not finite are skipped.
    """
    usable = [f for f in fits if f.ok]
    if not usable:
        raise InputError("No model could be fitted and scored on these samples.")
    ranks: Dict[str, List[int]] = {f.model: [] for f in usable}
    for crit, better in CRITERIA:
        vals = [float(f"{getattr(f, crit):.4g}") for f in usable]
        for f, r in zip(usable, _ranks(vals, better)):
            ranks[f.model].append(r)
    order = sorted(usable, key=lambda f: (-sum(r == 1 for r in ranks[f.model]),
                                          sum(ranks[f.model]), f.rmse, f.k))
    win = order[0]
    firsts = [c for (c, _), r in zip(CRITERIA, ranks[win.model]) if r == 1]
    if len(usable) == 1:
        return win.model, "the only model fitted"
    reason = (f"best on {len(firsts)} of 4 criteria ({', '.join(firsts) or 'none'}); "
              f"sum of ranks {sum(ranks[win.model])}")
    runner = order[1]
    if sum(r == 1 for r in ranks[runner.model]) == len(firsts):
        reason += f"; tied on first places with {runner.model}, decided by the tie rule"
    return win.model, reason

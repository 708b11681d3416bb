"""Regression charts, one function per chart, each returning a matplotlib Figure (paper Fig. 9).

The HTML report and the dock draw the same figures. Clouds of more than MAX_DRAWN points are
drawn from a fixed random subset (statistics always use every point).
"""
from typing import Optional

import numpy as np
from scipy import stats
from matplotlib.figure import Figure

from ..report import new_figure
from .ols import LineFit, bands

MAX_DRAWN = 20000


def _subset(n: int, seed: int = 0) -> np.ndarray:
    if n <= MAX_DRAWN:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, MAX_DRAWN, replace=False))


def _title(fit: LineFit) -> str:
    return f"{fit.group}: {fit.dependent} on {fit.explanatory}"


def _empty(fig: Figure, ax, fit: LineFit) -> Figure:
    ax.text(0.5, 0.5, f"Not enough points ({fit.n}) for a regression", ha="center", va="center",
            transform=ax.transAxes)
    ax.set_title(_title(fit), fontsize=10)
    return fig


def scatter_fit(fit: LineFit, units: str = "", width: float = 5.0, height: float = 4.0) -> Figure:
    """Scatter of y on x with the fitted line, the confidence band of the mean and the
    prediction band at the fit's confidence level."""
    fig = new_figure(width, height)
    ax = fig.add_subplot()
    if not np.isfinite(fit.slope):
        return _empty(fig, ax, fit)
    k = _subset(fit.n)
    ax.scatter(fit.x[k], fit.y[k], s=6, alpha=0.5, color="#2b83ba", linewidths=0, rasterized=True,
               label="points")
    x0 = np.linspace(fit.x.min(), fit.x.max(), 200)
    b = bands(fit, x0)
    pct = f"{100 * fit.confidence:g} %"
    ax.fill_between(x0, b["obs_low"], b["obs_high"], color="#fdae61", alpha=0.25,
                    label=f"{pct} prediction band")
    ax.fill_between(x0, b["mean_low"], b["mean_high"], color="#d7191c", alpha=0.35,
                    label=f"{pct} confidence band of the mean")
    ax.plot(x0, b["mean"], color="#d7191c", lw=1.5,
            label=f"y = {fit.intercept:.4g} {'+' if fit.slope >= 0 else '−'} {abs(fit.slope):.4g} x")
    ax.set_xlabel(fit.explanatory)
    ax.set_ylabel(f"{fit.dependent} ({units})" if units else fit.dependent)
    ax.set_title(f"{_title(fit)}\nr = {fit.r:.3f}, R² = {fit.r2:.3f}, RMSE = {fit.rmse:.3g}, "
                 f"n = {fit.n}", fontsize=10)
    ax.legend(fontsize=7, loc=_emptiest_corner(ax, fit.x[k], fit.y[k]))
    return fig


def _emptiest_corner(ax, x: np.ndarray, y: np.ndarray) -> str:
    """The axes corner holding the fewest points, for the legend: matplotlib's loc="best" tests
    every candidate box against every point, seconds for a cloud of 20 000."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    right = (x - x0) >= 0.5 * (x1 - x0)
    upper = (y - y0) >= 0.5 * (y1 - y0)
    counts = {"upper left": np.sum(~right & upper), "upper right": np.sum(right & upper),
              "lower left": np.sum(~right & ~upper), "lower right": np.sum(right & ~upper)}
    return min(counts, key=counts.get)


def residual_plot(fit: LineFit, width: float = 5.0, height: float = 4.0) -> Figure:
    """Residuals (observed − predicted) against the predicted values."""
    fig = new_figure(width, height)
    ax = fig.add_subplot()
    if not np.isfinite(fit.slope):
        return _empty(fig, ax, fit)
    k = _subset(fit.n)
    ax.scatter(fit.predicted[k], fit.residuals[k], s=6, alpha=0.5, color="#2b83ba", linewidths=0,
               rasterized=True)
    ax.axhline(0.0, color="#d7191c", lw=1)
    ax.set_xlabel(f"predicted {fit.dependent}")
    ax.set_ylabel("residual (observed − predicted)")
    ax.set_title(f"{_title(fit)}: residuals", fontsize=10)
    return fig


def qq_plot(fit: LineFit, width: float = 5.0, height: float = 4.0, seed: Optional[int] = 0) -> Figure:
    """Normal QQ plot of the residuals at the plotting positions i / (n + 1), with the line through
    the quartiles (what statsmodels' qqplot(line="q") draws)."""
    fig = new_figure(width, height)
    ax = fig.add_subplot()
    if not np.isfinite(fit.slope):
        return _empty(fig, ax, fit)
    resid = np.sort(fit.residuals[_subset(fit.n, seed or 0)])
    theory = stats.norm.ppf(np.arange(1, resid.size + 1) / (resid.size + 1))
    ax.plot(theory, resid, "o", color="C0", markersize=3, alpha=0.6, rasterized=True)
    quartiles = stats.norm.ppf([0.25, 0.75])
    q25, q75 = np.percentile(resid, [25, 75])
    k = (q75 - q25) / (quartiles[1] - quartiles[0])
    ax.plot(theory, q25 + k * (theory - quartiles[0]), "-", color="r")
    ax.set_xlabel("theoretical quantiles (normal)")
    ax.set_ylabel("residual quantiles")
    ax.set_title(f"{_title(fit)}: QQ plot of residuals", fontsize=10)
    return fig

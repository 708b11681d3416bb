"""Charts of the coherence group: one function per chart, each returning a matplotlib Figure."""
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..report import new_figure
from .models import ModelFit, formula

_COLOURS = {"exponential": "#d7301f", "linear": "#2b83ba", "logarithmic": "#1a9641"}


def model_figure(fit: ModelFit, x: np.ndarray, y: np.ndarray) -> Figure:
    """(a) the samples, the fitted curve and its prediction band; (b) residuals against NDVI."""
    fig = new_figure(11, 4.4)
    ax, axr = fig.subplots(1, 2)
    grid = np.linspace(float(np.min(x)), float(np.max(x)), 200)
    lo, hi = fit.interval(grid)
    ax.scatter(x, y, s=9, c="#555555", alpha=0.6, label="window means")
    ax.plot(grid, fit.predict(grid), color="red", lw=2, label=formula(fit.model, fit.params))
    ax.plot(grid, lo, "b--", lw=1.2, label=f"{fit.confidence:.0%} prediction interval")
    ax.plot(grid, hi, "b--", lw=1.2)
    ax.set_xlabel("NDVI")
    ax.set_ylabel("coherence γ")
    ax.set_title(f"(a) {fit.model} model")
    ax.legend(loc="best", fontsize=8)
    resid = y - fit.predict(x)
    axr.scatter(x, resid, s=9, c="#555555", alpha=0.6)
    axr.axhline(0.0, color="red", lw=1)
    axr.set_xlabel("NDVI")
    axr.set_ylabel("residual (observed − fitted)")
    axr.set_title(f"(b) residuals, RMSE {fit.rmse:.4f}")
    return fig


def models_figure(fits: Sequence[ModelFit], x: np.ndarray, y: np.ndarray) -> Figure:
    """All fitted curves over the samples."""
    fig = new_figure(7, 4.6)
    ax = fig.subplots()
    ax.scatter(x, y, s=9, c="#777777", alpha=0.5, label="window means")
    grid = np.linspace(float(np.min(x)), float(np.max(x)), 200)
    for f in fits:
        ax.plot(grid, f.predict(grid), color=_COLOURS.get(f.model, "k"), lw=2,
                label=f"{f.model}: R² {f.r2:.3f}")
    ax.set_xlabel("NDVI")
    ax.set_ylabel("coherence γ")
    ax.legend(fontsize=8)
    return fig


def error_histogram_figure(counts: np.ndarray, edges: np.ndarray, mean: float, std: float) -> Figure:
    """Histogram of true − predicted coherence with the normal curve of the same mean and std."""
    fig = new_figure(7, 4.2)
    ax = fig.subplots()
    width = np.diff(edges)
    total = max(int(np.sum(counts)), 1)
    ax.bar(edges[:-1], counts / (total * width), width=width, align="edge", color="#8fb3d9",
           edgecolor="#4a6f99", lw=0.3, label="error")
    if np.isfinite(mean) and np.isfinite(std) and std > 0:
        t = np.linspace(edges[0], edges[-1], 400)
        ax.plot(t, np.exp(-0.5 * ((t - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi)), "r-",
                lw=1.5, label=f"normal, mean {mean:.3f}, std {std:.3f}")
    ax.set_xlabel("error = true − predicted coherence")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    return fig

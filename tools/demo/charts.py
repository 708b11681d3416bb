"""The demo report's own charts: the study's results against the planted truth and the papers'
figures (one function per chart, each returning a matplotlib Figure).

The maps are the study's own print layouts (figures/*.png); the charts the plugin draws (overlap
Fig. 8, pair network Fig. 2, OLS Fig. 9, coherence error histogram) come from core/*/charts.py.
"""
import datetime as dt
from typing import Dict, List, Sequence

import numpy as np

from insar_fusion.core.report import new_figure

def coefficients_vs_planted(panels: Sequence[tuple]):
    """Local GWR coefficients against the planted surfaces: one scatter per (name, est, planted, unit)."""
    fig = new_figure(4.2 * len(panels), 4.2)
    axes = fig.subplots(1, len(panels))
    for ax, (name, est, planted, unit) in zip(np.atleast_1d(axes), panels):
        ax.scatter(planted, est, s=3, alpha=0.4, color="#2b83ba", linewidths=0, rasterized=True)
        lo = float(np.nanmin([np.nanpercentile(est, 1), np.min(planted)]))
        hi = float(np.nanmax([np.nanpercentile(est, 99), np.max(planted)]))
        ax.plot([lo, hi], [lo, hi], "k-", lw=1, label="1:1")
        r = np.corrcoef(est, planted)[0, 1] if np.std(planted) > 0 else float("nan")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel(f"planted {name} ({unit})")
        ax.set_ylabel(f"GWR estimate ({unit})")
        ax.set_title(f"{name}: r = {r:.3f}, n = {len(est)}", fontsize=10)
        ax.legend(fontsize=8)
    return fig


VAR_LABELS = {"deformation": "deformation (mm)", "rate": "rate (mm/month)", "ndvi": "NDVI",
              "soil_moisture": "soil moisture (m³/m³)", "precipitation": "precipitation (mm/month)"}


def site_panel(site: str, series: Dict[str, tuple]):
    """One site's monthly series on a shared date axis (Heihe Fig. 11): {variable: (dates, values)}."""
    names = [v for v in VAR_LABELS if v in series]
    fig = new_figure(9.0, 1.6 * len(names) + 0.6)
    axes = fig.subplots(len(names), 1, sharex=True)
    for ax, name in zip(np.atleast_1d(axes), names):
        d, v = series[name]
        ax.plot(d, v, "-o", ms=3, lw=1.4, color={"deformation": "#b2182b", "rate": "#d6604d",
                                                  "ndvi": "#1a9641", "soil_moisture": "#2166ac",
                                                  "precipitation": "#5e3c99"}[name])
        if name == "rate":
            ax.axhline(0, color="0.5", lw=0.6)
        ax.set_ylabel(VAR_LABELS[name], fontsize=8)
        ax.grid(True, lw=0.3)
    np.atleast_1d(axes)[0].set_title(f"{site}: monthly series in a 2000 m circle (smoothed, 3 months)")
    return fig


def correlation_heatmaps(matrices: List[tuple]):
    """Pearson r between the site variables, one heatmap per site (Heihe Fig. 7): [(site, names, r)]."""
    fig = new_figure(4.1 * len(matrices), 4.0)
    axes = np.atleast_1d(fig.subplots(1, len(matrices)))
    im = None
    for ax, (site, names, r) in zip(axes, matrices):
        im = ax.imshow(r, cmap="RdBu_r", vmin=-1, vmax=1)
        short = [n.replace("soil_moisture", "SM").replace("precipitation", "precip")
                  .replace("deformation", "defo").replace("ndvi", "NDVI") for n in names]
        ax.set_xticks(range(len(names)), short, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(names)), short, fontsize=8)
        for i in range(len(names)):
            for j in range(len(names)):
                if np.isfinite(r[i, j]):
                    ax.text(j, i, f"{r[i, j]:.2f}", ha="center", va="center", fontsize=7,
                            color="white" if abs(r[i, j]) > 0.6 else "black")
        ax.set_title(site)
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="Pearson r")
    return fig


def lag_chart(lags: Dict[str, Dict[str, float]], planted: Dict[str, float], paper: Dict[str, float]):
    """Lag of each stack behind the deformation rate per site, with the planted and paper lags."""
    fig = new_figure(8.0, 4.0)
    ax = fig.add_subplot()
    sites = list(lags)
    variables = ["ndvi", "soil_moisture", "precipitation"]
    colours = {"ndvi": "#1a9641", "soil_moisture": "#2166ac", "precipitation": "#5e3c99"}
    width = 0.8 / len(variables)
    for k, var in enumerate(variables):
        vals = [lags[s].get(var, np.nan) for s in sites]
        ax.bar(np.arange(len(sites)) + (k - 1) * width, vals, width, color=colours[var], label=var)
    for var in ("ndvi", "soil_moisture"):
        ax.axhline(planted[var], color=colours[var], ls="--", lw=1.2,
                   label=f"planted {var}: {planted[var]:g} d (paper ~{paper[var]:g} d)")
    ax.set_xticks(range(len(sites)), sites)
    ax.set_ylabel("lag behind the deformation rate (days)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(True, axis="y", lw=0.3)
    return fig


def coherence_curves(x, y, models: List[dict], planted: dict, expected=None):
    """NDVI-coherence window means, the three fitted models and the planted law (Ningxia Fig. 2-4);
    `expected`: (label, callable NDVI -> γ) the planted law as the estimator sees it."""
    from insar_fusion.core.coherence.models import evaluate

    fig = new_figure(7.5, 4.8)
    ax = fig.add_subplot()
    ax.scatter(x, y, s=10, c="0.45", alpha=0.6, label=f"window means (n = {len(x)})")
    grid = np.linspace(max(0.01, float(np.min(x))), float(np.max(x)), 200)
    colours = {"exponential": "#d7301f", "linear": "#2b83ba", "logarithmic": "#1a9641"}
    for m in models:
        params = (m["a"], m["b"], m["c"] if m["c"] is not None else float("nan"))
        ax.plot(grid, evaluate(m["model"], params, grid), color=colours.get(m["model"], "k"), lw=2,
                label=f"{m['model']}: R² {m['r2']:.3f}" + (" (best)" if m.get("best") else ""))
    ax.plot(grid, planted["a"] * np.exp(planted["b"] * grid) + planted["c"], "k--", lw=1.5,
            label=f"planted {planted['a']:g}·exp({planted['b']:g}·NDVI) + {planted['c']:g}")
    if expected is not None:
        ax.plot(grid, expected[1](grid), "k:", lw=1.5, label=expected[0])
    ax.set_xlabel("NDVI (MVC of the pair, 25 m)")
    ax.set_ylabel("coherence γ")
    ax.legend(fontsize=8)
    ax.grid(True, lw=0.3)
    return fig


def parse_dates(values) -> List[dt.date]:
    return [dt.date.fromisoformat(str(v).replace("/", "-")[:10]) for v in values]

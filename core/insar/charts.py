"""Charts of the InSAR steps, one function per chart, each returning a matplotlib Figure."""
import datetime as dt
from typing import Optional, Sequence

import numpy as np
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from ..atomic import atomic_output
from ..report import figure_png, new_figure


def save_png(fig: Figure, path: str, dpi: int = 120) -> str:
    """Write a figure as PNG atomically; return the path."""
    data = figure_png(fig, dpi)
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
    return path


def splice_chart(rate_ref: np.ndarray, rate_sec: np.ndarray, rmse: float,
                 rate_sec_before: Optional[np.ndarray] = None,
                 names: Sequence[str] = ("reference", "secondary")) -> Figure:
    """Rate of track A against track B over matched pairs, with the 1:1 and the ±3·RMSE lines
    (Heihe paper, Fig. 8)."""
    fig = new_figure(6.5, 6.0)
    ax = fig.add_subplot(1, 1, 1)
    a, b = np.asarray(rate_ref, float), np.asarray(rate_sec, float)
    vals = [a, b] + ([np.asarray(rate_sec_before, float)] if rate_sec_before is not None else [])
    allv = np.concatenate([v[np.isfinite(v)] for v in vals]) if len(a) else np.array([-1.0, 1.0])
    lo, hi = float(np.min(allv)), float(np.max(allv))
    pad = 0.05 * (hi - lo or 1.0) + 3 * rmse
    lo, hi = lo - pad, hi + pad
    if rate_sec_before is not None:
        ax.scatter(a, rate_sec_before, s=6, c="0.7", lw=0, label=f"{names[1]} before correction")
    ax.scatter(a, b, s=8, c="#2b83ba", lw=0, label=f"{names[1]} corrected")
    line = np.array([lo, hi])
    ax.plot(line, line, "k-", lw=1, label="1:1")
    ax.plot(line, line + 3 * rmse, "r:", lw=1.5, label=f"±3·RMSE ({3 * rmse:.2f} mm/yr)")
    ax.plot(line, line - 3 * rmse, "r:", lw=1.5)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{names[0]} rate (mm/yr)")
    ax.set_ylabel(f"{names[1]} rate (mm/yr)")
    ax.set_title(f"Overlap of {names[0]} and {names[1]}: {len(a)} pairs, RMSE {rmse:.2f} mm/yr")
    ax.grid(True, lw=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def network_chart(dates: Sequence[dt.date], bperp: np.ndarray, i: np.ndarray, j: np.ndarray,
                  gaps: Sequence = (), title: str = "", isolated: Sequence[dt.date] = ()) -> Figure:
    """The pair network, time against perpendicular baseline, pairs as lines (Heihe paper, Fig. 2)."""
    fig = new_figure(9.0, 4.5)
    ax = fig.add_subplot(1, 1, 1)
    t = date2num(list(dates))
    b = np.asarray(bperp, float)
    if len(i):
        xs = np.column_stack([t[i], t[j], np.full(len(i), np.nan)]).ravel()
        ys = np.column_stack([b[i], b[j], np.full(len(i), np.nan)]).ravel()
        ax.plot(xs, ys, "-", color="#2b83ba", lw=0.8, label=f"{len(i)} pairs")
    for a, c in gaps:
        ax.axvspan(date2num(a), date2num(c), color="#d7191c", alpha=0.15)
    if len(gaps):
        ax.plot([], [], color="#d7191c", alpha=0.3, lw=6, label="gap (no pair spans it)")
    ax.plot(t, b, "o", color="#1a9641", ms=5, mec="k", mew=0.4, label=f"{len(t)} acquisitions", zorder=3)
    if len(isolated):
        k = [list(dates).index(d) for d in isolated]
        ax.plot(t[k], b[k], "o", color="#d7191c", ms=7, mec="k", mew=0.4, label="isolated (no pair)", zorder=4)
    ax.xaxis_date()
    ax.set_xlabel("Acquisition date")
    ax.set_ylabel("Perpendicular baseline (m)")
    ax.set_title(title or "Small-baseline pair network")
    ax.grid(True, lw=0.3)
    ax.legend(loc="best", fontsize=8)
    return fig

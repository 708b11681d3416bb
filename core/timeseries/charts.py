"""Every time-series chart, one function each, drawn on a Figure (new, or the dock's own).

The HTML report, the inspector dock and its PNG/SVG export all call these functions. Each
axes carries its variable as its label (ax.get_label()) and each line a readable label, so
the data behind a chart can be found again (tests read it back).
"""
import textwrap
from typing import Optional, Sequence

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from ..progress import checkpoint
from ..report import new_figure
from . import panel
from .panel import COLOURS, stack_labels  # noqa: F401  (the dock and tests use them from here)
from .site import DEFORMATION, RATE, SiteAnalysis, unit_of

LABELS = {"ndvi": "NDVI", "soil_moisture": "Soil moisture", "precipitation": "Precipitation",
          DEFORMATION: "Deformation", RATE: "Deformation rate", panel.RESIDUALS: "Fit residuals"}
SHORT = {"ndvi": "NDVI", "soil_moisture": "Soil moist.", "precipitation": "Precip.",
         DEFORMATION: "Deform.", panel.RESIDUALS: "Resid.", RATE: "Rate"}


def pretty(name: str) -> str:
    """A variable's display name."""
    return LABELS.get(name, name.replace("_", " "))


def short(name: str) -> str:
    """A variable's name for crowded places (heatmap ticks, panel rows)."""
    return SHORT.get(name, pretty(name)[:12])


def _axis_label(name: str, compact: bool = False) -> str:
    unit = unit_of(name)
    text = short(name) if compact else pretty(name)
    return f"{text}\n({unit})" if compact and unit else f"{text} ({unit})" if unit else text


def _prepare(fig: Optional[Figure], width: float, height: float) -> Figure:
    """A new figure, or `fig` emptied. Either is laid out by matplotlib's constrained layout, so
    that labels, legends and titles are never clipped or overlapped (fixed margins were, at
    the dock's width)."""
    if fig is None:
        return new_figure(width, height)
    fig.clear()
    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
    engine = fig.get_layout_engine()
    if hasattr(engine, "set"):  # a little more than the default pad: its two passes can fall short
        engine.set(w_pad=0.07, h_pad=0.07)
    return fig


def _autoscale(axes) -> None:
    for ax in axes:
        checkpoint()
        ax.relim()
        for coll in ax.collections:  # relim() leaves collections out (the spread band)
            box = coll.get_datalim(ax.transData)
            if np.all(np.isfinite(box.get_points())):
                ax.update_datalim(box.get_points())
        ax.autoscale_view()


def _key_rows(n_entries: int, ncol: int) -> int:
    return (n_entries + ncol - 1) // ncol


def timeseries_panel(analyses: Sequence[SiteAnalysis], fig: Optional[Figure] = None,
                     width: float = 9.0, height: Optional[float] = None,
                     options: panel.Options = panel.Options(), reference: str = "") -> Figure:
    """Deformation (circle mean with spread, picked point), rate, then each stack, one shared date axis.

    Paper Fig. 11. Up to six sites are overlaid in distinct colours; `options` adds a model fit
    (and its residuals row), ambiguity replicas, uncertainty and a GNSS overlay. The legend has
    its own row above the charts, the title wraps to the figure's width, and constrained layout
    places everything, so nothing is clipped at any width.
    """
    rows = panel.rows_of(analyses, options)
    curves = panel.panel_curves(analyses, options)
    keyed = [c for c in curves if c.in_legend]
    fig = _prepare(fig, width, height or 1.7 * len(rows) + 1.2)
    width_px = fig.bbox.width
    ncol = max(1, min(len(keyed), int(width_px // 200)))
    key_in = 0.17 * _key_rows(len(keyed), ncol) + 0.05 if keyed else 0.01
    fig_h = fig.bbox.height / fig.dpi
    per_row = max((fig_h - key_in - 0.6) / len(rows), 0.3)
    grid = fig.subplots(len(rows) + 1, 1, squeeze=False,  # a report's Figure checks before each
                        gridspec_kw={"height_ratios": [key_in / per_row] + [1.0] * len(rows)})[:, 0]
    key_ax, axes = grid[0], list(grid[1:])
    key_ax.set_axis_off()
    key_ax.set_label("")
    for ax in axes[1:]:
        ax.sharex(axes[0])
    for ax, name in zip(axes, rows):
        checkpoint()
        ax.set_label(name)
        ax.set_ylabel(_axis_label(name, compact=True), fontsize=8)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.ticklabel_format(axis="y", useOffset=False)  # a flat series gets no offset text
        if ax is not axes[-1]:
            ax.tick_params(labelbottom=False)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=max(3, int(width_px // 80)))
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    by_name = dict(zip(rows, axes))
    handles = []
    for c in curves:
        checkpoint()
        ax = by_name[c.row]
        dates = list(c.dates)
        if c.kind == "band":
            ax.fill_between(dates, c.lower, c.upper, color=c.colour, alpha=0.15, linewidth=0, label="_spread")
        elif c.kind == "mean":
            handles += ax.plot(dates, c.values, "o-", color=c.colour, ms=2.5, lw=1.2, label=c.label)
        elif c.kind == "point":
            handles += ax.plot(dates, c.values, "--", color=c.colour, lw=0.9, alpha=0.9, label=c.label)
            if c.lower is not None:
                ax.errorbar(dates, c.values, yerr=c.upper - c.values, fmt="none", ecolor=c.colour,
                            alpha=0.35, lw=0.6, label="_sigma")
        elif c.kind == "replica":
            ax.plot(dates, c.values, ":", color=c.colour, lw=0.8, alpha=0.6, label=c.label)
        elif c.kind == "fit":
            handles += ax.plot(dates, c.values, "-", color=c.colour, lw=2.0, alpha=0.55, label=c.label)
        elif c.kind == "gnss":
            handles += ax.plot(dates, c.values, "x", color=c.colour, ms=3.5, label=c.label)
        elif c.kind == "residual":
            ax.plot(dates, c.values, "o", color=c.colour, ms=2.2, label=c.label)
        elif c.kind == "rate":
            ax.plot(dates, c.values, "o-", color=c.colour, ms=3, lw=1.2, label=c.label)
        else:
            ax.plot(dates, c.values, "s-", color=c.colour, ms=3, lw=1.2, label=c.label)
    by_name[RATE].axhline(0.0, color="#888", lw=0.6, label="_zero")
    if panel.RESIDUALS in by_name:
        by_name[panel.RESIDUALS].axhline(0.0, color="#888", lw=0.6, label="_zero")
    _autoscale(axes)
    if handles:
        key_ax.legend(handles, [h.get_label() for h in handles], loc="center", ncol=ncol, fontsize=7,
                      frameon=False, borderaxespad=0.0, handlelength=1.6, columnspacing=1.0,
                      labelspacing=0.3)
    checkpoint()
    title = panel.title_of(analyses, reference)
    chars = max(20, int(width_px / (9 * 0.62 * fig.dpi / 72)))
    fig.suptitle(textwrap.fill(title, chars), fontsize=9)
    return fig


def _heatmap_on(ax, analysis: SiteAnalysis, fontsize: float = 8):
    from .stats import correlation_matrix

    names = list(analysis.variables)
    mat = correlation_matrix(names, analysis.correlations)
    ax.set_label("correlation")
    ax.variables = names
    # aspect auto: constrained layout then leaves room for the tick labels (it does not with
    # square cells, and 'Soil moist.' was cut at the dock's size)
    image = ax.imshow(np.ma.masked_invalid(mat), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ticks = [short(n) for n in names]
    ax.set_xticks(range(len(names)), ticks, rotation=35, ha="right", fontsize=fontsize)
    ax.set_yticks(range(len(names)), ticks, fontsize=fontsize)
    for i in range(len(names)):
        for j in range(len(names)):
            v = mat[i, j]
            ax.text(j, i, "–" if not np.isfinite(v) else f"{v:.2f}", ha="center", va="center",
                    fontsize=fontsize - 1, color="white" if np.isfinite(v) and abs(v) > 0.6 else "black")
    ax.set_title(f"Correlation at {analysis.site}", fontsize=fontsize + 1)
    return image


def _colour_bar(fig, image, axes) -> None:
    bar = fig.colorbar(image, ax=axes, shrink=0.8, fraction=0.06, pad=0.03)
    bar.set_label("Pearson r", fontsize=8)
    bar.ax.tick_params(labelsize=7)


def correlation_heatmap(analysis: SiteAnalysis, fig: Optional[Figure] = None,
                        width: float = 4.6, height: float = 4.0) -> Figure:
    """Pearson r between every pair of variables, annotated (paper Fig. 7)."""
    fig = _prepare(fig, width, height)
    ax = fig.subplots()
    _colour_bar(fig, _heatmap_on(ax, analysis), ax)
    return fig


def correlation_heatmaps(analyses: Sequence[SiteAnalysis], fig: Optional[Figure] = None,
                         width: float = 6.0, height: float = 4.0) -> Figure:
    """One heatmap per compared site, side by side (two rows from four sites), one colour bar."""
    fig = _prepare(fig, width, height)
    if not analyses:
        return fig
    n = len(analyses)
    nrows = 1 if n <= 3 else 2
    ncols = (n + nrows - 1) // nrows
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    image = None
    for ax, a in zip(axes, analyses):
        checkpoint()
        image = _heatmap_on(ax, a, fontsize=8 if n == 1 else 6.5)
    for ax in axes[n:]:
        ax.set_axis_off()
    _colour_bar(fig, image, list(axes[:n]))
    return fig


def rate_scatters(analysis: SiteAnalysis, fig: Optional[Figure] = None,
                  width: float = 9.0, height: float = 3.4) -> Figure:
    """The rate against each stack variable, with the least-squares line (paper Fig. 12)."""
    labels = [s.label for s in analysis.data.stacks]
    fig = _prepare(fig, width, height)
    if not labels:
        ax = fig.subplots()
        ax.text(0.5, 0.5, "No stack to compare with the rate", ha="center", va="center")
        ax.set_axis_off()
        return fig
    axes = fig.subplots(1, len(labels), squeeze=False)[0]
    rate = analysis.monthly[RATE]
    for ax, label in zip(axes, labels):
        checkpoint()
        ax.set_label(label)
        x = analysis.monthly[label]
        ok = np.isfinite(x) & np.isfinite(rate)
        ax.scatter(x[ok], rate[ok], s=16, color=COLOURS[0], alpha=0.8, label="monthly values")
        corr = analysis.correlation(RATE, label)
        if ok.sum() >= 2 and np.ptp(x[ok]) > 0:
            slope, intercept = np.polyfit(x[ok], rate[ok], 1)
            xs = np.linspace(x[ok].min(), x[ok].max(), 50)
            ax.plot(xs, slope * xs + intercept, color=COLOURS[1], lw=1.5,
                    label=f"fit: {slope:.3g}·x {intercept:+.3g}")
        r_text = f"r = {corr.r:.2f}" if corr is not None and np.isfinite(corr.r) else "r = –"
        lag = analysis.lag(label)
        if lag is not None and np.isfinite(lag.lag_days):
            r_text += f", lag {lag.lag_days:+.0f} d"
        ax.set_title(f"{pretty(label)}: {r_text}", fontsize=9)
        ax.set_xlabel(_axis_label(label), fontsize=9)
        ax.set_ylabel(_axis_label(RATE), fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7)
    return fig


def lag_text(analysis: SiteAnalysis) -> str:
    """The lags of each stack behind the rate as short plain-text lines."""
    lines = [f"{analysis.site}: lag behind the rate"]
    for lag in analysis.lags:
        if not np.isfinite(lag.lag_days):
            lines.append(f"  {pretty(lag.variable)}: not enough data")
            continue
        edge = " (limit)" if lag.at_limit else ""
        lines.append(f"  {pretty(lag.variable)}: {lag.lag_days:+.1f} d{edge}, "
                     f"r {lag.r_at_lag:+.2f} ({lag.r_with_rate:+.2f} at 0)")
    if not analysis.lags:
        lines.append("  (no stack)")
    return "\n".join(lines)


def fit_text(analyses: Sequence[SiteAnalysis], model: str) -> str:
    """Each site's fitted model: the formula, parameters ± standard errors, R², RMSE."""
    if not model:
        return ""
    out = []
    for a, f in zip(analyses, panel.site_fits(analyses, model)):
        if f is None:
            out.append(f"{a.site}: the {model} model cannot be fitted to this series")
            continue
        out.append(f"{a.site}: {f.formula} (t in years since {f.t0.isoformat()}, mm)")
        out += [f"  {n} = {p:.4g} ± {e:.2g}" for n, p, e in zip(f.names, f.params, f.stderr)]
        out.append(f"  R² = {f.r2:.3f}, RMSE = {f.rmse:.3g} mm, n = {f.n}")
    return "\n".join(out)


def inspector_figure(analyses: Sequence[SiteAnalysis], width: float = 13.0,
                     height: Optional[float] = None, options: panel.Options = panel.Options(),
                     reference: str = "") -> Figure:
    """The dock's view in one figure for export: the panel, the heatmap of each site, the lags
    and the fits."""
    rows = len(panel.rows_of(analyses, options))
    fig = new_figure(width, height or max(6.5, 1.7 * rows + 1.2))
    left, right = fig.subfigures(1, 2, width_ratios=[2.2, 1.0])
    timeseries_panel(analyses, fig=left, options=options, reference=reference)
    if analyses:
        top, bottom = right.subfigures(2, 1, height_ratios=[1.3, 1.0])
        correlation_heatmaps(analyses, fig=top)
        ax = bottom.subplots()
        ax.set_axis_off()
        text = "\n".join(lag_text(a) for a in analyses)
        extra = fit_text(analyses, options.model)
        ax.text(0.0, 1.0, text + ("\n\n" + extra if extra else ""), va="top", ha="left",
                fontsize=6.5 if len(analyses) > 2 else 8, family="monospace", transform=ax.transAxes)
    return fig

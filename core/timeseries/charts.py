"""Every time-series chart, one function each, drawn on a Figure (new, or the dock's own).

The HTML report, the inspector dock and its PNG/SVG export all call these functions. Each
axes carries its variable as its label (ax.get_label()) and each line a readable label, so
the data behind a chart can be found again (tests read it back).
"""
from typing import List, Optional, Sequence

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from ..report import new_figure
from .site import DEFORMATION, RATE, SiteAnalysis, unit_of

COLOURS = ("#1f4e9c", "#d1495b", "#2a9d4b", "#e69f00", "#7b3fa0", "#444444")
LABELS = {"ndvi": "NDVI", "soil_moisture": "Soil moisture", "precipitation": "Precipitation",
          DEFORMATION: "Deformation", RATE: "Deformation rate"}
SHORT = {"ndvi": "NDVI", "soil_moisture": "Soil moist.", "precipitation": "Precip.",
         DEFORMATION: "Deform.", RATE: "Rate"}


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
    if fig is None:
        return new_figure(width, height)
    fig.clear()
    return fig


def _tight(fig: Figure, **margins) -> None:
    if fig.get_layout_engine() is None:  # the dock: fixed margins are much faster to draw
        fig.subplots_adjust(**margins)


def stack_labels(analyses: Sequence[SiteAnalysis]) -> List[str]:
    """The stack labels over all sites, in first-seen order."""
    out: List[str] = []
    for a in analyses:
        for s in a.data.stacks:
            if s.label not in out:
                out.append(s.label)
    return out


def _emptied_axes(fig: Optional[Figure], names: Sequence[str]):
    """The figure's axes, emptied of data, when they already hold exactly `names`; else None.

    Re-using axes is what keeps the dock quick: building axes and ticks costs more than drawing.
    """
    if fig is None or [ax.get_label() for ax in fig.axes] != list(names):
        return None
    for ax in fig.axes:
        for artist in list(ax.lines) + list(ax.collections) + list(ax.texts) + list(ax.images):
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.set_autoscale_on(True)
    return list(fig.axes)


def _autoscale(axes) -> None:
    for ax in axes:
        ax.relim()
        for coll in ax.collections:  # relim() leaves collections out (the spread band)
            box = coll.get_datalim(ax.transData)
            if np.all(np.isfinite(box.get_points())):
                ax.update_datalim(box.get_points())
        ax.autoscale_view()


def timeseries_panel(analyses: Sequence[SiteAnalysis], fig: Optional[Figure] = None,
                     width: float = 9.0, height: Optional[float] = None) -> Figure:
    """Deformation (circle mean with spread, picked point), rate, then each stack, one shared date axis.

    Paper Fig. 11. Up to six sites are overlaid in distinct colours. Given a figure that already
    shows the same rows, its axes are reused (zoom history and all), which is much faster.
    """
    labels = stack_labels(analyses)
    rows = 2 + len(labels)
    names = [DEFORMATION, RATE] + labels
    axes = _emptied_axes(fig, names)
    if axes is None:
        fig = _prepare(fig, width, height or 1.7 * rows + 0.8)
        axes = list(fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0])
        for ax, name in zip(axes, names):
            ax.set_label(name)
            ax.set_ylabel(_axis_label(name, compact=True), fontsize=8)
            ax.grid(True, alpha=0.3)
            ax.tick_params(labelsize=8)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        axes[-1].xaxis.set_major_locator(locator)
        axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        _tight(fig, left=0.15, right=0.98, top=0.89, bottom=0.05, hspace=0.12)
    for k, a in enumerate(analyses):
        colour = COLOURS[k % len(COLOURS)]
        c = a.data.circle
        dates = list(c.dates)
        ax = axes[0]
        ax.fill_between(dates, c.mean - c.spread, c.mean + c.spread, color=colour, alpha=0.15,
                        linewidth=0, label="_spread")
        ax.plot(dates, c.mean, "o-", color=colour, ms=2.5, lw=1.2,
                label=f"{a.site} circle mean (n={c.n_points})")
        if a.data.point is not None:
            ax.plot(dates, a.data.point, "--", color=colour, lw=0.9, alpha=0.9,
                    label=f"{a.site} point {a.data.point_id}")
        axes[1].plot(list(a.base), a.monthly[RATE], "o-", color=colour, ms=3, lw=1.2,
                     label=f"{a.site} rate")
        for s in a.data.stacks:
            ax = axes[2 + labels.index(s.label)]
            ax.plot(list(s.dates), s.values, "s-", color=colour, ms=3, lw=1.2,
                    label=f"{a.site} {pretty(s.label)}")
    axes[1].axhline(0.0, color="#888", lw=0.6, label="_zero")
    _autoscale(axes)
    if analyses:
        per_site = 2 if analyses[0].data.point is not None else 1
        axes[0].legend(fontsize=7, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False,
                       ncol=per_site if per_site == 2 else min(len(analyses), 3),
                       borderaxespad=0.2, handlelength=1.6, columnspacing=1.0)
        legend_rows = len(analyses) if per_site == 2 else (len(analyses) + 2) // 3
        _tight(fig, top=0.93 - 0.028 * legend_rows)
    title = ", ".join(a.site for a in analyses[:6])
    radius = analyses[0].data.radius if analyses else 0
    fig.suptitle(f"Within {radius:g} m of {title} (shaded: ±1 std of the points)", fontsize=9,
                 y=0.995, va="top")
    return fig


def correlation_heatmap(analysis: SiteAnalysis, fig: Optional[Figure] = None,
                        width: float = 4.6, height: float = 4.0) -> Figure:
    """Pearson r between every pair of variables, annotated (paper Fig. 7).

    A figure already showing a heatmap of the same variables is updated in place.
    """
    from .stats import correlation_matrix

    names = list(analysis.variables)
    mat = correlation_matrix(names, analysis.correlations)
    ax = next((a for a in fig.axes if a.get_label() == "correlation"), None) if fig else None
    if ax is None or getattr(ax, "variables", None) != names:
        fig = _prepare(fig, width, height)
        ax = fig.subplots()
        ax.set_label("correlation")
        ax.variables = names
        image = ax.imshow(np.ma.masked_invalid(mat), cmap="RdBu_r", vmin=-1, vmax=1)
        ticks = [short(n) for n in names]
        ax.set_xticks(range(len(names)), ticks, rotation=35, ha="right", fontsize=8)
        ax.set_yticks(range(len(names)), ticks, fontsize=8)
        fig.colorbar(image, ax=ax, shrink=0.7, fraction=0.05, label="Pearson r")
        _tight(fig, left=0.22, right=0.84, top=0.92, bottom=0.22)
    else:
        ax.images[0].set_data(np.ma.masked_invalid(mat))
        for text in list(ax.texts):
            text.remove()
    for i in range(len(names)):
        for j in range(len(names)):
            v = mat[i, j]
            ax.text(j, i, "–" if not np.isfinite(v) else f"{v:.2f}", ha="center", va="center",
                    fontsize=8, color="white" if np.isfinite(v) and abs(v) > 0.6 else "black")
    ax.set_title(f"Correlation at {analysis.site}", fontsize=9)
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
        edge = " (search limit)" if lag.at_limit else ""
        lines.append(f"  {pretty(lag.variable)}: {lag.lag_days:+.1f} d{edge}")
        lines.append(f"    r {lag.r_at_lag:+.2f} at lag, {lag.r_with_rate:+.2f} at 0")
    if not analysis.lags:
        lines.append("  (no stack)")
    return "\n".join(lines)


def inspector_figure(analyses: Sequence[SiteAnalysis], width: float = 13.0,
                     height: Optional[float] = None) -> Figure:
    """The dock's view in one figure for export: the panel, and the first site's heatmap and lags."""
    rows = 2 + len(stack_labels(analyses))
    fig = new_figure(width, height or max(6.0, 1.7 * rows + 0.8))
    left, right = fig.subfigures(1, 2, width_ratios=[2.2, 1.0])
    timeseries_panel(analyses, fig=left)
    if analyses:
        top, bottom = right.subfigures(2, 1, height_ratios=[1.4, 1.0])
        correlation_heatmap(analyses[0], fig=top)
        ax = bottom.subplots()
        ax.set_axis_off()
        ax.text(0.0, 1.0, "\n\n".join(lag_text(a) for a in analyses), va="top", ha="left",
                fontsize=8, family="monospace", transform=ax.transAxes)
    return fig

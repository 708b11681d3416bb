"""The per-site HTML report of insarfusion:sitetimeseries."""
import html
from typing import Callable, Optional, Sequence

import numpy as np

from ..progress import Progress, ensure
from ..report import figure_img, table, write_html
from .charts import correlation_heatmap, pretty, rate_scatters, timeseries_panel
from .site import SiteAnalysis

_METHOD = """<p class='note'>Deformation is the mean of the InSAR points within the radius,
interpolated to day {d} of each month and smoothed by a centred moving average of {w} month(s);
the rate is its time derivative (central differences) in mm per mean month (30.44 days). Each stack
is the mean of its pixels whose centre lies inside the circle, per date, put on the same monthly
base and smoothed alike. Pearson r uses the months where both series have a value; p is two-sided.
The lag is the shift of a variable behind the rate that maximises |r|, searched within ±{m:g} days
and refined by a parabola through the peak; <b>positive = the variable comes after the rate</b>.</p>"""


def site_section(a: SiteAnalysis, check: Callable[[], None] = lambda: None) -> str:
    """The report section of one site: charts, correlations and lags (check() before each chart)."""
    check()
    c = a.data.circle
    parts = [f"<h2>Site {html.escape(str(a.site))}</h2>",
             f"<p>Centre ({a.data.x:.1f}, {a.data.y:.1f}), radius {a.data.radius:g} m: "
             f"{c.n_points} InSAR points, {len(c.dates)} acquisitions, {len(a.base)} months "
             f"({a.base[0].isoformat()} to {a.base[-1].isoformat()}).</p>",
             figure_img(timeseries_panel([a]), f"Time series at {a.site}"),
             "<h3>Correlation</h3>",
             check() or figure_img(correlation_heatmap(a), f"Correlation heatmap at {a.site}"),
             table(["variable A", "variable B", "r", "p-value", "n"],
                   [(pretty(x.variable_a), pretty(x.variable_b), x.r, x.p_value, x.n)
                    for x in a.correlations], digits=3)]
    if a.lags:
        parts += ["<h3>Rate against each variable, and lags</h3>",
                  check() or figure_img(rate_scatters(a), f"Rate against the variables at {a.site}"),
                  table(["variable", "lag (days)", "r at lag", "r at zero lag", "p-value", "n"],
                        [(pretty(g.variable), g.lag_days, g.r_at_lag, g.r_with_rate, g.p_value,
                          g.n) for g in a.lags], digits=3)]
        if any(g.at_limit for g in a.lags):
            parts.append("<p class='bad'>A lag lies at the edge of the searched window; widen "
                         "the maximum lag or check the series.</p>")
    return "\n".join(parts)


def write_report(path: str, analyses: Sequence[SiteAnalysis], progress: Optional[Progress] = None) -> str:
    """Write the HTML report for all sites (progress, and a chance to cancel, after each site)."""
    progress = ensure(progress)
    smoothing = analyses[0].smoothing if analyses else 1
    max_lag = analyses[0].max_lag_days if analyses else float("nan")
    day = analyses[0].base[0].day if analyses else 1
    sections = [_METHOD.format(w=smoothing, m=max_lag if np.isfinite(max_lag) else 0, d=day)]
    for k, a in enumerate(analyses):
        charts = iter(range(3))
        sections.append(site_section(a, lambda: progress((k + next(charts, 2) / 3) / len(analyses))))
    return write_html(path, "Time series at sites", sections)

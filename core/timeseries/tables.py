"""The site results as rows: the long-form series table, correlations and lags; tables without geometry."""
import csv
from typing import Dict, List, Sequence

import numpy as np

from ..atomic import atomic_output
from ..tables import write_rows  # noqa: F401  (the site tables are written with it)
from .site import SiteAnalysis, unit_of

SERIES_FIELDS = ("site", "date", "variable", "value", "unit")
CORRELATION_FIELDS = ("site", "variable_a", "variable_b", "r", "p_value", "n")
LAG_FIELDS = ("site", "variable", "r_with_rate", "lag_days", "r_at_lag", "p_value", "n", "at_limit")


def series_rows(analyses: Sequence[SiteAnalysis]) -> List[tuple]:
    """(site, date, variable, value, unit) for every finite monthly value."""
    rows = []
    for a in analyses:
        for name, values in a.monthly.items():
            unit = unit_of(name)
            for d, v in zip(a.base, values):
                if np.isfinite(v):
                    rows.append((a.site, d, name, float(v), unit))
    return rows


def correlation_rows(analyses: Sequence[SiteAnalysis]) -> List[tuple]:
    """(site, variable_a, variable_b, r, p_value, n) for every pair at every site."""
    return [(a.site, c.variable_a, c.variable_b, _num(c.r), _num(c.p_value), c.n)
            for a in analyses for c in a.correlations]


def lag_rows(analyses: Sequence[SiteAnalysis]) -> List[tuple]:
    """(site, variable, r_with_rate, lag_days, r_at_lag, p_value, n, at_limit) per stack and site."""
    return [(a.site, g.variable, _num(g.r_with_rate), _num(g.lag_days), _num(g.r_at_lag),
             _num(g.p_value), g.n, int(g.at_limit)) for a in analyses for g in a.lags]


def _num(v):
    return None if v is None or not np.isfinite(v) else float(v)


def series_csv(path: str, analyses: Sequence[SiteAnalysis], fitted=None) -> str:
    """The inspector's CSV export: one row per site, series and date (acquisition or monthly),
    with each site's model fit and residuals when `fitted` (one Fit or None per site) is given."""
    fitted = list(fitted or [None] * len(analyses))
    with atomic_output(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["site", "series", "date", "value", "unit"])
            for a, fit in zip(analyses, fitted):
                c = a.data.circle
                blocks: Dict[str, tuple] = {"circle_mean": (c.dates, c.mean, "mm"),
                                            "circle_spread": (c.dates, c.spread, "mm"),
                                            "circle_count": (c.dates, c.count, "points")}
                if a.data.point is not None:
                    blocks[f"point_{a.data.point_id}"] = (c.dates, a.data.point, "mm")
                if fit is not None:
                    blocks[f"fit_{fit.model}"] = (c.dates, fit.fitted, "mm")
                    blocks[f"residual_{fit.model}"] = (c.dates, fit.residuals, "mm")
                for s in a.data.stacks:
                    blocks[s.label] = (s.dates, s.values, unit_of(s.label))
                for name, values in a.monthly.items():
                    blocks[f"monthly_{name}"] = (a.base, values, unit_of(name))
                for name, (dates, values, unit) in blocks.items():
                    for d, v in zip(dates, values):
                        if np.isfinite(v):
                            w.writerow([a.site, name, d.isoformat(), f"{float(v):.6g}", unit])
    return path


SELECTION_FIELDS = ("selection", "point", "date", "value", "variable", "unit")


def selection_rows(name: str, analyses: Sequence[SiteAnalysis], fitted=None) -> List[tuple]:
    """Long-format rows (selection, point, date, value, variable, unit) of one selection: each
    site's deformation and its std, the picked point, the fit and its residuals, the stacks and
    the monthly rate."""
    rows = []
    fitted = list(fitted or [None] * len(analyses))
    for a, f in zip(analyses, fitted):
        c = a.data.circle
        blocks = [("deformation", c.dates, c.mean), ("deformation_std", c.dates, c.spread),
                  ("point_count", c.dates, c.count.astype(float))]
        if a.data.point is not None:
            blocks.append((f"point_{a.data.point_id}", c.dates, a.data.point))
        if f is not None:
            blocks += [(f"fit_{f.model}", c.dates, f.fitted), (f"residual_{f.model}", c.dates, f.residuals)]
        blocks += [(s.label, s.dates, s.values) for s in a.data.stacks]
        blocks.append(("rate", a.base, a.monthly["rate"]))
        for variable, dates, values in blocks:
            unit = "mm" if variable.startswith(("point_", "fit_", "residual_")) else unit_of(variable)
            for d, v in zip(dates, values):
                if np.isfinite(v):
                    rows.append((name, a.site, d.isoformat(), float(v), variable, unit))
    return rows


def selections_csv(path: str, selections) -> str:
    """Several selections, each (name, analyses, fits), as one long-format CSV."""
    with atomic_output(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(SELECTION_FIELDS)
            for name, analyses, fitted in selections:
                for r in selection_rows(name, analyses, fitted):
                    w.writerow(r[:3] + (f"{r[3]:.6g}",) + r[4:])
    return path

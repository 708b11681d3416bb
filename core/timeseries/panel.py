"""What the time-series panel shows, as plain data: rows and curves, whoever draws them.

The dock draws these curves with PyQtGraph, the export and the reports with matplotlib
(charts.timeseries_panel); both call `panel_curves`, so they show the same thing.
"""
import dataclasses
import datetime as dt
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError
from . import fits as fitting
from .site import DEFORMATION, RATE, SiteAnalysis

RESIDUALS = "residuals"
COLOURS = ("#1f4e9c", "#d1495b", "#2a9d4b", "#e69f00", "#7b3fa0", "#444444")
LABELS = {"ndvi": "NDVI", "soil_moisture": "Soil moisture", "precipitation": "Precipitation",
          DEFORMATION: "Deformation", RATE: "Deformation rate", RESIDUALS: "Fit residuals"}


def pretty(name: str) -> str:
    """A variable's display name."""
    return LABELS.get(name, name.replace("_", " "))


@dataclasses.dataclass(frozen=True)
class Curve:
    """One drawn series. kind: mean, point, band, rate, stack, fit, replica, gnss, residual."""

    row: str
    label: str
    dates: Tuple[dt.date, ...]
    values: np.ndarray
    colour: str
    kind: str
    lower: Optional[np.ndarray] = None  # band and error-bar limits
    upper: Optional[np.ndarray] = None

    @property
    def in_legend(self) -> bool:
        return self.kind in ("mean", "point", "fit", "gnss")


@dataclasses.dataclass(frozen=True)
class Options:
    """What the panel adds to the series: a model fit, ambiguity replicas, uncertainty, GNSS."""

    model: str = ""              # a key of fits.MODELS, or "" for none
    ambiguity_mm: float = 0.0    # > 0: draw the mean ± this (phase-ambiguity replicas)
    uncertainty: bool = True     # the circle's ±1 std band and the point's ± sigma error bars
    gnss: Tuple = ()             # (label, dates, values in mm on the InSAR axis), offset removed


def stack_labels(analyses: Sequence[SiteAnalysis]) -> List[str]:
    """The stack labels over all sites, in first-seen order."""
    out: List[str] = []
    for a in analyses:
        for s in a.data.stacks:
            if s.label not in out:
                out.append(s.label)
    return out


def rows_of(analyses: Sequence[SiteAnalysis], options: Options = Options()) -> List[str]:
    rows = [DEFORMATION, RATE] + stack_labels(analyses)
    return rows + ([RESIDUALS] if options.model else [])


def site_fits(analyses: Sequence[SiteAnalysis], model: str) -> List[Optional[fitting.Fit]]:
    """The model fitted to each site's deformation (circle mean); None where it cannot be."""
    out = []
    for a in analyses:
        try:
            out.append(fitting.fit(model, a.data.circle.dates, a.data.circle.mean) if model else None)
        except InputError:
            out.append(None)
    return out


def panel_curves(analyses: Sequence[SiteAnalysis], options: Options = Options(),
                 fitted: Optional[Sequence[Optional[fitting.Fit]]] = None) -> List[Curve]:
    """Every curve of the panel, in drawing order."""
    out: List[Curve] = []
    labels = stack_labels(analyses)
    if fitted is None:
        fitted = site_fits(analyses, options.model)
    for k, a in enumerate(analyses):
        colour = COLOURS[k % len(COLOURS)]
        c = a.data.circle
        dates = tuple(c.dates)
        if options.uncertainty:
            out.append(Curve(DEFORMATION, "_spread", dates, c.mean, colour, "band",
                             c.mean - c.spread, c.mean + c.spread))
        out.append(Curve(DEFORMATION, f"{a.site} circle mean (n={c.n_points})", dates, c.mean, colour, "mean"))
        if a.data.point is not None:
            sigma = a.data.point_sigma if options.uncertainty else None
            lo = hi = None
            if sigma is not None and np.isfinite(sigma):
                lo, hi = a.data.point - sigma, a.data.point + sigma
            out.append(Curve(DEFORMATION, f"{a.site} point {a.data.point_id}", dates, a.data.point, colour,
                             "point", lo, hi))
        if options.ambiguity_mm > 0:
            for sign in (1, -1):
                out.append(Curve(DEFORMATION, f"_{a.site} replica {sign * options.ambiguity_mm:+.1f} mm", dates,
                                 c.mean + sign * options.ambiguity_mm, colour, "replica"))
        f = fitted[k] if k < len(fitted) else None
        if f is not None:
            out.append(Curve(DEFORMATION, f"{a.site} {fitting.LABELS[f.model].lower()} fit "
                                          f"(R² {f.r2:.2f})", dates, f.fitted, colour, "fit"))
            out.append(Curve(RESIDUALS, f"{a.site} residuals", dates, f.residuals, colour, "residual"))
        out.append(Curve(RATE, f"{a.site} rate", tuple(a.base), a.monthly[RATE], colour, "rate"))
        for s in a.data.stacks:
            if s.label in labels:
                out.append(Curve(s.label, f"{a.site} {pretty(s.label)}", tuple(s.dates), s.values, colour, "stack"))
    for label, dates, values in options.gnss:
        out.append(Curve(DEFORMATION, label, tuple(dates), np.asarray(values, float), "#000000", "gnss"))
    return out


def title_of(analyses: Sequence[SiteAnalysis], reference: str = "", shading: bool = True) -> str:
    if not analyses:
        return ""
    sites = ", ".join(a.site for a in analyses[:6])
    radius = analyses[0].data.radius
    where = f"Within {radius:g} m of {sites}" if radius > 0 else f"Points of {sites}"
    ref = f", relative to {reference}" if reference else ""
    return f"{where}{ref}" + (" (shaded: ±1 std of the points)" if shading else "")


def curves_by_row(curves: Sequence[Curve]) -> Dict[str, List[Curve]]:
    out: Dict[str, List[Curve]] = {}
    for c in curves:
        out.setdefault(c.row, []).append(c)
    return out

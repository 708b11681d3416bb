"""One site: its InSAR circle mean and stack means on a common monthly base, correlated and lagged."""
import dataclasses
import datetime as dt
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError
from .monthly import MONTH_DAY, month_base, rate_per_month, smooth, step_days, to_base
from .stacks import StackSeries
from .stats import Correlation, Lag, correlations, estimate_lag
from .store import CircleSeries

DEFORMATION, RATE = "deformation", "rate"
UNITS = {DEFORMATION: "mm", RATE: "mm/month", "residuals": "mm", "deformation_std": "mm", "deformation_raw": "mm", "deformation_spread": "mm",
         "point_count": "points", "ndvi": "", "soil_moisture": "m³/m³", "precipitation": "mm/month"}


@dataclasses.dataclass(frozen=True)
class SiteData:
    """What was read at a site: the InSAR circle, the stacks, and optionally one picked point."""

    site: str
    x: float
    y: float
    radius: float
    circle: CircleSeries
    stacks: Tuple[StackSeries, ...] = ()
    point_id: Optional[object] = None
    point: Optional[np.ndarray] = None  # the picked point's series on circle.dates (mm)
    point_sigma: Optional[float] = None  # the picked point's rmse / rmse_ts (mm), when the layer has it
    reference: str = ""                  # what the series are relative to ("" for none)
    attributes: Tuple[Tuple[str, float], ...] = ()  # the picked point's velocity, velocity_std, LOS, ...

    def attribute(self, name: str) -> Optional[float]:
        return next((v for k, v in self.attributes if k == name), None)


@dataclasses.dataclass(frozen=True)
class SiteAnalysis:
    """A site's series on the monthly base, their correlations and each stack's lag behind the rate."""

    data: SiteData
    base: Tuple[dt.date, ...]
    monthly: Dict[str, np.ndarray]
    variables: Tuple[str, ...]  # the correlated series, in heatmap order
    correlations: Tuple[Correlation, ...]
    lags: Tuple[Lag, ...]
    smoothing: int
    max_lag_days: float

    @property
    def site(self) -> str:
        return self.data.site

    def lag(self, variable: str) -> Optional[Lag]:
        return next((lag for lag in self.lags if lag.variable == variable), None)

    def correlation(self, a: str, b: str) -> Optional[Correlation]:
        return next((c for c in self.correlations if {c.variable_a, c.variable_b} == {a, b}), None)


def unit_of(name: str) -> str:
    """The unit of a variable name (a stack label is matched on ndvi / soil / precip)."""
    low = name.lower().replace(" ", "_")
    if low in UNITS:
        return UNITS[low]
    if low.endswith("_raw"):
        return unit_of(low[:-4])
    if "ndvi" in low:
        return ""
    if "soil" in low or low in ("sm", "smmi"):
        return "m³/m³"
    if "precip" in low or "rain" in low:
        return "mm/month"
    return ""


def analyse(data: SiteData, smoothing: int = 3, max_lag_days: float = 90.0,
            refine: str = "parabolic", base_day: int = MONTH_DAY) -> SiteAnalysis:
    """Bring a site's series onto the monthly base, smooth, differentiate, correlate and lag.

    deformation = circle mean interpolated to day `base_day` of each month, then smoothed;
    rate = d(deformation)/dt in mm per mean month; each stack is interpolated and smoothed the
    same way. Lags are of each stack behind the rate (positive: the stack comes later).
    """
    circle = data.circle
    spans = [_span(circle.dates, circle.mean)] + [_span(s.dates, s.values) for s in data.stacks]
    spans = [s for s in spans if s is not None]
    if not spans or _span(circle.dates, circle.mean) is None:
        raise InputError(f"Site {data.site}: no InSAR point with a value lies within "
                         f"{data.radius:g} m. Move the site or enlarge the radius.")
    base = month_base(min(s[0] for s in spans), max(s[1] for s in spans), base_day)
    if len(base) < 3:
        raise InputError(f"Site {data.site}: the series span less than three months; a monthly "
                         "time base needs at least three.")
    monthly: Dict[str, np.ndarray] = {}
    raw = to_base(circle.dates, circle.mean, base)
    monthly["deformation_raw"] = raw
    monthly[DEFORMATION] = smooth(raw, smoothing)
    monthly[RATE] = rate_per_month(base, monthly[DEFORMATION])
    monthly["deformation_spread"] = to_base(circle.dates, circle.spread, base)
    count = to_base(circle.dates, circle.count.astype(float), base)
    monthly["point_count"] = np.where(np.isfinite(count), np.round(count), np.nan)
    variables = [DEFORMATION, RATE]
    for s in data.stacks:
        if s.label in monthly or s.label + "_raw" in monthly:
            raise InputError(f"Two stacks are labelled '{s.label}'; give each stack its own label.")
        values = to_base(s.dates, s.values, base)
        monthly[s.label + "_raw"] = values
        monthly[s.label] = smooth(values, smoothing)
        variables.append(s.label)
    pairs = correlations({v: monthly[v] for v in variables})
    step = step_days(base)
    max_shift = max(1, int(round(max_lag_days / step)))
    lags = tuple(estimate_lag(monthly[RATE], monthly[s.label], max_shift, step, s.label, refine)
                 for s in data.stacks)
    return SiteAnalysis(data, tuple(base), monthly, tuple(variables), tuple(pairs), lags,
                        int(smoothing), float(max_lag_days))


def _span(dates: Sequence[dt.date], values: np.ndarray):
    ok = np.flatnonzero(np.isfinite(np.asarray(values, float)))
    if ok.size == 0:
        return None
    return dates[ok[0]], dates[ok[-1]]

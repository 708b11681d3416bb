"""Numbers the study report states, read from the study GeoPackage (no QGIS)."""
from typing import List, Optional

import numpy as np

from ..points import numeric
from ..vector_io import layer_names, read_points
from .layers import rows


def _has(gpkg: str, name: str) -> bool:
    return name in layer_names(gpkg)


def count(gpkg: str, name: str) -> int:
    if not _has(gpkg, name):
        return 0
    return len(read_points(gpkg, name, []))


def _column(gpkg: str, name: str, field: str) -> np.ndarray:
    t = read_points(gpkg, name, [field])
    return numeric(t.columns[field], field)


def rate_stats(gpkg: str, name: str) -> Optional[dict]:
    """n, median, 1st and 99th percentiles, min and max of the velocity (mm/yr)."""
    if not _has(gpkg, name):
        return None
    v = _column(gpkg, name, "velocity")
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    return {"n": int(v.size), "median": float(np.median(v)), "p01": float(np.percentile(v, 1)),
            "p99": float(np.percentile(v, 99)), "min": float(v.min()), "max": float(v.max())}


def circular_mean_doy(doy: np.ndarray, weight: np.ndarray) -> float:
    """The weighted circular mean of days of year (1..365.25)."""
    angle = 2 * np.pi * (np.asarray(doy, float) - 1.0) / 365.25
    c, s = np.sum(weight * np.cos(angle)), np.sum(weight * np.sin(angle))
    if np.hypot(c, s) <= 1e-9 * np.sum(np.abs(weight)):  # no mean direction (opposite days)
        return float("nan")
    return float(1.0 + (np.arctan2(s, c) % (2 * np.pi)) * 365.25 / (2 * np.pi))


def seasonal_stats(gpkg: str, name: str) -> Optional[dict]:
    """Amplitude median/90th percentile/max, the amplitude-weighted circular mean peak day, the largest
    seasonal subsidence and uplift, and the median fit RMSE of a seasonal-fit layer."""
    if not _has(gpkg, name):
        return None
    fields = ("seasonal_amplitude", "seasonal_peak_doy", "max_seasonal_subsidence", "max_seasonal_uplift",
              "fit_rmse")
    t = read_points(gpkg, name, list(fields))
    col = {f: numeric(t.columns[f], f) for f in fields}
    ok = np.isfinite(col["seasonal_amplitude"]) & np.isfinite(col["seasonal_peak_doy"])
    if not ok.any():
        return None
    amp = col["seasonal_amplitude"][ok]
    return {"amp_median": float(np.median(amp)), "amp_p90": float(np.percentile(amp, 90)),
            "amp_max": float(amp.max()),
            "peak_doy": circular_mean_doy(col["seasonal_peak_doy"][ok], amp),
            "subsidence": float(np.nanmin(col["max_seasonal_subsidence"])),
            "uplift": float(np.nanmax(col["max_seasonal_uplift"])),
            "rmse": float(np.nanmedian(col["fit_rmse"]))}


def table_rows(gpkg: str, name: str) -> List[dict]:
    if not _has(gpkg, name):
        return []
    return rows(f"{gpkg}|layername={name}")

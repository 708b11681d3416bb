"""The one point layout every importer produces (pid, velocity, ..., DYYYYMMDD in mm)."""
import datetime as dt
from typing import Dict, Optional, Sequence

import numpy as np

from ..dates import decimal_years, field_name
from ..errors import InputError
from ..points import PointTable
from ..vector_io import SHAPEFILE_MAX_FIELDS

#: Fields before the date fields, in order. incidence and los_up are written only when known.
LAYOUT = ("pid", "velocity", "velocity_std", "coherence", "incidence", "los_up")
#: The viewing geometry, written after LAYOUT when known: the unit vector from the ground to the
#: satellite and the heading (flight direction, degrees clockwise from north).
GEOMETRY = ("los_east", "los_north", "heading")


def _col(values: Optional[np.ndarray], n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    out = np.asarray(values, dtype=float).reshape(-1)
    out = out.copy()
    out[~np.isfinite(out)] = np.nan
    return out


def make_table(x: np.ndarray, y: np.ndarray, crs_wkt: str, dates: Sequence[dt.date],
               series: Optional[np.ndarray], velocity: Optional[np.ndarray] = None,
               velocity_std: Optional[np.ndarray] = None, coherence: Optional[np.ndarray] = None,
               incidence: Optional[np.ndarray] = None, los_up: Optional[np.ndarray] = None,
               pid: Optional[np.ndarray] = None, los_east: Optional[np.ndarray] = None,
               los_north: Optional[np.ndarray] = None, heading: Optional[np.ndarray] = None,
               extras: Optional[Dict[str, np.ndarray]] = None) -> PointTable:
    """A PointTable in the standard layout; NaN/inf become NULL, a missing velocity is fitted.

    After the layout come the viewing geometry (when known), then `extras` (the file's other
    numeric columns, under their own names), then one field per date.
    """
    x = np.asarray(x, float)
    n = len(x)
    dates = list(dates)
    if len(set(dates)) != len(dates):
        raise InputError("The input repeats an acquisition date; give each date once.")
    if series is not None:
        series = np.asarray(series, dtype=float).reshape(n, len(dates))
        series = np.where(np.isfinite(series), series, np.nan)
    if velocity is None:
        if series is None or not dates:
            raise InputError("The input has neither a velocity nor a displacement series.")
        velocity = rate_from_series(dates, series)
    if pid is None:
        pid = np.arange(1, n + 1, dtype=np.int64)
    cols = {"pid": np.asarray(pid), "velocity": _col(velocity, n),
            "velocity_std": _col(velocity_std, n), "coherence": _col(coherence, n)}
    if incidence is not None:
        cols["incidence"] = _col(incidence, n)
    if los_up is not None:
        cols["los_up"] = _col(los_up, n)
    for name, values in (("los_east", los_east), ("los_north", los_north), ("heading", heading)):
        if values is not None:
            cols[name] = _col(values, n)
    for name, values in (extras or {}).items():
        cols[name] = _col(values, n)
    order = np.argsort(np.array([d.toordinal() for d in dates], dtype=np.int64), kind="stable")
    for j in order:
        cols[field_name(dates[j])] = series[:, j] if series is not None else np.full(n, np.nan)
    return PointTable(x, np.asarray(y, float), cols, crs_wkt)


def rate_from_series(dates: Sequence[dt.date], series: np.ndarray) -> np.ndarray:
    """Least-squares slope (units per year) of every row of `series` against time; NaN-aware.

    Rows with fewer than two valid dates get NaN.
    """
    t = decimal_years(list(dates))
    y = np.asarray(series, float)
    w = np.isfinite(y)
    n = w.sum(axis=1).astype(float)
    tw = np.where(w, t[None, :], 0.0)
    yw = np.where(w, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = tw.sum(axis=1) / n
        ym = yw.sum(axis=1) / n
        dtm = np.where(w, t[None, :] - tm[:, None], 0.0)
        sxx = (dtm ** 2).sum(axis=1)
        sxy = (dtm * np.where(w, y - ym[:, None], 0.0)).sum(axis=1)
        slope = sxy / sxx
    slope[(n < 2) | ~(sxx > 0)] = np.nan
    return slope


def check_shapefile(output: str, n_fields: int, n_dates: int) -> None:
    """Refuse, before any work, a Shapefile output that cannot hold n_fields attribute fields."""
    if output.split("|")[0].lower().endswith(".shp") and n_fields > SHAPEFILE_MAX_FIELDS:
        raise InputError(f"The input has {n_dates} dates, so the output needs {n_fields} fields, but a "
                         f"Shapefile holds at most {SHAPEFILE_MAX_FIELDS}. Save the output as a "
                         "GeoPackage (.gpkg) instead.")

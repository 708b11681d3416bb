"""Point layers in the standard layout to LOS tracks for the decomposition (gridding.Track)."""
import re
from typing import List, Optional

import numpy as np

from ..crs import transform_points
from ..errors import InputError
from ..points import PointTable, numeric
from .decompose import check_geometry, los_from_angles
from .gridding import Track
from .layout import make_table


def parse_headings(text: str, n_tracks: int) -> List[Optional[float]]:
    """'-8.9, 191.4' -> [-8.9, 191.4]: one heading (degrees) per track, or none at all."""
    parts = [p for p in re.split(r"[,;\s]+", (text or "").strip()) if p]
    if not parts:
        return [None] * n_tracks
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputError(f"HEADINGS must be numbers separated by commas, one per track "
                         f"(e.g. '-10.5, 190.2'); got '{text}'.") from None
    if len(values) != n_tracks or not all(np.isfinite(values)):
        raise InputError(f"HEADINGS gives {len(values)} headings for {n_tracks} tracks; give one "
                         "finite heading (degrees clockwise from north) per track, in the order of "
                         "the tracks.")
    return values


def _field(table: PointTable, name: str) -> Optional[np.ndarray]:
    return numeric(table.columns[name], name) if name in table.columns else None


def viewing_geometry(table: PointTable, name: str, heading: Optional[float] = None):
    """(east, north, up, where from) of each point's LOS unit vector.

    los_east, los_north and los_up fields first (EGMS); else the incidence (or arccos of los_up)
    with the heading field or the given heading.
    """
    e, n, u = (_field(table, f) for f in ("los_east", "los_north", "los_up"))
    if e is not None and n is not None and u is not None and np.isfinite(u).any():
        check_geometry(e, u, name)
        return e, n, u, "its los_east, los_north and los_up fields"
    theta = _field(table, "incidence")
    source = "incidence"
    if theta is None and u is not None:
        check_geometry(np.zeros_like(u), u, name)
        theta = np.degrees(np.arccos(np.clip(u, -1, 1)))
        source = "arccos(los_up)"
    alpha = _field(table, "heading")
    where = "its heading field"
    if heading is not None:
        alpha, where = np.full(len(table), float(heading)), f"the heading {heading:g}°"
    if theta is None or alpha is None or not (np.isfinite(theta) & np.isfinite(alpha)).any():
        raise InputError(f"Track '{name}' has no viewing geometry: it needs los_east, los_north and "
                         "los_up fields (EGMS), or an incidence (or los_up) field and a heading (a "
                         "heading field, or HEADINGS: one value per track, e.g. '-10.5, 190.2').")
    bad = np.isfinite(theta) & ((theta <= 0) | (theta >= 80))
    if bad.any():
        raise InputError(f"Track '{name}': incidence {theta[bad][0]:g}° is outside (0°, 80°).")
    e, n, u = los_from_angles(theta, alpha)
    return e, n, u, f"its {source} field and {where}"


def to_track(table: PointTable, name: str, crs_wkt: str, heading: Optional[float] = None,
             with_series: bool = False) -> tuple:
    """(Track in crs_wkt, where its geometry came from) of a layer in the standard layout."""
    if "velocity" not in table.columns:
        raise InputError(f"Track '{name}' has no velocity field; import it with 'Import InSAR points'.")
    velocity = numeric(table.columns["velocity"], "velocity")
    if not np.isfinite(velocity).any():
        raise InputError(f"Track '{name}': the velocity is NULL at every point.")
    e, n, u, where = viewing_geometry(table, name, heading)
    x, y = table.x, table.y
    if crs_wkt and table.crs_wkt and crs_wkt != table.crs_wkt:
        x, y = transform_points(x, y, table.crs_wkt, crs_wkt)
    dates, series = ([], None)
    if with_series:
        if not table.date_columns():
            raise InputError(f"Track '{name}' has no date fields (DYYYYMMDD): untick 'Series on "
                             "common dates' or give tracks with their series.")
        dates, series = table.series()
    std = _field(table, "velocity_std")
    coh = _field(table, "coherence")
    nan = np.full(len(table), np.nan)
    return Track(name, np.asarray(x, float), np.asarray(y, float), e, n, u, velocity,
                 std if std is not None else nan, coh if coh is not None else nan, dates,
                 series), where


def result_table(result, component: str, crs_wkt: str) -> PointTable:
    """The 'up' or 'east' solution as a point layer in the standard layout."""
    sol = result.solution
    velocity = sol.up if component == "up" else sol.east
    std = sol.up_std if component == "up" else sol.east_std
    series = result.up_series if component == "up" else result.east_series
    extras = {"n_tracks": sol.n_tracks.astype(float), "n_points": result.n_points.astype(float),
              "condition": sol.condition}
    return make_table(result.x, result.y, crs_wkt, result.dates, series, velocity, std,
                      result.coherence, pid=result.ids, extras=extras)

"""Line of sight to vertical (Heihe paper eq. 2): d_LOS = cos(theta) * d_U."""
import numpy as np

from ..errors import InputError
from ..points import PointTable, numeric

MAX_INCIDENCE = 80.0
CONVERTED = ("velocity", "velocity_std")


def check_incidence(theta_deg: np.ndarray) -> None:
    """Refuse incidence angles outside (0, 80) degrees (NaN is allowed and gives NaN)."""
    theta = np.asarray(theta_deg, float)
    bad = np.isfinite(theta) & ((theta <= 0) | (theta >= MAX_INCIDENCE))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"Incidence angle {theta[i]:g}° (row {i + 1}) is outside (0°, {MAX_INCIDENCE:g}°). "
                         "Incidence is measured from the vertical, in degrees; check the field or value.")


def up_factor_from_incidence(theta_deg: np.ndarray) -> np.ndarray:
    """cos(theta): the factor that maps vertical motion onto the LOS."""
    check_incidence(theta_deg)
    return np.cos(np.radians(np.asarray(theta_deg, float)))


def check_los_up(los_up: np.ndarray) -> None:
    """The LOS up-component must be cos(theta) for theta in (0, 80) degrees."""
    lo = np.cos(np.radians(MAX_INCIDENCE))
    v = np.asarray(los_up, float)
    bad = np.isfinite(v) & ((np.abs(v) <= lo) | (np.abs(v) > 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"los_up {v[i]:g} (row {i + 1}) is not the up-component of a unit LOS vector "
                         f"for an incidence in (0°, {MAX_INCIDENCE:g}°): |los_up| must lie in ({lo:.3f}, 1].")


def los_to_vertical(table: PointTable, up_factor: np.ndarray) -> PointTable:
    """Divide velocity, velocity_std and every date field by the LOS up-factor cos(theta).

    The standard deviation is divided by |cos(theta)|, so it stays positive.
    """
    f = np.asarray(up_factor, float)
    cols = dict(table.columns)
    for name in CONVERTED:
        if name in cols:
            vals = numeric(cols[name], name)
            cols[name] = vals / (np.abs(f) if name.endswith("std") else f)
    for name, _ in table.date_columns():
        cols[name] = numeric(cols[name], name) / f
    return PointTable(table.x, table.y, cols, table.crs_wkt)


def vertical_to_los(table: PointTable, up_factor: np.ndarray) -> PointTable:
    """The inverse of los_to_vertical (for checks and simulation)."""
    return los_to_vertical(table, 1.0 / np.asarray(up_factor, float))

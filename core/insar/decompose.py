"""Line-of-sight tracks to vertical and east-west motion (as EGMS L3 Ortho does it).

Each track k sees v_LOS,k = e_k * v_E + n_k * v_N + u_k * v_U, with (e, n, u) the unit vector
from the ground to the satellite. Near-polar orbits are almost blind to the north component, so
v_N is neglected (or set to a value the user knows, e.g. from GNSS) and, in every cell seen by
two or more tracks, the 2 x 2 weighted least-squares problem

    N = sum_k w_k a_k a_k^T,  b = sum_k w_k a_k (v_k - n_k v_N),  a_k = (e_k, u_k),  w_k = 1 / s_k^2

gives (v_E, v_U) = N^-1 b with covariance N^-1 (the uncertainties propagated from the velocity
std). With two tracks the weights do not change the solution, only its uncertainty.
"""
import dataclasses
from typing import Optional, Sequence

import numpy as np

from ..errors import InputError
from ..progress import Progress, ensure

BLOCK_VALUES = 200_000  # cells x tracks x dates solved at a time: bounds memory and the time between cancel checks


def los_from_angles(incidence_deg, heading_deg):
    """(east, north, up) of the ground-to-satellite unit vector of a right-looking SAR.

    e = -sin(theta) cos(alpha), n = sin(theta) sin(alpha), u = cos(theta), with the incidence
    theta from the vertical and the heading alpha, the flight direction clockwise from north
    (EGMS track_angle, MintPy HEADING).
    """
    theta = np.radians(np.asarray(incidence_deg, float))
    alpha = np.radians(np.asarray(heading_deg, float))
    return -np.sin(theta) * np.cos(alpha), np.sin(theta) * np.sin(alpha), np.cos(theta)


@dataclasses.dataclass
class Solution:
    """Per cell: east and up (mm/yr or mm), their std, the condition number and the tracks used."""

    east: np.ndarray
    up: np.ndarray
    east_std: np.ndarray
    up_std: np.ndarray
    condition: np.ndarray
    n_tracks: np.ndarray


def condition_numbers(east: np.ndarray, up: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """cond(A) of each cell's (tracks x 2) design [e_k, u_k] over the tracks that see it (inf if < 2)."""
    a = np.stack([np.where(seen, east, 0.0), np.where(seen, up, 0.0)], axis=-1)  # cells, k, 2
    s = np.linalg.svd(a, compute_uv=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = s[:, 0] / s[:, -1]
    cond[(seen.sum(axis=1) < 2) | ~np.isfinite(cond)] = np.inf
    return cond


def _solve(e, u, w, d):
    """WLS of d (cells, k, ...) on (e, u) (cells, k) with weights w (cells, k, ...); NaN d is unused."""
    ok = np.isfinite(d) & (w > 0)
    w = np.where(ok, w, 0.0)
    d = np.where(ok, d, 0.0)
    shape = (slice(None), slice(None)) + (None,) * (d.ndim - 2)
    e, u = e[shape], u[shape]
    nee, neu, nuu = (w * e * e).sum(1), (w * e * u).sum(1), (w * u * u).sum(1)
    be, bu = (w * e * d).sum(1), (w * u * d).sum(1)
    det = nee * nuu - neu * neu
    used = ok.sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        east = (nuu * be - neu * bu) / det
        up = (nee * bu - neu * be) / det
        east_var, up_var = nuu / det, nee / det
    bad = (used < 2) | ~(np.abs(det) > 1e-12 * np.maximum(nee * nuu, 1e-300))
    for arr in (east, up, east_var, up_var):
        arr[bad] = np.nan
    return east, up, np.sqrt(east_var), np.sqrt(up_var), used


def solve(los_east, los_north, los_up, velocity, velocity_std, north_velocity: float = 0.0,
          max_condition: float = 10.0) -> Solution:
    """Decompose per-cell LOS velocities (cells x tracks, NaN where a track does not see a cell).

    Tracks without a std (NaN) weigh 1; cells with fewer than two tracks, or a design whose
    condition number exceeds max_condition, get NaN.
    """
    e, n, u = (np.asarray(a, float) for a in (los_east, los_north, los_up))
    v = np.asarray(velocity, float) - n * north_velocity
    s = np.asarray(velocity_std, float)
    seen = np.isfinite(v) & np.isfinite(e) & np.isfinite(u)
    w = np.where(np.isfinite(s) & (s > 0), 1.0 / np.where(s > 0, s, 1.0) ** 2, 1.0)
    w = np.where(seen, w, 0.0)
    cond = condition_numbers(e, u, seen)
    east, up, east_std, up_std, used = _solve(np.nan_to_num(e), np.nan_to_num(u), w, v)
    unknown_std = (seen & ~np.isfinite(s)).any(axis=1)  # a track without a std: no uncertainty
    east_std[unknown_std] = np.nan
    up_std[unknown_std] = np.nan
    too_weak = cond > max_condition
    for arr in (east, up, east_std, up_std):
        arr[too_weak] = np.nan
    return Solution(east, up, east_std, up_std, cond, used)


def solve_series(los_east, los_north, los_up, series, velocity_std, years, north_velocity: float = 0.0,
                 usable: Optional[np.ndarray] = None, progress: Optional[Progress] = None):
    """(east, up) series (cells x dates) from the tracks' series (cells x tracks x dates) on common
    dates; a track missing at a date is left out of that date's solve (NaN below two tracks).

    `years` is the time of each date (for the north term n_k * v_N * t); `usable` marks the cells
    kept by the velocity solve (others get NaN).
    """
    progress = ensure(progress)
    e, n, u = (np.asarray(a, float) for a in (los_east, los_north, los_up))
    s = np.asarray(velocity_std, float)
    w = np.where(np.isfinite(s) & (s > 0), 1.0 / np.where(s > 0, s, 1.0) ** 2, 1.0)
    w = np.where(np.isfinite(e) & np.isfinite(u), w, 0.0)
    cells, dates = series.shape[0], series.shape[2]
    east = np.full((cells, dates), np.nan)
    up = np.full((cells, dates), np.nan)
    t = np.asarray(years, float)[None, None, :]
    block = max(1, BLOCK_VALUES // max(1, series.shape[1] * dates))
    for c0 in range(0, cells, block):
        c1 = min(cells, c0 + block)
        d = series[c0:c1] - (n[c0:c1, :, None] * north_velocity * t if north_velocity else 0.0)
        ww = np.broadcast_to(w[c0:c1, :, None], d.shape)
        east[c0:c1], up[c0:c1] = _solve(np.nan_to_num(e[c0:c1]), np.nan_to_num(u[c0:c1]), ww, d)[:2]
        progress(c1 / cells)
    if usable is not None:
        east[~usable] = np.nan
        up[~usable] = np.nan
    return east, up


def egms_velocity(days: Sequence[float], series: np.ndarray) -> np.ndarray:
    """The EGMS velocity of each row: the trend of t + cos(2 pi t) - 1 + sin(2 pi t) + constant,
    t in years of 365 days from the first date (mm/yr); rows with NaN are fitted on their valid
    dates (NaN when fewer than 5)."""
    t = (np.asarray(days, float) - float(days[0])) / 365.0
    g = np.column_stack([t, np.cos(2 * np.pi * t) - 1.0, np.sin(2 * np.pi * t), np.ones_like(t)])
    y = np.asarray(series, float)
    out = np.full(len(y), np.nan)
    full = np.isfinite(y).all(axis=1)
    if full.any():
        out[full] = (np.linalg.pinv(g) @ y[full].T)[0]
    for i in np.flatnonzero(~full):
        ok = np.isfinite(y[i])
        if ok.sum() >= 5:
            out[i] = np.linalg.lstsq(g[ok], y[i, ok], rcond=None)[0][0]
    return out


def check_geometry(los_east, los_up, name: str) -> None:
    """Refuse LOS components that are not those of a unit vector seen from a SAR (|u| in (0.17, 1])."""
    e = np.asarray(los_east, float)
    u = np.asarray(los_up, float)
    bad = (np.isfinite(e) & (np.abs(e) > 1)) | (np.isfinite(u) & ((u <= 0.17) | (u > 1)))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"Track '{name}', point {i + 1}: los_east {e[i]:g}, los_up {u[i]:g} are not "
                         "the components of a unit vector from the ground to the satellite (los_up is "
                         "cos(incidence), between 0.17 and 1). Check the fields.")


@dataclasses.dataclass
class Result:
    """The decomposition at the kept targets (cells or points)."""

    x: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    solution: Solution
    n_points: np.ndarray
    coherence: np.ndarray
    n_targets: int  # cells or points considered before keeping those seen by enough tracks
    dates: list = dataclasses.field(default_factory=list)
    east_series: Optional[np.ndarray] = None
    up_series: Optional[np.ndarray] = None


def decompose_tracks(tracks, cell_size: float = 100.0, radius: Optional[float] = None,
                     point_ids: Optional[np.ndarray] = None, min_points: int = 1,
                     max_condition: float = 10.0, north_velocity: float = 0.0, series: bool = False,
                     date_step: int = 6, velocity_from_series: bool = False,
                     resampling: str = "nearest", progress: Optional[Progress] = None) -> Result:
    """Tracks (gridding.Track) to east and up on a grid of cell_size, or at the first track's
    points within `radius`; with `series`, also on common dates."""
    from . import gridding

    progress = ensure(progress)
    if len(tracks) < 2:
        raise InputError("Give at least two tracks (for example one ascending and one descending).")
    if radius:
        ids = point_ids if point_ids is not None else np.arange(1, len(tracks[0].x) + 1)
        targets = gridding.point_targets(tracks, radius, ids)
    else:
        targets = gridding.grid_targets(tracks, cell_size)
    n = len(targets.x)
    k = len(tracks)
    cells = [gridding.aggregate(t, *targets.members[i], n, min_points if not radius else 1,
                                progress.sub(0.1 + 0.4 * i / k, 0.1 + 0.4 * (i + 1) / k))
             for i, t in enumerate(tracks)]

    def stacked(name):
        return np.column_stack([getattr(c, name) for c in cells])

    sol = solve(stacked("east"), stacked("north"), stacked("up"), stacked("velocity"),
                stacked("velocity_std"), north_velocity, max_condition)
    keep = np.isfinite(sol.up)
    if not keep.any():
        raise InputError(_nothing_in_common(targets, cells, max_condition, sol.condition, radius))
    coherence = stacked("coherence")[keep]
    seen = np.isfinite(coherence)
    with np.errstate(invalid="ignore", divide="ignore"):
        coherence = np.where(seen, coherence, 0.0).sum(axis=1) / seen.sum(axis=1)
    counts = np.where(np.isfinite(stacked("velocity")), stacked("count"), 0).sum(axis=1)
    result = Result(targets.x[keep], targets.y[keep], targets.ids_of(keep),
                    Solution(*(getattr(sol, f.name)[keep] for f in dataclasses.fields(Solution))),
                    counts[keep], coherence, n)
    progress(0.55)
    if series:
        dates = gridding.common_dates([t.dates for t in tracks], date_step)
        cube = np.stack([gridding.interpolate(t.dates, c.series[keep], dates,
                                              progress=progress.sub(0.55 + 0.3 * i / k,
                                                                    0.55 + 0.3 * (i + 1) / k),
                                              method=resampling)
                         for i, (t, c) in enumerate(zip(tracks, cells))], axis=1)
        days = np.array([d.toordinal() for d in dates], float)
        east, up = solve_series(stacked("east")[keep], stacked("north")[keep], stacked("up")[keep],
                                cube, stacked("velocity_std")[keep], (days - days[0]) / 365.25,
                                north_velocity, progress=progress.sub(0.85, 0.95))
        result.dates, result.east_series, result.up_series = dates, east, up
        if velocity_from_series:
            result.solution.east = egms_velocity(days, east)
            result.solution.up = egms_velocity(days, up)
    progress(1.0)
    return result


def _nothing_in_common(targets, cells, max_condition, condition, radius) -> str:
    seen = np.column_stack([np.isfinite(c.velocity) for c in cells]).sum(axis=1)
    where = "point of the first track" if radius else "cell"
    if not (seen >= 2).any():
        return (f"No {where} is seen by two tracks: the tracks do not overlap"
                + (f" within {radius:g} m" if radius else "") + ". Give tracks over the same area, "
                "in the same CRS or one that can be transformed, or enlarge the "
                + ("radius." if radius else "cell size."))
    best = float(np.min(condition[seen >= 2]))
    return (f"The tracks overlap but their viewing geometries are too alike to separate east and up "
            f"(best condition number {best:.0f}, above the limit {max_condition:g}). Combine an "
            "ascending with a descending track, or raise the maximum condition number.")

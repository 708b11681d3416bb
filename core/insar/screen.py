"""Screen significant deformation: |velocity| >= threshold inside the DEM, NDVI and area limits.

The criteria are applied in a fixed order (rate, study area, DEM, NDVI); each point is counted
once, against the first criterion it fails, so the counts add up to the points removed.
"""
import dataclasses
from typing import Dict, List, Optional, Sequence

import numpy as np
from matplotlib.path import Path

from ..errors import InputError

ORDER = ("rate", "area", "dem", "ndvi")


@dataclasses.dataclass(frozen=True)
class Screening:
    """Which points are kept and how many each criterion removed."""

    keep: np.ndarray
    removed: Dict[str, int]
    n_input: int

    @property
    def n_kept(self) -> int:
        return int(self.keep.sum())


def in_range(values: np.ndarray, lo: Optional[float], hi: Optional[float]) -> np.ndarray:
    """True where lo <= value <= hi (either limit may be None); NaN is never in range."""
    v = np.asarray(values, float)
    ok = np.isfinite(v)
    if lo is not None:
        ok &= v >= lo
    if hi is not None:
        ok &= v <= hi
    return ok


def points_in_polygons(x: np.ndarray, y: np.ndarray, polygons: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """True for points inside any polygon; each polygon is a list of (k, 2) rings (exterior, holes).

    Rings combine by the even-odd rule, so holes are excluded.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    inside = np.zeros(len(x), bool)
    pts = np.column_stack([x, y])
    finite = np.isfinite(x) & np.isfinite(y)
    for rings in polygons:
        poly = np.zeros(len(x), bool)
        for ring in rings:
            ring = np.asarray(ring, float)
            if len(ring) < 3:
                continue
            (x0, y0), (x1, y1) = ring.min(axis=0), ring.max(axis=0)
            cand = np.flatnonzero(finite & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
            if cand.size:
                poly[cand] ^= Path(ring).contains_points(pts[cand])
        inside |= poly
    return inside


def screen(velocity: np.ndarray, threshold: float, in_area: Optional[np.ndarray] = None,
           dem: Optional[np.ndarray] = None, dem_range=(None, None),
           ndvi: Optional[np.ndarray] = None, ndvi_range=(None, None)) -> Screening:
    """Keep |velocity| >= threshold, inside the area, and with DEM and NDVI inside their ranges.

    A criterion is used only when its data is given; a point with no DEM (or NDVI) value where a
    range is given is removed, because it cannot be shown to lie inside the range.
    """
    if threshold is None or not np.isfinite(threshold) or threshold < 0:
        raise InputError("THRESHOLD must be a rate of 0 mm/yr or more.")
    v = np.asarray(velocity, float)
    tests: Dict[str, np.ndarray] = {"rate": np.isfinite(v) & (np.abs(v) >= threshold)}
    if in_area is not None:
        tests["area"] = np.asarray(in_area, bool)
    if dem is not None:
        tests["dem"] = in_range(dem, *dem_range)
    if ndvi is not None:
        tests["ndvi"] = in_range(ndvi, *ndvi_range)
    keep = np.ones(len(v), bool)
    removed = {}
    for name in ORDER:
        if name not in tests:
            continue
        fail = keep & ~tests[name]
        removed[name] = int(fail.sum())
        keep &= ~fail
    return Screening(keep, removed, len(v))


def summary(result: Screening, labels: Optional[Dict[str, str]] = None) -> List[str]:
    """One line per criterion: how many points it removed."""
    labels = labels or {}
    lines = [f"{result.n_input} points in, {result.n_kept} kept."]
    for name, n in result.removed.items():
        lines.append(f"Removed by {labels.get(name, name)}: {n}")
    return lines

"""Acquisition dates and perpendicular baselines of the two Sentinel-1-like tracks."""
import dataclasses
import datetime as dt
from typing import List, Optional, Tuple

import numpy as np

LAST_DAY = dt.date(2020, 12, 31)
REVISIT_DAYS = 12
BPERP_LIMIT = 145.0


@dataclasses.dataclass(frozen=True)
class TrackSpec:
    """Fixed properties of a track (the same in every scene size)."""

    name: str
    number: int
    direction: str
    first: dt.date
    n_drop: int
    swath: Tuple[float, Optional[float]]  # easting range (m); None = the scene's east edge
    shift: Tuple[float, float]      # offset of its point grid from the scene grid (m)
    heading_deg: float


TRACKS = (
    TrackSpec("T128", 128, "ascending", dt.date(2019, 1, 5), 6, (560000.0, 579000.0), (0.0, 0.0), -12.0),
    TrackSpec("T026", 26, "descending", dt.date(2019, 1, 10), 10, (572000.0, None), (14.0, 14.0), -168.0),
)
REFERENCE, SECONDARY = "T128", "T026"
SLC_PAIR = (dt.date(2019, 8, 9), dt.date(2019, 8, 21))  # two consecutive T128 acquisitions


def acquisitions(spec: TrackSpec, seed: int) -> Tuple[List[dt.date], np.ndarray]:
    """Dates every 12 days with a few missing (never two in a row) and AR(1) baselines (m).

    Consecutive kept dates are at most 24 days and 133 m apart, so the network is connected
    for any thresholds at or above 24 days and 150 m.
    """
    rng = np.random.default_rng([seed, 4, spec.number])
    n = (LAST_DAY - spec.first).days // REVISIT_DAYS + 1
    dates = [spec.first + dt.timedelta(days=REVISIT_DAYS * k) for k in range(n)]
    protected = {0, n - 1} | {k for k, d in enumerate(dates) if d in SLC_PAIR}
    dropped: set = set()
    for k in rng.permutation(n):
        if len(dropped) == spec.n_drop:
            break
        if k in protected or (k - 1) in dropped or (k + 1) in dropped:
            continue
        dropped.add(int(k))
    kept = [d for k, d in enumerate(dates) if k not in dropped]
    bperp = np.empty(len(kept))
    b = rng.uniform(-60, 60)
    for i in range(len(kept)):
        b = float(np.clip(0.5 * b + rng.uniform(-60, 60), -BPERP_LIMIT, BPERP_LIMIT)) if i else b
        bperp[i] = round(b, 2)
    return kept, bperp


def swath_x(spec: TrackSpec, extent) -> Tuple[float, float]:
    """Easting range covered by the track."""
    a, b = spec.swath
    return a, extent[2] if b is None else b


def incidence(spec: TrackSpec, extent, x: np.ndarray, lo: float = 33.0, hi: float = 45.0) -> np.ndarray:
    """Incidence angle (deg): near range on the west for ascending, on the east for descending."""
    a, b = swath_x(spec, extent)
    f = (np.asarray(x, float) - a) / (b - a)
    f = f if spec.direction == "ascending" else 1.0 - f
    return lo + (hi - lo) * np.clip(f, 0.0, 1.0)

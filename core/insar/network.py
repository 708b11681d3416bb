"""Small-baseline (SBAS) pair networks: pairs within temporal and perpendicular baseline limits."""
import dataclasses
import datetime as dt
from typing import List, Sequence, Tuple

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..errors import InputError
from ..points import numeric
from ..dates import to_date


@dataclasses.dataclass(frozen=True)
class Network:
    """Acquisitions sorted by date and the pairs (i < j) that connect them."""

    dates: List[dt.date]
    bperp: np.ndarray
    i: np.ndarray
    j: np.ndarray
    n_components: int
    gaps: List[Tuple[dt.date, dt.date]]
    isolated: List[dt.date]
    unreached: List[dt.date]

    @property
    def n_pairs(self) -> int:
        return len(self.i)

    @property
    def connected(self) -> bool:
        return self.n_components == 1

    @property
    def temporal(self) -> np.ndarray:
        """Temporal baselines of the pairs (days)."""
        days = np.array([d.toordinal() for d in self.dates])
        return (days[self.j] - days[self.i]).astype(float)

    @property
    def perpendicular(self) -> np.ndarray:
        """Perpendicular baselines of the pairs, secondary minus reference (m)."""
        return self.bperp[self.j] - self.bperp[self.i]

    def describe_gaps(self) -> str:
        """The temporal gaps and isolated dates (or else the dates cut off) as text; '' when connected."""
        if self.connected:
            return ""
        parts = [f"{a.isoformat()} to {b.isoformat()}" for a, b in self.gaps]
        parts += [f"{d.isoformat()} (isolated)" for d in self.isolated]
        if parts:
            return "; ".join(parts)
        return (f"no pair path from {self.dates[0].isoformat()} to "
                + ", ".join(d.isoformat() for d in self.unreached))


def acquisitions(dates: Sequence, bperp: Sequence) -> Tuple[List[dt.date], np.ndarray]:
    """Parse and sort the acquisitions; refuse empty input, bad dates, duplicates, non-numbers."""
    if len(dates) == 0:
        raise InputError("The acquisition table is empty; it needs one row per acquisition "
                         "with a date and a perpendicular baseline (bperp, m).")
    parsed = []
    for k, v in enumerate(dates):
        if v is None or (isinstance(v, str) and not v.strip()):
            raise InputError(f"Row {k + 1} of the acquisition table has no date.")
        parsed.append(to_date(v))
    b = numeric(np.asarray(list(bperp), dtype=object), "bperp")
    if not np.all(np.isfinite(b)):
        k = int(np.flatnonzero(~np.isfinite(b))[0])
        raise InputError(f"Row {k + 1} of the acquisition table has no perpendicular baseline.")
    order = np.argsort([d.toordinal() for d in parsed], kind="stable")
    parsed = [parsed[k] for k in order]
    b = b[order]
    for a, c in zip(parsed, parsed[1:]):
        if a == c:
            raise InputError(f"The date {a.isoformat()} appears twice in the acquisition table; "
                             "give each acquisition once.")
    if len(parsed) < 2:
        raise InputError("A network needs at least two acquisitions.")
    return parsed, b


def build(dates: Sequence, bperp: Sequence, max_temporal: float, max_perpendicular: float) -> Network:
    """All pairs with 0 < dt <= max_temporal days and |dB| <= max_perpendicular m."""
    if not (max_temporal > 0 and max_perpendicular > 0):
        raise InputError("MAX_TEMPORAL and MAX_PERPENDICULAR must be positive.")
    dates, b = acquisitions(dates, bperp)
    days = np.array([d.toordinal() for d in dates], dtype=float)
    n = len(dates)
    ii, jj = np.triu_indices(n, k=1)
    ok = ((days[jj] - days[ii]) <= max_temporal) & (np.abs(b[jj] - b[ii]) <= max_perpendicular)
    i, j = ii[ok], jj[ok]
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    n_comp, labels = connected_components(graph, directed=False)
    # A temporal gap lies between consecutive dates k and k+1 when no pair spans across it.
    cover = np.zeros(n, dtype=np.int64)
    np.add.at(cover, i, 1)
    np.add.at(cover, j, -1)
    spanning = np.cumsum(cover)[:-1]
    gaps = [(dates[k], dates[k + 1]) for k in np.flatnonzero(spanning == 0)]
    degree = np.bincount(np.concatenate([i, j]), minlength=n)
    isolated = [dates[k] for k in np.flatnonzero(degree == 0)]
    unreached = [dates[k] for k in np.flatnonzero(labels != labels[0])]
    return Network(dates, b, i, j, int(n_comp), gaps, isolated, unreached)

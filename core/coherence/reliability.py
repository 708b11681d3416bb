"""Which InSAR points to trust: low predicted coherence or dense vegetation makes a point unreliable."""
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..errors import InputError

LOW = "low predicted coherence"
DENSE = "dense vegetation"


@dataclass(frozen=True)
class Flags:
    """Per point: reliable 1 / 0 / NaN (unknown: no raster value), and why."""

    reliable: np.ndarray
    reason: np.ndarray        # object array of str
    n_low_coherence: int
    n_dense_vegetation: int
    n_unknown: int

    @property
    def n_unreliable(self) -> int:
        return int(np.sum(self.reliable == 0))


def flag_points(predicted: Optional[np.ndarray], ndvi: Optional[np.ndarray], threshold: float,
                ndvi_limit: float) -> Flags:
    """A point is unreliable if predicted coherence < threshold or NDVI > ndvi_limit.

    A test whose value is missing at a point is skipped; with no test possible the point is
    unknown (NaN), never silently reliable.
    """
    if predicted is None and ndvi is None:
        raise InputError("Give a predicted-coherence raster, an NDVI raster, or both.")
    n = len(predicted) if predicted is not None else len(ndvi)
    low = np.zeros(n, bool)
    dense = np.zeros(n, bool)
    known = np.zeros(n, bool)
    with np.errstate(invalid="ignore"):
        if predicted is not None:
            p = np.asarray(predicted, float)
            low = np.isfinite(p) & (p < threshold)
            known |= np.isfinite(p)
        if ndvi is not None:
            v = np.asarray(ndvi, float)
            dense = np.isfinite(v) & (v > ndvi_limit)
            known |= np.isfinite(v)
    reliable = np.where(known, (~(low | dense)).astype(float), np.nan)
    reason = np.empty(n, object)
    reason[:] = ""
    reason[~known] = "no raster value"
    reason[low & ~dense] = f"{LOW} (< {threshold:g})"
    reason[dense & ~low] = f"{DENSE} (NDVI > {ndvi_limit:g})"
    reason[low & dense] = f"{LOW} (< {threshold:g}); {DENSE} (NDVI > {ndvi_limit:g})"
    return Flags(reliable, reason, int(low.sum()), int(dense.sum()), int((~known).sum()))

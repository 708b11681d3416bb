"""Exact sums of float64 values, independent of the order and grouping of the terms.

Every finite double is m * 2**e with an integer m of 53 bits. The terms are grouped by e and
their m summed exactly (in float64 halves of 27 and 26 bits, whose sums stay below 2**53 for up
to 2**24 terms a call), then as Python integers. The total is rounded once, correctly, so the
sum over tiles equals the sum over all points bit for bit, however the points are split.
"""
from typing import Iterable

import numpy as np

_CHUNK = 1 << 24
_BASE = 1126
_OFFSET, _BINS = 1100, 2200  # 2**-1126 is below the least significant bit of every double's integer mantissa


class ExactSum:
    """An exact running sum; add() arrays, merge() other sums, value() the rounded total."""

    __slots__ = ("scaled",)

    def __init__(self, values=None):
        self.scaled = 0  # the exact sum times 2**_BASE, an integer
        if values is not None:
            self.add(values)

    def add(self, values) -> "ExactSum":
        v = np.asarray(values, dtype=np.float64).ravel()
        if v.size and not np.all(np.isfinite(v)):
            raise ValueError("ExactSum takes finite values only")
        for s in range(0, v.size, _CHUNK):
            self.scaled += _scaled(v[s:s + _CHUNK])
        return self

    def merge(self, other: "ExactSum") -> "ExactSum":
        self.scaled += other.scaled
        return self

    def value(self) -> float:
        """The exact total rounded to the nearest double (Python's int division rounds correctly)."""
        return self.scaled / (1 << _BASE) if self.scaled else 0.0

    def __getstate__(self):
        return self.scaled

    def __setstate__(self, state):
        self.scaled = state


def _scaled(v: np.ndarray) -> int:
    """sum(v) * 2**_BASE exactly, for at most 2**24 finite values."""
    v = v[v != 0]
    if v.size == 0:
        return 0
    m, e = np.frexp(v)
    mant = (m * 9007199254740992.0).astype(np.int64)  # m * 2**53, exact
    hi, lo = (mant >> 26).astype(np.float64), (mant & ((1 << 26) - 1)).astype(np.float64)
    idx = e + _OFFSET  # frexp exponents lie in [-1073, 1024]
    his = np.bincount(idx, weights=hi, minlength=_BINS)
    los = np.bincount(idx, weights=lo, minlength=_BINS)
    total = 0
    for k in np.flatnonzero((his != 0) | (los != 0)).tolist():
        total += ((int(his[k]) << 26) + int(los[k])) << (k - _OFFSET - 53 + _BASE)
    return total


def exact_sum(values) -> float:
    """The correctly rounded sum of finite values."""
    return ExactSum(values).value()


def merged(sums: Iterable[ExactSum]) -> ExactSum:
    out = ExactSum()
    for s in sums:
        out.merge(s)
    return out

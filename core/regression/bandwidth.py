"""Fixed GWR bandwidth chosen by golden-section search on AICc (as GWR4 and mgwr do)."""
import dataclasses
import math
from typing import List, Optional, Tuple

import numpy as np
from scipy.spatial import cKDTree

from ..errors import InputError
from ..progress import Progress, ensure
from .gwr import aicc_of, complete_cases, first_pass, prepare
from .kernels import check_kernel, reach

GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
PAIR_BUDGET = 5e8      # neighbour pairs one evaluation may take at the upper limit
MIN_CAP = 1000         # ... but always allow this many neighbours per point
REL_TOL = 1e-4         # stop when the bracket is narrower than this share of the bandwidth
MAX_EVAL = 60


@dataclasses.dataclass(frozen=True)
class BandwidthSearch:
    """The bandwidth with the smallest AICc, its AICc, the bracket and every evaluation."""

    bandwidth: float
    aicc: float
    lower: float
    upper: float
    at_upper_limit: bool
    history: Tuple[Tuple[float, float], ...]


def search_limits(x: np.ndarray, y: np.ndarray, p: int, kernel: str, exact: bool = False,
                  sample: int = 2000, seed: int = 0) -> Tuple[float, float]:
    """(lower, upper) bracket for the search.

    lower: the median distance to the (p + 1)-th nearest point (fewer neighbours cannot fit);
    upper: twice the extent's diagonal, but no farther than a median point's distance to its
    K-th nearest point over the kernel's reach, K = max(1000, 5e8 / n), to bound the cost.
    """
    m = len(x)
    pts = np.column_stack([x - x.min(), y - y.min()])
    tree = cKDTree(pts)
    rng = np.random.default_rng(seed)
    s = pts[rng.choice(m, size=min(sample, m), replace=False)]
    lower = float(np.median(tree.query(s, k=[min(p + 1, m)])[0][:, 0]))
    diag = float(math.hypot(np.ptp(x), np.ptp(y)))
    upper = 2.0 * diag
    cap = int(max(MIN_CAP, PAIR_BUDGET / m))
    r = reach(kernel, exact)
    if cap < m and math.isfinite(r):
        dk = float(np.median(tree.query(s, k=[cap])[0][:, 0]))
        upper = min(upper, dk / r)
    lower = max(lower, 1e-6 * max(diag, 1.0))
    if upper <= lower * 1.01:
        upper = lower * 4.0
    return lower, upper


def search(x, y, dependent, explanatory, kernel: str = "bisquare", exact: bool = False,
           limits: Optional[Tuple[float, float]] = None,
           progress: Optional[Progress] = None) -> BandwidthSearch:
    """Golden-section search of the fixed bandwidth minimising AICc.

    AICc is compared on the same points at every bandwidth: the points that can be fitted at
    the upper limit. A bandwidth too small to fit all of them scores +inf.
    """
    progress = ensure(progress)
    kernel = check_kernel(kernel)
    x, y, dep, expl, used = complete_cases(x, y, dependent, explanatory)
    if used.sum() < expl.shape[1] + 3:
        raise InputError("Too few points with complete data to choose a bandwidth.")
    lo, hi = limits or search_limits(x[used], y[used], expl.shape[1] + 1, kernel, exact)
    history: List[Tuple[float, float]] = []
    ref: dict = {}

    def score(h: float) -> float:
        prob = prepare(x, y, dep, expl, h, kernel, 0, exact)
        f = first_pass(prob, False, Progress(cancelled=progress.cancelled))  # Cancel per batch
        good = np.zeros(len(f["good"]), bool)
        good[prob.order] = f["good"]  # strip order differs per bandwidth: compare in input order
        if "good" not in ref:
            ref["good"] = good
        keep = ref["good"][prob.order]
        good = f["good"]
        if np.any(keep & ~good) or not keep.any():
            value = math.inf
        else:
            resid = prob.y[keep] - f["yhat"][keep]
            value = aicc_of(int(keep.sum()), float(resid @ resid), float(np.sum(f["sii"][keep])))
        history.append((h, value))
        progress(min(0.99, len(history) / 30.0))
        return value

    f_hi = score(hi)
    if not math.isfinite(f_hi):
        raise InputError("No bandwidth up to {:.0f} m fits the points; check the data for "
                         "duplicated or constant explanatory values.".format(hi))
    a, c = lo, hi
    b = c - GOLDEN * (c - a)
    d = a + GOLDEN * (c - a)
    fb, fd = score(b), score(d)
    while (c - a) > REL_TOL * 0.5 * (a + c) and len(history) < MAX_EVAL:
        if fb < fd or (fb == fd and math.isfinite(fb)):
            c, d, fd = d, b, fb
            b = c - GOLDEN * (c - a)
            fb = score(b)
        else:
            a, b, fb = b, d, fd
            d = a + GOLDEN * (c - a)
            fd = score(d)
    best_h, best = min(history, key=lambda t: (t[1], t[0]))
    progress(1.0)
    return BandwidthSearch(best_h, best, lo, hi, best_h >= hi * 0.99, tuple(history))

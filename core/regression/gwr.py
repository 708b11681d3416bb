"""Geographically weighted regression (GWR) with GWR4's definitions, fast and without n x n.

The work is split so that a tile of a point set can do its share alone (core.scale.gwr_tiles):
- a Layout holds what every tile of a set shares (origin, strip height, extent);
- first_pass (gwr_passes) fits the queries; tile_sums reduces them to exact sums;
- Globals, from the sums of every tile, give sigma^2, tr S and the mean of y;
- finish_queries adds the standard errors, residual diagnostics and the local R^2.
fit() runs these over the whole set as one tile. Sums over points are exact (ExactSum), so the
global figures do not depend on how the points were split.
"""
import dataclasses
import math
from typing import Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError
from ..progress import Progress, ensure
from ..scale.exactsum import ExactSum
from .gwr_passes import COND_LIMIT, Problem, first_pass, local_r2  # noqa: F401 (COND_LIMIT re-exported)
from .kernels import check_kernel, reach
from .neighbours import StripIndex, strip_order

FITTED, MISSING, UNDERSUPPORTED = 0, 1, 2
_HIST_BINS, _HIST_OFFSET, _PER_OCTAVE = 4096, 2048, 16


@dataclasses.dataclass(frozen=True)
class GwrResult:
    """Per-point estimates and diagnostics (NaN where not fitted) and the global summary."""

    names: Tuple[str, ...]          # 'intercept' then the explanatory names
    params: np.ndarray              # (n, p)
    se: np.ndarray                  # (n, p)
    tvalues: np.ndarray             # (n, p)
    predicted: np.ndarray
    residual: np.ndarray
    std_residual: np.ndarray
    local_r2: np.ndarray
    influence: np.ndarray           # S_ii
    cooks_d: np.ndarray
    n_neighbours: np.ndarray        # points with a non-zero weight, the point itself included
    cond_number: np.ndarray
    status: np.ndarray              # FITTED, MISSING (NULL input) or UNDERSUPPORTED
    kernel: str
    bandwidth: float                # metres; for adaptive kernels the median local bandwidth
    neighbours: int                 # k of an adaptive kernel, 0 for a fixed one
    n: int                          # points fitted
    rss: float
    tr_s: float
    tr_sts: float
    enp: float
    sigma2: float
    aicc: float
    aic: float
    r2: float
    adj_r2: float
    weighted_mean_local_r2: float
    n_undersupported: int
    n_missing: int


@dataclasses.dataclass(frozen=True)
class Layout:
    """What every tile of a point set shares: the origin (lowest x and y of the points with
    data), the extent's diagonal (+1 m) and the strip height of the neighbour index."""

    ox: float
    oy: float
    diag: float
    strip: float


def complete_cases(x, y, dependent, explanatory):
    """Inputs as float arrays ((n, k) explanatory) and the mask of points with every value."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    dep = np.asarray(dependent, float)
    expl = np.asarray(explanatory, float)
    expl = expl.reshape(len(dep), -1) if expl.ndim == 1 else expl
    used = np.isfinite(x) & np.isfinite(y) & np.isfinite(dep) & np.all(np.isfinite(expl), axis=1)
    return x, y, dep, expl, used


def radius_of(bw: np.ndarray, kernel: str, exact: bool, diag: float) -> np.ndarray:
    """The search radius per point: the kernel's reach, capped beyond the extent."""
    return np.minimum(bw * reach(kernel, exact), 2.0 * diag + bw)


def radius_histogram(radius: np.ndarray) -> np.ndarray:
    """Counts of the radii in bins of 1/16 octave (integers: tiles add them up exactly)."""
    b = np.floor(np.log2(np.maximum(radius, 1e-300)) * _PER_OCTAVE).astype(np.int64) + _HIST_OFFSET
    return np.bincount(np.clip(b, 0, _HIST_BINS - 1), minlength=_HIST_BINS)


def histogram_median(counts: np.ndarray) -> float:
    """The lower edge of the bin holding the median radius."""
    k = int(np.searchsorted(np.cumsum(counts), (int(counts.sum()) + 1) // 2))
    return float(2.0 ** ((k - _HIST_OFFSET) / _PER_OCTAVE))


def layout_of(xmin: float, xmax: float, ymin: float, ymax: float, typical_radius: float) -> Layout:
    """The Layout of points spanning [xmin, xmax] x [ymin, ymax] with a typical search radius."""
    diag = float(math.hypot(xmax - xmin, ymax - ymin)) + 1.0
    strip = max(float(typical_radius) / 4.0, diag * 1e-6, 1e-6)
    return Layout(float(xmin), float(ymin), diag, strip)


def adaptive_bandwidths(xs: np.ndarray, ys: np.ndarray, k: int, layout: Layout,
                        queries: Optional[np.ndarray] = None, progress: Optional[Progress] = None):
    """Distance to the k-th nearest point (itself the first), of every point or of the queries,
    with coordinates taken from the layout's origin (as GWR4 and mgwr define it)."""
    from scipy.spatial import cKDTree
    progress = ensure(progress)
    tree = cKDTree(np.column_stack([xs - layout.ox, ys - layout.oy]))
    q = np.arange(len(xs)) if queries is None else np.asarray(queries)
    bw = np.empty(len(q))
    step = max(1, 2_000_000 // k)
    for s in range(0, len(q), step):
        d, _ = tree.query(tree.data[q[s:s + step]], k=[k])
        bw[s:s + step] = d[:, 0] * 1.0000001  # GWR4/mgwr: distance to the k-th point, self = 1st
        progress(min(1.0, (s + step) / max(len(q), 1)))
    return np.maximum(bw, 1e-9)


def build(xs, ys, X, yv, bw_query, kernel: str, exact: bool, fixed: bool, layout: Layout,
          query_mask: Optional[np.ndarray] = None) -> Tuple[Problem, np.ndarray]:
    """The Problem over points with complete data (xs, ys, X with the intercept, yv), and the
    permutation to strip order. bw_query: the bandwidth of each query (True in query_mask;
    every point when None)."""
    order = strip_order(xs, ys, layout.strip, layout.oy)
    if query_mask is None:
        queries, bw_q = None, np.asarray(bw_query, float)[order]
    else:
        sorted_mask = query_mask[order]
        queries = np.flatnonzero(sorted_mask)
        bw_full = np.zeros(len(xs))
        bw_full[query_mask] = bw_query
        bw_q = bw_full[order][queries]
    radius = radius_of(bw_q, kernel, exact, layout.diag)
    index = StripIndex(xs[order], ys[order], layout.strip, y0=layout.oy)
    prob = Problem(index, np.ascontiguousarray(X[order]), np.ascontiguousarray(yv[order]), radius,
                   bw_q * bw_q, kernel, exact, fixed, queries)
    return prob, order


def prepare(x, y, dependent, explanatory, bandwidth: float, kernel: str, neighbours: int = 0,
            exact: bool = False) -> Problem:
    """Validate the inputs and build the problem over every point with data (NULLs left out)."""
    kernel = check_kernel(kernel)
    x, y, dep, expl, used = complete_cases(x, y, dependent, explanatory)
    m, p = int(used.sum()), expl.shape[1] + 1
    if m < p + 2:
        raise InputError(f"Only {m} points have a value in every field used; GWR with {p} "
                         "parameters needs many more. Check the fields for NULLs.")
    xs, ys = x[used], y[used]
    check_neighbours(neighbours, p, m)
    if not neighbours:
        check_bandwidth(bandwidth)
    lay, bw = whole_layout(xs, ys, bandwidth, kernel, neighbours, exact)
    X = np.column_stack([np.ones(m), expl[used]])
    prob, order = build(xs, ys, X, dep[used], bw, kernel, exact, not neighbours, lay)
    prob.order, prob.used, prob.bw_all = order, used, bw
    return prob


def check_neighbours(neighbours: int, p: int, m: int) -> None:
    if neighbours and (int(neighbours) < p or int(neighbours) > m):
        raise InputError(f"The number of adaptive neighbours must be between {p} and the "
                         f"{m} points with data; {int(neighbours)} was given.")


def check_bandwidth(bandwidth) -> None:
    if not bandwidth or bandwidth <= 0 or not math.isfinite(bandwidth):
        raise InputError("The bandwidth must be a positive distance in metres.")


def whole_layout(xs, ys, bandwidth, kernel, neighbours, exact, progress=None):
    """The Layout of a whole point set (with data) and the bandwidth of every point."""
    lay0 = layout_of(float(np.min(xs)), float(np.max(xs)), float(np.min(ys)), float(np.max(ys)), 0.0)
    if neighbours:
        bw = adaptive_bandwidths(xs, ys, int(neighbours), lay0, progress=progress)
        typical = histogram_median(radius_histogram(radius_of(bw, kernel, exact, lay0.diag)))
    else:
        bw = np.full(len(xs), float(bandwidth))
        typical = float(radius_of(bw[:1], kernel, exact, lay0.diag)[0])
    lay = layout_of(float(np.min(xs)), float(np.max(xs)), float(np.min(ys)), float(np.max(ys)), typical)
    return lay, bw


def aicc_of(n: int, rss: float, tr_s: float) -> float:
    """AICc = n ln(RSS/n) + n ln(2 pi) + n (n + tr S) / (n - 2 - tr S) (GWR4, mgwr)."""
    if n - 2.0 - tr_s <= 0 or rss <= 0:
        return math.inf
    return n * math.log(rss / n) + n * math.log(2.0 * math.pi) + n * (n + tr_s) / (n - 2.0 - tr_s)


def tile_sums(f: dict, yq: np.ndarray) -> dict:
    """A tile's share of the global sums, from the first pass of its queries (yq: their y)."""
    good = f["good"]
    resid = np.where(good, yq - f["yhat"], np.nan)
    return {"n": int(good.sum()), "n_queries": int(len(good)),
            "rss": ExactSum(resid[good] ** 2), "tr_s": ExactSum(f["sii"][good]),
            "tr_sts": ExactSum(f["ss"][good]), "sum_y": ExactSum(yq[good])}


def merge_sums(parts) -> dict:
    """The sums of several tiles added up (exactly)."""
    out = {"n": 0, "n_queries": 0, "rss": ExactSum(), "tr_s": ExactSum(), "tr_sts": ExactSum(),
           "sum_y": ExactSum()}
    for s in parts:
        out["n"] += s["n"]
        out["n_queries"] += s["n_queries"]
        for k in ("rss", "tr_s", "tr_sts", "sum_y"):
            out[k].merge(s[k])
    return out


@dataclasses.dataclass(frozen=True)
class Globals:
    """The global figures the second pass needs, from every tile's sums."""

    n: int
    rss: float
    tr_s: float
    tr_sts: float
    sigma2: float
    ybar: float

    @staticmethod
    def of(sums: dict, p: int, m: int) -> "Globals":
        n = sums["n"]
        if n < p + 2:
            raise InputError(f"Only {n} of {m} points have enough neighbours for a local fit; "
                             "increase the bandwidth.")
        rss, tr_s, tr_sts = sums["rss"].value(), sums["tr_s"].value(), sums["tr_sts"].value()
        dof = n - 2.0 * tr_s + tr_sts
        return Globals(n, rss, tr_s, tr_sts, rss / dof if dof > 0 else math.nan,
                       sums["sum_y"].value() / n)


def finish_queries(prob: Problem, f: dict, resid_all: np.ndarray, good_all: np.ndarray,
                   yq: np.ndarray, g: Globals, progress: Optional[Progress] = None) -> dict:
    """Per-query outputs of the second pass, and the tile's share of the TSS sums.

    resid_all and good_all cover every indexed point of the problem (strip order)."""
    good = f["good"]
    resid = np.where(good, yq - f["yhat"], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(g.sigma2 * f["cc"])
        tval = f["beta"] / se
        sii = f["sii"]
        std_res = resid / np.sqrt(g.sigma2 * (1.0 - sii))
        cooks = std_res ** 2 * sii / (g.tr_s * (1.0 - sii))
    lr2, rss_i, tss_i = local_r2(prob, resid_all, good_all, g.ybar, progress)
    w = np.where(good, tss_i, 0.0)
    with np.errstate(invalid="ignore"):
        terms = w * lr2
    out = dict(beta=f["beta"], se=se, tval=tval, yhat=f["yhat"], resid=resid, std_res=std_res,
               local_r2=lr2, sii=sii, cooks=cooks, nn=f["nn"], cond=f["cond"], good=good)
    sums = {"tss": ExactSum((yq[good] - g.ybar) ** 2),
            "wm_num": ExactSum(terms[np.isfinite(terms)]), "wm_den": ExactSum(w[np.isfinite(w)])}
    return out, sums


def summary(g: Globals, tss: float, wm_num: float, wm_den: float) -> dict:
    """The global figures of the model, as GwrResult names them."""
    n, rss, tr_s = g.n, g.rss, g.tr_s
    enp = 2.0 * tr_s - g.tr_sts
    r2 = 1.0 - rss / tss if tss > 0 else math.nan
    adj_r2 = 1.0 - (1.0 - r2) * (n - 1.0) / (n - enp - 1.0) if n - enp - 1.0 > 0 else math.nan
    aic = (n * math.log(rss / n) + n * math.log(2 * math.pi) + n + 2.0 * (tr_s + 1.0)
           if rss > 0 else -math.inf)
    wm = wm_num / wm_den if wm_den != 0 else math.nan
    return dict(n=n, rss=rss, tr_s=tr_s, tr_sts=g.tr_sts, enp=enp, sigma2=g.sigma2,
                aicc=aicc_of(n, rss, tr_s), aic=aic, r2=r2, adj_r2=adj_r2,
                weighted_mean_local_r2=wm)


def fit(x, y, dependent, explanatory, bandwidth: float = 500.0, kernel: str = "bisquare",
        neighbours: int = 0, exact: bool = False, names: Optional[Sequence[str]] = None,
        progress: Optional[Progress] = None) -> GwrResult:
    """GWR of `dependent` on the columns of `explanatory` at every point (x, y in metres)."""
    progress = ensure(progress)
    prob = prepare(x, y, dependent, explanatory, bandwidth, kernel, neighbours, exact)
    m, p = prob.X.shape
    f = first_pass(prob, True, progress.sub(0.0, 0.65))
    g = Globals.of(merge_sums([tile_sums(f, prob.y)]), p, m)
    resid_all = np.where(f["good"], prob.y - f["yhat"], np.nan)
    out, sums = finish_queries(prob, f, resid_all, f["good"], prob.y, g, progress.sub(0.65, 1.0))
    prob.cache = None
    s = summary(g, sums["tss"].value(), sums["wm_num"].value(), sums["wm_den"].value())
    return result_of(out, prob.used, prob.order, names, prob.kernel, bandwidth, neighbours,
                     prob.bw_all, g, m, s)


def result_of(out: dict, used, order, names, kernel, bandwidth, neighbours, bw_all, g: Globals,
              m: int, s: dict) -> GwrResult:
    """The GwrResult from per-point outputs over the points with data (in `order`, when given,
    the position among them of each value; in their input order otherwise)."""
    p = out["beta"].shape[1]
    names = ("intercept",) + tuple(names or (f"x{k + 1}" for k in range(p - 1)))
    status = np.where(out["good"], FITTED, UNDERSUPPORTED)
    pos = np.flatnonzero(used) if order is None else np.flatnonzero(used)[order]

    def back(a, fill=np.nan):
        """Values over the points with data -> input order, with `fill` where not used."""
        res = np.full((len(used),) + a.shape[1:], fill, dtype=np.result_type(a, type(fill)))
        res[pos] = a
        return res

    bw = float(bandwidth) if not neighbours else float(np.median(bw_all))
    return GwrResult(
        names=names, params=back(out["beta"]), se=back(out["se"]), tvalues=back(out["tval"]),
        predicted=back(out["yhat"]), residual=back(out["resid"]), std_residual=back(out["std_res"]),
        local_r2=back(out["local_r2"]), influence=back(out["sii"]), cooks_d=back(out["cooks"]),
        n_neighbours=back(out["nn"], 0), cond_number=back(out["cond"]),
        status=back(status, MISSING).astype(np.int8), kernel=kernel, bandwidth=bw,
        neighbours=int(neighbours or 0), n_undersupported=int(m - g.n),
        n_missing=int(len(used) - m), **s)

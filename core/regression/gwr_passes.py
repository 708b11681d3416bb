"""Geographically weighted regression (GWR) with GWR4's definitions, fast and without n x n.

For each point i the local fit solves A_i beta_i = b_i with A_i = X' W_i X and b_i = X' W_i y.
The sums over neighbours are sparse-matrix products W @ M, where the columns of M are the
products x_a x_b and x_a y, and W holds the kernel weights of one batch of query points
(neighbours from core.regression.neighbours). With C_i = A_i^-1 X' W_i:
  S_ii = x_i' A_i^-1 x_i (w_ii = 1),  |row i of S|^2 = q_i' G_i q_i with q_i = A_i^-1 x_i and
  G_i = X' W_i^2 X,  diag(C_i C_i') = diag(A_i^-1 G_i A_i^-1).
A second sweep gives the local R^2, which needs every residual.
"""
import collections
import dataclasses
import functools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional, Sequence, Tuple

import numpy as np
from scipy import sparse

from ..errors import InputError
from ..progress import Progress, ensure
from .kernels import check_kernel, reach, weights
from .neighbours import StripIndex, strip_order

# A local design whose condition number (of W^1/2 X with unit-length columns) exceeds this is
# treated as singular: its normal equations would keep fewer than 6 significant digits.
COND_LIMIT = 1e5
MAX_PAIRS = 1_000_000    # candidate pairs per batch: bounds the memory of one batch (~60 MB)
CACHE_PAIRS = 30_000_000  # keep the weights of the first sweep for the second up to this size
WORKERS = max(1, min(2, os.cpu_count() or 1))  # numpy and scipy.sparse release the GIL
FITTED, MISSING, UNDERSUPPORTED = 0, 1, 2


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


@dataclasses.dataclass
class _Problem:
    """The model in strip order, restricted to the points with complete data."""

    index: StripIndex
    X: np.ndarray          # (m, p) with the intercept column
    y: np.ndarray
    radius: np.ndarray     # search radius per point
    bw2: np.ndarray        # squared bandwidth per point
    kernel: str
    exact: bool
    order: np.ndarray      # strip order -> position among the used points
    used: np.ndarray       # boolean over the input points
    cache: Optional[list] = None   # the weight matrices of the first sweep, when small enough


def _pairs(p: int):
    return [(a, b) for a in range(p) for b in range(a, p)]


def _sym(values: np.ndarray, p: int) -> np.ndarray:
    """(B, p, p) symmetric matrices from the (B, p(p+1)/2) upper-triangle columns."""
    out = np.empty((len(values), p, p))
    for k, (a, b) in enumerate(_pairs(p)):
        out[:, a, b] = values[:, k]
        out[:, b, a] = values[:, k]
    return out


def complete_cases(x, y, dependent, explanatory):
    """Inputs as float arrays ((n, k) explanatory) and the mask of points with every value."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    dep = np.asarray(dependent, float)
    expl = np.asarray(explanatory, float)
    expl = expl.reshape(len(dep), -1) if expl.ndim == 1 else expl
    used = np.isfinite(x) & np.isfinite(y) & np.isfinite(dep) & np.all(np.isfinite(expl), axis=1)
    return x, y, dep, expl, used


def prepare(x, y, dependent, explanatory, bandwidth: float, kernel: str, neighbours: int = 0,
            exact: bool = False) -> _Problem:
    """Validate the inputs and build the neighbour index (points with NULLs are left out)."""
    kernel = check_kernel(kernel)
    x, y, dep, expl, used = complete_cases(x, y, dependent, explanatory)
    m, p = int(used.sum()), expl.shape[1] + 1
    if m < p + 2:
        raise InputError(f"Only {m} points have a value in every field used; GWR with {p} "
                         "parameters needs many more. Check the fields for NULLs.")
    xs, ys = x[used], y[used]
    if neighbours:
        k = int(neighbours)
        if k < p or k > m:
            raise InputError(f"The number of adaptive neighbours must be between {p} and the "
                             f"{m} points with data; {k} was given.")
        from scipy.spatial import cKDTree
        tree = cKDTree(np.column_stack([xs - xs.min(), ys - ys.min()]))
        bw = np.empty(m)
        step = max(1, 2_000_000 // k)
        for s in range(0, m, step):
            d, _ = tree.query(tree.data[s:s + step], k=[k])
            bw[s:s + step] = d[:, 0] * 1.0000001  # GWR4/mgwr: distance to the k-th point, self = 1st
        bw = np.maximum(bw, 1e-9)
    else:
        if not bandwidth or bandwidth <= 0 or not math.isfinite(bandwidth):
            raise InputError("The bandwidth must be a positive distance in metres.")
        bw = np.full(m, float(bandwidth))
    diag = float(math.hypot(np.ptp(xs), np.ptp(ys))) + 1.0
    radius = np.minimum(bw * reach(kernel, exact), 2.0 * diag + bw)
    strip = max(float(np.median(radius)) / 4.0, diag * 1e-6, 1e-6)
    order = strip_order(xs, ys, strip)
    X = np.column_stack([np.ones(m), expl[used]])[order]
    return _Problem(StripIndex(xs[order], ys[order], strip), np.ascontiguousarray(X), dep[used][order],
                    radius[order], (bw * bw)[order], kernel, exact, order, used)


def _weight_matrix(prob: _Problem, b) -> sparse.csr_matrix:
    """The (B, m) sparse kernel weights of one batch of candidate pairs."""
    bw2 = prob.bw2[b.start:b.stop]
    u2 = b.d2 * (1.0 / bw2[0]) if np.ptp(bw2) == 0 else b.d2 / b.per_pair(bw2)
    w = weights(prob.kernel, u2, prob.exact)
    return sparse.csr_matrix((w, b.cols, b.indptr), shape=(b.stop - b.start, prob.index.n))


def _sweep(prob: _Problem, work: Callable, progress: Progress, keep: bool = False) -> None:
    """Call work(start, stop, W) for every batch of query points, on WORKERS threads.

    With keep, the weight matrices are cached on prob when their total size allows, so that
    a second sweep costs no neighbour search.
    """
    if prob.cache is not None:
        jobs = [(W_start, W_start + W.shape[0], (lambda W=W: W)) for W_start, W in prob.cache]
    else:
        jobs = ((s, e, functools.partial(lambda job: _weight_matrix(prob, job()), job))
                for s, e, job in prob.index.jobs(prob.radius, MAX_PAIRS, prune=False))
    cache, cached = ([], 0) if keep and prob.cache is None else (None, 0)

    def run(start, stop, make):
        W = make()
        work(start, stop, W)
        return start, W

    m = prob.index.n
    with ThreadPoolExecutor(WORKERS) as pool:
        pending = collections.deque()

        def collect():
            nonlocal cache, cached
            start, W = pending.popleft().result()
            if cache is not None:
                cached += W.nnz
                cache = cache + [(start, W)] if cached <= CACHE_PAIRS else None
            progress((start + W.shape[0]) / m)

        for start, stop, make in jobs:
            progress.check()
            pending.append(pool.submit(run, start, stop, make))
            if len(pending) > 2 * WORKERS:
                collect()
        while pending:
            collect()
    if cache is not None:
        prob.cache = cache


def spd_inverse(A: np.ndarray) -> np.ndarray:
    """Inverses of a stack (B, p, p) of symmetric positive definite matrices (batched Cholesky)."""
    p = A.shape[1]
    L = np.zeros_like(A)
    for j in range(p):
        L[:, j, j] = np.sqrt(A[:, j, j] - np.einsum("bk,bk->b", L[:, j, :j], L[:, j, :j]))
        for i in range(j + 1, p):
            L[:, i, j] = (A[:, i, j] - np.einsum("bk,bk->b", L[:, i, :j], L[:, j, :j])) / L[:, j, j]
    Li = np.zeros_like(A)
    for i in range(p):
        Li[:, i, i] = 1.0 / L[:, i, i]
        for j in range(i):
            Li[:, i, j] = -np.einsum("bk,bk->b", L[:, i, j:i], Li[:, j:i, j]) / L[:, i, i]
    return np.einsum("bki,bkj->bij", Li, Li)


def _local(A, nn, p):
    """Condition numbers of the local designs and which of them can be solved."""
    dA = np.einsum("bii->bi", A)
    ok = np.all(dA > 0, axis=1) & (nn >= p)
    cond = np.full(len(A), np.inf)
    if ok.any():
        s = 1.0 / np.sqrt(dA[ok])
        ev = np.linalg.eigvalsh(A[ok] * s[:, :, None] * s[:, None, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            cond[ok] = np.where(ev[:, 0] > 0, np.sqrt(ev[:, -1] / ev[:, 0]), np.inf)
    good = ok & (cond <= COND_LIMIT)
    return cond, good


def first_pass(prob: _Problem, full: bool, progress: Optional[Progress] = None) -> dict:
    """Local fits: beta, S_ii and, when full, the row norms of S and diag(C C')."""
    progress = ensure(progress)
    X, y = prob.X, prob.y
    m, p = X.shape
    npairs = p * (p + 1) // 2
    MX = np.column_stack([X[:, a] * X[:, b] for a, b in _pairs(p)])
    M1 = np.ascontiguousarray(np.column_stack([MX, X * y[:, None]]))
    out = {"beta": np.full((m, p), np.nan), "sii": np.full(m, np.nan), "cond": np.full(m, np.inf),
           "nn": np.zeros(m, np.int64), "good": np.zeros(m, bool)}
    if full:
        out["ss"] = np.full(m, np.nan)
        out["cc"] = np.full((m, p), np.nan)

    def work(start, stop, W):
        R = W @ M1
        A, bv = _sym(R[:, :npairs], p), R[:, npairs:]
        nn = np.add.reduceat((W.data > 0).view(np.uint8), W.indptr[:-1], dtype=np.int64)
        cond, good = _local(A, nn, p)
        out["nn"][start:stop], out["cond"][start:stop] = nn, cond
        gi = np.flatnonzero(good)
        if gi.size == 0:
            return
        Ainv = spd_inverse(A[gi])
        idx = start + gi
        xi = X[idx]
        q = np.einsum("bij,bj->bi", Ainv, xi)
        out["beta"][idx] = np.einsum("bij,bj->bi", Ainv, bv[gi])
        out["sii"][idx] = np.einsum("bi,bi->b", xi, q)
        out["good"][idx] = True
        if full:
            W2 = sparse.csr_matrix((W.data * W.data, W.indices, W.indptr), shape=W.shape)
            G = _sym(W2 @ MX, p)[gi]
            out["ss"][idx] = np.einsum("bi,bij,bj->b", q, G, q)
            out["cc"][idx] = np.einsum("bij,bjk,bki->bi", Ainv, G, Ainv)

    _sweep(prob, work, progress, keep=full)
    good = out["good"]
    out["yhat"] = np.where(good, np.einsum("bi,bi->b", X, np.nan_to_num(out["beta"])), np.nan)
    return out


def aicc_of(n: int, rss: float, tr_s: float) -> float:
    """AICc = n ln(RSS/n) + n ln(2 pi) + n (n + tr S) / (n - 2 - tr S) (GWR4, mgwr)."""
    if n - 2.0 - tr_s <= 0 or rss <= 0:
        return math.inf
    return n * math.log(rss / n) + n * math.log(2.0 * math.pi) + n * (n + tr_s) / (n - 2.0 - tr_s)


def _local_r2(prob: _Problem, resid: np.ndarray, good: np.ndarray, progress: Progress):
    """Local R^2 = 1 - sum w e^2 / sum w (y - ybar_i)^2, over the fitted neighbours."""
    yc = np.where(good, prob.y - prob.y[good].mean(), 0.0)
    M = np.ascontiguousarray(np.column_stack([np.where(good, resid, 0.0) ** 2, good.astype(float),
                                              yc, yc * yc]))
    rss_i = np.full(len(yc), np.nan)
    tss_i = np.full(len(yc), np.nan)

    def work(start, stop, W):
        R = W @ M
        with np.errstate(invalid="ignore", divide="ignore"):
            rss_i[start:stop] = R[:, 0]
            tss_i[start:stop] = R[:, 3] - R[:, 2] ** 2 / R[:, 1]

    _sweep(prob, work, progress)
    prob.cache = None
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(good, 1.0 - rss_i / tss_i, np.nan)
    return r2, rss_i, tss_i


def fit(x, y, dependent, explanatory, bandwidth: float = 500.0, kernel: str = "bisquare",
        neighbours: int = 0, exact: bool = False, names: Optional[Sequence[str]] = None,
        progress: Optional[Progress] = None) -> GwrResult:
    """GWR of `dependent` on the columns of `explanatory` at every point (x, y in metres)."""
    progress = ensure(progress)
    prob = prepare(x, y, dependent, explanatory, bandwidth, kernel, neighbours, exact)
    m, p = prob.X.shape
    names = ("intercept",) + tuple(names or (f"x{k + 1}" for k in range(p - 1)))
    f = first_pass(prob, True, progress.sub(0.0, 0.65))
    good = f["good"]
    n = int(good.sum())
    if n < p + 2:
        raise InputError(f"Only {n} of {m} points have enough neighbours for a local fit; "
                         "increase the bandwidth.")
    resid = np.where(good, prob.y - f["yhat"], np.nan)
    rss = float(np.nansum(resid ** 2))
    tr_s, tr_sts = float(np.nansum(f["sii"])), float(np.nansum(f["ss"]))
    dof = n - 2.0 * tr_s + tr_sts
    sigma2 = rss / dof if dof > 0 else math.nan
    enp = 2.0 * tr_s - tr_sts
    yg = prob.y[good]
    tss = float(np.sum((yg - yg.mean()) ** 2))
    r2 = 1.0 - rss / tss if tss > 0 else math.nan
    adj_r2 = 1.0 - (1.0 - r2) * (n - 1.0) / (n - enp - 1.0) if n - enp - 1.0 > 0 else math.nan
    aic = (n * math.log(rss / n) + n * math.log(2 * math.pi) + n + 2.0 * (tr_s + 1.0)
           if rss > 0 else -math.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(sigma2 * f["cc"])
        tval = f["beta"] / se
        sii = f["sii"]
        std_res = resid / np.sqrt(sigma2 * (1.0 - sii))
        cooks = std_res ** 2 * sii / (tr_s * (1.0 - sii))
    local_r2, rss_i, tss_i = _local_r2(prob, resid, good, progress.sub(0.65, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        wm = float(np.nansum(np.where(good, tss_i, 0) * local_r2) / np.nansum(np.where(good, tss_i, 0)))
    status = np.where(good, FITTED, UNDERSUPPORTED)

    def back(a, fill=np.nan):
        """Strip order of the used points -> input order, with `fill` where not used."""
        out = np.full((len(prob.used),) + a.shape[1:], fill, dtype=np.result_type(a, type(fill)))
        pos = np.flatnonzero(prob.used)[prob.order]
        out[pos] = a
        return out

    bw = float(bandwidth) if not neighbours else float(np.median(np.sqrt(prob.bw2)))
    return GwrResult(
        names=names, params=back(f["beta"]), se=back(se), tvalues=back(tval),
        predicted=back(f["yhat"]), residual=back(resid), std_residual=back(std_res),
        local_r2=back(local_r2), influence=back(sii), cooks_d=back(cooks),
        n_neighbours=back(f["nn"], 0), cond_number=back(f["cond"]),
        status=back(status, MISSING).astype(np.int8), kernel=prob.kernel, bandwidth=bw,
        neighbours=int(neighbours or 0), n=n, rss=rss, tr_s=tr_s, tr_sts=tr_sts, enp=enp,
        sigma2=sigma2, aicc=aicc_of(n, rss, tr_s), aic=aic, r2=r2, adj_r2=adj_r2,
        weighted_mean_local_r2=wm, n_undersupported=int(m - n),
        n_missing=int(len(prob.used) - m))

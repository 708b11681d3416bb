"""The two sweeps of GWR over a problem's queries: the local fits, then the local R^2.

For each query i the local fit solves A_i beta_i = b_i with A_i = X' W_i X and b_i = X' W_i y.
The sums over neighbours are sparse-matrix products W @ M, where the columns of M are the
products x_a x_b and x_a y, and W holds the kernel weights of one batch of queries
(neighbours from core.regression.neighbours). With C_i = A_i^-1 X' W_i:
  S_ii = x_i' A_i^-1 x_i (w_ii = 1),  |row i of S|^2 = q_i' G_i q_i with q_i = A_i^-1 x_i and
  G_i = X' W_i^2 X,  diag(C_i C_i') = diag(A_i^-1 G_i A_i^-1).
A second sweep gives the local R^2, which needs every residual.

Each query's row of W lists its neighbours in strip order, and every sum runs along that row,
so a query's results depend on its neighbours alone, not on which other points or queries the
problem holds: a tile of a point set gives the same bits as the whole set.
"""
import collections
import dataclasses
import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

import numpy as np
from scipy import sparse

from ..progress import Progress, ensure
from ..smallmat import eigvalsh, spd_inverse
from .kernels import weights
from .neighbours import StripIndex

# A local design whose condition number (of W^1/2 X with unit-length columns) exceeds this is
# treated as singular: its normal equations would keep fewer than 6 significant digits.
COND_LIMIT = 1e5
MAX_PAIRS = 1_000_000    # candidate pairs per batch: bounds the memory of one batch (~60 MB)
CACHE_PAIRS = 30_000_000  # keep the weights of the first sweep for the second up to this size
WORKERS = max(1, min(2, os.cpu_count() or 1))  # numpy and scipy.sparse release the GIL


@dataclasses.dataclass
class Problem:
    """The model in strip order over the indexed points (complete cases only), and the queries.

    queries: positions (strip order) of the points to fit, None for all of them; radius and
    bw2 hold one value per query. fixed: one bandwidth for every query.
    """

    index: StripIndex
    X: np.ndarray          # (m, p) with the intercept column
    y: np.ndarray
    radius: np.ndarray     # search radius per query
    bw2: np.ndarray        # squared bandwidth per query
    kernel: str
    exact: bool
    fixed: bool
    queries: Optional[np.ndarray] = None
    cache: Optional[list] = None   # the weight matrices of the first sweep, when small enough
    order: Optional[np.ndarray] = None   # strip order -> position among the points with data
    used: Optional[np.ndarray] = None    # boolean over the input points: complete data
    bw_all: Optional[np.ndarray] = None  # the bandwidth of every point with data (input order)

    @property
    def n_queries(self) -> int:
        return self.index.n if self.queries is None else len(self.queries)

    def query_rows(self, idx):
        """Positions among the indexed points of query numbers idx."""
        return idx if self.queries is None else self.queries[idx]


def _pairs(p: int):
    return [(a, b) for a in range(p) for b in range(a, p)]


def _sym(values: np.ndarray, p: int) -> np.ndarray:
    """(B, p, p) symmetric matrices from the (B, p(p+1)/2) upper-triangle columns."""
    out = np.empty((len(values), p, p))
    for k, (a, b) in enumerate(_pairs(p)):
        out[:, a, b] = values[:, k]
        out[:, b, a] = values[:, k]
    return out


def _weight_matrix(prob: Problem, b) -> sparse.csr_matrix:
    """The (B, m) sparse kernel weights of one batch of candidate pairs.

    A weight is a function of the pair alone: zero beyond the query's radius, so candidates
    that one index finds and another does not (by rounding at the edge) weigh nothing.
    """
    bw2 = prob.bw2[b.start:b.stop]
    if prob.fixed:
        u2 = b.d2 * (1.0 / bw2[0])
        w = weights(prob.kernel, u2, prob.exact)
        r2 = prob.radius[b.start] ** 2
        w[b.d2 > r2] = 0.0
    else:
        u2 = b.d2 / b.per_pair(bw2)
        w = weights(prob.kernel, u2, prob.exact)
        w[b.d2 > b.per_pair(prob.radius[b.start:b.stop] ** 2)] = 0.0
    return sparse.csr_matrix((w, b.cols, b.indptr), shape=(b.stop - b.start, prob.index.n))


def _sweep(prob: Problem, work: Callable, progress: Progress, keep: bool = False) -> None:
    """Call work(start, stop, W) for every batch of query points, on WORKERS threads.

    With keep, the weight matrices are cached on prob when their total size allows, so that
    a second sweep costs no neighbour search.
    """
    if prob.cache is not None:
        jobs = [(W_start, W_start + W.shape[0], (lambda W=W: W)) for W_start, W in prob.cache]
    else:
        jobs = ((s, e, functools.partial(lambda job: _weight_matrix(prob, job()), job))
                for s, e, job in prob.index.jobs(prob.radius, MAX_PAIRS, prune=False,
                                                 queries=prob.queries))
    cache, cached = ([], 0) if keep and prob.cache is None else (None, 0)

    def run(start, stop, make):
        W = make()
        work(start, stop, W)
        return start, W

    m = max(prob.n_queries, 1)
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


def _local(A, nn, p):
    """Condition numbers of the local designs and which of them can be solved."""
    dA = np.einsum("bii->bi", A)
    ok = np.all(dA > 0, axis=1) & (nn >= p)
    cond = np.full(len(A), np.inf)
    if ok.any():
        s = 1.0 / np.sqrt(dA[ok])
        ev = eigvalsh(A[ok] * s[:, :, None] * s[:, None, :])  # no LAPACK: same bits anywhere
        with np.errstate(divide="ignore", invalid="ignore"):
            cond[ok] = np.where(ev[:, 0] > 0, np.sqrt(ev[:, -1] / ev[:, 0]), np.inf)
    good = ok & (cond <= COND_LIMIT)
    return cond, good


def first_pass(prob: Problem, full: bool, progress: Optional[Progress] = None) -> dict:
    """Local fits of the queries: beta, S_ii and, when full, the row norms of S and diag(C C')."""
    progress = ensure(progress)
    X, y = prob.X, prob.y
    p = X.shape[1]
    m = prob.n_queries
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
        xi = X[prob.query_rows(idx)]
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
    Xq = X if prob.queries is None else X[prob.queries]
    out["yhat"] = np.where(good, np.einsum("bi,bi->b", Xq, np.nan_to_num(out["beta"])), np.nan)
    return out


def local_r2(prob: Problem, resid: np.ndarray, good: np.ndarray, ybar: float,
             progress: Optional[Progress] = None):
    """Local R^2 = 1 - sum w e^2 / sum w (y - ybar_i)^2 of the queries, over the fitted neighbours.

    resid and good are given for every indexed point (NaN / False where not fitted); ybar,
    the mean of y over every fitted point of the whole set, only conditions the sums.
    """
    progress = ensure(progress)
    yc = np.where(good, prob.y - ybar, 0.0)
    M = np.ascontiguousarray(np.column_stack([np.where(good, resid, 0.0) ** 2, good.astype(float),
                                              yc, yc * yc]))
    rss_i = np.full(prob.n_queries, np.nan)
    tss_i = np.full(prob.n_queries, np.nan)

    def work(start, stop, W):
        R = W @ M
        with np.errstate(invalid="ignore", divide="ignore"):
            rss_i[start:stop] = R[:, 0]
            tss_i[start:stop] = R[:, 3] - R[:, 2] ** 2 / R[:, 1]

    _sweep(prob, work, progress)
    prob.cache = None
    good_q = good if prob.queries is None else good[prob.queries]
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(good_q, 1.0 - rss_i / tss_i, np.nan)
    return r2, rss_i, tss_i

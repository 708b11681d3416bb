"""All point pairs closer than a per-query radius, found by sweeping horizontal strips.

The points are sorted by strip (rows of height `strip`) and, inside a strip, by x. The
neighbours of a query in one strip are then one contiguous run, found with two binary
searches on the chord of the search circle at that strip. Runs are expanded into pairs
with numpy only; nothing n x n is formed and memory per batch is bounded by `max_pairs`.
"""
import dataclasses
import functools
from typing import Callable, Iterator, Optional, Tuple

import numpy as np

from ..progress import Progress, ensure


def strip_order(x: np.ndarray, y: np.ndarray, strip: float, y0: Optional[float] = None) -> np.ndarray:
    """The permutation that sorts points by strip (rows of height `strip` from y0, default the
    lowest y), then by x; ties keep their order."""
    sid = np.floor((y - (np.min(y) if y0 is None else y0)) / strip).astype(np.int64)
    return np.lexsort((x, sid))


@dataclasses.dataclass(frozen=True)
class PairBatch:
    """The pairs of queries [start, stop): CSR layout over the indexed points."""

    start: int
    stop: int
    indptr: np.ndarray  # (stop - start + 1,) int64
    cols: np.ndarray    # neighbour indices into the indexed (strip-sorted) points
    d2: np.ndarray      # squared distances
    qid: np.ndarray     # the query (0 .. stop - start - 1) of each pair

    def per_pair(self, values: np.ndarray) -> np.ndarray:
        """A value per query of this batch, repeated for each of its pairs."""
        return values[self.qid]


class StripIndex:
    """A fixed-radius neighbour index over points already in strip_order.

    y0 is the bottom of strip 0 (default: the lowest point). An index over a tile of a larger
    set takes the set's y0 and strip, so its strips, and the order of every query's neighbours,
    are those of an index over the whole set.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, strip: float, y0: Optional[float] = None):
        self.x = np.ascontiguousarray(x, dtype=float)
        self.y = np.ascontiguousarray(y, dtype=float)
        self.n = len(self.x)
        self.strip = float(strip)
        self.x0 = float(np.min(self.x)) if self.n else 0.0
        self.y0 = float(np.min(self.y)) if y0 is None else float(y0)
        sid = np.floor((self.y - self.y0) / self.strip).astype(np.int64)
        if np.any(np.diff(sid) < 0):
            raise ValueError("points must be sorted with strip_order first")
        self.n_strips = int(sid[-1]) + 1 if self.n else 0
        self.xrange = float(np.max(self.x) - self.x0) if self.n else 0.0
        self._sid = sid
        self._big = 0.0
        self._keys = None
        self._slack = 0.0
        self.idx_dtype = np.int32 if self.n < 2**31 - 1 else np.int64

    def _prepare(self, rmax: float) -> None:
        """Keys strip * big + (x - x0), with big wide enough for any chord of radius rmax."""
        big = float(np.ceil(self.xrange + 2.0 * rmax + 2.0))
        if big > self._big:
            self._big = big
            self._keys = self._sid * big + (self.x - self.x0)
            # the keys' rounding: a search window this much wider misses no point in the circle
            self._slack = 8.0 * float(np.spacing(np.max(np.abs(self._keys)))) if self.n else 0.0

    def _runs(self, qx, qy, r):
        """(query, first, count) of the candidate runs of a chunk of queries.

        The runs are searched strip offset by strip offset (relative to each query's own
        strip): the needles of one offset are then nearly sorted, which makes the binary
        searches some 8x faster than in query order.
        """
        own = np.floor((qy - self.y0) / self.strip).astype(np.int64)
        s_lo = np.clip(np.floor((qy - r - self.y0) / self.strip), 0, self.n_strips - 1).astype(np.int64)
        s_hi = np.clip(np.floor((qy + r - self.y0) / self.strip), 0, self.n_strips - 1).astype(np.int64)
        k0, k1 = int((s_lo - own).min()), int((s_hi - own).max())
        nq, width = len(qx), k1 - k0 + 1
        lo = np.zeros((nq, width), np.int64)
        cnt = np.zeros((nq, width), np.int64)
        r2 = r * r
        for j, k in enumerate(range(k0, k1 + 1)):
            s = np.clip(own + k, 0, self.n_strips - 1)
            valid = (own + k >= s_lo) & (own + k <= s_hi)
            bottom = self.y0 + s * self.strip
            dy = np.maximum(np.maximum(bottom - qy, qy - (bottom + self.strip)), 0.0)
            hw = np.sqrt(np.maximum(r2 - dy * dy, 0.0)) * (1.0 + 1e-9) + 1e-9 * r + self._slack
            centre = s * self._big + (qx - self.x0)
            first = np.searchsorted(self._keys, centre - hw, side="left")
            lo[:, j] = first
            cnt[:, j] = np.where(valid, np.searchsorted(self._keys, centre + hw, side="right") - first, 0)
        return np.repeat(np.arange(nq), width), lo.ravel(), cnt.ravel()

    def jobs(self, radius: np.ndarray, max_pairs: int = 1_000_000, prune: bool = True,
             strict: bool = False, queries: Optional[np.ndarray] = None
             ) -> Iterator[Tuple[int, int, Callable[[], PairBatch]]]:
        """(start, stop, expand) per batch of queries; expand() returns the batch's pairs.

        The queries are the indexed points, or the positions `queries` among them (start and
        stop then count queries, and radius has one value per query). With prune, pairs have
        d_ij <= radius_i (d < radius_i if strict). Without it they are the candidates: a
        superset (by some 20 %) that the caller filters itself, cheaper.
        """
        nq_all = self.n if queries is None else len(queries)
        radius = np.broadcast_to(np.asarray(radius, float), (nq_all,))
        if self.n == 0 or nq_all == 0:
            return
        self._prepare(float(np.max(radius)))
        nst_max = int(np.ceil(2.0 * np.max(radius) / self.strip)) + 2
        chunk = int(max(64, min(65536, 2_000_000 // nst_max)))
        for c0 in range(0, nq_all, chunk):
            c1 = min(nq_all, c0 + chunk)
            if queries is None:
                qx, qy = self.x[c0:c1], self.y[c0:c1]
            else:
                qx, qy = self.x[queries[c0:c1]], self.y[queries[c0:c1]]
            r = radius[c0:c1]
            q, lo, cnt = self._runs(qx, qy, r)
            per_query = np.bincount(q, weights=cnt, minlength=c1 - c0)
            run_start = np.searchsorted(q, np.arange(c1 - c0 + 1))
            cum = np.cumsum(per_query)
            a = 0
            while a < c1 - c0:
                base = cum[a - 1] if a else 0.0
                b = int(np.searchsorted(cum, base + max_pairs, side="right"))
                b = min(max(b, a + 1), c1 - c0)
                r0, r1 = run_start[a], run_start[b]
                args = (c0 + a, c0 + b, q[r0:r1] - a, lo[r0:r1], cnt[r0:r1], qx[a:b], qy[a:b], r[a:b])
                yield c0 + a, c0 + b, functools.partial(self._expand, *args, prune, strict)
                a = b

    def batches(self, radius: np.ndarray, max_pairs: int = 1_000_000, prune: bool = True,
                strict: bool = False, progress: Optional[Progress] = None) -> Iterator[PairBatch]:
        """The pairs of every batch of queries, in order (see jobs)."""
        progress = ensure(progress)
        for start, stop, expand in self.jobs(radius, max_pairs, prune, strict):
            yield expand()
            progress(stop / self.n)

    def _expand(self, start, stop, rq, rl, rc, qx, qy, r, prune, strict) -> PairBatch:
        nq = stop - start
        nonempty = rc > 0
        rq, rl, rc = rq[nonempty], rl[nonempty].astype(self.idx_dtype), rc[nonempty]
        total = int(rc.sum())
        counts = np.bincount(rq, weights=rc, minlength=nq).astype(np.int64)
        # cols: the runs laid end to end, built with one cumsum (np.repeat is 5x slower)
        cols = np.ones(total, self.idx_dtype)
        if total:
            cols[0] = rl[0]
            cols[(np.cumsum(rc) - rc)[1:]] = rl[1:] - (rl[:-1] + rc[:-1].astype(self.idx_dtype)) + 1
            np.cumsum(cols, out=cols)
        qid = _segment_ids(counts, total)
        dx = self.x[cols]
        dx -= qx[qid]
        dy = self.y[cols]
        dy -= qy[qid]
        dx *= dx
        dy *= dy
        dx += dy
        d2 = dx
        if prune:
            r2 = r * r
            keep = d2 < r2[qid] if strict else d2 <= r2[qid]
            cols, d2, qid = cols[keep], d2[keep], qid[keep]
            counts = np.bincount(qid, minlength=nq)
        indptr = np.zeros(nq + 1, dtype=self.idx_dtype if len(cols) < 2**31 - 1 else np.int64)
        np.cumsum(counts, out=indptr[1:])
        return PairBatch(start, stop, indptr, cols, d2, qid)


def _segment_ids(counts: np.ndarray, total: int) -> np.ndarray:
    """0 repeated counts[0] times, 1 repeated counts[1] times, ... (as int32 when possible)."""
    dtype = np.int32 if len(counts) < 2**31 - 1 else np.int64
    if np.any(counts == 0):
        return np.repeat(np.arange(len(counts), dtype=dtype), counts)
    ids = np.zeros(total, dtype)
    ids[np.cumsum(counts)[:-1]] = 1
    return np.cumsum(ids, out=ids)

"""The coherence estimator, tile by tile: gamma = |sum s1 conj(s2)| / sqrt(sum|s1|^2 sum|s2|^2).

Each tile is read with a halo of (window - 1) pixels, padded with zeros beyond the raster,
and its windowed sums are formed by a fixed tree of additions (sums of 1, 2, 4, ... shifted
copies). Every output pixel is therefore computed by exactly the same floating-point
operations wherever the tile boundaries fall: the tiled result equals the whole-array result
bit for bit. At the raster edges the window is truncated (zeros add nothing).

Layout of a tile's work buffer X (float32, 4 values per padded pixel):
X[:2n] = s1*conj(s2) (complex, interleaved), X[2n:] = (|s1|^2, |s2|^2) interleaved,
so one flat shifted addition sums all four quantities at once.
"""
import concurrent.futures
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError
from ..progress import Progress, ensure

TILE = (128, 1024)  # output rows, columns per tile: the work buffers stay in the CPU caches
_LOW, _HIGH = 1e-12, 1e12  # power sums outside this range are rescaled (exactly, by 2**k)


def box_sum_flat(x: np.ndarray, length: int, step: int, width: int,
                 pool: Sequence[np.ndarray]) -> Tuple[np.ndarray, int, int]:
    """y[k] = sum_{j<width} x[k + j*step] for k < length - (width-1)*step, by doubling.

    `pool` holds three flat work arrays that do not alias x. Returns (y, valid length,
    index of the pool array holding y, or -1 when y is a view of x).
    """
    acc, acc_i, acc_len, off = None, -1, 0, 0
    p, p_i, plen, w = x, -1, 1, int(width)
    while True:
        if w & 1:
            if acc is None:
                acc, acc_i, acc_len = p[off * step:], p_i, length - off * step
            else:
                n = min(acc_len, length - off * step)
                i = next(k for k in range(len(pool)) if k != p_i and k != acc_i)
                np.add(acc[:n], p[off * step: off * step + n], out=pool[i][:n])
                acc, acc_i, acc_len = pool[i], i, n
            off += plen
        w >>= 1
        if not w:
            return acc, acc_len, acc_i
        n = length - plen * step
        i = next(k for k in range(len(pool)) if k != p_i and k != acc_i)
        np.add(p[:n], p[plen * step: plen * step + n], out=pool[i][:n])
        p, p_i, length, plen = pool[i], i, n, plen * 2


class Workspace:
    """Preallocated buffers for one tile (allocating per tile would cost page faults)."""

    def __init__(self, rows_padded: int, cols_padded: int, input_dtypes: Sequence[type]):
        n = rows_padded * cols_padded
        self.capacity = n
        self.X = np.empty(4 * n, np.float32)
        self.pool = [np.empty(4 * n, np.float32) for _ in range(3)]
        self.tmp_c = np.empty(n, np.complex64)
        self.tmp_f = np.empty(2 * n, np.float32)
        self.num = np.empty(n, np.float32)
        self.den = np.empty(n, np.float32)
        self.inputs = [np.zeros(n, dt) for dt in input_dtypes]

    def input_views(self, rows: int, cols: int) -> List[np.ndarray]:
        """The input buffers as (rows, cols) C-contiguous arrays."""
        return [b[:rows * cols].reshape(rows, cols) for b in self.inputs]


def build_slc(ws: Workspace, n: int) -> None:
    """X from two SLC tiles (inputs[0], inputs[1], complex64)."""
    a, b = ws.inputs[0][:n], ws.inputs[1][:n]
    X = ws.X
    np.conjugate(b, out=ws.tmp_c[:n])
    np.multiply(a, ws.tmp_c[:n], out=X[:2 * n].view(np.complex64))
    sq = ws.tmp_f[:2 * n]
    for k, s in enumerate((a, b)):
        f = s.view(np.float32)
        np.multiply(f, f, out=sq)
        np.add(sq[0::2], sq[1::2], out=X[2 * n + k:4 * n:2])


def build_interferogram(ws: Workspace, n: int) -> None:
    """X from an interferogram tile (complex64) and two amplitude tiles (float32)."""
    ifg, a1, a2 = ws.inputs[0][:n], ws.inputs[1][:n], ws.inputs[2][:n]
    X = ws.X
    X[:2 * n].view(np.complex64)[...] = ifg
    np.multiply(a1, a1, out=X[2 * n:4 * n:2])
    np.multiply(a2, a2, out=X[2 * n + 1:4 * n:2])


def _mask_no_data(ws: Workspace, n: int, build: Callable[[Workspace, int], None]) -> np.ndarray:
    """Zero every pixel that is no data in any input (non-finite, or no signal), rebuild X.

    A pixel is used only where both images have data, so a gap in one image does not bias
    the window. Returns the boolean no-data mask of the padded tile.
    """
    bad = np.zeros(n, bool)
    for buf in ws.inputs:
        v = buf[:n]
        bad |= ~np.isfinite(v)
        v[bad] = 0
    build(ws, n)
    bad |= (ws.X[2 * n:4 * n:2] <= 0) | (ws.X[2 * n + 1:4 * n:2] <= 0)
    for buf in ws.inputs:
        buf[:n][bad] = 0
    build(ws, n)
    return bad


def tile_coherence(ws: Workspace, rows: int, cols: int, wy: int, wx: int, out: np.ndarray,
                   build: Callable[[Workspace, int], None],
                   inside: Optional[Tuple[int, int, int, int]] = None) -> None:
    """Coherence of one padded tile (inputs already filled) into out[rows, cols].

    `inside` = (row0, row1, col0, col1): the part of the padded tile inside the raster (the
    rest is zero padding); None when all of it is.
    """
    rp, ct = rows + wy - 1, cols + wx - 1
    n, m = rp * ct, rows * ct
    build(ws, n)
    q = ws.X[2 * n:4 * n]
    qmax = float(q.max())  # squares are >= 0, so NaN or inf anywhere shows up here
    if inside is None:
        qmin = float(q.min())
    else:
        r0, r1, c0, c1 = inside
        qmin = float(q.reshape(rp, ct * 2)[r0:r1, 2 * c0:2 * c1].min())
    bad = None
    if not np.isfinite(qmax) or qmin <= 0:  # no data somewhere
        bad = _mask_no_data(ws, n, build)
        qmax = float(q.max())
    if qmax > 0 and not _LOW <= qmax * wy * wx <= _HIGH:  # exact power-of-two rescaling
        ws.X[:4 * n] *= np.float32(2.0 ** -np.round(np.log2(qmax * wy * wx)))
    h, h_len, h_i = box_sum_flat(ws.X[:4 * n], 4 * n, 2, wx, ws.pool)
    pool = ws.pool if h_i < 0 else [ws.X] + [p for k, p in enumerate(ws.pool) if k != h_i]
    v, _, _ = box_sum_flat(h, h_len, 2 * ct, wy, pool[:3])
    num, den = ws.num[:m], ws.den[:m]
    np.abs(v[:2 * m].view(np.complex64), out=num)
    np.multiply(v[2 * n:2 * n + 2 * m:2], v[2 * n + 1:2 * n + 2 * m:2], out=den)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 where a window has no signal
        np.sqrt(den, out=den)
        np.divide(num, den, out=num)
    np.minimum(num.reshape(rows, ct)[:, :cols], np.float32(1.0), out=out)
    if bad is not None:  # a centre pixel without data in both images is no data
        top, left = (wy - 1) // 2, (wx - 1) // 2
        out[bad.reshape(rp, ct)[top:top + rows, left:left + cols]] = np.nan


@dataclass(frozen=True)
class TileSpec:
    """One output tile and the padded input window it needs (clipped to the raster)."""

    y0: int
    x0: int
    rows: int
    cols: int
    src: Tuple[int, int, int, int]     # xoff, yoff, xsize, ysize in the raster
    dst: Tuple[int, int]               # row, column of the clipped window in the padded tile
    clipped: bool                      # True when the padded window leaves the raster


def tiles(height: int, width: int, wy: int, wx: int,
          tile: Tuple[int, int] = TILE) -> List[TileSpec]:
    """Row-major output tiles with their halo windows."""
    top, left = (wy - 1) // 2, (wx - 1) // 2
    out = []
    for y0 in range(0, height, tile[0]):
        rows = min(tile[0], height - y0)
        for x0 in range(0, width, tile[1]):
            cols = min(tile[1], width - x0)
            ys, ye = y0 - top, y0 + rows + (wy - 1 - top)
            xs, xe = x0 - left, x0 + cols + (wx - 1 - left)
            cys, cye, cxs, cxe = max(ys, 0), min(ye, height), max(xs, 0), min(xe, width)
            out.append(TileSpec(y0, x0, rows, cols, (cxs, cys, cxe - cxs, cye - cys),
                                (cys - ys, cxs - xs), (cys, cye, cxs, cxe) != (ys, ye, xs, xe)))
    return out


def run_tiles(height: int, width: int, wy: int, wx: int, input_dtypes: Sequence[type],
              read: Callable[[TileSpec, List[np.ndarray]], None],
              write: Callable[[TileSpec, np.ndarray], None],
              build: Callable[[Workspace, int], None], progress: Optional[Progress] = None,
              tile: Tuple[int, int] = TILE, threads: int = 1) -> None:
    """Read, compute and write every tile; `threads` workers compute tiles in parallel.

    read(spec, views) fills the clipped window of each (padded) input view; the driver has
    already zeroed the views when the window is clipped. Memory: `threads` workspaces.
    """
    progress = ensure(progress)
    tile = (max(1, min(tile[0], height)), max(1, min(tile[1], width)))
    specs = tiles(height, width, wy, wx, tile)
    threads = max(1, int(threads))
    spaces = [Workspace(tile[0] + wy - 1, tile[1] + wx - 1, input_dtypes) for _ in range(threads)]
    outs = [np.empty(tile, np.float32) for _ in range(threads)]

    def compute(k: int, spec: TileSpec) -> np.ndarray:
        out = outs[k][:spec.rows, :spec.cols]
        r, c = spec.dst
        inside = (r, r + spec.src[3], c, c + spec.src[2]) if spec.clipped else None
        tile_coherence(spaces[k], spec.rows, spec.cols, wy, wx, out, build, inside)
        return out

    pool = concurrent.futures.ThreadPoolExecutor(threads) if threads > 1 else None
    try:
        for start in range(0, len(specs), threads):
            batch = specs[start:start + threads]
            for k, spec in enumerate(batch):
                views = spaces[k].input_views(spec.rows + wy - 1, spec.cols + wx - 1)
                if spec.clipped:
                    for v in views:
                        v[...] = 0
                r, c = spec.dst
                xs, ys = spec.src[2], spec.src[3]
                read(spec, [v[r:r + ys, c:c + xs] for v in views])
            if pool is None:
                results = [compute(0, batch[0])]
            else:
                results = list(pool.map(compute, range(len(batch)), batch))
            for spec, res in zip(batch, results):
                write(spec, res)
            progress((start + len(batch)) / len(specs))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def _array_reader(arrays: Sequence[np.ndarray]):
    def read(spec: TileSpec, views: List[np.ndarray]) -> None:
        xo, yo, xs, ys = spec.src
        for arr, v in zip(arrays, views):
            v[...] = arr[yo:yo + ys, xo:xo + xs]
    return read


def _check_window(shape: Tuple[int, int], wy: int, wx: int) -> None:
    if wy < 1 or wx < 1:
        raise InputError(f"The window must be at least 1 x 1 pixel (got {wx} x {wy}).")
    if wy > shape[0] or wx > shape[1]:
        raise InputError(f"The window ({wx} x {wy} pixels, range x azimuth) is larger than the "
                         f"raster ({shape[1]} x {shape[0]} pixels). Use a smaller window.")


def coherence(s1: np.ndarray, s2: np.ndarray, window_y: int, window_x: int,
              tile: Tuple[int, int] = TILE, threads: int = 1,
              progress: Optional[Progress] = None, out: Optional[np.ndarray] = None) -> np.ndarray:
    """Coherence magnitude of two co-registered complex arrays over a window_y x window_x window."""
    if s1.shape != s2.shape or s1.ndim != 2:
        raise InputError(f"The two images must be 2-D and of the same size ({s1.shape} vs {s2.shape}).")
    _check_window(s1.shape, window_y, window_x)
    out = np.empty(s1.shape, np.float32) if out is None else out

    def write(spec: TileSpec, res: np.ndarray) -> None:
        out[spec.y0:spec.y0 + spec.rows, spec.x0:spec.x0 + spec.cols] = res

    run_tiles(s1.shape[0], s1.shape[1], window_y, window_x, (np.complex64, np.complex64),
              _array_reader((s1, s2)), write, build_slc, progress, tile, threads)
    return out


def coherence_from_interferogram(ifg: np.ndarray, amp1: np.ndarray, amp2: np.ndarray,
                                 window_y: int, window_x: int, tile: Tuple[int, int] = TILE,
                                 threads: int = 1, progress: Optional[Progress] = None) -> np.ndarray:
    """Coherence from an un-normalised interferogram s1*conj(s2) and the two amplitudes |s1|, |s2|."""
    if not (ifg.shape == amp1.shape == amp2.shape) or ifg.ndim != 2:
        raise InputError("The interferogram and the two amplitude rasters must have the same size.")
    _check_window(ifg.shape, window_y, window_x)
    out = np.empty(ifg.shape, np.float32)

    def write(spec: TileSpec, res: np.ndarray) -> None:
        out[spec.y0:spec.y0 + spec.rows, spec.x0:spec.x0 + spec.cols] = res

    run_tiles(ifg.shape[0], ifg.shape[1], window_y, window_x,
              (np.complex64, np.float32, np.float32), _array_reader((ifg, amp1, amp2)), write,
              build_interferogram, progress, tile, threads)
    return out


def build_phase_interferogram(ws: Workspace, n: int) -> None:
    """X from exp(i*phase) (inputs[0], complex64) and two amplitude tiles: s1 conj(s2) = A1 A2 e^(i phi)."""
    u, a1, a2 = ws.inputs[0][:n], ws.inputs[1][:n], ws.inputs[2][:n]
    X, t = ws.X, ws.tmp_f[:n]
    np.multiply(a1, a2, out=t)
    np.multiply(u.real, t, out=X[0:2 * n:2])
    np.multiply(u.imag, t, out=X[1:2 * n:2])
    np.multiply(a1, a1, out=X[2 * n:4 * n:2])
    np.multiply(a2, a2, out=X[2 * n + 1:4 * n:2])

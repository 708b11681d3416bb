"""GWR tile by tile: each tile fits its own points over its halo, the sums are reduced exactly.

Pass 1 (per tile): local fits of the tile's points, saved to a scratch file, and the tile's
exact sums (n, RSS, tr S, tr S'S, sum y). The client adds the sums up (Globals).
Pass 2 (per tile): residuals of the halo's points from the neighbouring tiles' scratch files,
then standard errors, residual diagnostics and local R^2, and the tile's TSS sums.
The halo of a tile is the largest search radius of its points: the bandwidth (times the
kernel's reach), or for an adaptive kernel the k-th neighbour distance.
"""
import dataclasses
import os
from typing import List, Optional

import numpy as np

from ..progress import Progress, ensure
from ..regression.gwr import (Globals, Layout, build, finish_queries, merge_sums, radius_of,
                              tile_sums)
from ..regression.gwr_passes import first_pass

_P1_FIELDS = ("beta", "sii", "ss", "cc", "cond", "nn", "good", "yhat")


@dataclasses.dataclass(frozen=True)
class GwrSpec:
    """The model every tile fits."""

    kernel: str
    exact: bool
    fixed: bool
    layout: Layout
    p: int


@dataclasses.dataclass
class GwrTile:
    """One tile's points with complete data (core and halo), in global order (gid ascending).

    bw: the bandwidth of each core point, in the order of the core points."""

    tile: int
    x: np.ndarray
    y: np.ndarray
    gid: np.ndarray
    core: np.ndarray
    X: np.ndarray
    yv: np.ndarray
    bw: np.ndarray

    def load(self, progress=None) -> "GwrTile":
        return self


def _problem(t: GwrTile, spec: GwrSpec):
    prob, order = build(t.x, t.y, t.X, t.yv, t.bw, spec.kernel, spec.exact, spec.fixed,
                        spec.layout, query_mask=t.core)
    return prob, t.gid[order]


def scratch_file(folder: str, tile: int) -> str:
    return os.path.join(folder, f"gwr_pass1_{tile}.npz")


def pass1(source, spec: GwrSpec, scratch: str, progress: Optional[Progress] = None) -> dict:
    """Fit the tile's points; save the fits to its scratch file; return its exact sums."""
    progress = ensure(progress)
    t = source.load(progress.sub(0.0, 0.1))
    prob, gids = _problem(t, spec)
    f = first_pass(prob, True, progress.sub(0.1, 1.0))
    yq = prob.y[prob.queries]
    resid = np.where(f["good"], yq - f["yhat"], np.nan)
    np.savez(scratch_file(scratch, t.tile), qgid=gids[prob.queries], resid=resid,
             **{k: f[k] for k in _P1_FIELDS})
    return tile_sums(f, yq)


def _residuals(gids: np.ndarray, files: List[str]):
    """Residual and fitted flag of the points `gids` from the pass-1 files of their tiles."""
    q, r, g = [], [], []
    for path in files:
        with np.load(path) as z:
            q.append(z["qgid"])
            r.append(z["resid"])
            g.append(z["good"])
    q, r, g = np.concatenate(q), np.concatenate(r), np.concatenate(g)
    order = np.argsort(q, kind="stable")
    q, r, g = q[order], r[order], g[order]
    pos = np.clip(np.searchsorted(q, gids), 0, max(len(q) - 1, 0))
    if len(q) == 0 or np.any(q[pos] != gids):
        raise RuntimeError("a halo point has no first-pass result in the neighbouring tiles")
    return r[pos], g[pos]


def pass2(source, spec: GwrSpec, scratch: str, near: List[int], g: Globals,
          progress: Optional[Progress] = None):
    """The tile's final per-point outputs (keyed by gid) and its TSS sums."""
    progress = ensure(progress)
    t = source.load(progress.sub(0.0, 0.1))
    prob, gids = _problem(t, spec)
    with np.load(scratch_file(scratch, t.tile)) as z:
        f = {k: z[k] for k in _P1_FIELDS}
        qgid = z["qgid"]
    files = [scratch_file(scratch, u) for u in near if os.path.exists(scratch_file(scratch, u))]
    resid_all, good_all = _residuals(gids, files)
    yq = prob.y[prob.queries]
    out, sums = finish_queries(prob, f, resid_all, good_all, yq, g, progress.sub(0.1, 1.0))
    out["gid"] = qgid
    return out, sums


def halo_widths(bw_core_max: np.ndarray, spec: GwrSpec) -> np.ndarray:
    """The halo of each tile from the largest bandwidth of its points."""
    return radius_of(np.asarray(bw_core_max, float), spec.kernel, spec.exact, spec.layout.diag)


def reduce_pass1(results) -> dict:
    return merge_sums(results)


def fit_layer(x, y, dependent, explanatory, bandwidth: float = 500.0, kernel: str = "bisquare",
              neighbours: int = 0, exact: bool = False, names=None, engine=None,
              tile_size: float = 0.0, scratch: str = "", progress: Optional[Progress] = None):
    """gwr.fit over points held here, cut into tiles run by `engine`: the same GwrResult."""
    import tempfile

    from ..errors import InputError
    from ..regression import gwr
    from .engine import InProcess, collect
    from .tiling import cut, grid_of_points
    progress = ensure(progress)
    engine = engine or InProcess()
    kernel = gwr.check_kernel(kernel)
    x, y, dep, expl, used = gwr.complete_cases(x, y, dependent, explanatory)
    m, p = int(used.sum()), expl.shape[1] + 1
    if m < p + 2:
        raise InputError(f"Only {m} points have a value in every field used; GWR with {p} "
                         "parameters needs many more. Check the fields for NULLs.")
    if exact and kernel in ("gaussian", "exponential"):
        raise InputError("An exact gaussian or exponential kernel reaches every point, so it "
                         "cannot run tile by tile; clear EXACT or run in-process.")
    gwr.check_neighbours(neighbours, p, m)
    if not neighbours:
        gwr.check_bandwidth(bandwidth)
    xs, ys = x[used], y[used]
    X = np.column_stack([np.ones(m), expl[used]])
    yv = dep[used]
    lay, bw = gwr.whole_layout(xs, ys, bandwidth, kernel, neighbours, exact)
    spec = GwrSpec(kernel, exact, not neighbours, lay, p)
    grid = grid_of_points(xs, ys, tile_size)
    tiles_of = grid.tile_of(xs, ys)
    bw_max = np.zeros(grid.n_tiles)
    np.maximum.at(bw_max, tiles_of, bw)
    halos = halo_widths(bw_max, spec)
    parts = [(t, core, halo) for t, core, halo in cut(xs, ys, grid, halos)]

    def tile(t, core, halo):
        idx = np.sort(np.concatenate([core, halo]))
        is_core = np.zeros(len(idx), bool)
        is_core[np.searchsorted(idx, core)] = True
        return GwrTile(t, xs[idx], ys[idx], idx.astype(np.int64), is_core, X[idx], yv[idx],
                       bw[np.sort(core)])

    own = tempfile.TemporaryDirectory(prefix="insarfusion-gwr-", dir=scratch or None)
    try:
        folder = own.name
        sums = collect(engine, [(pass1, (tile(*pt), spec, folder)) for pt in parts],
                       progress.sub(0.0, 0.6))
        g = Globals.of(merge_sums(sums), p, m)
        near = {t: grid.near(t, float(halos[t])) for t, _, _ in parts}
        full = {k: np.full((m, p), np.nan) for k in ("beta", "se", "tval")}
        for k in ("yhat", "resid", "std_res", "local_r2", "sii", "cooks"):
            full[k] = np.full(m, np.nan)
        full["cond"] = np.full(m, np.inf)
        full["nn"] = np.zeros(m, np.int64)
        full["good"] = np.zeros(m, bool)
        totals = []
        tasks = [(pass2, (tile(*pt), spec, folder, near[pt[0]], g)) for pt in parts]
        for _, (out, s) in engine.run(tasks, progress.sub(0.6, 1.0)):
            for k in full:
                full[k][out["gid"]] = out[k]
            totals.append(s)
    finally:
        own.cleanup()
    from ..scale.exactsum import merged
    s = gwr.summary(g, merged(t["tss"] for t in totals).value(),
                    merged(t["wm_num"] for t in totals).value(),
                    merged(t["wm_den"] for t in totals).value())
    return gwr.result_of(full, used, None, names, kernel, bandwidth, neighbours, bw, g, m, s)

"""GWR over a tile set on disk: workers read each tile and its halo from the tile files.

Steps (each a task per tile): statistics (points with data, extent, regressor ranges) ->
for an adaptive kernel, each point's k-th neighbour distance, the halo grown until it is
certain -> pass 1 -> pass 2, which writes the tile's output (or returns it to the writer).
"""
import dataclasses
import math
import os
import tempfile
from typing import Optional, Sequence

import numpy as np

from ..errors import InputError
from ..points import PointTable, numeric
from ..progress import Progress, ensure
from ..regression import gwr
from .engine import collect, ordered
from .exactsum import merged
from .gwr_tiles import GwrSpec, GwrTile, halo_widths, pass1, pass2
from .tileset import ROW_BITS, TileSet

GWR_FIELDS_AFTER = ("predicted", "residual", "std_residual", "local_r2", "influence", "cooks_d",
                    "n_neighbours", "cond_number")


def output_columns(out: dict, names: Sequence[str]) -> dict:
    """The GWR output fields, in the documented order, from per-point arrays."""
    cols = {}
    labels = ["intercept"] + [f"coef_{n}" for n in names]
    for j, label in enumerate(labels):
        cols[label] = out["beta"][:, j]
    for prefix, key in (("se", "se"), ("t", "tval")):
        for j, n in enumerate(["intercept"] + list(names)):
            cols[f"{prefix}_{n}"] = out[key][:, j]
    cond = out["cond"]
    cols.update(predicted=out["yhat"], residual=out["resid"], std_residual=out["std_res"],
                local_r2=out["local_r2"], influence=out["sii"], cooks_d=out["cooks"],
                n_neighbours=np.asarray(out["nn"]).astype(np.int64),
                cond_number=np.where(np.isfinite(cond), cond, np.nan))
    return cols


def _complete(table: PointTable, columns):
    dep = numeric(table.columns[columns[0]], columns[0])
    expl = np.column_stack([numeric(table.columns[c], c) for c in columns[1:]])
    return gwr.complete_cases(table.x, table.y, dep, expl)


def tile_stats(vrt: str, tile: int, columns, progress=None) -> dict:
    table = TileSet.open(vrt).read(tile, list(columns))
    x, y, dep, expl, used = _complete(table, columns)
    s = {"n": len(table), "m": int(used.sum())}
    if used.any():
        s.update(xmin=float(x[used].min()), xmax=float(x[used].max()), ymin=float(y[used].min()),
                 ymax=float(y[used].max()), emin=expl[used].min(axis=0), emax=expl[used].max(axis=0))
    return s


@dataclasses.dataclass
class TileSetGwrSource:
    """A tile with its halo, its points with data, as GwrTile (bw: a number or a scratch file)."""

    vrt: str
    tile: int
    halo: float
    columns: tuple
    bw: object

    def load(self, progress=None) -> GwrTile:
        table, gid, core = TileSet.open(self.vrt).read_with_halo(self.tile, self.halo, self.columns)
        x, y, dep, expl, used = _complete(table, self.columns)
        order = np.argsort(gid[used], kind="stable")
        idx = np.flatnonzero(used)[order]
        X = np.column_stack([np.ones(len(idx)), expl[idx]])
        n_core = int(core[idx].sum())
        bw = np.load(self.bw) if isinstance(self.bw, str) else np.full(n_core, float(self.bw))
        return GwrTile(self.tile, x[idx], y[idx], gid[idx], core[idx], X, dep[idx], bw)


def adaptive_tile(vrt: str, tile: int, columns, k: int, lay: gwr.Layout, kernel: str,
                  exact: bool, scratch: str, progress=None) -> dict:
    """Each core point's k-th neighbour distance, over a halo grown until every one is certain."""
    ts = TileSet.open(vrt)
    info = ts.tiles[tile]
    bx = info["bbox"]
    area = max((bx[2] - bx[0]) * (bx[3] - bx[1]), 1.0)
    h = 2.0 * math.sqrt(k * area / (math.pi * max(info["count"], 1))) + 1.0
    xmin, ymin, xmax, ymax = ts.grid.bounds(tile)
    whole = ts.bbox()
    for _ in range(40):
        table, gid, core = ts.read_with_halo(tile, h, columns)
        x, y, dep, expl, used = _complete(table, columns)
        order = np.argsort(gid[used], kind="stable")
        idx = np.flatnonzero(used)[order]
        qpos = np.flatnonzero(core[idx])
        if len(idx) < k:
            bw = np.full(len(qpos), np.inf)
        else:
            bw = gwr.adaptive_bandwidths(x[idx], y[idx], k, lay, queries=qpos)
        qx, qy = x[idx][qpos], y[idx][qpos]
        room = np.minimum.reduce([qx - (xmin - h), (xmax + h) - qx, qy - (ymin - h), (ymax + h) - qy])
        covers = xmin - h <= whole[0] and ymin - h <= whole[1] and xmax + h >= whole[2] and ymax + h >= whole[3]
        if covers or np.all(bw <= room):
            break
        h = max(2.0 * h, float(np.max(bw[np.isfinite(bw)], initial=h)) * 1.1)
    path = os.path.join(scratch, f"gwr_bw_{tile}.npy")
    np.save(path, bw)
    radius = gwr.radius_of(bw, kernel, exact, lay.diag)
    return {"hist": gwr.radius_histogram(radius), "bw_hist": gwr.radius_histogram(bw),
            "max": float(np.max(bw, initial=0.0)), "file": path}


def pass2_output(source, spec, scratch, near, g, names, keep_cols, sink, progress=None):
    """Pass 2, then the tile's output table: its input fields and the GWR fields."""
    progress = ensure(progress)
    out, sums = pass2(source, spec, scratch, near, g, progress.sub(0.0, 0.8))
    progress(0.8)
    table = TileSet.open(source.vrt).read(source.tile)
    rows = (out["gid"] & ((1 << ROW_BITS) - 1)).astype(np.int64)
    n = len(table)
    full = {}
    for key, arr in out.items():
        if key == "gid":
            continue
        fill = 0 if key == "nn" else (False if key == "good" else (np.inf if key == "cond" else np.nan))
        a = np.full((n,) + arr.shape[1:], fill, dtype=np.result_type(arr, type(fill)))
        a[rows] = arr
        full[key] = a
    cols = {c: v for c, v in table.columns.items() if c in keep_cols}
    cols.update(output_columns(full, names))
    result = PointTable(table.x, table.y, cols, table.crs_wkt)
    local = {"n_fitted": int(full["good"].sum()), "n_used": len(rows),
             "few": int(np.sum(~full["good"][rows] & (full["nn"][rows] < len(names) + 1)))}
    if sink is None:
        return result, sums, local, None
    return None, sums, local, sink.write(source.tile, result, progress.sub(0.85, 1.0))


def fit_tileset(ts: TileSet, dependent: str, explanatory: Sequence[str], bandwidth: float,
                kernel: str, neighbours: int, exact: bool, engine, sink=None,
                keep_cols: Sequence[str] = (), progress: Optional[Progress] = None):
    """GWR over a tile set. Yields ('tile', table or None, entry) per tile in tile order, then
    ('summary', dict, None)."""
    progress = ensure(progress)
    kernel = gwr.check_kernel(kernel)
    if exact and kernel in ("gaussian", "exponential"):
        raise InputError("An exact gaussian or exponential kernel reaches every point, so it "
                         "cannot run tile by tile; clear EXACT.")
    columns = (dependent,) + tuple(explanatory)
    ids = [t for t in ts.ids if ts.tiles[t]["count"]]
    stats = collect(engine, [(tile_stats, (ts.vrt, t, columns)) for t in ids], progress.sub(0.0, 0.05))
    m = sum(s["m"] for s in stats)
    p = len(explanatory) + 1
    if m < p + 2:
        raise InputError(f"Only {m} points have a value in every field used; GWR with {p} "
                         "parameters needs many more. Check the fields for NULLs.")
    have = [s for s in stats if s["m"]]
    for j, name in enumerate(explanatory):
        if min(s["emin"][j] for s in have) == max(s["emax"][j] for s in have):
            raise InputError(f"The explanatory variable '{name}' has the same value at every "
                             "point: it has no variance. Remove it.")
    gwr.check_neighbours(neighbours, p, m)
    if not neighbours:
        gwr.check_bandwidth(bandwidth)
    ext = (min(s["xmin"] for s in have), max(s["xmax"] for s in have),
           min(s["ymin"] for s in have), max(s["ymax"] for s in have))
    lay0 = gwr.layout_of(*ext, 0.0)
    scratch_dir = tempfile.TemporaryDirectory(prefix="insarfusion-gwr-",
                                              dir=os.path.dirname(ts.vrt) or None)
    scratch = scratch_dir.name
    try:
        if neighbours:
            ad = collect(engine, [(adaptive_tile, (ts.vrt, t, columns, int(neighbours), lay0, kernel,
                                                   exact, scratch)) for t in ids], progress.sub(0.05, 0.2))
            hist = np.sum([a["hist"] for a in ad], axis=0)
            typical = gwr.histogram_median(hist)
            median_bw = gwr.histogram_median(np.sum([a["bw_hist"] for a in ad], axis=0))
            bw_of = {t: a["file"] for t, a in zip(ids, ad)}
            bw_max = {t: a["max"] for t, a in zip(ids, ad)}
        else:
            typical = float(gwr.radius_of(np.array([float(bandwidth)]), kernel, exact, lay0.diag)[0])
            bw_of = {t: float(bandwidth) for t in ids}
            bw_max = dict(bw_of)
            median_bw = float(bandwidth)
        lay = gwr.layout_of(*ext, typical)
        spec = GwrSpec(kernel, exact, not neighbours, lay, p)
        halo = {t: float(halo_widths(np.array([bw_max[t]]), spec)[0]) for t in ids}
        src = {t: TileSetGwrSource(ts.vrt, t, halo[t], columns, bw_of[t]) for t in ids}
        sums = collect(engine, [(pass1, (src[t], spec, scratch)) for t in ids], progress.sub(0.2, 0.6))
        g = gwr.Globals.of(gwr.merge_sums(sums), p, m)
        near = {t: ts.grid.near(t, halo[t]) for t in ids}
        tasks = [(pass2_output, (src[t], spec, scratch, near[t], g, tuple(explanatory),
                                 tuple(keep_cols), sink)) for t in ids]
        totals, fitted, few = [], 0, 0
        for _, (table, s, local, entry) in ordered(engine.run(tasks, progress.sub(0.6, 1.0))):
            totals.append(s)
            fitted += local["n_fitted"]
            few += local["few"]
            yield "tile", table, entry
    finally:
        scratch_dir.cleanup()
    summary = gwr.summary(g, merged(t["tss"] for t in totals).value(),
                          merged(t["wm_num"] for t in totals).value(),
                          merged(t["wm_den"] for t in totals).value())
    summary.update(n_undersupported=m - g.n, n_missing=ts.n_points - m, few=few, kernel=kernel,
                   neighbours=int(neighbours or 0),
                   bandwidth=median_bw)
    yield "summary", summary, None

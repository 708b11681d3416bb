"""Raster sampling: insarfusion:samplerasters against QGIS's native:rastersampling.

Both run through processing.run on the same points and the same 24-band stack; the values
must agree. Usage: python3 bench/bench_sampling.py [--quick]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _regression_util as _common  # noqa: E402


def make_points(folder, n_points, seed=1):
    """~56 m-spaced points: a random 80 % of a 56 m grid, jittered; returns (path, extent)."""
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import write_points
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_points / 0.8)))
    pick = rng.choice(side * side, n_points, replace=False)
    x = 400000.0 + (pick % side) * 56.0 + rng.uniform(-10, 10, n_points)
    y = 4300000.0 + (pick // side) * 56.0 + rng.uniform(-10, 10, n_points)
    pts = os.path.join(folder, "points.gpkg")
    write_points(pts, PointTable(x, y, {"pid": np.arange(n_points, dtype=np.int64),
                                        "velocity": rng.normal(-10, 5, n_points)}, "EPSG:32647"))
    return pts, side * 56.0 + 100.0


def make_stack(folder, extent, pixel, bands=24, seed=2):
    """A float32 stack of `bands` smooth NDVI-like bands with noise and a nodata corner."""
    from insar_fusion.core.raster import Grid, write_array
    from osgeo import osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    size = int(np.ceil(extent / pixel))
    grid = Grid((400000.0 - 50.0, pixel, 0.0, 4300000.0 - 50.0 + size * pixel, 0.0, -pixel),
                size, size, srs.ExportToWkt())
    rng = np.random.default_rng(seed)
    u = np.linspace(0, 6 * np.pi, size)
    base = (0.3 + 0.2 * np.sin(u)[None, :] * np.cos(0.7 * u)[:, None]).astype(np.float32)
    stack = np.empty((bands, size, size), np.float32)
    for b in range(bands):
        stack[b] = base * (1 + 0.3 * np.sin(2 * np.pi * b / 12)) + rng.normal(0, 0.02, base.shape)
    stack[:, :3, :3] = -9999.0
    path = os.path.join(folder, f"stack_{int(pixel)}m.tif")
    write_array(path, grid, stack, nodata=-9999.0)
    return path


def compare(ours, native, prefix_native="s_", stem="s_stack"):
    """Largest |difference| over the 24 bands, and whether the NULLs agree."""
    from insar_fusion.core.vector_io import read_points
    a, b = read_points(ours), read_points(native)
    oa, ob = np.argsort(a.columns["pid"]), np.argsort(np.asarray(b.columns["pid"]))
    worst, nulls_agree = 0.0, True
    for k in range(1, 25):
        va = np.asarray(a.columns[f"{stem}_{k}"], float)[oa]
        vb = np.asarray(b.columns[f"{prefix_native}{k}"], float)[ob]
        nulls_agree &= bool(np.array_equal(np.isnan(va), np.isnan(vb)))
        ok = ~np.isnan(va) & ~np.isnan(vb)
        worst = max(worst, float(np.max(np.abs(va[ok] - vb[ok]), initial=0.0)))
    return worst, nulls_agree


def stages(pts, stack, folder):
    """Where our time goes: reading the points, sampling, writing the GeoPackage (core calls)."""
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.sampling import sample
    from insar_fusion.core.vector_io import read_points, write_points
    t_read, table = _common.timed(read_points, pts)
    t_sample, values = _common.timed(sample, stack, table.x, table.y, table.crs_wkt)
    cols = dict(table.columns)
    cols.update({f"s_{k + 1}": values[:, k] for k in range(values.shape[1])})
    out = os.path.join(folder, "stages.gpkg")
    if os.path.exists(out):
        os.remove(out)
    t_write, _ = _common.timed(write_points, out, PointTable(table.x, table.y, cols, table.crs_wkt))
    return {"read": round(t_read, 3), "sample": round(t_sample, 3), "write": round(t_write, 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100k points instead of 1M")
    args = ap.parse_args()
    n = 100_000 if args.quick else 1_000_000
    app = _common.start_qgis()  # noqa: F841
    folder = _common.workdir("sampling")
    pts, extent = make_points(folder, n)
    rows, checks = [], []
    for pixel in (250.0, 25.0):
        stack = make_stack(folder, extent, pixel)
        ours, native = os.path.join(folder, "ours.gpkg"), os.path.join(folder, "native.gpkg")
        for p in (ours, native):
            if os.path.exists(p):
                os.remove(p)
        t_ours, _ = _common.timed(_common.run, "insarfusion:samplerasters", {
            "INPUT": pts, "RASTERS": [stack], "METHOD": 0, "FIELD_PREFIX": "s_", "OUTPUT": ours})
        t_native, _ = _common.timed(_common.run, "native:rastersampling", {
            "INPUT": pts, "RASTERCOPY": stack, "COLUMN_PREFIX": "s_", "OUTPUT": native})
        worst, nulls = compare(ours, native, stem=f"s_stack_{int(pixel)}m")
        checks.append({"pixel_m": pixel, "max_abs_difference": worst, "nulls_agree": nulls,
                       "ours_stages_s": stages(pts, stack, folder)})
        st = checks[-1]["ours_stages_s"]
        rows.append([f"{pixel:g} m stack", n, f"{t_ours:.2f}", f"{t_native:.2f}",
                     f"{t_native / t_ours:.1f}x", "yes" if worst == 0 and nulls else f"no ({worst:g})",
                     f"{st['read']:.2f} / {st['sample']:.2f} / {st['write']:.2f}"])
    _common.report("sampling", ["24-band stack", "points", "samplerasters s", "native:rastersampling s",
                                "speed-up", "same values", "ours: read / sample / write s"], rows,
                   {"quick": args.quick, "checks": checks, "target": ">= 5x with the same values",
                    "note": "both end to end through processing.run, GeoPackage in and out"})


if __name__ == "__main__":
    main()

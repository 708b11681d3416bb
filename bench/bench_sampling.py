"""Raster sampling: insarfusion:samplerasters against QGIS's native:rastersampling.

Both run through processing.run on the same points and the same 24-band stack; the values
must agree. Usage: python3 bench/bench_sampling.py [--quick]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402


def make_data(folder, n_points, size, bands=24, seed=1):
    """~56 m-spaced points (a subset of a jittered grid) and a float32 24-band stack."""
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.raster import Grid, write_array
    from insar_fusion.core.vector_io import write_points
    from osgeo import osr
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_points / 0.8)))
    pick = rng.choice(side * side, n_points, replace=False)
    x = 400000.0 + (pick % side) * 56.0 + rng.uniform(-10, 10, n_points)
    y = 4300000.0 + (pick // side) * 56.0 + rng.uniform(-10, 10, n_points)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    pts = os.path.join(folder, "points.gpkg")
    write_points(pts, PointTable(x, y, {"pid": np.arange(n_points, dtype=np.int64),
                                        "velocity": rng.normal(-10, 5, n_points)}, "EPSG:32647"))
    extent = side * 56.0 + 100.0
    px = extent / size
    grid = Grid((400000.0 - 50.0, px, 0.0, 4300000.0 - 50.0 + extent, 0.0, -px), size, size,
                srs.ExportToWkt())
    stack = rng.normal(0.3, 0.1, (bands, size, size)).astype(np.float32)
    stack[:, :5, :5] = -9999.0
    path = os.path.join(folder, "stack.tif")
    write_array(path, grid, stack, nodata=-9999.0)
    return pts, path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="100k points and a small stack")
    args = ap.parse_args()
    n, size = (100_000, 1000) if args.quick else (1_000_000, 3000)
    app = _common.start_qgis()  # noqa: F841
    import processing
    from insar_fusion.core.vector_io import read_points
    folder = _common.workdir("sampling")
    pts, stack = make_data(folder, n, size)
    ours_out, native_out = os.path.join(folder, "ours.gpkg"), os.path.join(folder, "native.gpkg")
    t_ours, _ = _common.timed(processing.run, "insarfusion:samplerasters", {
        "INPUT": pts, "RASTERS": [stack], "METHOD": 0, "FIELD_PREFIX": "s_", "OUTPUT": ours_out})
    t_native, _ = _common.timed(processing.run, "native:rastersampling", {
        "INPUT": pts, "RASTERCOPY": stack, "COLUMN_PREFIX": "s_", "OUTPUT": native_out})
    a, b = read_points(ours_out), read_points(native_out)
    oa = np.argsort(a.columns["pid"])
    ob = np.argsort(np.asarray(b.columns["pid"]))
    worst, nulls_agree = 0.0, True
    for k in range(1, 25):
        va = np.asarray(a.columns[f"s_stack_{k}"], float)[oa]
        vb = np.asarray(b.columns[f"s_{k}"], float)[ob]
        nulls_agree &= bool(np.array_equal(np.isnan(va), np.isnan(vb)))
        ok = ~np.isnan(va) & ~np.isnan(vb)
        worst = max(worst, float(np.max(np.abs(va[ok] - vb[ok]), initial=0.0)))
    rows = [["insarfusion:samplerasters", n, 24, f"{t_ours:.2f}", f"{t_native / t_ours:.1f}x"],
            ["native:rastersampling", n, 24, f"{t_native:.2f}", "1.0x"]]
    _common.report("sampling", ["algorithm", "points", "bands", "seconds", "speed-up"], rows,
                   {"quick": args.quick, "max_abs_difference": worst, "nulls_agree": nulls_agree,
                    "raster_size": size, "target": ">= 5x with the same values"})
    print(f"\nmax |ours - native| = {worst:g}; NULLs agree: {nulls_agree}")


if __name__ == "__main__":
    main()

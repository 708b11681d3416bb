"""Peak memory of GWR, raster sampling, NDVI and the maximum value composite, and what a 24 GB
machine can therefore handle.

Every run is its own process; its peak resident memory is read by a small parent process with
resource.getrusage(RUSAGE_CHILDREN).ru_maxrss. Each InSAR Fusion step is measured at two sizes
(half and all of the points, or rasters of side S/2 and S), which gives its memory per point or
per pixel; its peer, measured in the same run on the same data, gives the ratio:
- GWR: mgwr 2.2.1 on the same points (at a size mgwr can do: it holds n x n matrices);
- sampling: QGIS's native:rastersampling;
- NDVI: QGIS's raster calculator (qgis:rastercalculator) on the same two bands;
- MVC: QGIS's native:cellstatistics (maximum) on the same rasters.
A Python process with QGIS, Processing and the provider started but no run gives the baseline.

Data: the large sample scene (0.99 M InSAR points; rasters 10980 x 10980 built from its 5 m NDVI).
--quick: the small scene (41 000 points) and rasters of 2048 x 2048, for a check now.

Usage: python3 bench/bench_memory.py [--quick]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _regression_util as _common  # noqa: E402

GB = 24e9
MEASURE = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)")


# --- children: one job each -------------------------------------------------------------------------
def child(spec_path: str) -> None:
    spec = json.load(open(spec_path))
    if spec["kind"] == "idle":
        _common.start_qgis()
    elif spec["kind"] == "processing":
        _common.start_qgis()
        _common.run(spec["alg"], spec["params"])
    elif spec["kind"] in ("core_gwr", "mgwr"):
        from insar_fusion.core.vector_io import read_points
        t = read_points(spec["points"], columns=["velocity", "dndvi", "dsm"])
        X = np.column_stack([t.columns["dndvi"], t.columns["dsm"]])
        v = t.columns["velocity"]
        del t.columns
        if spec["kind"] == "core_gwr":
            from insar_fusion.core.regression.gwr import fit
            fit(t.x, t.y, v, X, 500.0, "bisquare", names=["dndvi", "dsm"])
        else:
            from mgwr.gwr import GWR
            GWR(np.column_stack([t.x, t.y]), v[:, None], X, bw=500.0, fixed=True, kernel="bisquare",
                sigma2_v1=False, n_jobs=1).fit()  # one process, so its memory is all measured


def measure(folder: str, name: str, spec: dict) -> float:
    """Peak resident memory (MB) of a fresh process running `spec`."""
    path = os.path.join(folder, f"{name}.json")
    json.dump(spec, open(path, "w"))
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, os.path.abspath(__file__),
                          "--child", path], capture_output=True, text=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    kb, code = out.stdout.split()[-2:]
    if code != "0":
        raise RuntimeError(f"{name} failed ({code}):\n{out.stderr[-3000:]}")
    return int(kb) / 1024.0


# --- data --------------------------------------------------------------------------------------
def points(scene: str, folder: str, tracks) -> tuple:
    """The scene's points with velocity and the sampled NDVI/SM changes: all, and every 2nd."""
    from insar_fusion.core.insar.importer import import_points
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.sampling import sample
    from insar_fusion.core.vector_io import write_points
    xs, ys, vs = [], [], []
    for track in tracks:
        t = import_points(os.path.join(scene, "insar", f"{track}_egms.csv"), "EGMS", "EPSG:32647")
        xs.append(t.x)
        ys.append(t.y)
        vs.append(t.columns["velocity"])
    x, y, v = np.concatenate(xs), np.concatenate(ys), np.concatenate(vs)
    change = {}
    for name, sub, stem in (("dndvi", "ndvi", "ndvi"), ("dsm", "soil_moisture", "sm")):
        a, b = (sample(os.path.join(scene, sub, f"{stem}_{m}.tif"), x, y, "EPSG:32647", [1], "bilinear")[:, 0]
                for m in ("201907", "202007"))
        change[name] = b - a
    keep = np.isfinite(v) & np.isfinite(change["dndvi"]) & np.isfinite(change["dsm"])
    out = []
    for step, tag in ((2, "half"), (1, "all")):
        idx = np.flatnonzero(keep)[::step]
        path = os.path.join(folder, f"points_{tag}.gpkg")
        write_points(path, PointTable(x[idx], y[idx], {"pid": idx.astype(np.int64), "velocity": v[idx],
                                                        "dndvi": change["dndvi"][idx],
                                                        "dsm": change["dsm"][idx]}, "EPSG:32647"))
        out.append((path, len(idx)))
    return out


def rasters(folder: str, side: int, tag: str, extent, base=None) -> dict:
    """Red and NIR (uint16) and three NDVI-like float32 rasters of side x side pixels over the
    scene, from its north-west corner (5 m pixels for the large scene's 10980, as its 5 m NDVI)."""
    from osgeo import gdal, osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    names = {"red": gdal.GDT_UInt16, "nir": gdal.GDT_UInt16, "ndvi_201906": gdal.GDT_Float32,
             "ndvi_201907": gdal.GDT_Float32, "ndvi_201908": gdal.GDT_Float32}
    paths = {k: os.path.join(folder, f"{k}_{tag}.tif") for k in names}
    src = gdal.Open(base) if base else None
    dss = {}
    for k, kind in names.items():
        ds = gdal.GetDriverByName("GTiff").Create(paths[k], side, side, 1, kind,
                                                  options=["TILED=YES", "COMPRESS=DEFLATE", "ZLEVEL=1"])
        pixel = max(5.0, (extent[2] - extent[0]) / side)
        ds.SetGeoTransform((extent[0], pixel, 0, extent[3], 0, -pixel))
        ds.SetProjection(srs.ExportToWkt())
        ds.GetRasterBand(1).SetNoDataValue(0 if kind == gdal.GDT_UInt16 else float("nan"))
        dss[k] = ds
    rng = np.random.default_rng(5)
    for y0 in range(0, side, 512):
        rows = min(512, side - y0)
        if src is not None:
            ndvi = src.GetRasterBand(1).ReadAsArray(0, y0, side, rows).astype(np.float32)
        else:
            yy, xx = np.mgrid[y0:y0 + rows, 0:side] / side
            ndvi = (0.4 + 0.35 * np.sin(7 * xx) * np.cos(5 * yy)).astype(np.float32)
        ndvi = np.nan_to_num(ndvi, nan=0.1)
        red = 600 + 400 * (1 - ndvi)
        nir = red * (1 + ndvi) / np.maximum(1 - ndvi, 0.05)
        dss["red"].GetRasterBand(1).WriteArray(red.astype(np.uint16), 0, y0)
        dss["nir"].GetRasterBand(1).WriteArray(np.clip(nir, 1, 65000).astype(np.uint16), 0, y0)
        for k, shift in (("ndvi_201906", -0.1), ("ndvi_201907", 0.0), ("ndvi_201908", -0.05)):
            dss[k].GetRasterBand(1).WriteArray(ndvi + shift + rng.normal(0, 0.02, ndvi.shape).astype(np.float32),
                                               0, y0)
    for ds in dss.values():
        ds.FlushCache()
    dss = None  # noqa: F841
    return paths


# --- the benchmark ----------------------------------------------------------------------------------
def per_unit(a: float, b: float, na: int, nb: int) -> float:
    """Bytes per unit between two sizes."""
    return (b - a) * 1024 * 1024 / (nb - na)


def limit(peak_mb: float, n: int, cost: float, unit: str) -> str:
    """How many units fit in 24 GB at this growth, or 'bounded' when memory does not grow."""
    if cost < 1.0:
        return f"bounded: {peak_mb / 1024:.2f} GB whatever the size (disk-limited)"
    return f"~{(n + (GB - peak_mb * 1048576) / cost) / 1e6:,.0f} M {unit}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child")
    args = ap.parse_args()
    _common.import_plugin()
    if args.child:
        return child(args.child)
    from insar_fusion.core.scene import generate_scene
    folder = _common.workdir("memory")
    scene = os.path.join(folder, "scene")
    size = "small" if args.quick else "large"
    generate_scene(scene, size, 42)
    pts = points(scene, folder, ("T128",) if args.quick else ("T128", "T026"))
    side = 2048 if args.quick else 10980
    big = None if args.quick else os.path.join(scene, "ndvi_5m", "ndvi_202007.tif")
    truth = json.load(open(os.path.join(scene, "truth.json")))
    rs = {tag: rasters(folder, s, tag, truth["extent"], big if s == side else None)
          for tag, s in (("half", side // 2), ("all", side))}
    peer_n = 2000 if args.quick else 5000
    peer_pts = os.path.join(folder, "points_peer.gpkg")
    _nearest(pts[1][0], peer_pts, peer_n, truth["zones"]["P1"]["centre"])
    idle = measure(folder, "idle", {"kind": "idle"})
    out = lambda name: os.path.join(folder, name)  # noqa: E731
    rows, data = [], {"idle_mb": idle, "quick": args.quick, "scene": size}

    # GWR
    gwr = [measure(folder, f"gwr_{tag}", {"kind": "processing", "alg": "insarfusion:gwr", "params": {
        "INPUT": p, "DEPENDENT": "velocity", "EXPLANATORY": ["dndvi", "dsm"], "BANDWIDTH": 500.0,
        "OUTPUT": out(f"gwr_{tag}.gpkg")}}) for p, tag in ((pts[0][0], "half"), (pts[1][0], "all"))]
    ours_small = measure(folder, "gwr_core_peer_n", {"kind": "core_gwr", "points": peer_pts})
    mgwr_small = measure(folder, "mgwr_peer_n", {"kind": "mgwr", "points": peer_pts})
    cost = per_unit(gwr[0], gwr[1], pts[0][1], pts[1][1])
    rows.append(["GWR (insarfusion:gwr, 500 m bisquare)", f"{pts[1][1]:,} points", f"{gwr[1]:.0f}",
                 f"mgwr at {peer_n:,} points: {mgwr_small:.0f} (ours, core: {ours_small:.0f})",
                 f"{ours_small / mgwr_small:.2f}", f"{cost:,.0f} B/point",
                 limit(gwr[1], pts[1][1], cost, "points")])
    data["gwr"] = {"peak_mb": gwr, "points": [pts[0][1], pts[1][1]], "bytes_per_point": cost,
                   "peer": {"n": peer_n, "mgwr_mb": mgwr_small, "ours_core_mb": ours_small}}

    # sampling
    samp = [measure(folder, f"sample_{tag}", {"kind": "processing", "alg": "insarfusion:samplerasters",
                                              "params": {"INPUT": p, "RASTERS": [rs["all"]["ndvi_201907"]],
                                                         "OUTPUT": out(f"s_{tag}.gpkg")}})
            for p, tag in ((pts[0][0], "half"), (pts[1][0], "all"))]
    native = measure(folder, "sample_native", {"kind": "processing", "alg": "native:rastersampling", "params": {
        "INPUT": pts[1][0], "RASTERCOPY": rs["all"]["ndvi_201907"], "COLUMN_PREFIX": "s",
        "OUTPUT": out("s_native.gpkg")}})
    cost = per_unit(samp[0], samp[1], pts[0][1], pts[1][1])
    rows.append(["Sampling (insarfusion:samplerasters)", f"{pts[1][1]:,} points", f"{samp[1]:.0f}",
                 f"native:rastersampling: {native:.0f}", f"{samp[1] / native:.2f}", f"{cost:,.0f} B/point",
                 limit(samp[1], pts[1][1], cost, "points")])
    data["sampling"] = {"peak_mb": samp, "native_mb": native, "bytes_per_point": cost}

    # NDVI and MVC on rasters of side/2 and side
    px = [(side // 2) ** 2, side ** 2]
    nd = [measure(folder, f"ndvi_{tag}", {"kind": "processing", "alg": "insarfusion:ndvi", "params": {
        "RED": rs[tag]["red"], "NIR": rs[tag]["nir"], "SCALE": 0.0001, "OUTPUT": out(f"ndvi_{tag}.tif")}})
        for tag in ("half", "all")]
    calc = measure(folder, "ndvi_calc", {"kind": "processing", "alg": "qgis:rastercalculator", "params": {
        "EXPRESSION": '("nir_all@1" - "red_all@1") / ("nir_all@1" + "red_all@1")',
        "LAYERS": [rs["all"]["red"], rs["all"]["nir"]], "OUTPUT": out("ndvi_calc.tif")}})
    cost = per_unit(nd[0], nd[1], px[0], px[1])
    rows.append(["NDVI (insarfusion:ndvi)", f"{side} x {side} px", f"{nd[1]:.0f}",
                 f"qgis:rastercalculator: {calc:.0f}", f"{nd[1] / calc:.2f}", f"{cost:.2f} B/pixel",
                 limit(nd[1], px[1], cost, "pixels")])
    data["ndvi"] = {"peak_mb": nd, "pixels": px, "calculator_mb": calc, "bytes_per_pixel": cost}

    months = ("ndvi_201906", "ndvi_201907", "ndvi_201908")
    mvc = [measure(folder, f"mvc_{tag}", {"kind": "processing", "alg": "insarfusion:composite", "params": {
        "INPUTS": [rs[tag][m] for m in months], "START": "2019-06-01", "END": "2019-08-31", "METHOD": 0,
        "OUTPUT": out(f"mvc_{tag}.tif")}}) for tag in ("half", "all")]
    cells = measure(folder, "mvc_native", {"kind": "processing", "alg": "native:cellstatistics", "params": {
        "INPUT": [rs["all"][m] for m in months], "STATISTIC": 7, "IGNORE_NODATA": True,
        "REFERENCE_LAYER": rs["all"][months[0]], "OUTPUT": out("mvc_native.tif")}})
    cost = per_unit(mvc[0], mvc[1], px[0], px[1])
    rows.append(["MVC of 3 rasters (insarfusion:composite, max)", f"{side} x {side} px", f"{mvc[1]:.0f}",
                 f"native:cellstatistics: {cells:.0f}", f"{mvc[1] / cells:.2f}", f"{cost:.2f} B/pixel",
                 limit(mvc[1], px[1], cost, "pixels")])
    data["mvc"] = {"peak_mb": mvc, "pixels": px, "cellstatistics_mb": cells, "bytes_per_pixel": cost}

    rows.append(["(QGIS, Processing and the provider, no run)", "", f"{idle:.0f}", "", "", "", ""])
    _common.report("memory", ["step", "size", "peak MB", "peer: peak MB", "ours / peer",
                              "growth", "24 GB handles"], rows, data)


def _nearest(src: str, dst: str, n: int, centre) -> None:
    """The n points nearest to a farmland zone's centre (dense: every local fit is supported)."""
    from insar_fusion.core.vector_io import read_points, write_points
    t = read_points(src)
    d = np.hypot(t.x - centre[0], t.y - centre[1])
    write_points(dst, t.subset(np.sort(np.argsort(d)[:n])))


if __name__ == "__main__":
    main()

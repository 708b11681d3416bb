#!/usr/bin/env python3
"""Optical benchmark: insarfusion:ndvi against QGIS's raster calculators, and peak memory.

Every job runs in its own child process (QGIS started there), which reports its wall time for
the algorithm alone and its peak resident memory (getrusage ru_maxrss of itself and of its own
children, i.e. gdal_calc.py). Figures are ratios against peers measured in the same run:

- throughput: time of qgis:rastercalculator (native:rastercalculator on newer QGIS) and of
  gdal:rastercalculator divided by the time of insarfusion:ndvi on the same red/NIR rasters;
- memory: peak RSS of insarfusion:ndvi and insarfusion:composite (MVC of 6 rasters) on a large
  raster, against the RSS of a child that only starts QGIS, and against the calculators.

Usage: /usr/bin/python3 bench/bench_optical.py [--quick] [--size N]
(--quick: 2000 x 2000; default: a full Sentinel-2 tile, 10980 x 10980).
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
N_MVC = 6
EXPR = '("nir@1" - "red@1") / ("nir@1" + "red@1")'


# --- data ----------------------------------------------------------------------------------
def make_data(folder, size):
    """Red/NIR uint16 (x10000, nodata 0) and 6 dated float32 NDVI rasters, written strip by strip."""
    import numpy as np
    from osgeo import gdal, osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    opts = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "ZLEVEL=1",
            "BIGTIFF=IF_SAFER"]
    rng = np.random.default_rng(42)
    specs = [("red.tif", gdal.GDT_UInt16), ("nir.tif", gdal.GDT_UInt16)] + \
        [(f"ndvi_201907{d:02d}.tif", gdal.GDT_Float32) for d in range(1, 1 + 5 * N_MVC, 5)]
    for name, dtype in specs:
        ds = gdal.GetDriverByName("GTiff").Create(os.path.join(folder, name), size, size, 1, dtype, opts)
        ds.SetGeoTransform((400000.0, 10.0, 0.0, 4300000.0, 0.0, -10.0))
        ds.SetProjection(srs.ExportToWkt())
        band = ds.GetRasterBand(1)
        band.SetNoDataValue(0 if dtype == gdal.GDT_UInt16 else float("nan"))
        for y in range(0, size, 256):
            h = min(256, size - y)
            # smooth fields (fields and farms) plus sensor noise, like real reflectance
            yy, xx = np.mgrid[y:y + h, 0:size].astype(np.float32) / 300.0
            field = 0.5 + 0.5 * np.sin(xx + 0.3 * len(name)) * np.cos(yy)
            if dtype == gdal.GDT_UInt16:
                base, amp = (400, 1200) if name == "red.tif" else (2000, 2500)
                arr = (base + amp * field + rng.integers(0, 60, (h, size))).astype(np.uint16)
            else:
                arr = (0.8 * field - 0.1 + rng.normal(0, 0.02, (h, size))).astype(np.float32)
            band.WriteArray(arr, 0, y)
        ds = None


# --- child side ------------------------------------------------------------------------------
def _start_qgis():
    sys.path.insert(0, os.path.join(REPO, "test", "support"))
    import iftest
    iftest.make_importable()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing
    Processing.initialize()
    from insar_fusion.processing.provider import InsarFusionProvider
    provider = InsarFusionProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    if provider.load_errors:
        raise RuntimeError(provider.load_errors)
    return app, provider  # keep both alive


def _calculator():
    from qgis.core import QgsApplication
    reg = QgsApplication.processingRegistry()
    return next(a for a in ("native:rastercalculator", "qgis:rastercalculator")
                if reg.algorithmById(a) is not None)


def child(job, data, out):
    keep = _start_qgis()  # noqa: F841 (QgsApplication and provider stay alive)
    import processing
    from qgis.core import QgsProcessingFeedback
    red, nir = os.path.join(data, "red.tif"), os.path.join(data, "nir.tif")
    ndvis = sorted(os.path.join(data, f) for f in os.listdir(data)
                   if f.startswith("ndvi_") and f.endswith(".tif"))
    fb = QgsProcessingFeedback()
    t0 = time.perf_counter()
    name = job
    if job == "ndvi":
        processing.run("insarfusion:ndvi", {"RED": red, "NIR": nir, "OUTPUT": out}, feedback=fb)
    elif job == "calc":
        name = _calculator()
        processing.run(name, {"EXPRESSION": EXPR, "LAYERS": [red, nir], "CELLSIZE": 0,
                              "OUTPUT": out}, feedback=fb)
    elif job == "gdalcalc":
        name = "gdal:rastercalculator"
        processing.run(name, {"INPUT_A": red, "BAND_A": 1, "INPUT_B": nir, "BAND_B": 1,
                              "FORMULA": "(B.astype(float) - A) / (B.astype(float) + A)",
                              "NO_DATA": -9999, "RTYPE": 5, "OUTPUT": out}, feedback=fb)
    elif job in ("mvc", "median"):
        processing.run("insarfusion:composite", {"INPUTS": ndvis, "START": "2019-07-01",
                                                  "END": "2019-07-31", "METHOD": 0 if job == "mvc" else 2,
                                                  "OUTPUT": out}, feedback=fb)
    seconds = time.perf_counter() - t0
    size_mb = os.path.getsize(out) / 2**20 if os.path.exists(out) else 0.0
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"job": job, "algorithm": name, "seconds": seconds, "peak_rss_mb": rss / 1024,
                      "output_mb": size_mb}))


def run_child(job, data, out):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", job, "--data", data, "--out", out]
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{job} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    res = json.loads(lines[-1])
    # cross-check with the kernel's account of the (waited-for) child: max over children so far
    res["children_max_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return res


# --- parent side ---------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="2000 x 2000 instead of 10980 x 10980")
    ap.add_argument("--size", type=int)
    ap.add_argument("--repeat", type=int, default=2, help="timing runs per job (best is kept)")
    ap.add_argument("--child")
    ap.add_argument("--data")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.child == "make_data":
        return make_data(a.data, a.size)
    if a.child:
        return child(a.child, a.data, a.out)
    size = a.size or (2000 if a.quick else 10980)
    work = tempfile.mkdtemp(prefix="bench_optical_")
    try:
        t0 = time.perf_counter()
        # in a child: a big parent would hand its resident pages (GDAL's cache) to every
        # child it forks, and Linux counts them in the child's peak RSS
        subprocess.run([sys.executable, os.path.abspath(__file__), "--child", "make_data",
                        "--data", work, "--size", str(size)], check=True)
        print(f"data {size} x {size} written in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        results = {}
        for job in ("baseline", "ndvi", "calc", "gdalcalc", "mvc", "median"):
            runs = []
            for k in range(1 if job == "baseline" else a.repeat):
                out = os.path.join(work, f"out_{job}_{k}.tif")
                runs.append(run_child(job, work, out))
                if os.path.exists(out):
                    os.remove(out)
            best = min(runs, key=lambda r: r["seconds"])
            best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
            results[job] = best
            print(f"{job}: {best['seconds']:.2f} s, peak {best['peak_rss_mb']:.0f} MB", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = results["baseline"]["peak_rss_mb"]
    t = {k: v["seconds"] for k, v in results.items()}
    pixels = size * size
    rows = [
        ("NDVI throughput (Mpixel/s)", f"{pixels / t['ndvi'] / 1e6:.1f}", ""),
        (f"{results['calc']['algorithm']} time / insarfusion:ndvi time", f"{t['calc'] / t['ndvi']:.2f}",
         "> 1: ours is faster"),
        ("gdal:rastercalculator time / insarfusion:ndvi time", f"{t['gdalcalc'] / t['ndvi']:.2f}",
         "> 1: ours is faster"),
        ("peak RSS, QGIS started only (MB)", f"{base:.0f}", "baseline"),
        ("peak RSS, insarfusion:ndvi (MB)", f"{results['ndvi']['peak_rss_mb']:.0f}",
         f"+{results['ndvi']['peak_rss_mb'] - base:.0f} over baseline"),
        (f"peak RSS, {results['calc']['algorithm']} (MB)", f"{results['calc']['peak_rss_mb']:.0f}",
         f"+{results['calc']['peak_rss_mb'] - base:.0f} over baseline"),
        ("peak RSS, gdal:rastercalculator incl. gdal_calc.py (MB)",
         f"{results['gdalcalc']['peak_rss_mb']:.0f}", "max(child, its gdal_calc.py)"),
        (f"peak RSS, composite max of {N_MVC} (MB)", f"{results['mvc']['peak_rss_mb']:.0f}",
         f"+{results['mvc']['peak_rss_mb'] - base:.0f} over baseline"),
        (f"peak RSS, composite median of {N_MVC} (MB)", f"{results['median']['peak_rss_mb']:.0f}",
         f"+{results['median']['peak_rss_mb'] - base:.0f} over baseline"),
        ("raw input size, one band (MB, uint16)", f"{pixels * 2 / 2**20:.0f}", "for scale"),
        ("output size, insarfusion:ndvi / calculator (MB)",
         f"{results['ndvi']['output_mb']:.0f} / {results['calc']['output_mb']:.0f}",
         "ours: ZSTD-compressed tiles; the calculator: uncompressed"),
    ]
    print(f"\n### Optical benchmark, {size} x {size} ({'quick' if a.quick else 'full'})\n")
    print("| measure | value | note |\n|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, "optical.json" if not a.quick else "optical_quick.json")
    with open(path, "w") as f:
        json.dump({"size": size, "quick": a.quick, "jobs": results,
                   "ratios": {"calc_over_ndvi": t["calc"] / t["ndvi"],
                              "gdalcalc_over_ndvi": t["gdalcalc"] / t["ndvi"]},
                   "baseline_rss_mb": base}, f, indent=2)
    print(f"\n(written {os.path.relpath(path, REPO)})")


if __name__ == "__main__":
    main()

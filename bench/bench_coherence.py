"""Coherence throughput against the machine's memory bandwidth, measured in the same run.

    /usr/bin/python3 bench/bench_coherence.py [--quick] [--size N] [--window W]

Cases (Mpixel/s of output; every ratio is against the bound measured here):
- bound: one numpy pass that only reads the two complex64 inputs and writes one float32
  output (np.multiply(a.real, b.imag, out=out)), the memory-bandwidth bound of any
  coherence code that reads its inputs once;
- insarfusion tiled estimator on in-memory arrays, 1 and 2 threads;
- plain scipy: scipy.ndimage.uniform_filter on the whole arrays (the straightforward peer);
- insarfusion on GeoTIFF files (CFloat32 in, float32 out), the path the algorithm takes.

The full run uses an 8192 x 8192 complex64 pair and a 5 x 5 window (about 2.5 GB of RAM);
--quick uses 2048 x 2048. Prints a markdown table and writes bench/results/coherence.json.
"""
import argparse
import json
import os
import platform
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "test", "support"))
import iftest  # noqa: E402

iftest.make_importable()
from insar_fusion.core.coherence.estimator import coherence  # noqa: E402


def best_time(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def scipy_peer(a, b, w, out):
    """The straightforward whole-array version with scipy's box filter (means, not sums)."""
    from scipy.ndimage import uniform_filter
    f = lambda x: uniform_filter(x, w, mode="constant")  # noqa: E731
    re = f(a.real * b.real + a.imag * b.imag)
    im = f(a.imag * b.real - a.real * b.imag)
    p1 = f(a.real ** 2 + a.imag ** 2)
    p2 = f(b.real ** 2 + b.imag ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.minimum(np.sqrt((re * re + im * im) / (p1 * p2)), 1.0, out=out)


def geotiff_case(a, b, w, folder):
    from osgeo import gdal
    from insar_fusion.core.coherence.slc import coherence_raster
    paths = []
    for name, arr in (("ref", a), ("sec", b)):
        p = os.path.join(folder, f"{name}.tif")
        ds = gdal.GetDriverByName("GTiff").Create(p, arr.shape[1], arr.shape[0], 1, gdal.GDT_CFloat32,
                                                  options=["TILED=YES"])
        ds.SetGeoTransform((0, 25, 0, 0, 0, -25))
        ds.GetRasterBand(1).WriteArray(arr)
        ds = None
        paths.append(p)
    out = os.path.join(folder, "coh.tif")

    def run():
        if os.path.exists(out):
            os.remove(out)
        coherence_raster(paths[0], paths[1], out, w, w)
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2048 x 2048 instead of 8192 x 8192")
    ap.add_argument("--size", type=int, default=None)
    ap.add_argument("--window", type=int, default=5)
    args = ap.parse_args()
    n = args.size or (2048 if args.quick else 8192)
    w = args.window
    repeat = 3 if args.quick else 2
    rng = np.random.default_rng(0)
    a = np.empty((n, n), np.complex64)
    b = np.empty((n, n), np.complex64)
    for arr in (a, b):  # row blocks keep the temporary float64 arrays small
        for y in range(0, n, 512):
            arr[y:y + 512].real = rng.standard_normal((min(512, n - y), n))
            arr[y:y + 512].imag = rng.standard_normal((min(512, n - y), n))
    out = np.zeros((n, n), np.float32)
    mpix = n * n / 1e6
    rows = []

    def record(case, threads, seconds):
        rows.append({"case": case, "threads": threads, "seconds": seconds, "mpixel_s": mpix / seconds})

    record("bound: read 2 x complex64, write float32 (numpy)", 1,
           best_time(lambda: np.multiply(a.real, b.imag, out=out), repeat + 1))
    for t in (1, 2):
        record("insarfusion tiled estimator (arrays)", t,
               best_time(lambda: coherence(a, b, w, w, threads=t, out=out), repeat))
    ref = coherence(a[:256, :256], b[:256, :256], w, w)
    check = np.empty((256, 256), np.float32)
    scipy_peer(a[:256, :256], b[:256, :256], w, check)
    assert np.allclose(ref, check, atol=1e-4), "the scipy peer disagrees with the estimator"
    record("plain scipy uniform_filter (whole arrays)", 1,
           best_time(lambda: scipy_peer(a, b, w, out), 1))
    with tempfile.TemporaryDirectory() as folder:
        run = geotiff_case(a, b, w, folder)
        record("insarfusion on GeoTIFF files (CFloat32 -> float32)", 1, best_time(run, 1))
    bound = rows[0]["mpixel_s"]
    for r in rows:
        r["ratio_to_bound"] = r["mpixel_s"] / bound
    print(f"\nCoherence, {n} x {n} complex64 pair, {w} x {w} window "
          f"({'quick' if args.quick else 'full'} run)\n")
    print("| case | threads | Mpixel/s | ratio to bound |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} | {r['threads']} | {r['mpixel_s']:.1f} | {r['ratio_to_bound']:.3f} |")
    result = {"benchmark": "coherence", "size": n, "window": w, "quick": args.quick,
              "target_ratio": 0.25, "rows": rows, "numpy": np.__version__,
              "python": platform.python_version(), "cpus": os.cpu_count(),
              "machine": platform.machine(), "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", "coherence.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()

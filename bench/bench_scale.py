"""Scale-out: GWR, screening and sampling on 1 M, 4 M and 16 M points, the seasonal fit on 1 M
points x 200 dates, tile by tile on a distributed.LocalCluster of 2 worker processes.

For each size: wall time, time per point, the peak resident memory of each worker (sampled
every 50 ms during the run), and the in-process path
on the same data in the same run as the peer (1 M and 4 M; at 16 M the in-process GWR would
need ~17 GB, so its time is the 4 M rate times 4, said so in the table). The fitted exponent
b of time = a n^b over the three sizes says how time grows with n (goal: b <= 1.1).
Equality: the tiled outputs are compared with the in-process ones (bit for bit) at 1 M.

Usage: python3 bench/bench_scale.py [--quick]   (quick: 100k, 200k, 400k points; 100k x 200)
"""
import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
sys.path.insert(0, HERE)
from _regression_util import synthetic  # noqa: E402


def raster(path, x, y, bands=3):
    """A float32 GeoTIFF with 56 m pixels covering the points (a DEM-like first band)."""
    from osgeo import gdal
    x0, y1 = x.min() - 100, y.max() + 100
    w, h = int((x.max() - x0) / 56) + 3, int((y1 - y.min()) / 56) + 3
    ds = gdal.GetDriverByName("GTiff").Create(path, w, h, bands, gdal.GDT_Float32,
                                              ["TILED=YES", "COMPRESS=NONE", "BIGTIFF=IF_SAFER"])
    ds.SetGeoTransform((x0, 56.0, 0, y1, 0, -56.0))
    from osgeo import osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    ds.SetProjection(srs.ExportToWkt())
    rows = np.arange(h, dtype=np.float32)[:, None]
    for b in range(bands):
        band = ds.GetRasterBand(b + 1)
        for r0 in range(0, h, 1024):
            r1 = min(h, r0 + 1024)
            block = (1000 + 3 * (b + 1) * np.sin(np.arange(w, dtype=np.float32)[None, :] / 50.0)
                     + rows[r0:r1] * 0.1)
            band.WriteArray(block.astype(np.float32), 0, r0)
    ds = None


class Peaks:
    """The peak resident memory of each worker process during a run, sampled every 50 ms."""

    def __init__(self, client):
        import psutil
        self.procs = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        self.peak = [0] * len(self.procs)

    def __enter__(self):
        import threading
        self.stop = threading.Event()

        def poll():
            while not self.stop.is_set():
                for k, p in enumerate(self.procs):
                    try:
                        self.peak[k] = max(self.peak[k], p.memory_info().rss)
                    except Exception:
                        pass
                self.stop.wait(0.05)
        self.thread = threading.Thread(target=poll, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def timed(fn, client=None):
    """(seconds, result[, peak rss per worker])."""
    if client is None:
        t = time.perf_counter()
        out = fn()
        return time.perf_counter() - t, out
    with Peaks(client) as pk:
        t = time.perf_counter()
        out = fn()
        el = time.perf_counter() - t
    return el, out, sorted(pk.peak)


def exponent(ns, ts):
    b = np.polyfit(np.log(ns), np.log(ts), 1)[0]
    return float(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    import qgis_headless
    qgis_headless.make_importable()
    from insar_fusion.core.insar import screen as scr
    from insar_fusion.core.insar import seasonal
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.regression import gwr
    from insar_fusion.core.sampling import sample
    from insar_fusion.core.scale import cluster, points
    from insar_fusion.core.scale.gwr_tiles import fit_layer

    sizes = [100_000, 200_000, 400_000] if a.quick else [1_000_000, 4_000_000, 16_000_000]
    peer_max = sizes[1]
    tmp = tempfile.mkdtemp(prefix="insarfusion-bench-scale-")
    engine = cluster.engine_for("local:2")
    client = engine.client
    crs = "EPSG:32647"
    results = {"sizes": sizes, "runs": []}

    def record(step, n, t_tiles, peaks, t_peer, peer_note, equal):
        r = {"step": step, "n": n, "tiled_s": t_tiles, "per_point_us": 1e6 * t_tiles / n,
             "worker_peak_mb": [p / 2**20 for p in peaks], "peer_s": t_peer, "peer": peer_note,
             "equal": equal}
        results["runs"].append(r)
        print(json.dumps(r), flush=True)

    def one_size(n):
        x, y, vel, expl = synthetic(n)
        tif = os.path.join(tmp, f"r{n}.tif")
        raster(tif, x, y)
        table = PointTable(x, y, {"velocity": vel, "dndvi": expl[:, 0], "dsm": expl[:, 1]}, crs)
        # GWR, fixed 500 m bisquare, the rate on two regressors
        t_t, res_t, peaks = timed(lambda: fit_layer(x, y, vel, expl, 500.0, "bisquare", engine=engine), client)
        if n <= peer_max:
            t_p, res_p = timed(lambda: gwr.fit(x, y, vel, expl, 500.0, "bisquare"))
            eq = all(np.array_equal(getattr(res_t, f), getattr(res_p, f), equal_nan=True)
                     for f in ("params", "se", "local_r2", "cooks_d")) and res_t.aicc == res_p.aicc
            note = "in-process gwr.fit"
            del res_p
        else:
            t_p, eq, note = None, None, "in-process not run (~17 GB)"
        del res_t
        record("gwr", n, t_t, peaks, t_p, note, eq)
        # screening: |v| >= 10, DEM range, study area
        poly = [[np.array([[x.min(), y.min()], [x.max(), y.min()], [x.max(), (y.min() + y.max()) / 2],
                           [x.min(), y.max()]])]]
        step = points.ScreenStep(10.0, tuple(poly), (tif, 1000.0, 1500.0), None, crs)
        t_t, _, peaks = timed(lambda: list(points.run(step, engine, points.memory_sources(table)[1])), client)

        def screen_here():
            area = scr.points_in_polygons(x, y, poly)
            dem = sample(tif, x, y, crs, [1])[:, 0]
            return scr.screen(vel, 10.0, area, dem, (1000.0, 1500.0))
        t_p, _ = timed(screen_here)
        record("screen", n, t_t, peaks, t_p, "in-process screen + sample", None)
        # sampling: 3 bands, bilinear
        step = points.SampleStep(((tif, ("b1", "b2", "b3")),), "bilinear", crs)
        t_t, _, peaks = timed(lambda: list(points.run(step, engine, points.memory_sources(table)[1])), client)
        t_p, _ = timed(lambda: sample(tif, x, y, crs, method="bilinear"))
        record("sampling", n, t_t, peaks, t_p, "in-process sample", None)
        os.remove(tif)

    for n in sizes:
        one_size(n)

    # seasonal fit: 1 M (or 100k) points x 200 dates
    ns = sizes[0]
    rng = np.random.default_rng(3)
    dates = [dt.date(2019, 1, 1) + dt.timedelta(days=6 * k) for k in range(200)]
    series = rng.standard_normal((ns, 200)) + np.linspace(0, 20, 200)[None, :]
    cols = {f"D{d:%Y%m%d}": series[:, j] for j, d in enumerate(dates)}
    xs, ys, _, _ = synthetic(ns, seed=9)
    table = PointTable(xs, ys, cols, crs)
    fields = ("trend", "seasonal_amplitude", "seasonal_peak_doy", "max_seasonal_subsidence",
              "max_seasonal_uplift", "fit_rmse")
    t_t, res, peaks = timed(lambda: list(points.run(points.SeasonalStep(fields), engine,
                                                    points.memory_sources(table)[1])), client)
    t_p, ref = timed(lambda: seasonal.fit(dates, series))
    whole, _ = points.assemble(res, ns, table)
    eq = np.array_equal(whole.columns["trend"], ref.trend, equal_nan=True)
    record("seasonal fit (200 dates)", ns, t_t, peaks, t_p, "in-process seasonal.fit", eq)
    cluster.shutdown()
    for step in ("gwr", "screen", "sampling"):
        runs = [r for r in results["runs"] if r["step"] == step]
        results[f"exponent_{step}"] = exponent([r["n"] for r in runs], [r["tiled_s"] for r in runs])
    print("\n| Step | n | Tiles on 2 workers | per point | peak per worker | In-process (same run) | Ratio | Equal |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results["runs"]:
        peer = f"{r['peer_s']:.1f} s" if r["peer_s"] else r["peer"]
        ratio = f"{r['peer_s'] / r['tiled_s']:.2f}×" if r["peer_s"] else ""
        eq = {True: "bit-identical", False: "DIFFERENT", None: ""}[r["equal"]]
        print(f"| {r['step']} | {r['n']:,} | {r['tiled_s']:.1f} s | {r['per_point_us']:.2f} µs | "
              f"{max(r['worker_peak_mb']):.0f} MB | {peer} | {ratio} | {eq} |")
    print()
    for step in ("gwr", "screen", "sampling"):
        print(f"Exponent of time against n, {step}: {results['exponent_' + step]:.3f}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "scale.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

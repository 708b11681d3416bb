"""Benchmarks of the InSAR points algorithms, each a ratio against a peer measured in the same run.

- seasonal fit (batched normal equations) vs a per-point numpy lstsq loop;
- importpoints on an EGMS-like CSV vs QGIS native:createpointslayerfromtable on the same CSV;
- screen by study area vs QGIS native:extractbylocation (points within the polygon).

Prints a markdown table and writes bench/results/bench_insar.json. `--quick` uses small sizes.
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
import qgis_headless  # noqa: E402


def _run(alg, params):
    """processing.run with an explicit context (a context-less run of some native algorithms crashes)."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject
    feedback = QgsProcessingFeedback()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setFeedback(feedback)
    return processing.run(alg, params, feedback=feedback, context=context)


def _best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_seasonal(n, repeat):
    from insar_fusion.core.insar import seasonal
    rng = np.random.default_rng(0)
    dates = [dt.date(2019, 1, 1) + dt.timedelta(days=12 * k) for k in range(60)]
    g = seasonal.design(dates)
    y = rng.normal(0, 5, (n, 60))
    y[rng.random(y.shape) < 0.1] = np.nan

    def loop():
        out = np.empty((n, 4))
        for i in range(n):
            ok = np.isfinite(y[i])
            out[i] = np.linalg.lstsq(g[ok], y[i, ok], rcond=None)[0]
        return out

    ours = _best(lambda: seasonal.fit(dates, y), repeat)
    peer = _best(loop, repeat)
    return {"step": "seasonal fit", "n": n, "ours_s": ours, "peer": "numpy lstsq per point", "peer_s": peer}


def _egms_csv(path, n, n_dates=60):
    rng = np.random.default_rng(1)
    # D-prefixed date columns: with bare YYYYMMDD names OGR's default CSV reading (HEADERS=AUTO) takes
    # the header for data, and native:createpointslayerfromtable then crashes (QGIS 3.22).
    dates = [(dt.date(2019, 1, 1) + dt.timedelta(days=12 * k)).strftime("D%Y%m%d") for k in range(n_dates)]
    with open(path, "w") as f:
        f.write("pid,easting,northing,mean_velocity,mean_velocity_std,temporal_coherence,incidence_angle,"
                + ",".join(dates) + "\n")
        e, no = rng.uniform(4e5, 4.3e5, n), rng.uniform(4.29e6, 4.315e6, n)
        v, s = rng.normal(-10, 8, (n,)), rng.normal(0, 5, (n, n_dates))
        for i in range(n):
            f.write(f"p{i},{e[i]:.2f},{no[i]:.2f},{v[i]:.2f},1.0,0.9,38.0,"
                    + ",".join(f"{x:.1f}" for x in s[i]) + "\n")


def bench_import(n, repeat, tmp):
    src = os.path.join(tmp, "egms.csv")
    _egms_csv(src, n)

    def ours():
        _run("insarfusion:importpoints", {"INPUT": src, "CRS": "EPSG:32647",
                                                    "OUTPUT": os.path.join(tmp, "ours.gpkg")})

    def peer():
        _run("native:createpointslayerfromtable", {
            "INPUT": src, "XFIELD": "easting", "YFIELD": "northing", "TARGET_CRS": "EPSG:32647",
            "OUTPUT": os.path.join(tmp, "peer.gpkg")})

    return {"step": "import EGMS CSV", "n": n, "ours_s": _best(ours, repeat),
            "peer": "native:createpointslayerfromtable", "peer_s": _best(peer, repeat)}


def bench_screen(n, repeat, tmp):
    from osgeo import ogr, osr
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import write_points
    rng = np.random.default_rng(2)
    pts = os.path.join(tmp, "pts.gpkg")
    write_points(pts, PointTable(rng.uniform(0, 10000, n), rng.uniform(0, 10000, n),
                                 {"velocity": rng.normal(0, 20, n)}, "EPSG:32647"))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    area = os.path.join(tmp, "area.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(area)
    lyr = ds.CreateLayer("area", srs, ogr.wkbPolygon)
    ang = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    ring = ",".join(f"{5000 + 4000 * np.cos(a) * (1 + 0.2 * np.sin(5 * a)):.1f} "
                    f"{5000 + 4000 * np.sin(a):.1f}" for a in ang)
    first = ring.split(",")[0]
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt(f"POLYGON(({ring},{first}))"))
    lyr.CreateFeature(f)
    ds = None

    def ours():
        _run("insarfusion:screen", {"INPUT": pts, "THRESHOLD": 0.0, "STUDY_AREA": area,
                                              "OUTPUT": os.path.join(tmp, "s_ours.gpkg")})

    def peer():
        _run("native:extractbylocation", {"INPUT": pts, "PREDICATE": [6], "INTERSECT": area,
                                                    "OUTPUT": os.path.join(tmp, "s_peer.gpkg")})

    return {"step": "screen by study area", "n": n, "ours_s": _best(ours, repeat),
            "peer": "native:extractbylocation (within)", "peer_s": _best(peer, repeat)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    a = ap.parse_args(argv)
    qgis_headless.start()
    size = (lambda q, full: q) if a.quick else (lambda q, full: full)
    repeat = 1 if a.quick else 3
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(bench_seasonal(size(5000, 200000), repeat))
        rows.append(bench_import(size(5000, 200000), repeat, tmp))
        rows.append(bench_screen(size(20000, 1000000), repeat, tmp))
    print("| step | n | ours (s) | peer | peer (s) | speed-up (peer / ours) |")
    print("|---|---:|---:|---|---:|---:|")
    for r in rows:
        r["ratio"] = r["peer_s"] / r["ours_s"]
        print(f"| {r['step']} | {r['n']} | {r['ours_s']:.3f} | {r['peer']} | {r['peer_s']:.3f} | {r['ratio']:.2f} |")
    out = os.path.join(HERE, "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "bench_insar.json"), "w") as f:
        json.dump({"quick": a.quick, "rows": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

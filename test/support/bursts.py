"""Synthetic EGMS bursts for the scale-out tests: CSV files and a zip, overlapping, with
different dates per track, a planted GWR surface and NULLs (test/core/test_scale_*.py)."""
import datetime as dt
import os
import zipfile

import numpy as np


def write_bursts(folder, n_per_burst=3000, n_bursts=4, seed=7, n_dates=24, gpkg=False):
    """Bursts side by side along x (overlapping by 10 %); the last one is zipped (or, with gpkg,
    every burst is a GeoPackage in the standard layout plus ndvi and sm). Returns the paths."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    paths = []
    for b in range(n_bursts):
        shift = 3 * (b % 2)  # the two tracks' dates differ by 3 days
        dates = [dt.date(2019, 1, 2 + shift) + dt.timedelta(days=12 * k) for k in range(n_dates)]
        x = rng.uniform(4.0e5 + b * 9000.0, 4.0e5 + b * 9000.0 + 10000.0, n_per_burst)
        y = rng.uniform(2.9e6, 2.912e6, n_per_burst)
        x[:200] = np.round(x[:200], -2)  # gridded points: ties in x
        ndvi = np.sin(x / 4000.0) + 0.1 * rng.standard_normal(n_per_burst)
        sm = np.cos(y / 3000.0) + 0.1 * rng.standard_normal(n_per_burst)
        vel = -5.0 + 3.0 * ndvi * (1 + x / 1e6) - 2.0 * sm + rng.standard_normal(n_per_burst)
        t = np.array([(d - dates[0]).days / 365.25 for d in dates])
        series = vel[:, None] * t[None, :] + 4.0 * np.sin(2 * np.pi * t)[None, :] \
            + rng.standard_normal((n_per_burst, n_dates))
        series[rng.random(series.shape) < 0.05] = np.nan
        inc = rng.uniform(30.0, 45.0, n_per_burst)
        name = os.path.join(folder, f"EGMS_L2a_burst_{b:02d}.csv")
        if gpkg:
            from insar_fusion.core.points import PointTable
            from insar_fusion.core.vector_io import write_points
            cols = {"pid": np.arange(n_per_burst, dtype=np.int64) + b * 10**6,
                    "velocity": np.where(np.arange(n_per_burst) % 97 == 5, np.nan, vel),
                    "incidence": inc, "ndvi": ndvi, "sm": sm}
            cols.update({d.strftime("D%Y%m%d"): series[:, k] for k, d in enumerate(dates)})
            name = name[:-4] + ".gpkg"
            write_points(name, PointTable(x, y, cols, "EPSG:32647"))
            paths.append(name)
            continue
        with open(name, "w") as f:
            f.write("pid,easting,northing,mean_velocity,mean_velocity_std,temporal_coherence,"
                    "incidence_angle,ndvi,sm," + ",".join(d.strftime("%Y%m%d") for d in dates) + "\n")
            for i in range(n_per_burst):
                v = "" if i % 97 == 5 else f"{vel[i]:.3f}"
                f.write(f"{b}{i:06d},{x[i]:.2f},{y[i]:.2f},{v},0.8,0.9,{inc[i]:.2f},{ndvi[i]:.4f},"
                        f"{sm[i]:.4f}," + ",".join("" if s != s else f"{s:.2f}" for s in series[i]) + "\n")
        if b == n_bursts - 1:
            z = name[:-4] + ".zip"
            with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(name, os.path.basename(name))
            os.remove(name)
            name = z
        paths.append(name)
    return paths


def slow_task(seconds, progress):
    """A task that checks its progress (and so the cancel) every 10 ms for `seconds` * 20 s."""
    import time
    end = time.monotonic() + seconds * 20
    while time.monotonic() < end:
        progress.check()
        time.sleep(0.01)
    return "not cancelled"


def stubborn_task(folder, seconds, progress):
    """A task that says it started, then works `seconds` without a cancel check and writes a file:
    the last stretch of a real task (np.savez after its last check) into a scratch folder."""
    import os
    import time
    open(os.path.join(folder, "started"), "w").close()
    time.sleep(seconds)
    with open(os.path.join(folder, "written"), "w") as f:
        f.write("late")
    return "done"

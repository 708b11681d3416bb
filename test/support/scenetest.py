"""Readers for the sample scene's files, written independently of core/scene (for its tests)."""
import csv
import datetime as dt
import json

import numpy as np
from matplotlib.path import Path
from osgeo import gdal, ogr

gdal.UseExceptions()


def truth(scene) -> dict:
    return json.loads((scene / "truth.json").read_text())


def track(scene, name: str) -> dict:
    """Columns of an EGMS CSV as float arrays, plus 'dates' and the (n, n_dates) 'series'."""
    path = scene / "insar" / f"{name}_egms.csv"
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    out = {h: data[:, i] for i, h in enumerate(header[:9])}
    out["dates"] = [dt.datetime.strptime(h, "%Y%m%d").date() for h in header[9:]]
    out["series"] = data[:, 9:]
    return out


def offset(t: dict, x, y) -> np.ndarray:
    """The planted vertical offset of the secondary track at the points (from truth.json)."""
    o = t["track_offset"]
    return (o["constant_mm_yr"] + o["ramp_x_mm_yr_per_km"] * (x - o["origin"][0]) / 1000.0
            + o["ramp_y_mm_yr_per_km"] * (y - o["origin"][1]) / 1000.0)


def vertical_rate(t: dict, name: str, tr: dict, remove_offset: bool = True) -> np.ndarray:
    """mean_velocity / cos(incidence), minus the planted offset for the secondary track."""
    up = tr["mean_velocity"] / np.cos(np.radians(tr["incidence_angle"]))
    if remove_offset and name == t["track_offset"]["secondary"]:
        up = up - offset(t, tr["easting"], tr["northing"])
    return up


def years(dates) -> np.ndarray:
    return np.array([(d - dt.date(2019, 1, 1)).days / 365.25 for d in dates])


def regions(scene, layer: str = "regions") -> dict:
    """{name: (n, 2) exterior ring} of a layer of regions.gpkg."""
    ds = ogr.Open(str(scene / "regions.gpkg"))
    out = {}
    for f in ds.GetLayerByName(layer):
        ring = f.GetGeometryRef().GetGeometryRef(0)
        out[f.GetField("name")] = np.array(ring.GetPoints())[:, :2]
    return out


def inside(ring: np.ndarray, x, y) -> np.ndarray:
    """Point-in-polygon with matplotlib (independent of GDAL/OGR and of the generator)."""
    return Path(ring).contains_points(np.column_stack([np.ravel(x), np.ravel(y)])).reshape(np.shape(x))


def raster(scene, rel: str):
    """(array as float64 with nodata as NaN, geotransform)."""
    ds = gdal.Open(str(scene / rel))
    b = ds.GetRasterBand(1)
    a = b.ReadAsArray()
    if np.iscomplexobj(a):
        return a, ds.GetGeoTransform()
    a = a.astype(float)
    nd = b.GetNoDataValue()
    if nd is not None and not np.isnan(nd):
        a[a == nd] = np.nan
    return a, ds.GetGeoTransform()


def pixel_centres(arr, gt):
    x0, dx, _, y0, _, dy = gt
    xs = x0 + dx * (np.arange(arr.shape[1]) + 0.5)
    ys = y0 + dy * (np.arange(arr.shape[0]) + 0.5)
    return np.meshgrid(xs, ys)


def bilinear(arr, gt, x, y) -> np.ndarray:
    """Bilinear interpolation between pixel centres (NaN outside the centre grid)."""
    x0, dx, _, y0, _, dy = gt
    col = (np.asarray(x) - x0) / dx - 0.5
    row = (np.asarray(y) - y0) / dy - 0.5
    c, r = np.floor(col).astype(int), np.floor(row).astype(int)
    ok = (c >= 0) & (r >= 0) & (c < arr.shape[1] - 1) & (r < arr.shape[0] - 1)
    c, r = np.where(ok, c, 0), np.where(ok, r, 0)
    fx, fy = col - c, row - r
    v = (arr[r, c] * (1 - fx) * (1 - fy) + arr[r, c + 1] * fx * (1 - fy)
         + arr[r + 1, c] * (1 - fx) * fy + arr[r + 1, c + 1] * fx * fy)
    return np.where(ok, v, np.nan)


def nearest(arr, gt, x, y) -> np.ndarray:
    x0, dx, _, y0, _, dy = gt
    c = np.floor((np.asarray(x) - x0) / dx).astype(int)
    r = np.floor((np.asarray(y) - y0) / dy).astype(int)
    return arr[r, c]


def harmonic_fit(t, d):
    """Least squares d = a + v t + A sin(2 pi t) + B cos(2 pi t): (v, amplitude, peak day of year)."""
    X = np.column_stack([np.ones_like(t), t, np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)])
    a, v, s, c = np.linalg.lstsq(X, d, rcond=None)[0]
    phase = np.arctan2(s, c)  # A cos(2 pi t - phase): maximum at t = phase / (2 pi)
    return v, float(np.hypot(s, c)), float((phase / (2 * np.pi) % 1.0) * 365.25 + 1.0)


def zone_mask(t: dict, name: str, x, y, scene=None, rings=None) -> np.ndarray:
    """Points of a zone: inside its region polygon (P zones) or within radius_m (others)."""
    z = t["zones"][name]
    if rings is not None and name in rings:
        return inside(rings[name], x, y)
    return np.hypot(x - z["centre"][0], y - z["centre"][1]) < z["radius_m"]

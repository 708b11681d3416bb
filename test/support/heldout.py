"""A held-out study area, unlike the sample scene, written by hand (numpy, csv, GDAL/OGR only):
what a user would bring to insarfusion:study, with the truth planted in it.

- UTM zone 33N, 12 km x 9 km; two farm regions and a stable control region (field `zone`).
- Track A: an EGMS-style CSV in EPSG:3035 (the EGMS CRS) with `los_up` and no incidence angle.
- Track B: a PS GeoPackage in EPSG:32633 (CODE, VEL, V_STDEV, COHERENCE, INCIDENCE, Dyyyymmdd),
  other dates, and a planted offset plane on its vertical rate.
- Monthly MEAN rasters ndvi_YYYYMM / sm_YYYYMM / precip_YYYYMM for 2021-2022: NDVI peaks LAG_NDVI
  days and soil moisture LAG_SM days after the fastest subsidence of the farms' seasonal cycle.
- The vertical rate is B0 + B1·dNDVI + B2·dSM everywhere (the interannual changes, July 2022 −
  July 2021), so GWR and OLS have a relation to find.
"""
import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()

EPSG = 32633
X0, Y0, W, H = 440000.0, 5050000.0, 12000.0, 9000.0
YEAR = 365.25
T0 = dt.date(2021, 1, 1)
LAG_NDVI, LAG_SM = 20.0, 40.0          # days behind the subsidence rate (the held-out lags)
FARM_PEAK = 120.0                       # day of year of the fastest seasonal uplift; subsidence 6 months on
B0, B1, B2 = -1.0, -90.0, -250.0        # mm/yr, mm/yr per NDVI, mm/yr per m3/m3
OFFSET = {"a": 3.0, "per_km_x": 0.05, "per_km_y": -0.04, "origin": (X0 + 6000.0, Y0 + 4500.0)}
FARMS = {"north farm": (X0 + 3000.0, Y0 + 6000.0, 1500.0), "south farm": (X0 + 8500.0, Y0 + 2500.0, 1800.0)}
CONTROL = (X0 + 9500.0, Y0 + 6500.0, X0 + 11500.0, Y0 + 8500.0)
RATE_NOISE, SERIES_NOISE = 0.4, 1.0


@dataclass(frozen=True)
class HeldOut:
    folder: Path

    @property
    def tracks(self):
        return [str(self.folder / "track_a_egms.csv"), str(self.folder / "track_b_ps.gpkg")]

    @property
    def regions(self):
        return str(self.folder / "fields.gpkg")

    def stack(self, name):
        return str(self.folder / name)


def _bump(r, radius):
    return np.clip(1 - (r / radius) ** 2, 0, None) ** 2


def dndvi(x, y):
    (ax, ay, _), (bx, by, _) = FARMS.values()
    return (0.12 * _bump(np.hypot(x - ax, y - ay), 1800) + 0.08 * _bump(np.hypot(x - bx, y - by), 2100)
            + 0.015 * np.sin((x - X0) / 1700) * np.cos((y - Y0) / 1300))


def dsm(x, y):
    (ax, ay, _), (bx, by, _) = FARMS.values()
    return (0.03 * _bump(np.hypot(x - ax - 600, y - ay + 400), 2300)
            + 0.025 * _bump(np.hypot(x - bx + 500, y - by - 500), 2400)
            + 0.004 * np.cos((x - X0) / 2100 + (y - Y0) / 1500))


def rate(x, y):
    """The planted vertical rate (mm/yr)."""
    return B0 + B1 * dndvi(x, y) + B2 * dsm(x, y)


def farm_weight(x, y):
    return sum(_bump(np.hypot(x - cx, y - cy), 1.6 * r) for cx, cy, r in FARMS.values())


def days(d):
    return float((d - T0).days)


def seasonal_rate(t):
    """Shape of the seasonal rate: +1 at the fastest uplift (FARM_PEAK), −1 at the fastest subsidence."""
    return np.cos(2 * np.pi * (np.asarray(t, float) - (FARM_PEAK - 1)) / YEAR)


def switch(t):
    """0 before November 2021, 1 from March 2022: when the interannual change applies."""
    a, b = days(dt.date(2021, 11, 1)), days(dt.date(2022, 3, 1))
    return np.clip((np.asarray(t, float) - a) / (b - a), 0, 1)


def _wkt(epsg):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    return srs.ExportToWkt()


def _grid(rng, x_from, x_to, spacing):
    gx, gy = np.meshgrid(np.arange(X0 + x_from, X0 + x_to, spacing), np.arange(Y0 + 60, Y0 + H, spacing))
    return gx.ravel() + rng.uniform(-15, 15, gx.size), gy.ravel() + rng.uniform(-15, 15, gx.size)


def _series(rng, x, y, dates, offset):
    """Vertical displacement (mm) of every point at every date, since the first date."""
    t = np.array([days(d) for d in dates])
    amp = 10.0 * farm_weight(x, y)  # mm: A·sin(2π(t − P)/yr), its fastest uplift on day P
    v = rate(x, y) + offset
    d = v[:, None] * (t - t[0])[None, :] / YEAR + amp[:, None] * np.sin(2 * np.pi * (t - (FARM_PEAK - 1)) / YEAR)[None, :]
    d = d - d[:, :1]
    return d + rng.normal(0, SERIES_NOISE, d.shape), v + rng.normal(0, RATE_NOISE, len(x))


def offset_at(x, y):
    ox, oy = OFFSET["origin"]
    return OFFSET["a"] + OFFSET["per_km_x"] * (x - ox) / 1000 + OFFSET["per_km_y"] * (y - oy) / 1000


def _track_a(folder, rng):
    x, y = _grid(rng, 0, 8000, 130.0)
    dates = [dt.date(2021, 1, 3) + dt.timedelta(days=12 * k) for k in range(61)]
    theta = np.radians(33 + 9 * (x - X0) / 8000)
    d, v = _series(rng, x, y, dates, 0.0)
    to3035 = osr.CoordinateTransformation(_srs(EPSG), _srs(3035))
    e = np.asarray(to3035.TransformPoints(np.column_stack([x, y])))
    with open(folder / "track_a_egms.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["pid", "easting", "northing", "mean_velocity", "mean_velocity_std", "temporal_coherence",
                    "los_up"] + [day.strftime("%Y%m%d") for day in dates])
        for i in range(len(x)):
            w.writerow([f"A{i}", f"{e[i, 0]:.2f}", f"{e[i, 1]:.2f}", f"{v[i] * np.cos(theta[i]):.3f}", "0.5", "0.9",
                        f"{np.cos(theta[i]):.5f}"] + [f"{val * np.cos(theta[i]):.2f}" for val in d[i]])


def _srs(epsg):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def _track_b(folder, rng):
    x, y = _grid(rng, 4030, 12000, 130.0)  # on track A's grid nodes (31 x 130 m): pairs a jitter apart
    dates = [dt.date(2021, 1, 9) + dt.timedelta(days=12 * k) for k in range(60)]
    theta = 30 + 8 * (x - X0 - 4000) / 8000
    d, v = _series(rng, x, y, dates, offset_at(x, y))
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(folder / "track_b_ps.gpkg"))
    lyr = ds.CreateLayer("track_b", _srs(EPSG), ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("CODE", ogr.OFTString))
    for name in ("VEL", "V_STDEV", "COHERENCE", "INCIDENCE") + tuple("D" + day.strftime("%Y%m%d") for day in dates):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTReal))
    cos = np.cos(np.radians(theta))
    lyr.StartTransaction()
    for i in range(len(x)):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("CODE", f"B{i}")
        f.SetField("VEL", float(v[i] * cos[i]))
        f.SetField("V_STDEV", 0.5)
        f.SetField("COHERENCE", 0.85)
        f.SetField("INCIDENCE", float(theta[i]))
        for j, day in enumerate(dates):
            f.SetField("D" + day.strftime("%Y%m%d"), float(d[i, j] * cos[i]))
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({x[i]} {y[i]})"))
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None


def _months():
    return [(y, m) for y in (2021, 2022) for m in range(1, 13)]


def _monthly_mean(func, year, month):
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    t = np.arange(days(start), days(end), 0.5)
    return np.mean([func(v) for v in t], axis=0)


def _raster(path, arr, pixel):
    rows, cols = arr.shape
    ds = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((X0, pixel, 0, Y0 + H, 0, -pixel))
    ds.SetProjection(_wkt(EPSG))
    ds.GetRasterBand(1).SetNoDataValue(float("nan"))
    ds.GetRasterBand(1).WriteArray(arr.astype(np.float32))
    ds = None


def _stacks(folder):
    for sub, stem, pixel in (("ndvi", "ndvi", 250.0), ("soil_moisture", "sm", 1000.0), ("precipitation", "precip", 1000.0)):
        (folder / sub).mkdir(exist_ok=True)
        cols, rows = int(W / pixel), int(H / pixel)
        cx, cy = np.meshgrid(X0 + (np.arange(cols) + 0.5) * pixel, Y0 + H - (np.arange(rows) + 0.5) * pixel)
        if stem == "ndvi":
            base, change = 0.30 + 0.05 * np.cos((cx - X0) / 3000), dndvi(cx, cy)
            func = lambda t: base - 0.25 * seasonal_rate(t - LAG_NDVI) + change * switch(t)  # noqa: E731
        elif stem == "sm":
            base, change = 0.15 + 0.01 * np.sin((cy - Y0) / 2500), dsm(cx, cy)
            func = lambda t: base - 0.06 * seasonal_rate(t - LAG_SM) + change * switch(t)  # noqa: E731
        else:
            func = lambda t: np.full(cx.shape, 10.0 + 40.0 * np.exp(-0.5 * ((t % YEAR - 200) / 30) ** 2))  # noqa: E731
        for year, month in _months():
            _raster(folder / sub / f"{stem}_{year}{month:02d}.tif", _monthly_mean(func, year, month), pixel)


def _regions(folder):
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(folder / "fields.gpkg"))
    lyr = ds.CreateLayer("fields", _srs(EPSG), ogr.wkbPolygon)
    lyr.CreateField(ogr.FieldDefn("zone", ogr.OFTString))
    rings = {}
    for name, (cx, cy, r) in FARMS.items():
        a = np.linspace(0, 2 * np.pi, 49)
        rings[name] = [(cx + 1.1 * r * np.cos(t), cy + 0.9 * r * np.sin(t)) for t in a]
    x0, y0, x1, y1 = CONTROL
    rings["control"] = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    for name, ring in rings.items():
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("zone", name)
        f.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON ((" + ", ".join(f"{a} {b}" for a, b in ring) + "))"))
        lyr.CreateFeature(f)
    ds = None


def build(folder) -> HeldOut:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2024)
    _track_a(folder, rng)
    _track_b(folder, rng)
    _stacks(folder)
    _regions(folder)
    return HeldOut(folder)


if __name__ == "__main__":  # python3 test/support/heldout.py OUT: write it for a manual run
    import sys
    print(build(sys.argv[1]).folder)

"""Synthetic time-series data with planted lags, for the time-series tests and benchmark."""
import datetime as dt
import os

import numpy as np

YEAR = 365.25
T0 = dt.date(2019, 1, 1)
CRS = "EPSG:32647"


def acquisition_dates(n=60, start=dt.date(2019, 1, 5), step=12):
    return [start + dt.timedelta(days=step * k) for k in range(n)]


def months(first=(2019, 1), count=24):
    out = []
    y, m = first
    for _ in range(count):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def days(d):
    return float((d - T0).days)


def displacement(t_days, trend=-30.0, amp=12.0, peak_doy=200.0):
    """mm: a trend (mm/yr) plus an annual cycle whose maximum subsidence speed is at peak_doy."""
    t = np.asarray(t_days, float)
    return trend * t / YEAR + amp * np.sin(2 * np.pi * (t - peak_doy) / YEAR)


def seasonal_rate(t_days, amp=12.0, peak_doy=200.0):
    """mm/day: the seasonal part of the derivative of `displacement`."""
    t = np.asarray(t_days, float)
    return amp * 2 * np.pi / YEAR * np.cos(2 * np.pi * (t - peak_doy) / YEAR)


def monthly_mean(func, year, month):
    """The mean of func(t_days) over a calendar month (what a monthly product holds)."""
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    t = np.arange(days(start), days(end), 0.25)
    return float(np.mean(func(t)))


def ndvi_of(t_days, lag=15.0):
    """NDVI that rises as the ground subsides faster, `lag` days after the rate."""
    return 0.45 - 0.25 * seasonal_rate(np.asarray(t_days) - lag) / seasonal_rate(0.0 + 200.0)


def sm_of(t_days, lag=30.0):
    return 0.20 - 0.04 * seasonal_rate(np.asarray(t_days) - lag) / seasonal_rate(200.0)


def write_stack(folder, prefix, func, size=(40, 40), origin=(400000.0, 4320000.0), pixel=250.0,
                pattern=None, nodata_hole=False, count=24, at="middle"):
    """Monthly GeoTIFFs prefix_YYYYMM.tif: func on the 16th (at='middle', the day the plugin gives
    a month-only name, as the sample scene), on the 1st (at='first') or its monthly mean
    (at='mean'), plus a fixed pattern."""
    from osgeo import gdal, osr

    os.makedirs(folder, exist_ok=True)
    srs = osr.SpatialReference()
    srs.SetFromUserInput(CRS)
    rows, cols = size
    if pattern is None:
        yy, xx = np.mgrid[0:rows, 0:cols]
        pattern = 0.002 * (xx - cols / 2) + 0.001 * (yy - rows / 2)
    paths = []
    for (y, m) in months(count=count):
        day = 16 if at == "middle" else 1
        value = monthly_mean(func, y, m) if at == "mean" else float(func(np.array([days(dt.date(y, m, day))]))[0])
        arr = (value + pattern).astype(np.float32)
        if nodata_hole:
            arr[0, 0] = np.nan
        path = os.path.join(folder, f"{prefix}_{y}{m:02d}.tif")
        ds = gdal.GetDriverByName("GTiff").Create(path, cols, rows, 1, gdal.GDT_Float32,
                                                   ["TILED=YES", "COMPRESS=DEFLATE"])
        ds.SetGeoTransform((origin[0], pixel, 0, origin[1], 0, -pixel))
        ds.SetProjection(srs.ExportToWkt())
        band = ds.GetRasterBand(1)
        band.SetNoDataValue(float("nan"))
        band.WriteArray(arr)
        ds = None
        paths.append(path)
    return paths


def insar_points(centre, radius, n_inside=40, n_outside=40, seed=3, noise=1.0, dates=None):
    """x, y, pid and an (n, n_dates) displacement matrix: the planted signal inside the circle,
    another (unrelated) signal outside it."""
    rng = np.random.default_rng(seed)
    dates = dates or acquisition_dates()
    t = np.array([days(d) for d in dates])
    ang = rng.uniform(0, 2 * np.pi, n_inside)
    rad = radius * np.sqrt(rng.uniform(0, 0.95, n_inside))
    xi, yi = centre[0] + rad * np.cos(ang), centre[1] + rad * np.sin(ang)
    ang = rng.uniform(0, 2 * np.pi, n_outside)
    rad = radius * rng.uniform(1.1, 2.5, n_outside)
    xo, yo = centre[0] + rad * np.cos(ang), centre[1] + rad * np.sin(ang)
    inside = displacement(t)[None, :] + rng.normal(0, noise, (n_inside, len(t)))
    outside = 5 * np.sin(2 * np.pi * t / 90.0)[None, :] + rng.normal(0, noise, (n_outside, len(t)))
    x = np.r_[xi, xo]
    y = np.r_[yi, yo]
    return x, y, np.arange(len(x), dtype=np.int64), dates, np.vstack([inside, outside])


def write_insar(path, x, y, pid, dates, matrix, extra=None):
    """A GeoPackage of InSAR points with pid, velocity and DYYYYMMDD fields."""
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import write_points

    cols = {"pid": pid, "velocity": np.full(len(x), -30.0)}
    for j, d in enumerate(dates):
        cols["D" + d.strftime("%Y%m%d")] = matrix[:, j].astype(float)
    cols.update(extra or {})
    write_points(path, PointTable(x, y, cols, CRS))
    return path



def ensure_provider():
    """The insarfusion provider (see iftest.ensure_provider); returns (provider, added)."""
    from qgis.core import QgsApplication

    import iftest

    added = QgsApplication.processingRegistry().providerById("insarfusion") is None
    return iftest.ensure_provider(), added

"""insarfusion:screen keeps exactly the significant points inside the ranges and counts removals."""
import os

import numpy as np
import pytest
from osgeo import gdal, ogr, osr
from qgis.core import QgsProcessingException

import iftest
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import read_points, write_points

X0, Y0, PIX = 500000.0, 4200000.0, 100.0  # raster origin (top-left) and pixel size
W = H = 40


def _raster(path, array, nodata=None):
    ds = gdal.GetDriverByName("GTiff").Create(path, W, H, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((X0, PIX, 0, Y0, 0, -PIX))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    ds.SetProjection(srs.ExportToWkt())
    band = ds.GetRasterBand(1)
    if nodata is not None:
        band.SetNoDataValue(nodata)
    band.WriteArray(array)
    ds = None
    return path


def _setup(tmp_path):
    rng = np.random.default_rng(8)
    n = 1500
    x = rng.uniform(X0 + 1, X0 + W * PIX - 1, n)
    y = rng.uniform(Y0 - H * PIX + 1, Y0 - 1, n)
    zones = [((X0 + 800, Y0 - 800), -35.0), ((X0 + 3000, Y0 - 900), -6.0),  # significant, weak
             ((X0 + 1000, Y0 - 3200), -30.0), ((X0 + 2500, Y0 - 3000), 25.0)]  # mountain, desert
    v = rng.normal(0, 1.0, n)
    for (cx, cy), peak in zones:
        v += peak * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 400.0 ** 2))
    v[5] = np.nan
    cols = {"pid": np.arange(n, dtype=np.int64), "velocity": v, "D20190109": np.zeros(n)}
    pts = str(tmp_path / "points.gpkg")
    write_points(pts, PointTable(x, y, cols, "EPSG:32647"))
    rows, colsx = np.mgrid[0:H, 0:W]
    dem = np.where((rows >= 24) & (colsx < 18), 3200.0, 1500.0).astype(np.float32)  # mountains, SW
    dem[0, 0] = -9999  # nodata
    ndvi = np.where((colsx >= 20) & (rows >= 24), 0.03, 0.35).astype(np.float32)  # desert, S
    dem_path = _raster(str(tmp_path / "dem.tif"), dem, nodata=-9999)
    ndvi_path = _raster(str(tmp_path / "ndvi.tif"), ndvi)
    r = ((Y0 - y) // PIX).astype(int)
    c = ((x - X0) // PIX).astype(int)
    return pts, dem_path, ndvi_path, x, y, v, dem[r, c], ndvi[r, c]


def _area(path, lon0, lat0, lon1, lat1, hole=None):
    """A polygon layer in WGS 84 (another CRS than the points), optionally with a hole."""
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("area", srs, ogr.wkbPolygon)
    rings = [(lon0, lat0, lon1, lat1)] + ([hole] if hole else [])
    wkt = "POLYGON(" + ",".join(f"({a} {b},{c} {b},{c} {d},{a} {d},{a} {b})" for a, b, c, d in rings) + ")"
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
    lyr.CreateFeature(f)
    ds = None
    return path


def _lonlat(x, y):
    utm, wgs = osr.SpatialReference(), osr.SpatialReference()
    utm.ImportFromEPSG(32647)
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    out = np.array(osr.CoordinateTransformation(utm, wgs).TransformPoints(np.column_stack([x, y])))
    return out[:, 0], out[:, 1]


def test_screen_keeps_exactly_the_points_passing_every_criterion(run_alg, tmp_path):
    pts, dem_path, ndvi_path, x, y, v, dem, ndvi = _setup(tmp_path)
    lon, lat = _lonlat(x, y)
    box = (float(lon.min() - 0.01), float(lat.min() - 0.01), float(np.median(lon) + 0.012),
           float(lat.max() + 0.01))
    hole = (float(lon.min() + 0.002), float(lat.max() - 0.004), float(lon.min() + 0.004), float(lat.max() - 0.002))
    area = _area(str(tmp_path / "area.gpkg"), *box, hole=hole)
    out = str(tmp_path / "kept.gpkg")
    res, fb = run_alg("screen", {"INPUT": pts, "THRESHOLD": 10.0, "DEM": dem_path, "DEM_MAX": 2500.0,
                                 "NDVI": ndvi_path, "NDVI_MIN": 0.1, "STUDY_AREA": area, "OUTPUT": out})
    rate = np.abs(v) >= 10
    in_box = (lon > box[0]) & (lon < box[2]) & (lat > box[1]) & (lat < box[3])
    in_hole = (lon > hole[0]) & (lon < hole[2]) & (lat > hole[1]) & (lat < hole[3])
    inside = in_box & ~in_hole
    dem_ok = (dem != -9999) & (dem <= 2500)
    ndvi_ok = ndvi >= 0.1
    expected = rate & inside & dem_ok & ndvi_ok
    got = read_points(out)
    assert sorted(got.columns["pid"].tolist()) == np.flatnonzero(expected).tolist()
    assert res["N_KEPT"] == expected.sum() and res["N_INPUT"] == len(v)
    assert res["REMOVED_RATE"] == (~rate).sum()
    assert res["REMOVED_AREA"] == (rate & ~inside).sum()
    assert res["REMOVED_DEM"] == (rate & inside & ~dem_ok).sum()
    assert res["REMOVED_NDVI"] == (rate & inside & dem_ok & ~ndvi_ok).sum()
    assert in_hole.any() and (rate & in_hole).any()
    assert res["REMOVED_DEM"] > 0 and res["REMOVED_NDVI"] > 0
    assert f"Removed by the DEM range: {res['REMOVED_DEM']}" in fb.text()


def test_default_threshold_comes_from_the_settings(run_alg, tmp_path):
    pts, _dem, _ndvi, _x, _y, v, _d, _n = _setup(tmp_path)
    res, _ = run_alg("screen", {"INPUT": pts, "OUTPUT": str(tmp_path / "a.gpkg")})
    assert res["N_KEPT"] == int((np.abs(v) >= 10.0).sum())
    assert res["REMOVED_DEM"] == 0 and res["REMOVED_AREA"] == 0


def _refused(run_alg, tmp_path, pts, words, **params):
    before = iftest.sha256(pts)
    out = str(tmp_path / "kept.gpkg")
    with pytest.raises(QgsProcessingException, match=words):
        run_alg("screen", dict({"INPUT": pts, "OUTPUT": out}, **params))
    assert not os.path.exists(out)
    assert iftest.sha256(pts) == before


def test_a_range_without_its_raster_is_refused(run_alg, tmp_path):
    pts, _dem, ndvi, *_ = _setup(tmp_path)
    _refused(run_alg, tmp_path, pts, "without a DEM raster", DEM_MAX=2000.0)
    _refused(run_alg, tmp_path, pts, "NDVI minimum .* above", NDVI=ndvi, NDVI_MIN=0.5, NDVI_MAX=0.2)


def test_non_numeric_velocity_and_empty_layers_are_refused(run_alg, tmp_path):
    x = np.array([X0 + 50.0, X0 + 150.0])
    text = str(tmp_path / "text.gpkg")
    write_points(text, PointTable(x, x * 0 + Y0 - 50, {"velocity": np.array(["-12", "fast"], dtype=object)},
                                  "EPSG:32647"))
    _refused(run_alg, tmp_path, text, "must be numeric")
    empty = str(tmp_path / "empty.gpkg")
    write_points(empty, PointTable(np.empty(0), np.empty(0), {"velocity": np.empty(0)}, "EPSG:32647"))
    _refused(run_alg, tmp_path, empty, "no features")

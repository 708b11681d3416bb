"""insarfusion:samplerasters through processing.run: values, NULLs, reprojection, field names."""
import os

import numpy as np
import pytest
from osgeo import gdal, osr
from qgis.core import QgsProcessingException

import iftest
from insar_fusion.core.points import PointTable
from insar_fusion.core.raster import Grid, write_array
from insar_fusion.core.vector_io import read_points, write_points

UTM = osr.SpatialReference()
UTM.ImportFromEPSG(32647)
X0, Y0, PX = 500000.0, 4300000.0, 30.0


def _raster(tmp_path, name, bands=1, dtype=np.float32, nodata=-9999.0):
    grid = Grid((X0, PX, 0.0, Y0, 0.0, -PX), 200, 150, UTM.ExportToWkt())
    xc, yc = grid.centres()
    base = 1.0 + 0.001 * (xc[None, :] - X0) + 0.002 * (yc[:, None] - Y0)
    arr = np.stack([(b + 1) * base for b in range(bands)]).astype(dtype)
    arr[:, 10, 20] = nodata
    path = str(tmp_path / f"{name}.tif")
    write_array(path, grid, arr, nodata=nodata,
                dtype=gdal.GDT_Float32 if dtype == np.float32 else gdal.GDT_UInt16)
    return path


def _points(tmp_path, n=400, crs="EPSG:32647", name="pts.gpkg"):
    rng = np.random.default_rng(5)
    x = rng.uniform(X0 - 300, X0 + 200 * PX + 300, n)  # some outside the raster
    y = rng.uniform(Y0 - 150 * PX - 300, Y0 + 300, n)
    x[0], y[0] = X0 + 20.5 * PX, Y0 - 10.5 * PX  # on the nodata pixel
    cols = {"pid": np.arange(n, dtype=np.int64), "ndvi": rng.normal(size=n)}
    if crs != "EPSG:32647":
        geo = osr.SpatialReference()
        geo.SetFromUserInput(crs)
        for s in (geo, UTM):
            s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        out = np.array(osr.CoordinateTransformation(UTM, geo).TransformPoints(np.column_stack([x, y])))
        px, py = out[:, 0], out[:, 1]
    else:
        px, py = x, y
    path = str(tmp_path / name)
    write_points(path, PointTable(px, py, cols, crs))
    return path, x, y


def _expected(path, x, y):
    """Pixel values under the points read straight from GDAL (NaN outside or on nodata)."""
    ds = gdal.Open(path)
    arr = ds.ReadAsArray().astype(float).reshape(ds.RasterCount, ds.RasterYSize, ds.RasterXSize)
    col, row = np.floor((x - X0) / PX).astype(int), np.floor((Y0 - y) / PX).astype(int)
    inside = (col >= 0) & (row >= 0) & (col < ds.RasterXSize) & (row < ds.RasterYSize)
    out = np.full((ds.RasterCount, len(x)), np.nan)
    out[:, inside] = arr[:, row[inside], col[inside]]
    out[out == ds.GetRasterBand(1).GetNoDataValue()] = np.nan
    return out


def test_each_band_of_each_raster_becomes_a_field_with_the_pixel_value(run_alg, tmp_path):
    pts, x, y = _points(tmp_path)
    single = _raster(tmp_path, "ndvi 2020-07")
    multi = _raster(tmp_path, "sm_stack", bands=3, dtype=np.uint16, nodata=0)
    out = str(tmp_path / "out.gpkg")
    res, fb = run_alg("samplerasters", {"INPUT": pts, "RASTERS": [single, multi], "METHOD": 0,
                                        "FIELD_PREFIX": "", "OUTPUT": out})
    got = read_points(out)
    assert list(got.columns) == ["pid", "ndvi", "ndvi_2020_07", "sm_stack_1", "sm_stack_2", "sm_stack_3"]
    np.testing.assert_array_equal(got.columns["ndvi_2020_07"], _expected(single, x, y)[0])
    exp = _expected(multi, x, y)
    for b in range(3):
        np.testing.assert_array_equal(got.columns[f"sm_stack_{b + 1}"], exp[b])
    assert np.isnan(got.columns["ndvi_2020_07"][0])          # nodata pixel
    outside = np.isnan(exp[0])
    assert outside.sum() > 20 and np.all(np.isnan(got.columns["sm_stack_1"][outside]))
    assert "outside or on nodata" in fb.text()


def test_points_in_another_crs_are_reprojected_and_bilinear_is_exact_on_a_plane(run_alg, tmp_path):
    pts, x, y = _points(tmp_path, crs="EPSG:4326", name="geo.gpkg")
    ras = _raster(tmp_path, "plane")
    out = str(tmp_path / "out.gpkg")
    run_alg("samplerasters", {"INPUT": pts, "RASTERS": [ras], "METHOD": 1, "FIELD_PREFIX": "s_",
                              "OUTPUT": out})
    got = read_points(out).columns["s_plane"]
    plane = 1.0 + 0.001 * (x - X0) + 0.002 * (y - Y0)
    inner = (x > X0 + PX) & (x < X0 + 199 * PX) & (y < Y0 - PX) & (y > Y0 - 149 * PX)
    inner &= ~((np.abs(x - (X0 + 20.5 * PX)) < 2 * PX) & (np.abs(y - (Y0 - 10.5 * PX)) < 2 * PX))
    np.testing.assert_allclose(got[inner], plane[inner], rtol=1e-5)
    assert np.all(np.isnan(got[~inner & ((x < X0) | (y > Y0))]))


def test_shapefile_output_gets_short_unique_names(run_alg, tmp_path):
    pts, _, _ = _points(tmp_path)
    a = _raster(tmp_path, "soil_moisture_201907")
    b = _raster(tmp_path, "soil_moisture_202007")
    out = str(tmp_path / "out.shp")
    run_alg("samplerasters", {"INPUT": pts, "RASTERS": [a, b], "OUTPUT": out})
    names = list(read_points(out).columns)
    assert names == ["pid", "ndvi", "soil_moist", "soil_moi_2"]


def test_no_raster_is_refused_and_nothing_is_written(run_alg, tmp_path):
    pts, _, _ = _points(tmp_path)
    before = iftest.sha256(pts)
    out = str(tmp_path / "out.gpkg")
    with pytest.raises(QgsProcessingException):
        run_alg("samplerasters", {"INPUT": pts, "RASTERS": [], "OUTPUT": out})
    assert not os.path.exists(out) and iftest.sha256(pts) == before

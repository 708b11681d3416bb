import numpy as np
import pytest
from osgeo import gdal, osr

from insar_fusion.core.errors import InputError
from insar_fusion.core.raster import Grid, write_array
from insar_fusion.core.sampling import sample

UTM = osr.SpatialReference()
UTM.ImportFromEPSG(32647)


def _plane(tmp_path, nodata_at=None):
    """A 2-band raster whose value is a plane a + b*x + c*y (band 2 = 2 * band 1)."""
    grid = Grid((500000.0, 30.0, 0.0, 4300000.0, 0.0, -30.0), 2500, 1500, UTM.ExportToWkt())
    xc, yc = grid.centres()
    band = (1.0 + 0.001 * (xc[None, :] - 5e5) + 0.002 * (yc[:, None] - 4.3e6)).astype(np.float32)
    arr = np.stack([band, 2 * band])
    if nodata_at:
        arr[:, nodata_at[0], nodata_at[1]] = -9999
    path = str(tmp_path / "plane.tif")
    write_array(path, grid, arr, nodata=-9999)
    return path, grid


def test_nearest_returns_the_pixel_value_under_each_point(tmp_path):
    path, grid = _plane(tmp_path)
    rng = np.random.default_rng(3)
    x = rng.uniform(500000, 500000 + 30 * 2500, 5000)
    y = rng.uniform(4300000 - 30 * 1500, 4300000, 5000)
    got = sample(path, x, y)
    ds = gdal.Open(path)
    full = ds.ReadAsArray()
    col = np.floor((x - 500000) / 30).astype(int)
    row = np.floor((4300000 - y) / 30).astype(int)
    np.testing.assert_array_equal(got, full[:, row, col].T)


def test_bilinear_is_exact_on_a_plane(tmp_path):
    path, _ = _plane(tmp_path)
    x = np.array([500100.0, 520003.3, 560001.1])
    y = np.array([4299900.0, 4280005.5, 4260000.9])
    got = sample(path, x, y, bands=[1], method="bilinear")[:, 0]
    expected = 1.0 + 0.001 * (x - 5e5) + 0.002 * (y - 4.3e6)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_outside_and_nodata_give_nan(tmp_path):
    path, grid = _plane(tmp_path, nodata_at=(10, 20))
    x = np.array([400000.0, 500000 + 20.5 * 30, 500000 + 21.5 * 30])
    y = np.array([4290000.0, 4300000 - 10.5 * 30, 4300000 - 10.5 * 30])
    got = sample(path, x, y, bands=[1])[:, 0]
    assert np.isnan(got[0]) and np.isnan(got[1]) and np.isfinite(got[2])


def test_points_in_another_crs_are_reprojected(tmp_path):
    path, _ = _plane(tmp_path)
    x, y = np.array([530000.0]), np.array([4280000.0])
    geo = osr.SpatialReference()
    geo.ImportFromEPSG(4326)
    geo.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    UTM.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lon, lat, _ = osr.CoordinateTransformation(UTM, geo).TransformPoint(530000.0, 4280000.0)
    got = sample(path, [lon], [lat], points_wkt=geo.ExportToWkt(), bands=[1])
    assert got[0, 0] == pytest.approx(sample(path, x, y, bands=[1])[0, 0])


def test_band_out_of_range_is_refused(tmp_path):
    path, _ = _plane(tmp_path)
    with pytest.raises(InputError, match="Band 3 does not exist"):
        sample(path, [500100.0], [4299900.0], bands=[3])

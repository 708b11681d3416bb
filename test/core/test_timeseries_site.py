"""A site's circle means and its analysis, against brute-force numpy and planted truth."""
import datetime as dt

import numpy as np
import pytest
from osgeo import gdal, osr
from scipy import stats as sps

import tsdata as T
from insar_fusion.core.errors import InputError
from insar_fusion.core.timeseries import stacks as stacks_mod
from insar_fusion.core.timeseries.monthly import FIRST, MIDDLE
from insar_fusion.core.timeseries.site import SiteData, analyse
from insar_fusion.core.timeseries.stacks import StackReader
from insar_fusion.core.timeseries.store import PointStore, read_store, summarise

CENTRE = (405000.0, 4315000.0)
R = 2000.0


def _store(noise=1.0, seed=3):
    x, y, pid, dates, mat = T.insar_points(CENTRE, R, noise=noise, seed=seed)
    return PointStore(x, y, pid, dates, mat, T.CRS), (x, y, pid, dates, mat)


def test_nearest_and_within_agree_with_a_brute_force_scan():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1000, 5000), rng.uniform(0, 1000, 5000)
    x[7] = np.nan
    store = PointStore(x, y, np.arange(5000), [dt.date(2020, 1, 1)], np.zeros((5000, 1)))
    for qx, qy in rng.uniform(0, 1000, (20, 2)):
        d2 = (x - qx) ** 2 + (y - qy) ** 2
        row, dist = store.nearest(qx, qy)
        assert row == np.nanargmin(d2) and dist == pytest.approx(np.sqrt(np.nanmin(d2)))
        assert np.array_equal(store.within(qx, qy, 120.0), np.flatnonzero(d2 <= 120.0 ** 2))
    store.lookup = "brute"
    assert store.nearest(500, 500)[0] == np.nanargmin((x - 500) ** 2 + (y - 500) ** 2)


def test_circle_summary_is_the_nan_mean_std_and_count_of_the_points_inside():
    store, (x, y, _, dates, mat) = _store()
    mat = mat.copy()
    mat[0, 3] = np.nan
    store = PointStore(x, y, np.arange(len(x)), dates, mat)
    inside = (x - CENTRE[0]) ** 2 + (y - CENTRE[1]) ** 2 <= R ** 2
    c = store.circle(*CENTRE, R)
    rows = mat[inside].astype(np.float32).astype(float)
    assert c.n_points == inside.sum() == 40
    assert np.allclose(c.mean, np.nanmean(rows, axis=0), atol=1e-5)
    assert np.allclose(c.spread, np.nanstd(rows, axis=0, ddof=1), atol=1e-5)
    assert c.count[3] == 39 and c.count[0] == 40
    one = summarise(dates[:2], np.array([[1.0, np.nan]]))
    assert one.mean[0] == 1.0 and np.isnan(one.spread[0]) and np.isnan(one.mean[1])


def test_read_store_reads_ids_coordinates_and_series_from_a_geopackage(tmp_path):
    x, y, pid, dates, mat = T.insar_points(CENTRE, R, n_inside=10, n_outside=5)
    mat[2, 4] = np.nan
    path = T.write_insar(str(tmp_path / "pts.gpkg"), x, y, pid + 100, dates, mat)
    store = read_store(path)
    k = np.argsort(store.ids)  # the store keeps its rows in Z order (nearby points together)
    assert np.array_equal(store.ids[k], pid + 100)
    assert np.allclose(store.x[k], x) and np.allclose(store.y[k], y)
    assert store.dates == tuple(dates)
    assert np.allclose(store.series[k], mat.astype(np.float32), equal_nan=True)
    assert np.isnan(store.series[k][2, 4])
    assert not store.complete_row[k][2] and store.complete_row[k][[0, 1, 3]].all()


def test_read_store_reads_every_row_of_a_geopackage_with_300_dates(tmp_path):
    """GDAL 3.6's GeoPackage Arrow reader drops all rows beyond ~125 fields; the store must not."""
    rng = np.random.default_rng(2)
    dates = T.acquisition_dates(300, step=6)
    x, y = rng.uniform(4e5, 4.1e5, 9), rng.uniform(4.3e6, 4.31e6, 9)
    mat = rng.normal(size=(9, 300))
    path = T.write_insar(str(tmp_path / "wide.gpkg"), x, y, np.arange(9) + 7, dates, mat)
    store = read_store(path)
    assert len(store) == 9 and len(store.dates) == 300
    k = np.argsort(store.ids)
    assert np.array_equal(store.ids[k], np.arange(9) + 7)
    assert np.allclose(store.series[k], mat.astype(np.float32))


def test_read_store_refuses_a_layer_without_date_fields(tmp_path):
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import write_points

    path = str(tmp_path / "nodates.gpkg")
    write_points(path, PointTable([1.0], [2.0], {"pid": np.array([1])}, T.CRS))
    with pytest.raises(InputError, match="no date fields"):
        read_store(path)


def _brute_circle_mean(path, cx, cy, radius, to_wkt=None):
    ds = gdal.Open(path)
    arr = ds.GetRasterBand(1).ReadAsArray().astype(float)
    x0, dx, _, y0, _, dy = ds.GetGeoTransform()
    cols, rows = np.meshgrid(np.arange(ds.RasterXSize) + 0.5, np.arange(ds.RasterYSize) + 0.5)
    px, py = x0 + dx * cols, y0 + dy * rows
    if to_wkt:  # pixel centres into the site's CRS
        src = osr.SpatialReference(wkt=ds.GetProjection())
        dst = osr.SpatialReference()
        dst.SetFromUserInput(to_wkt)
        for s in (src, dst):
            s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        pts = np.array(osr.CoordinateTransformation(src, dst).TransformPoints(
            np.column_stack([px.ravel(), py.ravel()])))
        px, py = pts[:, 0].reshape(px.shape), pts[:, 1].reshape(py.shape)
    inside = ((px - cx) ** 2 + (py - cy) ** 2 <= radius ** 2) & np.isfinite(arr)
    return arr[inside].mean(), inside.sum()


def test_stack_circle_mean_matches_a_whole_raster_brute_force(tmp_path):
    paths = T.write_stack(str(tmp_path / "ndvi"), "ndvi", T.ndvi_of, nodata_hole=True, count=4)
    got = StackReader("ndvi", paths).circle_means(402050.0, 4317980.0, 1800.0)
    assert got.dates == tuple(dt.date(2019, m, 16) for m in (1, 2, 3, 4))  # month-only: the 16th
    for k, path in enumerate(paths):
        mean, count = _brute_circle_mean(path, 402050.0, 4317980.0, 1800.0)
        assert got.values[k] == pytest.approx(mean, rel=1e-6)
        assert got.pixels[k] == count
    # the corner hole (NaN) is inside a circle at the corner and is left out
    corner = StackReader("ndvi", paths[:1]).circle_means(400100.0, 4319900.0, 600.0)
    assert corner.values[0] == pytest.approx(_brute_circle_mean(paths[0], 400100.0, 4319900.0, 600.0)[0])


def test_stack_in_geographic_coordinates_is_averaged_over_the_metric_circle(tmp_path):
    src = T.write_stack(str(tmp_path / "utm"), "sm", T.sm_of, count=2)
    paths = []
    for p in src:
        out = p.replace(".tif", "_4326.tif").replace("sm_", "sm4326_")
        gdal.Warp(out, p, dstSRS="EPSG:4326", resampleAlg="near")
        paths.append(out)
    got = StackReader("sm", paths, T.CRS).circle_means(*CENTRE, R)
    for k, p in enumerate(paths):
        mean, count = _brute_circle_mean(p, *CENTRE, R, to_wkt=T.CRS)
        assert got.pixels[k] == count > 100
        assert got.values[k] == pytest.approx(mean, rel=1e-6)


def test_stack_reader_reads_only_the_window_around_the_circle(tmp_path, monkeypatch):
    paths = T.write_stack(str(tmp_path / "p"), "precip", lambda t: 20.0 + 0 * t, count=3,
                          size=(200, 200), pixel=100.0)
    seen = []
    real = stacks_mod.read_float
    monkeypatch.setattr(stacks_mod, "read_float", lambda band, window, *a: seen.append(window) or
                        real(band, window, *a))
    monkeypatch.setattr(stacks_mod, "CUBE_BYTES", 0)  # too big to hold: windowed reads
    StackReader("precipitation", paths).circle_means(410000.0, 4310000.0, 1000.0)
    assert len(seen) == 3
    assert all(w[2] <= 21 and w[3] <= 21 for w in seen)  # 2 km across at 100 m, not 200 x 200


def test_a_small_stack_is_read_once_into_memory_and_gives_the_windowed_means(tmp_path, monkeypatch):
    paths = T.write_stack(str(tmp_path / "n"), "ndvi", T.ndvi_of, count=5, size=(60, 60), pixel=100.0)
    seen = []
    real = stacks_mod.read_float
    monkeypatch.setattr(stacks_mod, "read_float", lambda band, window, *a: seen.append(window) or
                        real(band, window, *a))
    held = StackReader("ndvi", paths)
    sites = [(402000.0, 4317000.0, 900.0), (403500.0, 4316000.0, 1500.0), (400050.0, 4319950.0, 300.0)]
    got = [held.circle_means(x, y, r) for x, y, r in sites]
    assert seen == [(0, 0, 60, 60)] * 5  # each file read whole once (one strip), then no more reads
    monkeypatch.setattr(stacks_mod, "CUBE_BYTES", 0)
    for (x, y, r), g in zip(sites, got):
        want = StackReader("ndvi", paths).circle_means(x, y, r)
        assert np.array_equal(g.pixels, want.pixels)
        assert np.allclose(g.values, want.values, rtol=1e-6, equal_nan=True)


def test_a_circle_smaller_than_a_pixel_uses_the_pixel_under_the_centre(tmp_path):
    paths = T.write_stack(str(tmp_path / "n"), "ndvi", T.ndvi_of, count=1)
    got = StackReader("ndvi", paths).circle_means(400000.0 + 250 * 3.5 + 10, 4320000.0 - 250 * 7.5, 20.0)
    arr = gdal.Open(paths[0]).ReadAsArray()
    assert got.pixels[0] == 1 and got.values[0] == pytest.approx(arr[7, 3])
    outside = StackReader("ndvi", paths).circle_means(300000.0, 4320000.0, 100.0)
    assert np.isnan(outside.values[0]) and outside.pixels[0] == 0


def _site(tmp_path, smoothing=3, noise=1.0):
    store, _ = _store(noise)
    readers = [StackReader("ndvi", T.write_stack(str(tmp_path / "ndvi"), "ndvi", T.ndvi_of)),
               StackReader("soil_moisture", T.write_stack(str(tmp_path / "sm"), "sm", T.sm_of)),
               StackReader("precipitation", T.write_stack(
                   str(tmp_path / "pr"), "precip",
                   lambda t: 20.0 + 8.0 * np.sin(0.9 * np.floor(t / 30.4) ** 1.7)))]
    data = SiteData("A", *CENTRE, R, store.circle(*CENTRE, R),
                    tuple(r.circle_means(*CENTRE, R) for r in readers))
    return analyse(data, smoothing)


@pytest.mark.parametrize("smoothing", [1, 3, 5])
def test_planted_lags_ndvi_15_and_soil_moisture_30_days_are_recovered(tmp_path, smoothing):
    a = _site(tmp_path, smoothing)
    assert a.lag("ndvi").lag_days == pytest.approx(15.0, abs=5.0)
    assert a.lag("soil_moisture").lag_days == pytest.approx(30.0, abs=5.0)
    assert a.lag("ndvi").r_at_lag < -0.95 and a.lag("soil_moisture").r_at_lag < -0.95


@pytest.mark.parametrize("month_day,lags", [(MIDDLE, (15.0, 30.0)), (FIRST, (0.0, 15.0))])
def test_monthly_mean_stacks_need_the_middle_of_the_month(tmp_path, month_day, lags):
    """Monthly MEANS dated on the 1st look half a month early: the MIDDLE option corrects it."""
    store, _ = _store()
    readers = [StackReader(label, T.write_stack(str(tmp_path / label), label, func, at="mean"),
                           month_day=month_day)
               for label, func in (("ndvi", T.ndvi_of), ("soil_moisture", T.sm_of))]
    data = SiteData("A", *CENTRE, R, store.circle(*CENTRE, R),
                    tuple(r.circle_means(*CENTRE, R) for r in readers))
    a = analyse(data, 3, base_day=month_day)
    assert a.base[0].day == month_day
    assert a.lag("ndvi").lag_days == pytest.approx(lags[0], abs=5.0)
    assert a.lag("soil_moisture").lag_days == pytest.approx(lags[1], abs=5.0)


def test_strong_correlation_where_planted_and_weak_where_not(tmp_path):
    a = _site(tmp_path)
    assert a.correlation("rate", "ndvi").r < -0.85
    assert a.correlation("rate", "soil_moisture").r < -0.8
    assert a.correlation("ndvi", "soil_moisture").r > 0.9
    assert abs(a.correlation("rate", "precipitation").r) < 0.5
    assert a.correlation("rate", "ndvi").p_value < 1e-5


def test_analysis_series_are_the_circle_mean_on_the_monthly_base(tmp_path):
    a = _site(tmp_path, smoothing=1)
    c = a.data.circle
    t = np.array([d.toordinal() for d in c.dates], float)
    tb = np.array([d.toordinal() for d in a.base], float)
    inside = (tb >= t[0]) & (tb <= t[-1])
    assert np.allclose(a.monthly["deformation"][inside], np.interp(tb[inside], t, c.mean))
    assert np.isnan(a.monthly["deformation"][~inside]).all()
    ndvi = a.data.stacks[0]
    assert np.allclose(a.monthly["ndvi"], ndvi.values)  # stacks already sit on the 16th
    corr = a.correlation("rate", "ndvi")
    ok = np.isfinite(a.monthly["rate"]) & np.isfinite(a.monthly["ndvi"])
    assert corr.r == pytest.approx(sps.pearsonr(a.monthly["rate"][ok], a.monthly["ndvi"][ok])[0])
    assert corr.n == ok.sum()


def test_a_site_with_no_point_inside_is_refused():
    store, _ = _store()
    data = SiteData("far", 0.0, 0.0, 100.0, store.circle(0.0, 0.0, 100.0))
    with pytest.raises(InputError, match="no InSAR point"):
        analyse(data)


def test_two_stacks_with_one_label_are_refused(tmp_path):
    store, _ = _store()
    reader = StackReader("ndvi", T.write_stack(str(tmp_path / "n"), "ndvi", T.ndvi_of, count=6))
    s = reader.circle_means(*CENTRE, R)
    with pytest.raises(InputError, match="labelled 'ndvi'"):
        analyse(SiteData("A", *CENTRE, R, store.circle(*CENTRE, R), (s, s)))


def test_z_order_keeps_every_point_and_puts_neighbours_together():
    from insar_fusion.core.timeseries.store import spatial_order

    rng = np.random.default_rng(9)
    x, y = rng.uniform(0, 1000, 5000), rng.uniform(0, 1000, 5000)
    x[7] = np.nan
    order = spatial_order(x, y)
    assert sorted(order.tolist()) == list(range(5000)) and order[-1] == 7
    store = PointStore(x, y, np.arange(5000), [dt.date(2020, 1, 1)], rng.normal(size=(5000, 1)), reorder=True)
    rows = store.within(430.0, 610.0, 60.0)
    runs = 1 + int((np.diff(rows) > 1).sum())
    assert len(rows) > 40 and runs <= len(rows) / 4  # a circle's rows sit in a few contiguous runs
    inside = np.flatnonzero((x - 430) ** 2 + (y - 610) ** 2 <= 3600)
    assert sorted(store.ids[rows].tolist()) == inside.tolist()


def test_summary_fast_path_matches_numpy_even_far_from_zero():
    rng = np.random.default_rng(11)
    block = (1000.0 + rng.normal(0, 0.5, (20000, 30))).astype(np.float32)  # mean ≫ std
    got = summarise([dt.date(2020, 1, 1 + k) for k in range(30)], block, complete=True)
    ref = block.astype(np.float64)
    assert np.allclose(got.mean, ref.mean(axis=0), rtol=1e-12)
    assert np.allclose(got.spread, ref.std(axis=0, ddof=1), rtol=1e-6)
    with_null = block.copy()
    with_null[0, 0] = np.nan  # the general path (two passes over float64)
    slow = summarise([dt.date(2020, 1, 1 + k) for k in range(30)], with_null)
    assert np.allclose(slow.spread[1:], got.spread[1:], rtol=1e-6)
    assert slow.count[0] == 19999 and slow.spread[0] == pytest.approx(ref[1:, 0].std(ddof=1), rel=1e-9)

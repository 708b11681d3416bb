"""insarfusion:composite: the window's edges, the methods and the grids, against numpy."""
import os
import warnings

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsRasterLayer

import iftest
import optical_data as od

SHAPE = (12, 15)


def _series(tmp_path, names, seed=0, **kw):
    """One random NDVI raster per file name; returns {name: (path, array)}."""
    rng = np.random.default_rng(seed)
    out = {}
    for name in names:
        a = rng.uniform(-0.2, 0.9, SHAPE).astype(np.float32)
        a[rng.random(SHAPE) < 0.1] = np.nan  # clouds
        out[name] = (od.write(tmp_path / name, a, **kw), a)
    return out


EDGE = ["ndvi_20190630.tif", "ndvi_20190701.tif", "ndvi_20190715.tif", "ndvi_20190731.tif",
        "ndvi_20190801.tif"]


def test_mvc_is_the_max_over_exactly_the_inputs_inside_the_window_edges_included(run_alg, tmp_path):
    s = _series(tmp_path, EDGE)
    s["ndvi_20190630.tif"][1][:] = 0.99  # outside: would win everywhere if wrongly included
    od.write(tmp_path / "ndvi_20190630.tif", s["ndvi_20190630.tif"][1])
    s["ndvi_20190801.tif"][1][:] = 0.98
    od.write(tmp_path / "ndvi_20190801.tif", s["ndvi_20190801.tif"][1])
    inside = [s[n][1] for n in EDGE[1:4]]
    # each edge raster must win somewhere, or dropping it would go unnoticed
    assert (np.nanargmax(np.stack([np.nan_to_num(a, nan=-9) for a in inside]), 0) == 0).any()
    assert (np.nanargmax(np.stack([np.nan_to_num(a, nan=-9) for a in inside]), 0) == 2).any()
    out = str(tmp_path / "mvc.tif")
    paths = [s[n][0] for n in reversed(EDGE)]
    res, fb = run_alg("composite", {"INPUTS": paths, "START": "2019-07-01", "END": "2019-07-31",
                                    "METHOD": 0, "OUTPUT": out})
    with np.errstate(all="ignore"):
        want = np.fmax(np.fmax(inside[0], inside[1]), inside[2])
    got = od.read(out)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(got[~np.isnan(want)], want[~np.isnan(want)])
    assert "3 raster(s)" in fb.text() and "ndvi_20190630" not in fb.text().split("not used")[0]


@pytest.mark.parametrize("method,index,func", [("mean", 1, np.nanmean), ("median", 2, np.nanmedian)])
def test_mean_and_median_match_numpy_ignoring_nodata(run_alg, tmp_path, method, index, func):
    s = _series(tmp_path, [f"ndvi_201907{d:02d}.tif" for d in (3, 8, 13, 18, 23)], seed=index)
    out = str(tmp_path / f"{method}.tif")
    run_alg("composite", {"INPUTS": [p for p, _ in s.values()], "START": "2019-07-01",
                          "END": "2019-07-31", "METHOD": index, "OUTPUT": out})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # all-NaN pixels
        want = func(np.stack([a.astype(float) for _, a in s.values()]), axis=0)
    got = od.read(out)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(want)], want[~np.isnan(want)], atol=1e-6)


def test_monthly_rasters_count_when_their_month_overlaps_the_window(run_alg, tmp_path):
    s = _series(tmp_path, ["ndvi_201905.tif", "ndvi_201906.tif", "ndvi_201907.tif"], seed=4)
    out = str(tmp_path / "mvc.tif")
    _, fb = run_alg("composite", {"INPUTS": [p for p, _ in s.values()], "START": "2019-06-15",
                                  "END": "2019-07-10", "OUTPUT": out})
    with np.errstate(all="ignore"):
        want = np.fmax(s["ndvi_201906.tif"][1], s["ndvi_201907.tif"][1])
    np.testing.assert_array_equal(np.isnan(od.read(out)), np.isnan(want))
    np.testing.assert_allclose(od.read(out)[~np.isnan(want)], want[~np.isnan(want)])
    assert "2 raster(s)" in fb.text()


def test_dates_are_read_from_gdal_metadata_when_the_name_has_none(run_alg, tmp_path):
    a = np.full(SHAPE, 0.3, np.float32)
    b = np.full(SHAPE, 0.6, np.float32)
    c = np.full(SHAPE, 0.9, np.float32)
    pa = od.write(tmp_path / "scene_a.tif", a, metadata={"ACQUISITION_DATE": "2019-07-10"})
    pb = od.write(tmp_path / "scene_b.tif", b, metadata={"TIFFTAG_DATETIME": "2019:07:20 10:00:00"})
    pc = od.write(tmp_path / "scene_c.tif", c, metadata={"ACQUISITION_DATE": "2019-08-02"})
    out = str(tmp_path / "mvc.tif")
    run_alg("composite", {"INPUTS": [pa, pb, pc], "START": "2019-07-01", "END": "2019-07-31",
                          "OUTPUT": out})
    np.testing.assert_allclose(od.read(out), 0.6)


def test_inputs_on_a_coarser_grid_are_resampled_onto_the_first_inputs_grid(run_alg, tmp_path):
    rng = np.random.default_rng(5)
    fine = rng.uniform(0, 0.5, (12, 16)).astype(np.float32)
    coarse = rng.uniform(0, 0.9, (6, 8)).astype(np.float32)
    pf = od.write(tmp_path / "ndvi_20190705.tif", fine, pixel=10.0)
    pc = od.write(tmp_path / "ndvi_20190710.tif", coarse, pixel=20.0)
    out = str(tmp_path / "mvc.tif")
    _, fb = run_alg("composite", {"INPUTS": [pf, pc], "START": "2019-07-01", "END": "2019-07-31",
                                  "OUTPUT": out})
    want = np.maximum(fine, np.repeat(np.repeat(coarse, 2, 0), 2, 1))
    assert od.grid(out) == od.grid(pf)
    np.testing.assert_allclose(od.read(out), want, atol=1e-7)
    assert "Resampled" in fb.text() and "ndvi_20190710.tif" in fb.text()


def test_target_grid_gets_the_area_average_of_each_input_before_the_max(run_alg, tmp_path):
    rng = np.random.default_rng(6)
    a = rng.uniform(0, 0.9, (12, 16)).astype(np.float32)
    b = rng.uniform(0, 0.9, (12, 16)).astype(np.float32)
    pa = od.write(tmp_path / "ndvi_20190705.tif", a)
    pb = od.write(tmp_path / "ndvi_20190710.tif", b)
    target = od.write(tmp_path / "coh.tif", np.zeros((3, 4), np.float32), pixel=40.0)
    out = str(tmp_path / "mvc.tif")
    run_alg("composite", {"INPUTS": [pa, pb], "START": "2019-07-01", "END": "2019-07-31",
                          "TARGET": target, "OUTPUT": out})

    def block_mean(x):
        return x.astype(float).reshape(3, 4, 4, 4).mean(axis=(1, 3))

    assert od.grid(out) == od.grid(target)
    np.testing.assert_allclose(od.read(out), np.maximum(block_mean(a), block_mean(b)), atol=1e-6)


def test_output_is_styled_and_loads_with_its_qml(run_alg, tmp_path):
    s = _series(tmp_path, EDGE[1:3])
    out = str(tmp_path / "mvc.tif")
    run_alg("composite", {"INPUTS": [p for p, _ in s.values()], "START": "2019-07-01",
                          "END": "2019-07-31", "OUTPUT": out})
    layer = QgsRasterLayer(out, "mvc", "gdal")
    assert layer.renderer().type() == "singlebandpseudocolor"


def _refused(run_alg, tmp_path, params, words, inputs):
    before = [iftest.sha256(p) for p in inputs]
    out = str(tmp_path / "out.tif")
    with pytest.raises(QgsProcessingException, match=words):
        run_alg("composite", dict(params, OUTPUT=out))
    assert not os.path.exists(out)
    assert [iftest.sha256(p) for p in inputs] == before


def test_no_dated_input_inside_the_window_is_refused(run_alg, tmp_path):
    s = _series(tmp_path, EDGE)
    paths = [p for p, _ in s.values()]
    _refused(run_alg, tmp_path, {"INPUTS": paths, "START": "2020-01-01", "END": "2020-02-01"},
             "No dated input falls between 2020-01-01 and 2020-02-01", paths)


def test_an_input_without_a_date_is_refused(run_alg, tmp_path):
    s = _series(tmp_path, ["ndvi_20190705.tif", "mystery.tif"])
    paths = [p for p, _ in s.values()]
    _refused(run_alg, tmp_path, {"INPUTS": paths, "START": "2019-07-01", "END": "2019-07-31"},
             "No date found for 'mystery.tif'", paths)


def test_another_crs_without_target_is_refused_and_works_with_one(run_alg, tmp_path):
    a = _series(tmp_path, ["ndvi_20190705.tif"])["ndvi_20190705.tif"][0]
    from osgeo import osr
    ct = osr.CoordinateTransformation(osr.SpatialReference(od.wkt(32647)), osr.SpatialReference(od.wkt(4326)))
    lat, lon, _ = ct.TransformPoint(400000.0, 4300000.0)  # EPSG:4326 axis order: lat, lon
    b = od.write(tmp_path / "ndvi_20190710.tif", np.full(SHAPE, 0.5, np.float32), epsg=4326,
                 x0=lon - 0.0002, y0=lat + 0.0002, pixel=0.0002)
    params = {"INPUTS": [a, b], "START": "2019-07-01", "END": "2019-07-31"}
    _refused(run_alg, tmp_path, params, "WGS 84.*TARGET", [a, b])
    out = str(tmp_path / "ok.tif")
    run_alg("composite", dict(params, TARGET=a, OUTPUT=out))
    assert od.grid(out) == od.grid(a)


def test_rasters_that_do_not_overlap_are_refused(run_alg, tmp_path):
    a = _series(tmp_path, ["ndvi_20190705.tif"])["ndvi_20190705.tif"][0]
    b = od.write(tmp_path / "ndvi_20190710.tif", np.full(SHAPE, 0.5, np.float32), x0=500000.0)
    _refused(run_alg, tmp_path, {"INPUTS": [a, b], "START": "2019-07-01", "END": "2019-07-31"},
             "'ndvi_20190710.tif' does not overlap the first input", [a, b])


def test_end_before_start_is_refused(run_alg, tmp_path):
    s = _series(tmp_path, EDGE[:2])
    paths = [p for p, _ in s.values()]
    _refused(run_alg, tmp_path, {"INPUTS": paths, "START": "2019-08-01", "END": "2019-07-01"},
             "swap START and END", paths)


def test_a_composite_of_non_ndvi_values_gets_a_ramp_over_its_own_range(run_alg, tmp_path):
    rng = np.random.default_rng(8)
    rain = [rng.uniform(0, 120, SHAPE).astype(np.float32) for _ in range(2)]
    paths = [od.write(tmp_path / f"precip_2019070{k + 1}.tif", a) for k, a in enumerate(rain)]
    out = str(tmp_path / "rain_mean.tif")
    run_alg("composite", {"INPUTS": paths, "START": "2019-07-01", "END": "2019-07-31", "METHOD": 1,
                          "OUTPUT": out})
    layer = QgsRasterLayer(out, "rain", "gdal")
    lo, hi = layer.renderer().classificationMin(), layer.renderer().classificationMax()
    values = od.read(out)
    assert np.percentile(values, 0) <= lo < np.percentile(values, 10)
    assert np.percentile(values, 90) < hi <= np.percentile(values, 100)

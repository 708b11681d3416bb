"""insarfusion:sitetimeseries through processing.run, on synthetic data with planted lags."""
import os

import numpy as np
import pytest
from osgeo import ogr
from qgis.core import QgsApplication, QgsProcessingException
from scipy import stats as sps

import iftest
import tsdata as T
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import write_points

CENTRE = (405000.0, 4315000.0)
OTHER = (409000.0, 4311000.0)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sts")
    x, y, pid, dates, mat = T.insar_points(CENTRE, 2000.0, n_inside=40, n_outside=40)
    # a second site: points near OTHER with an unrelated, faster cycle
    rng = np.random.default_rng(9)
    x2, y2 = OTHER[0] + rng.uniform(-900, 900, 25), OTHER[1] + rng.uniform(-900, 900, 25)
    t = np.array([T.days(d) for d in dates])
    m2 = 4 * np.sin(2 * np.pi * t / 120.0)[None, :] + rng.normal(0, 0.5, (25, len(t)))
    x, y, mat = np.r_[x, x2], np.r_[y, y2], np.vstack([mat, m2])
    pid = np.arange(len(x), dtype=np.int64)
    insar = T.write_insar(str(folder / "insar.gpkg"), x, y, pid, dates, mat)
    sites = str(folder / "sites.gpkg")
    write_points(sites, PointTable([CENTRE[0], OTHER[0]], [CENTRE[1], OTHER[1]],
                                   {"name": np.array(["P1", "P2"], dtype=object)}, T.CRS))
    stacks = {"NDVI_STACK": T.write_stack(str(folder / "ndvi"), "ndvi", T.ndvi_of),
              "SM_STACK": T.write_stack(str(folder / "sm"), "sm", T.sm_of, pixel=1000.0, size=(12, 12)),
              "PRECIP_STACK": T.write_stack(str(folder / "pr"), "precip",
                                            lambda t: 20 + 8 * np.sin(0.9 * np.floor(t / 30.4) ** 1.7),
                                            pixel=1000.0, size=(12, 12))}
    return dict(folder=folder, insar=insar, sites=sites, x=x, y=y, dates=dates, mat=mat, **stacks)


def _params(data, tmp_path, **kw):
    p = {"SITES": data["sites"], "SITE_FIELD": "name", "INSAR": data["insar"], "RADIUS": 2000.0,
         "NDVI_STACK": data["NDVI_STACK"], "SM_STACK": data["SM_STACK"],
         "PRECIP_STACK": data["PRECIP_STACK"], "SMOOTHING": 3,
         "OUTPUT_TABLE": str(tmp_path / "series.gpkg"), "OUTPUT_CORRELATION": str(tmp_path / "corr.gpkg"),
         "OUTPUT_LAGS": str(tmp_path / "lags.csv"), "OUTPUT_HTML": str(tmp_path / "report.html")}
    p.update(kw)
    return p


def _rows(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    out = [{k: f.GetField(k) for k in f.keys()} for f in lyr]
    ds = None
    return out


@pytest.fixture(scope="module")
def result(data, tmp_path_factory, provider):
    out = tmp_path_factory.mktemp("out")
    res, fb = iftest.run_alg("sitetimeseries", _params(data, out))
    return res, fb, out


def test_planted_lags_are_recovered_within_five_days(result):
    res, _, _ = result
    lags = {(r["site"], r["variable"]): r for r in _rows(res["OUTPUT_LAGS"])}
    assert float(lags[("P1", "ndvi")]["lag_days"]) == pytest.approx(15.0, abs=5.0)
    assert float(lags[("P1", "soil_moisture")]["lag_days"]) == pytest.approx(30.0, abs=5.0)
    assert float(lags[("P1", "ndvi")]["r_with_rate"]) < -0.85
    assert float(lags[("P1", "soil_moisture")]["r_with_rate"]) < -0.8
    assert abs(float(lags[("P1", "precipitation")]["r_with_rate"])) < 0.5
    assert {v for s, v in lags} == {"ndvi", "soil_moisture", "precipitation"}


def test_series_table_deformation_is_the_brute_force_circle_mean(result, data):
    res, _, _ = result
    rows = _rows(res["OUTPUT_TABLE"])
    assert set(rows[0]) >= {"site", "date", "variable", "value"}
    inside = (data["x"] - CENTRE[0]) ** 2 + (data["y"] - CENTRE[1]) ** 2 <= 2000.0 ** 2
    mean = data["mat"][inside].mean(axis=0)
    t = np.array([T.days(d) for d in data["dates"]])
    raw = {r["date"]: r["value"] for r in rows if r["site"] == "P1" and r["variable"] == "deformation_raw"}
    for date_text, value in raw.items():
        d = np.datetime64(date_text.replace("/", "-"))
        td = float((d - np.datetime64("2019-01-01")).astype(int))
        assert value == pytest.approx(np.interp(td, t, mean), abs=1e-4)
    assert len(raw) == 23
    counts = {r["value"] for r in rows if r["site"] == "P1" and r["variable"] == "point_count"}
    assert counts == {float(inside.sum())}


def test_correlations_match_scipy_on_the_output_series(result):
    res, _, _ = result
    series = {}
    for r in _rows(res["OUTPUT_TABLE"]):
        series.setdefault((r["site"], r["variable"]), {})[r["date"]] = r["value"]
    corr = [r for r in _rows(res["OUTPUT_CORRELATION"])]
    assert len(corr) == 2 * 10  # 5 variables: 10 pairs per site
    for r in corr:
        a, b = series[(r["site"], r["variable_a"])], series[(r["site"], r["variable_b"])]
        common = sorted(set(a) & set(b))
        ref = sps.pearsonr([a[d] for d in common], [b[d] for d in common])
        assert r["r"] == pytest.approx(ref[0], abs=1e-9)
        assert r["p_value"] == pytest.approx(ref[1], rel=1e-6, abs=1e-12)
        assert r["n"] == len(common)


def test_report_has_the_three_charts_for_each_site(result):
    res, fb, _ = result
    text = open(res["OUTPUT_HTML"], encoding="utf-8").read()
    assert text.count("<h2>Site") == 2 and text.count("<img") == 6
    assert "Site P1: 40 points" in fb.text()


def test_sites_in_another_crs_and_feature_ids_as_names(data, tmp_path, provider):
    from osgeo import osr

    src, dst = osr.SpatialReference(), osr.SpatialReference()
    src.SetFromUserInput(T.CRS)
    dst.SetFromUserInput("EPSG:4326")
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lon, lat, _ = osr.CoordinateTransformation(src, dst).TransformPoint(*CENTRE)
    sites = str(tmp_path / "geo_sites.gpkg")
    write_points(sites, PointTable([lon], [lat], {"k": np.array([1])}, "EPSG:4326"))
    res, _ = iftest.run_alg("sitetimeseries", _params(data, tmp_path, SITES=sites, SITE_FIELD=None,
                                                      PRECIP_STACK=None, SM_STACK=None))
    lags = _rows(res["OUTPUT_LAGS"])
    assert [(r["site"], r["variable"]) for r in lags] == [("1", "ndvi")]
    assert float(lags[0]["lag_days"]) == pytest.approx(15.0, abs=5.0)


def test_radius_default_follows_the_settings(provider):
    from insar_fusion import settings

    settings.set_value("site_radius", 1500.0)
    try:
        alg = QgsApplication.processingRegistry().createAlgorithmById("insarfusion:sitetimeseries")
        assert alg.parameterDefinition("RADIUS").defaultValue() == 1500.0
    finally:
        settings.reset()
    alg = QgsApplication.processingRegistry().createAlgorithmById("insarfusion:sitetimeseries")
    assert alg.parameterDefinition("RADIUS").defaultValue() == 2000.0


def _assert_refused(data, tmp_path, match, **kw):
    params = _params(data, tmp_path, **kw)
    before = iftest.sha256(data["insar"])
    with pytest.raises(QgsProcessingException, match=match):
        iftest.run_alg("sitetimeseries", params)
    for key in ("OUTPUT_TABLE", "OUTPUT_CORRELATION", "OUTPUT_LAGS", "OUTPUT_HTML"):
        assert not os.path.exists(params[key]), key
    assert iftest.sha256(data["insar"]) == before


def test_insar_layer_in_degrees_is_refused_naming_a_utm_zone(data, tmp_path, provider):
    from osgeo import gdal

    geo = str(tmp_path / "insar_4326.gpkg")
    gdal.VectorTranslate(geo, data["insar"], dstSRS="EPSG:4326")
    _assert_refused(data, tmp_path, "not in metres.*EPSG:32647", INSAR=geo)


def test_stack_file_without_a_date_is_refused(data, tmp_path, provider):
    import shutil

    bad = str(tmp_path / "ndvi_latest.tif")
    shutil.copy(data["NDVI_STACK"][0], bad)
    _assert_refused(data, tmp_path, "No date found in the file name 'ndvi_latest.tif'",
                    NDVI_STACK=data["NDVI_STACK"][1:] + [bad])


def test_sites_far_from_every_point_are_refused(data, tmp_path, provider):
    sites = str(tmp_path / "far.gpkg")
    write_points(sites, PointTable([300000.0], [4000000.0], {"name": np.array(["X"], dtype=object)},
                                   T.CRS))
    _assert_refused(data, tmp_path, "No site has an InSAR point within 2000 m", SITES=sites)

"""insarfusion:gwr through processing.run: GWR4's Georgia results, outputs, styles, refusals."""
import os
import re

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

import iftest
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import read_points, write_points

libpysal = pytest.importorskip("libpysal")
GEORGIA = os.path.join(os.path.dirname(libpysal.__file__), "examples", "georgia")
EXPL = ["PctRural", "PctPov", "PctBlack"]
FIELDS = ["intercept", "coef_PctRural", "coef_PctPov", "coef_PctBlack", "se_intercept", "se_PctRural",
          "se_PctPov", "se_PctBlack", "t_intercept", "t_PctRural", "t_PctPov", "t_PctBlack",
          "predicted", "residual", "std_residual", "local_r2", "influence", "cooks_d", "n_neighbours",
          "cond_number"]
RESULTS = {"R2", "ADJ_R2", "AICC", "AIC", "ENP", "SIGMA2", "RSS", "TR_S", "TR_STS", "BANDWIDTH",
           "WEIGHTED_MEAN_LOCAL_R2", "N_UNDERSUPPORTED"}


def _csv(name):
    return np.genfromtxt(os.path.join(GEORGIA, name), delimiter=",", names=True, autostrip=True)


@pytest.fixture
def georgia_gpkg(tmp_path):
    """GData_utm.csv as a point GeoPackage in UTM 17N (X, Y in metres), all fields kept."""
    d = _csv("GData_utm.csv")
    cols = {n: (d[n].astype(np.int64) if n in ("AreaKey", "ID", "TotPop90") else d[n].astype(float))
            for n in d.dtype.names}
    path = str(tmp_path / "georgia.gpkg")
    write_points(path, PointTable(d["X"], d["Y"], cols, "EPSG:32617"))
    return path


def test_georgia_fixed_bisquare_matches_gwr4_through_processing(run_alg, georgia_gpkg, tmp_path):
    out = str(tmp_path / "gwr.gpkg")
    res, fb = run_alg("gwr", {"INPUT": georgia_gpkg, "DEPENDENT": "PctBach", "EXPLANATORY": EXPL,
                              "BANDWIDTH": 209267.689, "KERNEL": 0, "OUTPUT": out})
    assert RESULTS <= set(res) and res["OUTPUT"] == out
    got = read_points(out)
    ref = _csv("georgia_BS_F_listwise.csv")
    order = np.argsort(got.columns["AreaKey"])
    assert list(got.columns)[:13] == list(_csv("GData_utm.csv").dtype.names)  # input fields kept
    assert list(got.columns)[13:] == FIELDS
    pairs = {"intercept": "est_Intercept", "coef_PctPov": "est_PctPov", "se_PctBlack": "se_PctBlack",
             "t_PctRural": "t_PctRural", "predicted": "yhat", "residual": "residual",
             "std_residual": "std_residual", "local_r2": "localR2", "influence": "influence",
             "cooks_d": "CooksD"}
    ref_order = np.argsort(ref["Area_key"])
    for ours, theirs in pairs.items():
        np.testing.assert_allclose(got.columns[ours][order], ref[theirs][ref_order], rtol=1e-5,
                                   atol=1e-6, err_msg=ours)
    assert res["R2"] == pytest.approx(0.607540, abs=1e-6)
    assert res["ADJ_R2"] == pytest.approx(0.544612, abs=1e-6)
    assert res["AICC"] == pytest.approx(894.982602, abs=1e-5)
    assert res["AIC"] == pytest.approx(890.251635, abs=2e-5)
    assert res["RSS"] == pytest.approx(2012.563924, abs=2e-5)
    assert res["TR_S"] == pytest.approx(16.722876, abs=1e-6)
    assert res["TR_STS"] == pytest.approx(11.612295, abs=1e-6)
    assert res["SIGMA2"] == pytest.approx(3.830458 ** 2, rel=1e-6)
    assert res["ENP"] == pytest.approx(2 * 16.722876 - 11.612295, abs=1e-5)
    assert res["BANDWIDTH"] == 209267.689 and res["N_UNDERSUPPORTED"] == 0
    lr2 = got.columns["local_r2"]
    assert min(lr2) < res["WEIGHTED_MEAN_LOCAL_R2"] < max(lr2)
    assert "R² 0.6075" in fb.text()


def test_output_styles_local_r2_by_default_and_stores_a_diverging_coefficient_style(
        run_alg, georgia_gpkg, tmp_path):
    out = str(tmp_path / "gwr.gpkg")
    run_alg("gwr", {"INPUT": georgia_gpkg, "DEPENDENT": "PctBach", "EXPLANATORY": EXPL,
                    "BANDWIDTH": 150000.0, "KERNEL": 1, "OUTPUT": out})
    layer = QgsVectorLayer(out, "gwr", "ogr")
    assert layer.renderer().type() == "graduatedSymbol"
    assert layer.renderer().classAttribute() == "local_r2"
    count, ids, names, _, _ = layer.listStylesInDatabase()
    assert "coef_PctRural" in names
    xml, _ = layer.getStyleFromDatabase(ids[names.index("coef_PctRural")])
    assert 'attr="coef_PctRural"' in xml and 'type="graduatedSymbol"' in xml
    ranges = [(float(re.search(r'upper="([^"]+)"', r).group(1)),
               float(re.search(r'lower="([^"]+)"', r).group(1))) for r in re.findall(r"<range [^>]*>", xml)]
    assert len(ranges) == 9
    middle_upper, middle_lower = ranges[4]
    assert middle_lower == pytest.approx(-middle_upper)  # diverging: centred on zero


def test_zero_bandwidth_searches_aicc_and_adaptive_kernel_runs(run_alg, georgia_gpkg, tmp_path):
    res, fb = run_alg("gwr", {"INPUT": georgia_gpkg, "DEPENDENT": "PctBach", "EXPLANATORY": EXPL,
                              "BANDWIDTH": 0, "KERNEL": 0, "OUTPUT": str(tmp_path / "a.gpkg")})
    assert "chosen by AICc" in fb.text()
    assert res["BANDWIDTH"] == pytest.approx(211025.26, rel=1e-3)  # mgwr's optimum
    assert res["AICC"] <= 894.982602 + 1e-6
    res, _ = run_alg("gwr", {"INPUT": georgia_gpkg, "DEPENDENT": "PctBach", "EXPLANATORY": EXPL,
                             "KERNEL": 0, "ADAPTIVE_NEIGHBOURS": 90, "OUTPUT": str(tmp_path / "b.gpkg")})
    assert res["AICC"] == pytest.approx(896.462831, abs=1e-5)  # GWR4's BS_NN


def test_undersupported_points_are_null_counted_and_warned(run_alg, tmp_path):
    rng = np.random.default_rng(3)
    n = 400
    x = np.r_[rng.uniform(0, 2000, n), 9000.0] + 500000.0
    y = np.r_[rng.uniform(0, 2000, n), 9000.0] + 4300000.0
    a, b = rng.normal(size=n + 1), rng.normal(size=n + 1)
    path = str(tmp_path / "pts.gpkg")
    write_points(path, PointTable(x, y, {"v": 2 * a - b + rng.normal(0, 0.1, n + 1), "a": a, "b": b},
                                  "EPSG:32647"))
    out = str(tmp_path / "gwr.gpkg")
    res, fb = run_alg("gwr", {"INPUT": path, "DEPENDENT": "v", "EXPLANATORY": ["a", "b"],
                              "BANDWIDTH": 500.0, "OUTPUT": out})
    assert res["N_UNDERSUPPORTED"] == 1
    assert "1 points are under-supported (1 with fewer than 3 neighbours" in fb.text()
    got = read_points(out)
    assert np.isnan(got.columns["coef_a"][-1]) and np.isfinite(got.columns["coef_a"][:-1]).all()
    assert got.columns["n_neighbours"][-1] == 1


def test_geographic_crs_is_refused_naming_a_utm_zone(run_alg, tmp_path):
    rng = np.random.default_rng(1)
    path = str(tmp_path / "geo.gpkg")
    write_points(path, PointTable(rng.uniform(100.0, 100.2, 50), rng.uniform(38.9, 39.1, 50),
                                  {"v": rng.normal(size=50), "a": rng.normal(size=50)}, "EPSG:4326"))
    before = iftest.sha256(path)
    out = str(tmp_path / "gwr.gpkg")
    with pytest.raises(QgsProcessingException, match="EPSG:32647"):
        run_alg("gwr", {"INPUT": path, "DEPENDENT": "v", "EXPLANATORY": ["a"], "OUTPUT": out})
    assert not os.path.exists(out) and iftest.sha256(path) == before


def test_dependent_among_explanatory_is_refused(run_alg, georgia_gpkg, tmp_path):
    out = str(tmp_path / "gwr.gpkg")
    with pytest.raises(QgsProcessingException, match="cannot also be explanatory"):
        run_alg("gwr", {"INPUT": georgia_gpkg, "DEPENDENT": "PctBach",
                        "EXPLANATORY": ["PctBach", "PctPov"], "OUTPUT": out})
    assert not os.path.exists(out)


def test_default_bandwidth_comes_from_the_plugin_settings(run_alg, georgia_gpkg, tmp_path):
    from insar_fusion import settings
    settings.set_value("gwr_bandwidth", 250000.0)
    try:
        res, _ = run_alg("gwr", {"INPUT": georgia_gpkg, "DEPENDENT": "PctBach", "EXPLANATORY": EXPL,
                                 "OUTPUT": str(tmp_path / "g.gpkg")})
    finally:
        settings.reset()
    assert res["BANDWIDTH"] == 250000.0
    # back to the 500 m default: far too small for counties some 30 km apart
    with pytest.raises(QgsProcessingException, match="Only 0 of 159 points .* increase the bandwidth"):
        run_alg("gwr", {"INPUT": georgia_gpkg, "DEPENDENT": "PctBach", "EXPLANATORY": EXPL,
                        "OUTPUT": str(tmp_path / "h.gpkg")})
    assert not os.path.exists(str(tmp_path / "h.gpkg"))


def test_coefficient_style_is_stored_when_saving_to_a_geopackage_layer(run_alg, georgia_gpkg, tmp_path):
    """'Save to GeoPackage layer' gives an ogr: URI; the extra style goes into that file too."""
    target = str(tmp_path / "target.gpkg")
    write_points(target, PointTable(np.array([0.0]), np.array([0.0]), {"a": np.array([1.0])},
                                    "EPSG:32617"), "other")
    run_alg("gwr", {"INPUT": georgia_gpkg, "DEPENDENT": "PctBach", "EXPLANATORY": EXPL,
                    "BANDWIDTH": 150000.0, "KERNEL": 1,
                    "OUTPUT": f"ogr:dbname='{target}' table=\"gwr\" (geom)"})
    layer = QgsVectorLayer(target + "|layername=gwr", "gwr", "ogr")
    assert layer.isValid() and layer.renderer().classAttribute() == "local_r2"
    count, ids, names, _, _ = layer.listStylesInDatabase()
    assert "coef_PctRural" in names
    xml, _ = layer.getStyleFromDatabase(ids[names.index("coef_PctRural")])
    assert 'attr="coef_PctRural"' in xml and 'type="graduatedSymbol"' in xml

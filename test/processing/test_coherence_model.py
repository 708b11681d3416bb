"""coherencemodel, predictcoherence and masklowcoherence through processing.run.

The planted-law test simulates what the sample scene will hold (NDVI at 10 m, a CFloat32 SLC
pair at 25 m whose true coherence is a*exp(b*NDVI)+c of the area-averaged NDVI), estimates
the coherence with insarfusion:coherence and fits the models with insarfusion:coherencemodel.
"""
import os
import re

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

import cohsim
import iftest
from insar_fusion.core.tables import read_table
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import read_points, write_points

LAW = (0.9, -4.0, 0.25)
LOOKS_WINDOW = 7


@pytest.fixture(scope="module")
def planted(tmp_path_factory, provider):
    folder = tmp_path_factory.mktemp("planted")
    paths, ndvi25, gamma = cohsim.planted_law_scene(folder, np.random.default_rng(0), LAW, 400)
    coh = str(folder / "coherence.tif")
    iftest.run_alg("coherence", {"REFERENCE": paths["ref"], "SECONDARY": paths["sec"],
                                 "WINDOW_X": LOOKS_WINDOW, "WINDOW_Y": LOOKS_WINDOW, "OUTPUT": coh})
    out = {k: str(folder / f"{k}") for k in ("models.gpkg", "samples.gpkg", "report.html")}
    res, fb = iftest.run_alg("coherencemodel", {
        "NDVI": paths["ndvi"], "COHERENCE": coh, "WINDOW": 10,
        "OUTPUT_MODELS": out["models.gpkg"], "OUTPUT_SAMPLES": out["samples.gpkg"],
        "OUTPUT_HTML": out["report.html"]})
    return dict(paths, coh=coh, res=res, log=fb.text(), ndvi25=ndvi25, gamma=gamma, **out)


def _law(x):
    a, b, c = LAW
    return a * np.exp(b * x) + c


def test_planted_exponential_law_is_recovered_and_wins(planted):
    """Tolerances: the window means carry the estimator's upward bias at low coherence
    (Touzi; about +0.02 at 0.3 with 49 looks) and the convexity of the law inside a window
    (mean of exp > exp of mean), so the fitted curve may sit a few hundredths above the law."""
    res = planted["res"]
    assert res["BEST_MODEL"] == "exponential"
    rows = {r["model"]: r for r in read_table(planted["models.gpkg"])}
    exp = rows["exponential"]
    assert exp["picp"] >= 0.98
    assert exp["best"] == 1 and rows["linear"]["best"] == 0
    samples = read_points(planted["samples.gpkg"])
    used = samples.columns["used"] == 1
    x = samples.columns["ndvi_mean"][used]
    grid = np.linspace(np.quantile(x, 0.05), np.quantile(x, 0.95), 40)
    fitted = exp["a"] * np.exp(exp["b"] * grid) + exp["c"]
    assert np.max(np.abs(fitted - _law(grid))) < 0.05
    expected_estimate = np.array([cohsim.touzi_mean_integral(_law(t), LOOKS_WINDOW ** 2) for t in grid])
    assert np.max(np.abs(fitted - expected_estimate)) < 0.04
    assert exp["b"] == pytest.approx(LAW[1], rel=0.25)
    assert exp["r2"] > rows["linear"]["r2"] and exp["rmse"] < rows["linear"]["rmse"]


def test_models_table_samples_and_report_have_what_the_paper_shows(planted):
    rows = read_table(planted["models.gpkg"])
    assert [r["model"] for r in rows] == ["exponential", "linear", "logarithmic"]
    for r in rows:
        for f in ("a", "b", "rmse", "r2", "picp", "pinaw", "n", "a_se", "b_se"):
            assert r[f] is not None and np.isfinite(r[f]), (r["model"], f)
    assert rows[1]["c"] is None and rows[0]["c_se"] > 0
    samples = read_points(planted["samples.gpkg"])
    used = samples.columns["used"] == 1
    assert np.all(np.abs(samples.columns["r"][used]) >= 0.6)
    assert int(used.sum()) == planted["res"]["N_SAMPLES"] == rows[0]["n"]
    # window centres: on the 250 m lattice of the coherence grid
    assert np.allclose((samples.x - cohsim.ORIGIN[0] - 125.0) % 250.0, 0)
    html = open(planted["report.html"], encoding="utf-8").read()
    assert html.count("<img") == 4  # all models + one per model (curve, band, residuals)
    assert "PICP" in html and "PINAW" in html and "Best model" in html
    layer = QgsVectorLayer(planted["samples.gpkg"], "s", "ogr")
    assert layer.renderer().type() == "graduatedSymbol"


def test_window_means_match_numpy_on_the_area_averaged_ndvi(planted):
    samples = read_points(planted["samples.gpkg"])
    coh = cohsim.read_raster(planted["coh"])
    ndvi25 = planted["ndvi25"]
    for k in range(0, len(samples), max(1, len(samples) // 25)):
        i, j = int(samples.columns["row"][k]), int(samples.columns["col"][k])
        a = ndvi25[i * 10:(i + 1) * 10, j * 10:(j + 1) * 10].ravel()
        b = coh[i * 10:(i + 1) * 10, j * 10:(j + 1) * 10].ravel()
        ok = (a >= 0.2) & (b >= 0.2)
        assert samples.columns["n_pixels"][k] == ok.sum()
        assert samples.columns["ndvi_mean"][k] == pytest.approx(a[ok].mean(), abs=1e-5)
        assert samples.columns["r"][k] == pytest.approx(np.corrcoef(a[ok], b[ok])[0, 1], abs=1e-4)


def test_no_window_passing_the_r_threshold_is_refused_with_counts(run_alg, planted, tmp_path):
    out = str(tmp_path / "m.gpkg")
    before = iftest.sha256(planted["coh"])
    with pytest.raises(QgsProcessingException) as err:
        run_alg("coherencemodel", {"NDVI": planted["ndvi"], "COHERENCE": planted["coh"],
                                   "WINDOW": 10, "MIN_ABS_R": 0.999, "OUTPUT_MODELS": out})
    msg = str(err.value)
    m = re.search(r"(\d+) windows were tried and the best \|R\| .* was (0\.\d+)", msg)
    assert m and int(m.group(1)) > 1000 and 0.6 < float(m.group(2)) < 0.999, msg
    assert not os.path.exists(out)
    assert iftest.sha256(planted["coh"]) == before


def test_log_model_excludes_nonpositive_ndvi_with_a_count(run_alg, tmp_path):
    rng = np.random.default_rng(5)
    ndvi = cohsim.parcel_ndvi((60, 60), rng, low=-0.3, high=0.8)
    coh = np.clip(0.9 * np.exp(-2.0 * ndvi) * 0.6 + rng.normal(0, 0.03, ndvi.shape), 0.01, 1)
    n_path = cohsim.write_raster(tmp_path / "n.tif", ndvi.astype(np.float32), 25.0)
    c_path = cohsim.write_raster(tmp_path / "c.tif", coh.astype(np.float32), 25.0)
    res, fb = run_alg("coherencemodel", {"NDVI": n_path, "COHERENCE": c_path, "WINDOW": 6,
                                         "MASK_BELOW": -1.0, "MIN_ABS_R": 0.3,
                                         "OUTPUT_MODELS": str(tmp_path / "m.gpkg")})
    m = re.search(r"(\d+) samples with NDVI <= 0 were excluded", fb.text())
    assert m and int(m.group(1)) > 0
    rows = read_table(str(tmp_path / "m.gpkg"))
    assert all(r["n"] == res["N_SAMPLES"] - int(m.group(1)) for r in rows)


def test_prediction_error_and_usable_mask_match_numpy(run_alg, planted, tmp_path):
    out, err, use, png = (str(tmp_path / n) for n in ("p.tif", "e.tif", "u.tif", "h.png"))
    res, _ = run_alg("predictcoherence", {
        "NDVI": planted["ndvi"], "MODEL": 1, "A": 0.9, "B": -4.0, "C": 0.25,
        "TRUE_COHERENCE": planted["true"], "NDVI_LIMIT": 0.4, "THRESHOLD": 0.3,
        "OUTPUT": out, "OUTPUT_ERROR": err, "OUTPUT_USABLE": use, "OUTPUT_HISTOGRAM": png})
    ndvi25 = planted["ndvi25"]
    pred = np.clip(_law(ndvi25), 0, 1)
    np.testing.assert_allclose(cohsim.read_raster(out), pred, atol=2e-5)
    e = planted["gamma"].astype(np.float32) - pred
    np.testing.assert_allclose(cohsim.read_raster(err), e, atol=2e-5)
    assert res["ERROR_MEAN"] == pytest.approx(e.mean(), abs=1e-5)
    assert res["ERROR_STD"] == pytest.approx(e.std(ddof=1), abs=1e-5)
    usable = (ndvi25 <= 0.4) & (pred >= 0.3)
    np.testing.assert_array_equal(cohsim.read_raster(use), usable.astype(float))
    assert res["USABLE_FRACTION"] == pytest.approx(usable.mean(), abs=1e-9)
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_prediction_from_the_models_table_uses_the_best_row(run_alg, planted, tmp_path):
    out = str(tmp_path / "p.tif")
    run_alg("predictcoherence", {"NDVI": planted["ndvi"], "MODELS_TABLE": planted["models.gpkg"],
                                 "OUTPUT": out})
    best = next(r for r in read_table(planted["models.gpkg"]) if r["best"] == 1)
    from osgeo import gdal
    ndvi10 = gdal.Open(planted["ndvi"]).ReadAsArray().astype(float)
    want = np.clip(best["a"] * np.exp(best["b"] * ndvi10) + best["c"], 0, 1)
    np.testing.assert_allclose(cohsim.read_raster(out), want, atol=2e-5)


def test_prediction_without_table_or_parameters_is_refused(run_alg, planted, tmp_path):
    out = str(tmp_path / "p.tif")
    with pytest.raises(QgsProcessingException, match="choose the model"):
        run_alg("predictcoherence", {"NDVI": planted["ndvi"], "OUTPUT": out})
    with pytest.raises(QgsProcessingException, match="need TRUE_COHERENCE"):
        run_alg("predictcoherence", {"NDVI": planted["ndvi"], "MODEL": 2, "A": 0.8, "B": -0.5,
                                     "OUTPUT": out, "OUTPUT_ERROR": str(tmp_path / "e.tif")})
    assert not os.path.exists(out)


@pytest.fixture
def points(tmp_path):
    rng = np.random.default_rng(9)
    n = 300
    x = cohsim.ORIGIN[0] + rng.uniform(0, 10000, n)   # part of them outside the 10 km rasters
    y = cohsim.ORIGIN[1] - rng.uniform(0, 12000, n)
    cols = {"pid": np.arange(n, dtype=np.int64), "velocity": rng.normal(-10, 8, n)}
    path = str(tmp_path / "pts.gpkg")
    write_points(path, PointTable(x, y, cols, "EPSG:32647"))
    return path, x, y


def _at(path, x, y, pixel):
    arr = cohsim.read_raster(path)
    col = np.floor((x - cohsim.ORIGIN[0]) / pixel).astype(int)
    row = np.floor((cohsim.ORIGIN[1] - y) / pixel).astype(int)
    inside = (col >= 0) & (row >= 0) & (col < arr.shape[1]) & (row < arr.shape[0])
    out = np.full(x.size, np.nan)
    out[inside] = arr[row[inside], col[inside]]
    return out


def test_points_are_flagged_by_predicted_coherence_and_ndvi(run_alg, planted, points, tmp_path):
    path, x, y = points
    before = iftest.sha256(path)
    out = str(tmp_path / "flag.gpkg")
    res, _ = run_alg("masklowcoherence", {"INPUT": path, "PREDICTED": planted["true"],
                                          "NDVI": planted["ndvi"], "THRESHOLD": 0.35,
                                          "NDVI_LIMIT": 0.4, "OUTPUT": out})
    pred, ndvi = _at(planted["true"], x, y, 25.0), _at(planted["ndvi"], x, y, 10.0)
    known = np.isfinite(pred) | np.isfinite(ndvi)
    bad = (np.nan_to_num(pred, nan=1) < 0.35) | (np.nan_to_num(ndvi, nan=-1) > 0.4)
    got = read_points(out)
    rel = got.columns["reliable"]
    np.testing.assert_array_equal(np.isnan(rel), ~known)
    np.testing.assert_array_equal(rel[known], (~bad[known]).astype(float))
    assert res["N_UNRELIABLE"] == int((bad & known).sum()) > 0
    assert res["N_UNKNOWN"] == int((~known).sum()) > 0
    np.testing.assert_allclose(got.columns["velocity"], read_points(path).columns["velocity"])
    assert iftest.sha256(path) == before
    layer = QgsVectorLayer(out, "f", "ogr")
    assert layer.renderer().type() == "RuleRenderer"
    rules = [r.filterExpression() for r in layer.renderer().rootRule().children()]
    assert any('"reliable" = 0' in r for r in rules) and any('"reliable" = 1' in r for r in rules)


def test_remove_mode_drops_only_unreliable_points(run_alg, planted, points, tmp_path):
    path, x, y = points
    out = str(tmp_path / "kept.gpkg")
    res, _ = run_alg("masklowcoherence", {"INPUT": path, "NDVI": planted["ndvi"], "MODE": 1,
                                          "OUTPUT": out})
    ndvi = _at(planted["ndvi"], x, y, 10.0)
    keep = ~(np.nan_to_num(ndvi, nan=-1) > 0.4)  # default NDVI_LIMIT from settings: 0.4
    got = read_points(out)
    np.testing.assert_array_equal(got.columns["pid"], np.arange(len(x))[keep])
    assert res["N_OUTPUT"] == int(keep.sum())


def test_mask_without_any_raster_is_refused(run_alg, points, tmp_path):
    path, _, _ = points
    with pytest.raises(QgsProcessingException, match="PREDICTED coherence raster, an NDVI"):
        run_alg("masklowcoherence", {"INPUT": path, "OUTPUT": str(tmp_path / "o.gpkg")})
    assert not os.path.exists(tmp_path / "o.gpkg")

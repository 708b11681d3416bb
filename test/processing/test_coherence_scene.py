"""The coherence group on the sample scene (issue 3): the planted law of truth.json["coherence"].

The scene's SLC pair covers a 5 km sub-area (200 x 200 pixels of 25 m); its true coherence is
(a*exp(b*NDVI25) + c) * gamma_baseline, with NDVI25 the area-averaged maximum-value composite
of the Sentinel-2 NDVI between the two SLC dates.
"""
import json

import numpy as np
import pytest
from osgeo import gdal

import cohsim
from insar_fusion.core.tables import read_table
from insar_fusion.core.vector_io import read_points

LOOKS = 7   # estimation window: 49 looks
SAMPLE = 5  # sample windows of 5 x 5 pixels: 1600 windows on the 200 x 200 sub-area


@pytest.fixture(scope="module")
def fitted(scene, tmp_path_factory, provider):
    import iftest
    truth = json.loads((scene / "truth.json").read_text())["coherence"]
    folder = tmp_path_factory.mktemp("scene_coherence")
    ndvis = []
    for d in truth["ndvi_dates"]:  # NDVI of each S2 date between the SLC dates, then the MVC
        tag = d.replace("-", "")
        red = gdal.Open(str(scene / "s2" / f"s2_{tag}_red.tif"))
        nir = gdal.Open(str(scene / "s2" / f"s2_{tag}_nir.tif"))
        r, n = red.ReadAsArray().astype(float), nir.ReadAsArray().astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            ndvis.append(np.where(r + n > 0, (n - r) / (r + n), np.nan))
    mvc = np.max(ndvis, axis=0)
    gt = red.GetGeoTransform()
    ndvi = cohsim.write_raster(folder / "ndvi_mvc.tif", mvc.astype(np.float32), gt[1],
                               origin=(gt[0], gt[3]))
    ref = str(scene / "slc" / f"slc_{truth['reference'].replace('-', '')}.tif")
    sec = str(scene / "slc" / f"slc_{truth['secondary'].replace('-', '')}.tif")
    coh = str(folder / "coherence.tif")
    iftest.run_alg("coherence", {"REFERENCE": ref, "SECONDARY": sec, "WINDOW_X": LOOKS,
                                 "WINDOW_Y": LOOKS, "OUTPUT": coh})
    models, samples = str(folder / "models.gpkg"), str(folder / "samples.gpkg")
    res, _ = iftest.run_alg("coherencemodel", {"NDVI": ndvi, "COHERENCE": coh, "WINDOW": SAMPLE,
                                               "OUTPUT_MODELS": models, "OUTPUT_SAMPLES": samples})
    return dict(truth=truth, coh=coh, res=res, models=models, samples=samples)


def test_estimated_coherence_on_the_scene_agrees_with_touzi_around_the_planted_truth(fitted, scene):
    est = cohsim.read_raster(fitted["coh"])
    true = cohsim.read_raster(scene / "slc" / "coherence_true.tif")
    h = LOOKS // 2
    inner = (slice(h, -h), slice(h, -h))
    # population coherence of each window (equal powers within a window), then Touzi's mean
    k = np.ones(LOOKS) / LOOKS
    win = np.apply_along_axis(lambda v: np.convolve(v, k, "same"), 0, true)
    win = np.apply_along_axis(lambda v: np.convolve(v, k, "same"), 1, win)
    grid = np.linspace(0.2, 0.99, 80)
    tz = np.array([cohsim.touzi_mean_integral(g, LOOKS ** 2) for g in grid])
    expected = np.interp(win[inner], grid, tz)
    assert abs(np.mean(est[inner] - expected)) < 0.01
    assert np.corrcoef(est[inner].ravel(), true[inner].ravel())[0, 1] > 0.6


def test_coherencemodel_recovers_the_planted_exponential_law(fitted):
    truth, res = fitted["truth"], fitted["res"]
    assert res["BEST_MODEL"] == "exponential"
    rows = {r["model"]: r for r in read_table(fitted["models"])}
    exp = rows["exponential"]
    assert exp["picp"] >= 0.98
    s = read_points(fitted["samples"])
    x = s.columns["ndvi_mean"][s.columns["used"] == 1]
    grid = np.linspace(np.quantile(x, 0.05), np.quantile(x, 0.95), 40)
    planted = truth["a"] * np.exp(truth["b"] * grid) + truth["c"]
    fitted_curve = exp["a"] * np.exp(exp["b"] * grid) + exp["c"]
    # what a 49-look estimate of the planted law is expected to be (Touzi's upward bias)
    expected = np.array([cohsim.touzi_mean_integral(min(g, 0.99), LOOKS ** 2) for g in planted])
    assert np.max(np.abs(fitted_curve - expected)) < 0.04  # plus Jensen: windows average a curved law
    assert np.max(np.abs(fitted_curve - planted)) < 0.1


def test_baseline_correlation_of_the_scene_pair_matches_its_slope_term(run_alg, scene):
    st = json.loads((scene / "truth.json").read_text())["coherence"]["slope_term"]
    res, _ = run_alg("baselinecorrelation", {
        "PAIRS": str(scene / "slc" / "pairs.csv"), "WAVELENGTH": st["wavelength_m"],
        "SLANT_RANGE": st["slant_range_m"], "INCIDENCE": st["theta_deg"], "SLOPE": 0.0,
        "RANGE_RESOLUTION": st["range_resolution_m"]})
    assert st["min"] - 1e-4 <= res["GAMMA_BASELINE"] <= st["max"] + 1e-4

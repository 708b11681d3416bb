"""The optical algorithms on the sample scene (docs/scene.md), against numpy and truth.json."""
import csv
import json
import os

import numpy as np
import pytest
from osgeo import gdal, ogr

import optical_data as od

FARMLAND = ("P1", "P2", "P3")


def _s2(scene, date, band):
    path = str(scene / "s2" / f"s2_{date}_{band}.tif")
    ds = gdal.Open(path)
    arr = ds.GetRasterBand(1).ReadAsArray()
    assert ds.GetRasterBand(1).GetNoDataValue() == 0
    return path, arr


def _s2_dates(scene):
    return sorted(f.split("_")[1] for f in os.listdir(scene / "s2") if f.endswith("_red.tif"))


def test_ndvi_matches_numpy_on_the_scenes_sentinel2_red_and_nir(run_alg, scene, tmp_path):
    date = _s2_dates(scene)[0]
    red_path, red = _s2(scene, date, "red")
    nir_path, nir = _s2(scene, date, "nir")
    out = str(tmp_path / f"ndvi_{date}.tif")
    run_alg("ndvi", {"RED": red_path, "NIR": nir_path, "SCALE": 0.0001, "OUTPUT": out})
    r, n = red.astype(np.float64) * 1e-4, nir.astype(np.float64) * 1e-4
    with np.errstate(all="ignore"):
        want = np.clip((n - r) / (n + r), -1, 1)
    want[(red == 0) | (nir == 0) | ~(n + r > 0)] = np.nan
    got = od.read(out)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(want)], want[~np.isnan(want)], atol=2e-6)
    assert np.nanmean(got) > 0.1  # a vegetated sub-area, not an empty or constant image


@pytest.fixture(scope="module")
def table2(scene, tmp_path_factory):
    """Seasonal and interannual change of NDVI and soil moisture, summarised per region."""
    import iftest
    tmp = tmp_path_factory.mktemp("table2")
    outs = {}
    for var, folder in (("ndvi", "ndvi"), ("sm", "soil_moisture")):
        inputs = sorted(str(scene / folder / f) for f in os.listdir(scene / folder) if f.endswith(".tif"))
        res, _ = iftest.run_alg("seasonalchange", {
            "INPUTS": inputs, "YEAR_A": 2019, "YEAR_B": 2020,
            "OUTPUT_INTERANNUAL": str(tmp / f"{var}_interannual.tif"),
            "OUTPUT_SEASONAL": str(tmp / f"{var}_seasonal.tif")})
        outs[f"{var}_interannual"] = res["OUTPUT_INTERANNUAL"]
        outs[f"{var}_seasonal"] = res["OUTPUT_SEASONAL"]
    labels = list(outs)
    out = str(tmp / "table2.gpkg")
    iftest.run_alg("changesummary", {"REGIONS": str(scene / "regions.gpkg"), "NAME_FIELD": "name",
                                     "RASTERS": [outs[k] for k in labels], "LABELS": ",".join(labels),
                                     "OUTPUT": out, "OUTPUT_HTML": str(tmp / "table2.html")})
    ds = ogr.Open(out)
    rows = {(f["region"], f["label"]): (f["mean"], f["count"]) for f in ds.GetLayer(0)}
    return rows, json.loads((scene / "truth.json").read_text())["change"], tmp


@pytest.mark.parametrize("key", ["ndvi_interannual", "ndvi_seasonal", "sm_interannual", "sm_seasonal"])
def test_change_over_the_farmland_zones_matches_the_planted_change(provider, table2, key):
    rows, truth, _ = table2
    for zone in FARMLAND:
        mean, count = rows[(zone, key)]
        n_true = truth[zone]["n_pixels_ndvi" if key.startswith("ndvi") else "n_pixels_sm"]
        assert count == n_true, (zone, key)
        assert mean == pytest.approx(truth[zone][key], abs=1e-5), (zone, key)
    assert truth["P1"]["ndvi_interannual"] > 0.03  # the planted farmland gain is really there


def test_change_of_every_region_and_the_whole_scene_matches_truth(provider, table2):
    rows, truth, tmp = table2
    for region, want in truth.items():
        name = "Whole extent" if region == "scene" else region
        for key in ("ndvi_interannual", "ndvi_seasonal", "sm_interannual", "sm_seasonal"):
            if want[key] is not None:
                assert rows[(name, key)][0] == pytest.approx(want[key], abs=1e-5), (region, key)
    html = (tmp / "table2.html").read_text(encoding="utf-8")
    assert all(z in html for z in ("P1", "P6", "Whole extent", "ndvi_seasonal"))


def test_pair_composite_on_the_scene_is_the_mvc_averaged_onto_the_coherence_grid(run_alg, scene,
                                                                                 tmp_path):
    with open(scene / "slc" / "pairs.csv") as f:
        pair = next(csv.DictReader(f))
    ref, sec = pair["reference"].replace("-", ""), pair["secondary"].replace("-", "")
    ndvi = {}
    for date in _s2_dates(scene):
        out = str(tmp_path / f"ndvi_{date}.tif")
        run_alg("ndvi", {"RED": str(scene / "s2" / f"s2_{date}_red.tif"),
                         "NIR": str(scene / "s2" / f"s2_{date}_nir.tif"), "SCALE": 0.0001, "OUTPUT": out})
        ndvi[date] = out
    inside = [d for d in ndvi if ref <= d <= sec]
    assert 0 < len(inside) < len(ndvi)  # the window really selects
    target = str(scene / "slc" / "coherence_true.tif")
    pairs = str(scene / "slc" / "pairs.csv")
    res, _ = run_alg("paircomposites", {"INPUTS": list(ndvi.values()), "PAIRS": pairs,
                                        "TARGET": target, "OUTPUT_FOLDER": str(tmp_path / "pairs")})
    path = str(tmp_path / "pairs" / f"ndvi_mvc_{ref}_{sec}.tif")
    assert res["OUTPUTS"] == [path]
    with np.errstate(all="ignore"):
        mvc = np.nanmax(np.stack([od.read(ndvi[d]) for d in inside]), axis=0)
    (gt_t, w, h), (gt_n, _, _) = od.grid(target), od.grid(ndvi[inside[0]])
    assert gt_t[0] == gt_n[0] and gt_t[3] == gt_n[3]  # the grids share their corner
    want = od.area_average(mvc, abs(gt_n[1]), abs(gt_t[1]))
    assert od.grid(path) == od.grid(target) and want.shape == (h, w)
    np.testing.assert_allclose(od.read(path), want, atol=1e-5)

"""The InSAR chain on the sample scene recovers what truth.json planted (through processing.run)."""
import csv
import datetime as dt
import json

import numpy as np
import pytest
from osgeo import ogr

import iftest
from insar_fusion.core.vector_io import read_points

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chain(scene, provider, tmp_path_factory):
    """Import both tracks, convert them to vertical and splice them once for the module."""
    out = tmp_path_factory.mktemp("insar_chain")
    truth = json.loads((scene / "truth.json").read_text())
    paths, results = {}, {}
    for track in ("T128", "T026"):
        res, _ = iftest.run_alg("importpoints", {"INPUT": str(scene / "insar" / f"{track}_egms.csv"),
                                                 "CRS": "EPSG:32647", "OUTPUT": str(out / f"{track}.gpkg")})
        results[track] = res
        iftest.run_alg("lostovertical", {"INPUT": res["OUTPUT"], "OUTPUT": str(out / f"{track}_up.gpkg")})
        paths[track] = str(out / f"{track}_up.gpkg")
    spliced, _ = iftest.run_alg("splicetracks", {
        "REFERENCE": paths["T128"], "SECONDARY": paths["T026"], "CORRECTION": 1,
        "REFERENCE_NAME": "T128", "SECONDARY_NAME": "T026", "OUTPUT": str(out / "merged.gpkg"),
        "OUTPUT_PAIRS": str(out / "pairs.gpkg"), "OUTPUT_CHART": str(out / "fig8.png")})
    return {"truth": truth, "import": results, "up": paths, "splice": spliced, "out": out}


def test_scene_tracks_import_with_every_point_and_date(chain):
    for track in ("T128", "T026"):
        t = chain["truth"]["tracks"][track]
        assert chain["import"][track]["N_POINTS"] == t["n_points"]
        assert chain["import"][track]["N_DATES"] == t["n_dates"]


def test_splicing_recovers_the_planted_offset_within_its_noise(chain):
    truth, res = chain["truth"]["track_offset"], chain["splice"]
    x0, y0 = truth["origin"]
    ox, oy = res["ORIGIN_X"], res["ORIGIN_Y"]

    def fitted(x, y):
        return res["PLANE_A"] + res["PLANE_B"] * (x - ox) / 1000 + res["PLANE_C"] * (y - oy) / 1000

    def planted(x, y):
        return truth["constant_mm_yr"] + truth["ramp_x_mm_yr_per_km"] * (x - x0) / 1000 + \
            truth["ramp_y_mm_yr_per_km"] * (y - y0) / 1000

    xmin, ymin, xmax, ymax = truth["overlap_extent"]
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, 8), np.linspace(ymin, ymax, 8))
    err = fitted(gx, gy) - planted(gx, gy)
    # Everywhere in the overlap strip the fitted plane is within 0.2 mm/yr of the planted one
    # (the pair differences scatter by ~0.8 mm/yr over ~13000 pairs).
    assert np.abs(err).max() < 0.2
    assert abs(fitted(x0, y0) - truth["constant_mm_yr"]) < 0.1


def test_overlap_rmse_is_close_to_the_planted_noise(chain):
    """RMSE of pair differences ~ sqrt(sd_ref^2 + sd_sec^2), with the planted per-point rate sd."""
    up = {k: read_points(p) for k, p in chain["up"].items()}
    xmin, ymin, xmax, ymax = chain["truth"]["track_offset"]["overlap_extent"]
    var = []
    for t in up.values():
        inside = (t.x >= xmin) & (t.x <= xmax) & (t.y >= ymin) & (t.y <= ymax)
        var.append(np.mean(t.columns["velocity_std"][inside] ** 2))
    expected = np.sqrt(sum(var))
    assert chain["splice"]["RMSE"] == pytest.approx(expected, rel=0.2)
    assert chain["splice"]["FRACTION_WITHIN_3RMSE"] > 0.97


def _zone_distance(x, y, zone):
    return np.hypot(x - zone["centre"][0], y - zone["centre"][1])


def _in_regions(path, names, x, y):
    """Points inside the named polygons of regions.gpkg, tested with OGR (GEOS)."""
    ds = ogr.Open(str(path))
    geoms = [f.GetGeometryRef().Clone() for f in ds.GetLayer("regions") if f.GetField("name") in names]
    inside = np.zeros(len(x), bool)
    for i in range(len(x)):
        p = ogr.Geometry(ogr.wkbPoint)
        p.AddPoint_2D(float(x[i]), float(y[i]))
        inside[i] = any(g.Contains(p) for g in geoms)
    return inside


def test_screening_keeps_exactly_the_significant_zones(chain, scene):
    truth = chain["truth"]
    s = truth["screen"]
    out = str(chain["out"] / "significant.gpkg")
    res, _ = iftest.run_alg("screen", {
        "INPUT": chain["splice"]["OUTPUT"], "THRESHOLD": s["significant_rate_mm_yr"],
        "DEM": str(scene / s["dem_raster"]), "DEM_MAX": s["dem_max"],
        "NDVI": str(scene / s["ndvi_raster"]), "NDVI_MIN": s["ndvi_min"], "NDVI_MAX": s["ndvi_max"],
        "OUTPUT": out})
    kept = read_points(out)
    zones = truth["zones"]
    near = {n: _zone_distance(kept.x, kept.y, z) < 1.3 * z["radius_m"] for n, z in zones.items()}
    for name in s["kept"]:
        assert zones[name]["significant"] and near[name].sum() > 10, f"{name} should be kept"
    for name, why in s["removed"].items():
        assert near[name].sum() == 0, f"{name} should be removed by the {why} range"
    in_kept_zone = np.any([near[n] for n in s["kept"]], axis=0) | \
        _in_regions(scene / "regions.gpkg", s["kept"], kept.x, kept.y)
    assert in_kept_zone.all(), f"{(~in_kept_zone).sum()} kept points lie outside every kept zone"
    assert res["REMOVED_DEM"] > 0 and res["REMOVED_NDVI"] > 0
    assert res["N_KEPT"] + res["REMOVED_RATE"] + res["REMOVED_DEM"] + res["REMOVED_NDVI"] == res["N_INPUT"]


@pytest.mark.parametrize("layer", ["T128", "merged"])
def test_seasonal_fit_recovers_the_planted_amplitude_and_phase(chain, layer):
    """On one track, and on the spliced layer whose T026 series were moved onto T128's dates."""
    src = chain["up"]["T128"] if layer == "T128" else chain["splice"]["OUTPUT"]
    out = str(chain["out"] / f"seasonal_{layer}.gpkg")
    iftest.run_alg("seasonalfit", {"INPUT": src, "OUTPUT": out})
    got = read_points(out)
    names = ("P1", "P2") if layer == "T128" else ("P1", "P2", "P3", "P6")
    for name in names:
        z = chain["truth"]["zones"][name]
        near = _zone_distance(got.x, got.y, z) < 150
        assert near.sum() >= 10
        amp = np.median(got.columns["seasonal_amplitude"][near])
        doy = np.median(got.columns["seasonal_peak_doy"][near])
        assert amp == pytest.approx(z["seasonal_amplitude_mm"], abs=0.6), name
        assert doy == pytest.approx(z["seasonal_peak_doy"], abs=4), name


def test_scene_network_pairs_equal_a_brute_force_count(chain, scene):
    path = scene / "insar" / "T128_acquisitions.csv"
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    dates = [dt.date.fromisoformat(r["date"]) for r in rows]
    b = [float(r["bperp"]) for r in rows]
    expected = sum(1 for i in range(len(dates)) for j in range(len(dates))
                   if 0 < (dates[j] - dates[i]).days <= 36 and abs(b[j] - b[i]) <= 150)
    res, _ = iftest.run_alg("sbasnetwork", {"INPUT": str(path), "MAX_TEMPORAL": 36, "MAX_PERPENDICULAR": 150,
                                            "OUTPUT": str(chain["out"] / "pairs_t128.gpkg")})
    assert res["N_PAIRS"] == expected and res["CONNECTED"] is True
    ds = ogr.Open(str(chain["out"] / "pairs_t128.gpkg"))
    assert ds.GetLayer(0).GetFeatureCount() == expected

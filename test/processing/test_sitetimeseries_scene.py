"""On the sample scene, sitetimeseries recovers the planted lags and correlations (truth.json)."""
import glob
import json

import pytest
from osgeo import ogr

import iftest
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import write_points

import numpy as np

# farmland zones seen by each track (truth.json: tracks[...]["swath_x"])
TRACK_SITES = {"T128": ("P1", "P2"), "T026": ("P2", "P3")}


def _rows(path):
    ds = ogr.Open(path)
    out = [{k: f.GetField(k) for k in f.keys()} for f in ds.GetLayer(0)]
    ds = None
    return out


@pytest.fixture(scope="module")
def scene_results(scene, tmp_path_factory, provider):
    truth = json.loads((scene / "truth.json").read_text())
    out = tmp_path_factory.mktemp("scene_sts")
    results = {}
    for track, names in TRACK_SITES.items():
        points = str(out / f"{track}.gpkg")
        iftest.run_alg("importpoints", {"INPUT": str(scene / "insar" / f"{track}_egms.csv"),
                                         "CRS": truth["crs"], "OUTPUT": points})
        vertical = str(out / f"{track}_up.gpkg")
        iftest.run_alg("lostovertical", {"INPUT": points, "OUTPUT": vertical})
        centres = [truth["zones"][n]["centre"] for n in names]
        sites = str(out / f"{track}_sites.gpkg")
        write_points(sites, PointTable([c[0] for c in centres], [c[1] for c in centres],
                                       {"name": np.array(names, dtype=object)}, truth["crs"]))
        res, _ = iftest.run_alg("sitetimeseries", {
            "SITES": sites, "SITE_FIELD": "name", "INSAR": vertical, "RADIUS": 2000.0,
            "NDVI_STACK": sorted(glob.glob(str(scene / "ndvi" / "ndvi_*.tif"))),
            "SM_STACK": sorted(glob.glob(str(scene / "soil_moisture" / "sm_*.tif"))),
            "PRECIP_STACK": sorted(glob.glob(str(scene / "precipitation" / "precip_*.tif"))),
            "OUTPUT_TABLE": str(out / f"{track}_series.gpkg"),
            "OUTPUT_CORRELATION": str(out / f"{track}_corr.csv"),
            "OUTPUT_LAGS": str(out / f"{track}_lags.csv"), "OUTPUT_HTML": str(out / f"{track}.html")})
        results[track] = res
    return truth, results


@pytest.mark.parametrize("track,site", [(t, s) for t, names in TRACK_SITES.items() for s in names])
def test_planted_lags_are_recovered_within_five_days_on_the_scene(scene_results, track, site):
    truth, results = scene_results
    lags = {r["variable"]: r for r in _rows(results[track]["OUTPUT_LAGS"]) if r["site"] == site}
    assert float(lags["ndvi"]["lag_days"]) == pytest.approx(truth["lags_days"]["ndvi"], abs=5.0)
    assert float(lags["soil_moisture"]["lag_days"]) == pytest.approx(truth["lags_days"]["soil_moisture"],
                                                                     abs=5.0)


@pytest.mark.parametrize("track,site", [(t, s) for t, names in TRACK_SITES.items() for s in names])
def test_strong_correlations_where_the_scene_plants_them(scene_results, track, site):
    _, results = scene_results
    corr = {(r["variable_a"], r["variable_b"]): float(r["r"])
            for r in _rows(results[track]["OUTPUT_CORRELATION"]) if r["site"] == site}
    # truth.json: NDVI and soil moisture peak after the fastest subsidence -> negative r with the
    # upward rate; the paper reports 0.7-0.9 between rate and NDVI / SM, > 0.9 between NDVI and SM
    assert corr[("rate", "ndvi")] < -0.7
    assert corr[("rate", "soil_moisture")] < -0.7
    assert corr[("ndvi", "soil_moisture")] > 0.9

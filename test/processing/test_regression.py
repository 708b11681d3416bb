"""insarfusion:regression through processing.run: table against linregress, report, refusals."""
import os

import numpy as np
import pytest
from osgeo import ogr
from qgis.core import QgsProcessingException
from scipy import stats

import iftest
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import write_points

PLANTED = {"P1": -110.0, "P2": -40.0, "P3": 25.0}


@pytest.fixture
def regions(tmp_path):
    rng = np.random.default_rng(12)
    n = 900
    region = np.array([f"P{i % 3 + 1}" for i in range(n)], dtype=object)
    region[4] = None
    dndvi, dsm = rng.normal(0.08, 0.05, n), rng.normal(0.02, 0.01, n)
    velocity = np.array([PLANTED.get(r, 0.0) for r in region]) * dndvi - 6 + rng.normal(0, 2.5, n)
    velocity[7] = np.nan
    path = str(tmp_path / "pts.gpkg")
    write_points(path, PointTable(rng.uniform(0, 9e3, n) + 4e5, rng.uniform(0, 9e3, n) + 4.3e6,
                                  {"region": region, "velocity": velocity, "dndvi": dndvi, "dsm": dsm},
                                  "EPSG:32647"))
    return path, region, velocity, dndvi, dsm


def _rows(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    return [{lyr.GetLayerDefn().GetFieldDefn(i).GetName(): f.GetField(i)
             for i in range(f.GetFieldCount())} for f in lyr]


def test_table_matches_linregress_per_region_and_the_report_has_fig9(run_alg, regions, tmp_path):
    path, region, velocity, dndvi, dsm = regions
    table, report = str(tmp_path / "fits.gpkg"), str(tmp_path / "report.html")
    res, _ = run_alg("regression", {"INPUT": path, "DEPENDENT": "velocity", "EXPLANATORY": ["dndvi", "dsm"],
                                    "GROUP_FIELD": "region", "CONFIDENCE": 0.99, "OUTPUT_TABLE": table,
                                    "OUTPUT_HTML": report})
    assert res["N_FITS"] == 6
    rows = _rows(table)
    assert [(r["group_name"], r["explanatory"]) for r in rows] == [
        ("P1", "dndvi"), ("P1", "dsm"), ("P2", "dndvi"), ("P2", "dsm"), ("P3", "dndvi"), ("P3", "dsm")]
    for r in rows:
        x = {"dndvi": dndvi, "dsm": dsm}[r["explanatory"]]
        keep = (region == r["group_name"]) & np.isfinite(velocity)
        ref = stats.linregress(x[keep], velocity[keep])
        assert r["n"] == keep.sum()
        assert r["slope"] == pytest.approx(ref.slope, rel=1e-10)
        assert r["intercept"] == pytest.approx(ref.intercept, rel=1e-10)
        assert r["r"] == pytest.approx(ref.rvalue, rel=1e-10)
        assert r["p_value"] == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-300)
        resid = velocity[keep] - ref.intercept - ref.slope * x[keep]
        assert r["rmse"] == pytest.approx(np.sqrt(np.mean(resid ** 2)), rel=1e-10)
        if r["explanatory"] == "dndvi":  # the planted slope lies in the 99 % interval
            assert r["slope_low"] < PLANTED[r["group_name"]] < r["slope_high"]
    text = open(report, encoding="utf-8").read()
    assert text.count("<img") == 18 and "P3 — velocity on dsm" in text


def test_without_groups_all_points_form_one_group(run_alg, regions, tmp_path):
    path, _, velocity, dndvi, _ = regions
    table = str(tmp_path / "fits.csv")
    run_alg("regression", {"INPUT": path, "DEPENDENT": "velocity", "EXPLANATORY": ["dndvi"],
                           "OUTPUT_TABLE": table, "OUTPUT_HTML": str(tmp_path / "r.html")})
    rows = _rows(table)
    assert len(rows) == 1 and rows[0]["group_name"] == "all"
    keep = np.isfinite(velocity)
    assert float(rows[0]["slope"]) == pytest.approx(stats.linregress(dndvi[keep], velocity[keep]).slope,
                                                    rel=1e-9)


def test_dependent_as_explanatory_is_refused_without_outputs(run_alg, regions, tmp_path):
    path = regions[0]
    before = iftest.sha256(path)
    table, report = str(tmp_path / "fits.gpkg"), str(tmp_path / "r.html")
    with pytest.raises(QgsProcessingException, match="cannot also be explanatory"):
        run_alg("regression", {"INPUT": path, "DEPENDENT": "velocity", "EXPLANATORY": ["velocity"],
                               "OUTPUT_TABLE": table, "OUTPUT_HTML": report})
    assert not os.path.exists(table) and not os.path.exists(report)
    assert iftest.sha256(path) == before

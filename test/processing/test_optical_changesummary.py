"""insarfusion:changesummary: per-region statistics against numpy with an independent pixel test."""
import os

import numpy as np
import pytest
from osgeo import ogr
from qgis.core import QgsProcessingException

import iftest
import optical_data as od

X0, Y0, PX = 400000.0, 4300000.0, 10.0
SHAPE = (30, 40)


def _centres():
    cols, rows = np.meshgrid(np.arange(SHAPE[1]), np.arange(SHAPE[0]))
    return X0 + (cols + 0.5) * PX, Y0 - (rows + 0.5) * PX


def _rect(c0, r0, c1, r1):
    """A rectangle on pixel edges: columns c0..c1-1, rows r0..r1-1."""
    xa, xb, ya, yb = X0 + c0 * PX, X0 + c1 * PX, Y0 - r0 * PX, Y0 - r1 * PX
    return [(xa, ya), (xb, ya), (xb, yb), (xa, yb)]


TRI = [(X0 + 52, Y0 - 33), (X0 + 287, Y0 - 71), (X0 + 133, Y0 - 268)]


def _in_triangle(x, y, tri):
    (x1, y1), (x2, y2), (x3, y3) = tri

    def side(ax, ay, bx, by):
        return (x - bx) * (ay - by) - (ax - bx) * (y - by)

    d1, d2, d3 = side(x1, y1, x2, y2), side(x2, y2, x3, y3), side(x3, y3, x1, y1)
    return ~(((d1 < 0) | (d2 < 0) | (d3 < 0)) & ((d1 > 0) | (d2 > 0) | (d3 > 0)))


def _rasters(tmp_path):
    rng = np.random.default_rng(9)
    a = rng.normal(0.1, 0.2, SHAPE).astype(np.float32)
    a[rng.random(SHAPE) < 0.1] = np.nan
    b = rng.normal(0.02, 0.01, SHAPE).astype(np.float32)
    return (od.write(tmp_path / "ndvi_seasonal.tif", a), a), (od.write(tmp_path / "sm_seasonal.tif", b), b)


def _want(values, mask):
    v = values[mask & np.isfinite(values)].astype(float)
    return v.mean(), v.std(), v.size


def _read_table(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    return {(f["region"], f["label"]): (f["mean"], f["std"], f["count"], f["raster"]) for f in lyr}


def test_region_statistics_match_numpy_over_pixel_centres_inside(run_alg, tmp_path):
    (pa, a), (pb, b) = _rasters(tmp_path)
    regions = od.regions(tmp_path, {"P1": _rect(2, 3, 12, 9), "P2": TRI, "P3": _rect(8, 5, 30, 25)})
    out, html = str(tmp_path / "summary.gpkg"), str(tmp_path / "table2.html")
    res, _ = run_alg("changesummary", {"REGIONS": regions, "RASTERS": [pa, pb],
                                       "LABELS": "NDVI seasonal, SM seasonal", "OUTPUT": out,
                                       "OUTPUT_HTML": html})
    got = _read_table(out)
    x, y = _centres()
    masks = {"P1": np.zeros(SHAPE, bool), "P2": _in_triangle(x, y, TRI), "P3": np.zeros(SHAPE, bool),
             "Whole extent": np.ones(SHAPE, bool)}
    masks["P1"][3:9, 2:12] = True
    masks["P3"][5:25, 8:30] = True  # overlaps P1: the overlap counts in both
    assert masks["P2"].sum() > 10
    for label, values in (("NDVI seasonal", a), ("SM seasonal", b)):
        for region, mask in masks.items():
            mean, std, n = _want(values, mask)
            g = got[(region, label)]
            assert g[2] == n, (region, label)
            assert g[0] == pytest.approx(mean, abs=1e-9) and g[1] == pytest.approx(std, abs=1e-9)
    assert len(got) == 8
    text = open(html, encoding="utf-8").read()
    assert "Mean change per region" in text and "NDVI seasonal" in text and "<img" in text
    assert f"{_want(a, masks['P1'])[0]:.4g}" in text


def test_regions_in_another_crs_are_reprojected_onto_the_raster(run_alg, tmp_path):
    (pa, a), _ = _rasters(tmp_path)
    regions = od.regions(tmp_path, {"P1": _rect(2, 3, 12, 9)}, epsg=4326)
    out = str(tmp_path / "summary.csv")
    run_alg("changesummary", {"REGIONS": regions, "RASTERS": [pa], "OUTPUT": out,
                              "OUTPUT_HTML": str(tmp_path / "t.html")})
    got = _read_table(out)
    mask = np.zeros(SHAPE, bool)
    mask[3:9, 2:12] = True
    mean, std, n = _want(a, mask)
    g = got[("P1", "ndvi_seasonal")]
    assert int(g[2]) == n and float(g[0]) == pytest.approx(mean, abs=1e-6)


def test_a_region_outside_the_raster_gets_count_zero_and_a_warning(run_alg, tmp_path):
    (pa, _), _ = _rasters(tmp_path)
    far = [(x + 10000, y) for x, y in _rect(0, 0, 5, 5)]
    regions = od.regions(tmp_path, {"far": far, "P1": _rect(2, 3, 12, 9)})
    out = str(tmp_path / "summary.gpkg")
    _, fb = run_alg("changesummary", {"REGIONS": regions, "RASTERS": [pa], "OUTPUT": out})
    g = _read_table(out)[("far", "ndvi_seasonal")]
    assert g[2] == 0 and g[0] is None
    assert "No valid pixel inside: far" in fb.text()


def test_regions_that_all_miss_the_raster_are_refused_without_output(run_alg, tmp_path):
    (pa, _), _ = _rasters(tmp_path)
    far = [(x + 10000, y) for x, y in _rect(0, 0, 5, 5)]
    regions = od.regions(tmp_path, {"far": far})
    out = str(tmp_path / "summary.gpkg")
    with pytest.raises(QgsProcessingException, match="No region overlaps the raster"):
        run_alg("changesummary", {"REGIONS": regions, "RASTERS": [pa], "OUTPUT": out})
    assert not os.path.exists(out)


def test_labels_that_do_not_match_the_rasters_are_refused_without_output(run_alg, tmp_path):
    (pa, _), (pb, _) = _rasters(tmp_path)
    regions = od.regions(tmp_path, {"P1": _rect(2, 3, 12, 9)})
    before = iftest.sha256(regions)
    out, html = str(tmp_path / "summary.gpkg"), str(tmp_path / "t.html")
    with pytest.raises(QgsProcessingException, match="1 label.*2 raster"):
        run_alg("changesummary", {"REGIONS": regions, "RASTERS": [pa, pb], "LABELS": "only one",
                                  "OUTPUT": out, "OUTPUT_HTML": html})
    assert not os.path.exists(out) and not os.path.exists(html)
    assert iftest.sha256(regions) == before

"""Names that come from the user's data (region, site, group and track names, field and raster
names) reach outputs safely: HTML escaped, charts drawn literally, field names valid for the
output format, and every run succeeds."""
import os
import re

import numpy as np
import pytest
from osgeo import gdal, ogr

import checks
import iftest
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import read_points, write_points

HOSTILE = ['<script>alert("x")</script>', "$\\frac{a}{$", 'P&1 "quoted" \'single\'', "ünï $x$ $y",
           "a\nb\tc", "", "x" * 300, "'; DROP TABLE regions; --"]


def _no_markup_from_data(path):
    text = open(path, encoding="utf-8").read()
    assert "<script>" not in text and "&lt;script&gt;" in text
    return text


def _renamed_regions(data, folder):
    path = str(folder / "regions.gpkg")
    gdal.VectorTranslate(path, data.regions, layers=["regions"])
    ds = ogr.Open(path, 1)
    lyr = ds.GetLayer(0)
    for i, f in enumerate(list(lyr)):
        f.SetField("name", HOSTILE[i % len(HOSTILE)])
        lyr.SetFeature(f)
    ds = None
    return path


def test_region_names_and_labels_are_escaped_in_the_report_and_drawn_literally(hardening_data, provider,
                                                                               tmp_path):
    regions = _renamed_regions(hardening_data, tmp_path)
    out, html = str(tmp_path / "cs.gpkg"), str(tmp_path / "cs.html")
    iftest.run_alg("changesummary", {"REGIONS": regions, "RASTERS": [hardening_data.ndvi_month("201907")],
                                     "LABELS": "$\\x$ <b>bold</b>", "OUTPUT": out, "OUTPUT_HTML": html})
    text = _no_markup_from_data(html)
    assert "<b>bold</b>" not in text and "&lt;b&gt;bold&lt;/b&gt;" in text
    names = set(checks.read_vector(out)["region"])
    ds = ogr.Open(regions)
    n = ds.GetLayer(0).GetFeatureCount()
    ds = None
    assert {HOSTILE[i % len(HOSTILE)] for i in range(n)} <= names  # kept as values, byte for byte


def _hostile_points(data, folder):
    t = read_points(data.gwr)
    groups = np.array([HOSTILE[i % 3] for i in range(len(t))], dtype=object)
    cols = dict(t.columns, region=groups, **{'d ndvi "x" $a$ é': t.columns["dndvi"]})
    path = str(folder / "points.gpkg")
    write_points(path, PointTable(t.x, t.y, cols, t.crs_wkt))
    return path


def test_group_and_field_names_are_escaped_in_the_regression_report(hardening_data, provider, tmp_path):
    pts = _hostile_points(hardening_data, tmp_path)
    html = str(tmp_path / "ols.html")
    res, _ = iftest.run_alg("regression", {"INPUT": pts, "DEPENDENT": "velocity",
                                           "EXPLANATORY": ['d ndvi "x" $a$ é', "dsm"], "GROUP_FIELD": "region",
                                           "OUTPUT_TABLE": str(tmp_path / "ols.gpkg"), "OUTPUT_HTML": html})
    _no_markup_from_data(html)
    assert res["N_FITS"] == 6


def test_gwr_output_fields_named_after_odd_field_names_are_readable(hardening_data, provider, tmp_path):
    from qgis.core import QgsVectorLayer
    pts = _hostile_points(hardening_data, tmp_path)
    out = str(tmp_path / "gwr.gpkg")
    iftest.run_alg("gwr", {"INPUT": pts, "DEPENDENT": "velocity", "EXPLANATORY": ['d ndvi "x" $a$ é', "dsm"],
                           "BANDWIDTH": 1500.0, "OUTPUT": out})
    layer = QgsVectorLayer(out, "gwr", "ogr")
    assert layer.isValid() and layer.featureCount() == QgsVectorLayer(pts, "in", "ogr").featureCount() > 300
    assert layer.fields().indexOf('coef_d ndvi "x" $a$ é') >= 0


def test_site_names_are_escaped_and_charted(hardening_data, provider, tmp_path):
    s = read_points(hardening_data.sites)
    sites = str(tmp_path / "sites.gpkg")
    write_points(sites, PointTable(s.x, s.y, {"name": np.array(HOSTILE[:2], dtype=object)}, s.crs_wkt))
    html = str(tmp_path / "sites.html")
    iftest.run_alg("sitetimeseries", {"SITES": sites, "SITE_FIELD": "name", "INSAR": hardening_data.pts,
                                      "RADIUS": 600.0, "NDVI_STACK": hardening_data.stack("ndvi")[:12],
                                      "OUTPUT_TABLE": str(tmp_path / "t.gpkg"),
                                      "OUTPUT_CORRELATION": str(tmp_path / "c.gpkg"),
                                      "OUTPUT_LAGS": str(tmp_path / "l.gpkg"), "OUTPUT_HTML": html})
    _no_markup_from_data(html)


def test_track_names_with_dollars_are_drawn_in_the_chart(hardening_data, provider, tmp_path):
    png = str(tmp_path / "overlap.png")
    iftest.run_alg("splicetracks", {"REFERENCE": hardening_data.ref, "SECONDARY": hardening_data.sec,
                                    "REFERENCE_NAME": HOSTILE[1], "SECONDARY_NAME": HOSTILE[3],
                                    "OUTPUT": str(tmp_path / "m.gpkg"), "OUTPUT_CHART": png})
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("output", ["s.gpkg", "s.shp"])
def test_fields_named_after_rasters_are_plain_identifiers(hardening_data, provider, tmp_path, output):
    rasters = []
    for name in ("ndvi 2019-07 (final) ü", '<b>x"y\'', "2020 july"):
        path = str(tmp_path / f"{name}.tif")
        gdal.Translate(path, hardening_data.ndvi_month("201907"))
        rasters.append(path)
    out = str(tmp_path / output)
    pts = str(tmp_path / "few.gpkg")
    t = read_points(hardening_data.pts, columns=["pid", "velocity"])
    write_points(pts, t)
    iftest.run_alg("samplerasters", {"INPUT": pts, "RASTERS": rasters, "OUTPUT": out})
    fields = [f for f in checks.read_vector(out) if f not in ("pid", "velocity", "_n")]
    assert len(fields) == 3 and len(set(f.lower() for f in fields)) == 3
    limit = 10 if output.endswith(".shp") else 63
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", f) and len(f) <= limit for f in fields), fields


def test_baseline_pairs_with_odd_column_names_round_trip(hardening_data, provider, tmp_path):
    src = tmp_path / "pairs.csv"
    src.write_text('reference,"sec ondary; x",bperp,"<i>note</i>"\n2019-08-09,2019-08-21,11.5,a\n'
                   '2019-08-01,2019-08-16,42,"b,c"\n')
    out = str(tmp_path / "gamma.gpkg")
    iftest.run_alg("baselinecorrelation", {"PAIRS": str(src), "OUTPUT": out})
    cols = checks.read_vector(out)
    assert "sec ondary; x" in cols and "<i>note</i>" in cols and list(cols["<i>note</i>"]) == ["a", "b,c"]
    assert os.path.exists(out)


def test_fields_a_shapefile_renames_are_named_in_the_log(hardening_data, provider, tmp_path):
    out = str(tmp_path / "fit.shp")
    _, feedback = iftest.run_alg("seasonalfit", {"INPUT": hardening_data.pts, "OUTPUT": out})
    assert "max_seasonal_uplift -> max_seas_1" in feedback.text()
    assert "velocity_std -> velocity_s" in feedback.text()

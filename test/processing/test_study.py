"""insarfusion:study on data it has never seen (test/support/heldout.py, written by hand with its own
planted truth): the three outputs, the planted lags, offset and relation recovered, the project
(every layer valid, the layouts exporting to PDF and PNG, the inspector set up), the report, and
what a skipped step or a refusal leaves behind."""
import hashlib
import json
import os
import re

import numpy as np
import pytest
from osgeo import osr
from qgis.core import QgsProcessingException

import heldout
import iftest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(heldout_study):
    data, out, res, record = heldout_study
    return data, out, res, None, record


def _rows(path, layer):
    from osgeo import ogr
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(layer)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return [{n: f.GetField(n) for n in names} for f in lyr]


def _step(record, key):
    return next(s for s in record["steps"] if s["key"] == key)


def test_the_study_writes_its_outputs_and_leaves_nothing_else(run):
    _, out, res, _, record = run
    assert res["GEOPACKAGE"] == str(out / "study.gpkg") and res["PROJECT"] == str(out / "study.qgz")
    assert res["REPORT"] == str(out / "study.html") and res["SUMMARY"] == str(out / "study.json")
    assert sorted(os.listdir(out)) == ["figures", "rasters", "study.gpkg", "study.html", "study.json", "study.qgz"]
    ran = {s["key"]: s["status"] for s in record["steps"]}
    assert ran.pop("coherence") == "skipped" and set(ran.values()) == {"ok"}
    assert res["SKIPPED"] == "NDVI–coherence model: no COHERENCE rasters given"
    assert res["N_LAYOUTS"] >= 3
    conversions = [t["conversion"] for t in record["tracks"]]
    assert "los_up" in conversions[0] and "incidence" in conversions[1]


def test_the_planted_lags_are_recovered_from_monthly_means_by_default(run):
    """Monthly MEAN rasters named YYYYMM: the default (the middle of the month) gives the planted lags."""
    _, out, _, _, _ = run
    lags = {(r["site"], r["variable"]): r for r in _rows(out / "study.gpkg", "site_lags")}
    for site in heldout.FARMS:
        for var, planted in (("ndvi", heldout.LAG_NDVI), ("soil_moisture", heldout.LAG_SM)):
            row = lags[(site, var)]
            assert row["lag_days"] == pytest.approx(planted, abs=5.0), (site, var, row)
            assert row["r_at_lag"] < -0.8, (site, var, row)
    for var in ("ndvi", "soil_moisture"):  # the stable control region has no seasonal motion to follow
        assert abs(lags[("control", var)]["r_with_rate"]) < 0.5


def test_the_splice_recovers_the_planted_offset_plane(run):
    _, _, _, _, record = run
    r = _step(record, "splice")["runs"][0]["results"]
    src, dst = osr.SpatialReference(), osr.SpatialReference()
    src.ImportFromEPSG(3035)  # the study's CRS: track A's (EGMS)
    dst.ImportFromEPSG(heldout.EPSG)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    x, y, _ = osr.CoordinateTransformation(src, dst).TransformPoint(r["ORIGIN_X"], r["ORIGIN_Y"])
    assert r["PLANE_A"] == pytest.approx(heldout.offset_at(x, y), abs=0.1)
    assert r["RMSE"] < 1.0 and r["RMSE_BEFORE"] > 2.0


def test_screening_keeps_the_farms_and_gwr_finds_the_planted_relation(run):
    _, out, _, _, record = run
    from insar_fusion.core.vector_io import read_points
    g = read_points(str(out / "study.gpkg"), "gwr", ["velocity", "coef_ndvi_interannual", "coef_sm_interannual"])
    src, dst = osr.SpatialReference(), osr.SpatialReference()
    src.ImportFromEPSG(3035)
    dst.ImportFromEPSG(heldout.EPSG)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    xy = np.asarray(osr.CoordinateTransformation(src, dst).TransformPoints(np.column_stack([g.x, g.y])))
    planted = heldout.rate(xy[:, 0], xy[:, 1])
    assert np.all(planted < -8.0)  # only the farms' bowls reach 10 mm/yr (plus the rate noise)
    res = next(r["results"] for r in _step(record, "gwr")["runs"] if r["alg"] == "insarfusion:gwr")
    assert res["R2"] > 0.9
    ok = np.isfinite(g.columns["coef_ndvi_interannual"])
    assert np.median(g.columns["coef_ndvi_interannual"][ok]) == pytest.approx(heldout.B1, rel=0.3)
    assert np.median(g.columns["coef_sm_interannual"][ok]) == pytest.approx(heldout.B2, rel=0.3)


def test_the_project_opens_valid_with_layouts_that_export(run, tmp_path):
    from qgis.core import (QgsLayoutExporter, QgsLayoutItemLabel, QgsLayoutItemLegend, QgsLayoutItemMap,
                           QgsLayoutItemPicture, QgsLayoutItemScaleBar, QgsProject)
    from qgis.PyQt.QtGui import QImage

    from insar_fusion.ui.inspector import sources

    _, out, _, _, _ = run
    project = QgsProject()
    assert project.read(str(out / "study.qgz"))
    layers = list(project.mapLayers().values())
    assert len(layers) >= 20 and all(layer.isValid() for layer in layers)
    layouts = project.layoutManager().printLayouts()
    assert len(layouts) >= 3
    for layout in layouts:
        kinds = {type(i) for i in layout.items()}
        assert {QgsLayoutItemMap, QgsLayoutItemLegend, QgsLayoutItemScaleBar, QgsLayoutItemPicture,
                QgsLayoutItemLabel} <= kinds, layout.name()
        maps = [i for i in layout.items() if isinstance(i, QgsLayoutItemMap)]
        assert all(not m.extent().isEmpty() and m.layers() for m in maps), layout.name()
        # the title: 16 pt bold, through QgsTextFormat where QGIS has it (3.24+), setFont before
        fonts = [(i.textFormat().font(), i.textFormat().size()) if hasattr(i, "textFormat")
                 else (i.font(), i.font().pointSizeF())
                 for i in layout.items() if isinstance(i, QgsLayoutItemLabel)]
        assert any(f.bold() and f.family() == "DejaVu Sans" and size == 16 for f, size in fonts), layout.name()
        name = re.sub(r"\W+", "_", layout.name())
        exporter = QgsLayoutExporter(layout)
        pdf, png = tmp_path / f"{name}.pdf", tmp_path / f"{name}.png"
        assert exporter.exportToPdf(str(pdf), QgsLayoutExporter.PdfExportSettings()) == QgsLayoutExporter.ExportResult.Success
        assert exporter.exportToImage(str(png), QgsLayoutExporter.ImageExportSettings()) == QgsLayoutExporter.ExportResult.Success
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20000
        image = QImage(str(png)).convertToFormat(QImage.Format.Format_Grayscale8)
        pixels = np.frombuffer(image.constBits().asstring(image.sizeInBytes()), np.uint8)
        assert (pixels < 200).mean() > 0.01, f"{layout.name()} exports an almost blank page"
    src = sources.load(project)
    rate = project.mapLayer(src.insar_layer_id)
    assert rate is not None and rate.source().endswith("layername=rate")
    assert [s.label for s in src.stacks] == ["ndvi", "soil_moisture", "precipitation"]
    assert src.month_day == 16 and src.radius == 2000.0
    project.clear()


def test_the_report_gives_the_offset_the_counts_the_gwr_and_the_lags(run):
    _, out, _, _, record = run
    text = (out / "study.html").read_text(encoding="utf-8")
    assert "<img" in text and "src=\"http" not in text  # self-contained
    splice = _step(record, "splice")["runs"][0]["results"]
    screen = _step(record, "screen")["runs"][0]["results"]
    gwr = next(r["results"] for r in _step(record, "gwr")["runs"] if r["alg"] == "insarfusion:gwr")
    for heading in ("Splice: overlap check and offset", "Screening", "Seasonal statistics", "Table 2", "Table 3",
                    "GWR diagnostics", "Sites: series, correlations and lags"):
        assert heading in text, heading
    assert f"{splice['OFFSET']:.4g}" in text and f"{splice['RMSE']:.4g}" in text
    assert f"<td>{screen['N_KEPT']}</td>" in text and f"<td>{screen['REMOVED_RATE']}</td>" in text
    assert f"{gwr['R2']:.4g}" in text and f"{gwr['AICC']:.4g}" in text
    for r in _rows(out / "study.gpkg", "site_lags"):
        assert f"{r['lag_days']:.3g}" in text
    assert "Skipped: no COHERENCE rasters given" in text


def test_one_track_without_regions_skips_the_steps_that_need_them_and_says_why(provider, hardening_data, tmp_path):
    d = hardening_data
    out = tmp_path / "one"
    res, _ = iftest.run_alg("study", {"TRACKS": d.pts, "SOIL_MOISTURE": d.stack("soil_moisture"),
                                      "RATE_THRESHOLD": 2.0, "OUTPUT_FOLDER": str(out)})
    record = json.loads((out / "study.json").read_text())
    skipped = {s["key"]: s["reason"] for s in record["steps"] if s["status"] != "ok"}
    assert skipped["splice"] == "only one track: nothing to splice"
    assert skipped["ols"] == "no REGIONS given" and skipped["coherence"] == "no COHERENCE rasters given"
    assert "no SITES and no REGIONS" in skipped["sites"]
    assert "only one track" in res["SKIPPED"]
    text = (out / "study.html").read_text(encoding="utf-8")
    assert "Skipped: only one track: nothing to splice." in text and "Skipped: no REGIONS given." in text
    notes = " ".join(n for s in record["steps"] for n in s["notes"])
    assert "No ndvi stack" not in notes  # sites did not run; nothing claims otherwise


def _tree(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def test_a_refusal_names_the_step_and_leaves_an_earlier_study_as_it_was(provider, hardening_data, tmp_path):
    d = hardening_data
    out = tmp_path / "again"
    params = {"TRACKS": d.pts, "NDVI": d.stack("ndvi"), "RATE_THRESHOLD": 2.0, "OUTPUT_FOLDER": str(out)}
    iftest.run_alg("study", params)
    before = _tree(out)
    far = str(tmp_path / "far.gpkg")
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import write_points
    write_points(far, PointTable([9.0e5], [4.0e6], {"name": np.array(["far"], dtype=object)}, "EPSG:32647"))
    with pytest.raises(QgsProcessingException, match=r"Step 'Time series at the sites' stopped in "
                                                     r"insarfusion:sitetimeseries.*No site has an InSAR point"):
        iftest.run_alg("study", dict(params, SITES=far))
    assert _tree(out) == before


def test_a_track_without_incidence_stays_in_the_line_of_sight_and_says_so(provider, tmp_path):
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import write_points

    rng = np.random.default_rng(9)
    x, y = rng.uniform(4.0e5, 4.02e5, 200), rng.uniform(4.3e6, 4.302e6, 200)
    cols = {"pid": np.arange(200), "velocity": rng.normal(-2, 1, 200)}
    for k in range(12):
        cols[f"D2020{k + 1:02d}15"] = -0.2 * k + rng.normal(0, 0.5, 200)
    track = str(tmp_path / "los_only.gpkg")
    write_points(track, PointTable(x, y, cols, "EPSG:32633"))
    out = tmp_path / "out"
    res, log = iftest.run_alg("study", {"TRACKS": [track], "OUTPUT_FOLDER": str(out)})
    record = json.loads((out / "study.json").read_text())
    assert record["tracks"][0]["conversion"].startswith("kept in the line of sight")
    assert "neither an incidence angle nor los_up" in log.text()
    assert "kept in the line of sight" in (out / "study.html").read_text(encoding="utf-8")
    assert res["N_POINTS"] == 200 and "los_only_vertical" not in _rows_names(out / "study.gpkg")


def _rows_names(gpkg):
    from insar_fusion.core.vector_io import layer_names
    return layer_names(str(gpkg))


def test_tracks_may_be_project_layers_but_not_ones_without_a_file(provider, hardening_data, tmp_path):
    from qgis.core import QgsProcessingContext, QgsProject, QgsVectorLayer

    project = QgsProject()
    layer = QgsVectorLayer(hardening_data.pts, "my track", "ogr")
    memory = QgsVectorLayer("Point?crs=EPSG:32647", "scratch", "memory")
    project.addMapLayers([layer, memory])
    context = QgsProcessingContext()
    context.setProject(project)
    out = tmp_path / "layers"
    res, _ = iftest.run_alg("study", {"TRACKS": [layer.id()], "OUTPUT_FOLDER": str(out)}, context=context)
    assert json.loads((out / "study.json").read_text())["tracks"][0]["name"] == "pts"
    with pytest.raises(QgsProcessingException, match=r"TRACKS: the layer 'scratch' is not read from a file "
                                                     r"\(a memory layer\); save it to a GeoPackage first"):
        iftest.run_alg("study", {"TRACKS": [memory.id()], "OUTPUT_FOLDER": str(tmp_path / "m")}, context=context)
    assert not (tmp_path / "m").exists()
    project.clear()

"""`make demo` end to end: the real pipeline on the small scene into a temporary folder (about a minute).

Checks the three outputs: results.gpkg holds every layer and table; insar_fusion_demo.qgz opens with
QgsProject, every layer valid and styled, the inspector configured; report.html is self-contained
and its planted-against-recovered table (report.json) is within tolerance everywhere.
"""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from osgeo import ogr

import iftest

pytestmark = pytest.mark.slow

LAYERS = {"regions", "footprints", "t128_los", "t026_los", "t128_vertical", "t026_vertical", "vertical_rate",
          "overlap_pairs", "significant", "seasonal", "seasonal_t128", "seasonal_t026", "change_table",
          "sampled", "region_points", "gwr", "gwr_farmland", "ols_regions", "sites", "site_series", "site_correlation",
          "site_lags", "coherence_models", "coherence_samples", "reliability", "baseline_decorrelation",
          "network_t128", "network_t026"}
TABLES = {"change_table", "ols_regions", "site_series", "site_correlation", "site_lags", "coherence_models",
          "baseline_decorrelation", "network_t128", "network_t026"}
STYLED_VECTOR = {"graduatedSymbol", "categorizedSymbol", "RuleRenderer"}
STYLED_RASTER = {"singlebandpseudocolor", "paletted", "hillshade"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo_output"
    proc = subprocess.run([sys.executable, os.path.join(iftest.REPO, "tools", "demo.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    return out, proc


def test_demo_exits_zero_and_prints_the_summary_with_every_step(demo):
    out, proc = demo
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    summary = proc.stdout[proc.stdout.index("InSAR Fusion demo: summary"):]
    for n in range(1, 13):
        assert re.search(rf"^\s+{n} .+ s$", summary, re.M), f"step {n} missing or not ok:\n{summary}"
    assert "FAILED" not in summary and "NOT RUN" not in summary
    assert (out / "results.gpkg").exists() and (out / "insar_fusion_demo.qgz").exists()
    assert (out / "report.html").exists()


def test_results_geopackage_holds_every_layer_and_table(demo):
    out, _ = demo
    ds = ogr.Open(str(out / "results.gpkg"))
    layers = {ds.GetLayer(i).GetName(): ds.GetLayer(i) for i in range(ds.GetLayerCount())}
    assert LAYERS <= set(layers), LAYERS - set(layers)
    for name in LAYERS:
        lyr = layers[name]
        assert lyr.GetFeatureCount() > 0, name
        assert (lyr.GetGeomType() == ogr.wkbNone) == (name in TABLES), name
    fields = [layers["vertical_rate"].GetLayerDefn().GetFieldDefn(i).GetName()
              for i in range(layers["vertical_rate"].GetLayerDefn().GetFieldCount())]
    assert "velocity" in fields and sum(f.startswith("D20") for f in fields) == 55  # T128's dates
    gwr = [layers["gwr"].GetLayerDefn().GetFieldDefn(i).GetName()
           for i in range(layers["gwr"].GetLayerDefn().GetFieldCount())]
    assert {"local_r2", "coef_ndvi_interannual", "coef_sm_interannual"} <= set(gwr)


def test_project_opens_with_every_layer_valid_styled_and_the_inspector_configured(demo, qgis_app):
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    from insar_fusion.ui.inspector import sources as inspector_sources

    out, _ = demo
    project = QgsProject.instance()
    assert project.read(str(out / "insar_fusion_demo.qgz"))
    try:
        layers = list(project.mapLayers().values())
        assert len(layers) >= 40
        for layer in layers:
            assert layer.isValid(), layer.name()
            if isinstance(layer, QgsVectorLayer) and layer.isSpatial():
                assert layer.renderer().type() in STYLED_VECTOR, (layer.name(), layer.renderer().type())
            elif isinstance(layer, QgsRasterLayer):
                assert layer.renderer().type() in STYLED_RASTER, (layer.name(), layer.renderer().type())
        rate = next(lyr for lyr in layers if lyr.source().endswith("layername=vertical_rate"))
        ranges = rate.renderer().ranges()
        assert rate.renderer().classAttribute() == "velocity"
        assert ranges[0].lowerValue() < 0 < ranges[-1].upperValue()
        middle = ranges[len(ranges) // 2]
        assert middle.lowerValue() == pytest.approx(-middle.upperValue())  # centred on 0
        assert ranges[0].symbol().color().red() > ranges[0].symbol().color().blue()  # subsidence red
        groups = [g.name() for g in project.layerTreeRoot().children()]
        assert groups[:3] == ["Sites and regions", "InSAR deformation", "Regression"] and "Tables" in groups
        text, ok = project.readEntry("insar_fusion", "inspector/sources")
        assert ok
        stored = json.loads(text)
        assert all(not os.path.isabs(s["value"]) for s in stored["stacks"])  # moves with the project
        sources = inspector_sources.load(project)
        assert project.mapLayer(sources.insar_layer_id) is rate
        assert [s.label for s in sources.stacks] == ["ndvi", "soil_moisture", "precipitation"]
        for s in sources.stacks:
            assert os.path.samefile(os.path.dirname(s.value), out / "scene")
            assert len([f for f in os.listdir(s.value) if f.endswith(".tif")]) == 24
    finally:
        project.clear()


def test_report_is_self_contained_and_every_planted_parameter_is_recovered(demo):
    out, _ = demo
    text = (out / "report.html").read_text(encoding="utf-8")
    imgs = re.findall(r"<img [^>]*src=\"([^\"]{0,30})", text)
    assert len(imgs) >= 15 and all(src.startswith("data:image/png;base64,") for src in imgs)
    for heading in ("Fig. 8", "Table 2", "GWR", "Table 3", "Fig. 7", "Ningxia Table 2", "Planted against recovered"):
        assert heading in text, heading
    report = json.loads((out / "report.json").read_text())
    s = report["recovery"]["summary"]
    rows = report["recovery"]["rows"]
    failed = [r for r in rows if r["status"] != "pass" and r["status"] != "info"]
    assert not failed, json.dumps(failed, indent=1)[:3000]
    assert s["checked"] >= 200 and s["failed"] == 0 and s["unavailable"] == 0
    sections = {r["section"].split(".")[0] for r in rows if r["status"] == "pass"}
    assert {"tracks", "track_offset", "zones", "screen", "change", "gwr", "ols", "lags_days",
            "coherence"} <= sections
    assert all(r["tolerance"] for r in rows if r["status"] == "pass")
    compared = {c["result"] for c in report["paper"]}
    assert any("Overlap RMSE" in c for c in compared) and any("GWR" in c for c in compared)
    assert any("Coherence error" in c for c in compared) and any("Lag" in c for c in compared)


@pytest.mark.desktop
@pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("qgis") is None,
                    reason="needs Xvfb and the QGIS desktop (make deps installs both)")
def test_make_qgis_opens_the_project_and_the_inspector_charts_a_farmland_point(demo, tmp_path):
    out, _ = demo
    shot, status = tmp_path / "shot.png", tmp_path / "status.json"
    run = subprocess.run([sys.executable, os.path.join(iftest.REPO, "tools", "open_qgis.py"), "--xvfb",
                          "--project", str(out / "insar_fusion_demo.qgz"), "--screenshot", str(shot),
                          "--status", str(status)], capture_output=True, text=True, timeout=400)
    assert status.exists(), f"QGIS wrote no status (exit {run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    st = json.loads(status.read_text())
    assert st["layers"] >= 40 and st["invalid"] == [], st
    assert st["inspector"] and st["charts"], st  # the sources restored from the project, a point charted
    truth = json.loads((out / "scene" / "truth.json").read_text())["lags_days"]
    lags = next(iter(st["lags"].values()))  # the clicked point in P1: its 2000 m circle
    assert lags["ndvi"] == pytest.approx(truth["ndvi"], abs=5.0)
    assert lags["soil_moisture"] == pytest.approx(truth["soil_moisture"], abs=5.0)
    assert shot.stat().st_size > 100_000

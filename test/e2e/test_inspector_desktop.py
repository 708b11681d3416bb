"""The real QGIS desktop under Xvfb: open the inspector on the sample scene, click two farmland
sites with QTest, and screenshot it (IF_UPDATE_DOCS=1 copies the shot to docs/inspector.png)."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import iftest
import tsdata
from insar_fusion.core.vector_io import read_points

pytestmark = pytest.mark.desktop
SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")


@pytest.fixture
def algorithms(qgis_app, qgis_processing):
    """The insarfusion provider, registered again if a plugin-unload test removed it."""
    from qgis.core import QgsApplication

    prov, added = tsdata.ensure_provider()
    yield prov
    if added:
        QgsApplication.processingRegistry().removeProvider(prov)


@pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("qgis") is None,
                    reason="needs Xvfb and the QGIS desktop (make deps installs both)")
def test_inspector_in_the_desktop_charts_the_clicked_scene_points(scene, tmp_path, algorithms):
    truth = json.loads((scene / "truth.json").read_text())
    points, vertical = str(tmp_path / "T128.gpkg"), str(tmp_path / "T128_up.gpkg")
    iftest.run_alg("importpoints", {"INPUT": str(scene / "insar" / "T128_egms.csv"), "CRS": truth["crs"],
                                     "OUTPUT": points})
    iftest.run_alg("lostovertical", {"INPUT": points, "OUTPUT": vertical})
    p1, p2 = truth["zones"]["P1"]["centre"], truth["zones"]["P2"]["centre"]
    cx, cy = (p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2
    data = {"insar": vertical, "crs": truth["crs"], "background": str(scene / "ndvi" / "ndvi_201907.tif"),
            "stacks": [["ndvi", str(scene / "ndvi")], ["soil_moisture", str(scene / "soil_moisture")],
                       ["precipitation", str(scene / "precipitation")]],
            "sites": [[p1[0] + 150, p1[1] - 120], [p2[0] - 100, p2[1] + 130]],
            "view": [cx - 8000, cy - 6500, cx + 8000, cy + 6500]}
    (tmp_path / "data.json").write_text(json.dumps(data))
    status, shot = tmp_path / "status.json", tmp_path / "inspector.png"
    env = dict(os.environ, IF_STATUS=str(status), IF_DATA=str(tmp_path / "data.json"))
    subprocess.run([sys.executable, os.path.join(iftest.REPO, "tools", "desktop.py"),
                    "--code", os.path.join(SCRIPTS, "inspector_click.py"), "--status", str(status),
                    "--screenshot", str(shot), "--timeout", "150", "--settle", "1"],
                   env=env, check=False, timeout=260)
    assert status.exists(), "the inspector did not draw its charts in QGIS"
    st = json.loads(status.read_text())
    table = read_points(vertical, columns=["pid"])
    expected = [int(table.columns["pid"][np.argmin((table.x - x) ** 2 + (table.y - y) ** 2)])
                for x, y in st["clicks"]]
    assert st["point_ids"] == expected
    assert st["axes"] == ["deformation", "rate", "ndvi", "soil_moisture", "precipitation"]
    for lags, r in zip(st["lags"], st["r_rate_ndvi"]):
        assert lags["ndvi"] == pytest.approx(truth["lags_days"]["ndvi"], abs=5.0)
        assert lags["soil_moisture"] == pytest.approx(truth["lags_days"]["soil_moisture"], abs=5.0)
        assert r < -0.7
    assert st["dock_visible"]
    assert shot.exists() and shot.stat().st_size > 50_000
    if os.environ.get("IF_UPDATE_DOCS"):
        shutil.copy(shot, os.path.join(iftest.REPO, "docs", "inspector.png"))

"""The real QGIS desktop under Xvfb: open the inspector, click two points (QTest), screenshot it."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import iftest
import tsdata

pytestmark = pytest.mark.desktop
SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")


@pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("qgis") is None,
                    reason="needs Xvfb and the QGIS desktop (make deps installs both)")
def test_inspector_in_the_desktop_charts_the_clicked_points(tmp_path):
    data = tsdata.demo_scene(str(tmp_path / "scene"))
    data_json = tmp_path / "data.json"
    data_json.write_text(json.dumps(data))
    status = tmp_path / "status.json"
    shot = tmp_path / "inspector.png"
    env = dict(os.environ, IF_STATUS=str(status), IF_DATA=str(data_json))
    subprocess.run([sys.executable, os.path.join(iftest.REPO, "tools", "desktop.py"),
                    "--code", os.path.join(SCRIPTS, "inspector_click.py"), "--status", str(status),
                    "--screenshot", str(shot), "--timeout", "150", "--settle", "1"],
                   env=env, check=False, timeout=260)
    assert status.exists(), "the inspector did not draw its charts in QGIS"
    st = json.loads(status.read_text())
    x, y = np.array(data["x"]), np.array(data["y"])
    expected = [int(np.argmin((x - cx) ** 2 + (y - cy) ** 2)) for cx, cy, _ in st["clicks"]]
    assert st["point_ids"] == expected  # a pixel is ~15 m; the points are ~200 m apart
    assert st["axes"] == ["deformation", "rate", "ndvi", "soil_moisture", "precipitation"]
    first = st["lags"][f"#{expected[0]}"]
    assert first["ndvi"] == pytest.approx(15.0, abs=5.0)
    assert first["soil_moisture"] == pytest.approx(30.0, abs=5.0)
    assert st["dock_visible"]
    assert shot.exists() and shot.stat().st_size > 50_000
    if os.environ.get("IF_UPDATE_DOCS"):
        shutil.copy(shot, os.path.join(iftest.REPO, "docs", "inspector.png"))

"""Every inspector feature of issue 17 once in the real QGIS desktop under Xvfb, at 1366 × 768
and at 1920 × 1080, driven with QTest clicks and keys (IF_UPDATE_DOCS=1 copies the screenshots
to docs/inspector_1366x768.png and docs/inspector_1920x1080.png)."""
import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys

import pytest

import iftest
import tsdata

pytestmark = pytest.mark.desktop
SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")


@pytest.fixture
def algorithms(qgis_app, qgis_processing):
    from qgis.core import QgsApplication

    prov, added = tsdata.ensure_provider()
    yield prov
    if added:
        QgsApplication.processingRegistry().removeProvider(prov)


def _gnss_csv(path, truth):
    """A station at P1's centre moving as the scene's planted vertical signal there (mm)."""
    p1 = truth["zones"]["P1"]
    with open(path, "w") as f:
        f.write("date,east,north,up\n")
        day = dt.date(2019, 1, 1)
        while day < dt.date(2021, 3, 1):
            t = (day - dt.date(2019, 1, 1)).days / 365.25
            up = p1["peak_rate_mm_yr"] * t + p1["seasonal_amplitude_mm"] * math.cos(
                2 * math.pi * (day.timetuple().tm_yday - p1["seasonal_peak_doy"]) / 365.25)
            f.write(f"{day.isoformat()},0.0,0.0,{up:.3f}\n")
            day += dt.timedelta(days=1)


@pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("qgis") is None,
                    reason="needs Xvfb and the QGIS desktop (make deps installs both)")
@pytest.mark.parametrize("size,dock_width", [("1366x768", 560), ("1920x1080", 760)])
def test_every_inspector_feature_in_the_desktop(scene, tmp_path, algorithms, size, dock_width):
    truth = json.loads((scene / "truth.json").read_text())
    points = str(tmp_path / "T128.gpkg")
    iftest.run_alg("importpoints", {"INPUT": str(scene / "insar" / "T128_egms.csv"), "CRS": truth["crs"],
                                     "OUTPUT": points})
    p1, p2 = truth["zones"]["P1"]["centre"], truth["zones"]["P2"]["centre"]
    cx, cy = (p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2
    _gnss_csv(tmp_path / "GNSS_P1.csv", truth)
    data = {"insar": points, "crs": truth["crs"], "background": str(scene / "ndvi" / "ndvi_201907.tif"),
            "stacks": [["ndvi", str(scene / "ndvi")], ["soil_moisture", str(scene / "soil_moisture")],
                       ["precipitation", str(scene / "precipitation")]],
            "sites": [[p1[0] + 150, p1[1] - 120], [p2[0] - 100, p2[1] + 130]],
            "reference": [cx + 5200, cy + 4200], "polygon_centre": [p1[0], p1[1]],
            "gnss": str(tmp_path / "GNSS_P1.csv"), "dock_width": dock_width,
            "view": [cx - 8000, cy - 6500, cx + 8000, cy + 6500]}
    (tmp_path / "data.json").write_text(json.dumps(data))
    status, shot = tmp_path / "status.json", tmp_path / f"inspector_{size}.png"
    env = dict(os.environ, IF_STATUS=str(status), IF_DATA=str(tmp_path / "data.json"))
    subprocess.run([sys.executable, os.path.join(iftest.REPO, "tools", "desktop.py"),
                    "--code", os.path.join(SCRIPTS, "inspector_features.py"), "--status", str(status),
                    "--screenshot", str(shot), "--timeout", "200", "--settle", "1.5", "--size", size],
                   env=env, check=False, timeout=320)
    assert status.exists(), "the inspector script did not finish in QGIS"
    st = json.loads(status.read_text())
    assert "error" not in st, st
    # bug 1 in the real QGIS: Backspace took a vertex and deleted no feature
    assert st["backspace"] == {"features_after": 1, "selected_after": 1, "vertices_after": 2}
    assert len(st["steps"][0][1]) == 2  # two points compared
    assert "reference point" in st["steps"][1][1]
    assert st["reference_marks"] == 1
    assert st["kinds"] == ["point", "point", "polygon"]
    assert st["rows"] == ["deformation", "rate", "ndvi", "soil_moisture", "precipitation", "residuals"]
    labels = st["curves"]["deformation"]
    assert any("annual fit" in k for k in labels) and any("replica" in k for k in labels)
    assert any(k.startswith("GNSS GNSS_P1") for k in labels)
    assert "RMS difference" in st["gnss_text"]
    assert st["selections"] == ["farmland sites"]
    # bug 3: never taller (or wider) than the screen
    assert st["window_height"] <= st["screen_height"] and st["window_width"] <= st["screen_width"]
    assert st["dock_visible"]
    assert shot.exists() and shot.stat().st_size > 50_000
    if os.environ.get("IF_UPDATE_DOCS"):
        shutil.copy(shot, os.path.join(iftest.REPO, "docs", f"inspector_{size}.png"))

"""The study's project in the real QGIS desktop under Xvfb: it opens without a question (no datum
transformation prompt), every layer valid, and its print layouts in the layout designer."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import iftest

pytestmark = [pytest.mark.desktop, pytest.mark.slow]
SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")


@pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("qgis") is None,
                    reason="needs Xvfb and the QGIS desktop (make deps installs both)")
def test_the_study_project_opens_in_qgis_with_its_layouts(heldout_study, tmp_path):
    _, out, _, record = heldout_study
    status, shot = tmp_path / "status.json", tmp_path / "layout.png"
    env = dict(os.environ, IF_STATUS=str(status), IF_LAYOUT="Deformation rate")
    subprocess.run([sys.executable, os.path.join(iftest.REPO, "tools", "desktop.py"),
                    "--code", os.path.join(SCRIPTS, "study_layout.py"), "--project", str(out / "study.qgz"),
                    "--status", str(status), "--screenshot", str(shot), "--timeout", "200", "--settle", "2"],
                   env=env, check=False, timeout=300)
    assert status.exists(), "QGIS did not open the project (a modal question would stop the script)"
    st = json.loads(status.read_text())
    assert st["invalid"] == [] and st["layers"] >= 20, st
    assert len(st["layouts"]) >= 3 and st["designer"] == "Deformation rate", st
    for name, items in st["layouts"].items():
        assert {"map", "legend", "scalebar", "north arrow", "label"} <= set(items), (name, items)
    assert sorted(st["layouts"]) == sorted(record["outputs"]["layouts"])
    assert shot.exists() and shot.stat().st_size > 50000

"""The real QGIS desktop, under Xvfb, loads the plugin without errors."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import iftest

pytestmark = pytest.mark.desktop
SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")


@pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("qgis") is None,
                    reason="needs Xvfb and the QGIS desktop (make deps installs both)")
def test_qgis_desktop_loads_the_plugin_without_errors(tmp_path):
    status = tmp_path / "status.json"
    env = dict(os.environ, IF_STATUS=str(status))
    subprocess.run([sys.executable, os.path.join(iftest.REPO, "tools", "desktop.py"),
                    "--code", os.path.join(SCRIPTS, "plugin_status.py"), "--status", str(status),
                    "--timeout", "150", "--settle", "0"], env=env, check=False, timeout=240)
    assert status.exists(), "QGIS did not run the start-up script (did it start?)"
    st = json.loads(status.read_text())
    assert st["loaded"] and st["active"], st
    assert st["provider"] and st["provider_errors"] == [], st
    assert "insarfusion:lostovertical" in st["algorithms"]
    assert st["menu"] and st["toolbar"]

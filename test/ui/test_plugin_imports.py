"""Loading the provider (what QGIS does when the plugin starts) leaves h5py unimported: it is
imported when an HDF5 file is read."""
import os
import subprocess
import sys

import iftest

CODE = """
import sys
sys.path.insert(0, {parent!r})
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
from insar_fusion.processing.provider import InsarFusionProvider
provider = InsarFusionProvider()
provider.loadAlgorithms()
assert not provider.load_errors, provider.load_errors
print("algorithms", len(provider.algorithms()))
print("loaded", sorted(m for m in ("h5py",) if m in sys.modules))
"""


def test_loading_the_provider_does_not_import_h5py():
    parent = iftest.make_importable()
    out = subprocess.run([sys.executable, "-c", CODE.format(parent=parent)], capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr[-4000:]
    assert "algorithms 0" not in out.stdout
    assert "loaded []" in out.stdout, out.stdout

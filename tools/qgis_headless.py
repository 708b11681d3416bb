"""Start QGIS headless with the plugin's provider registered (for the demo and scripts)."""
import hashlib
import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QGIS_PLUGINS = "/usr/share/qgis/python/plugins"
_APP = None
_PROVIDER = None


def make_importable() -> str:
    """Make the repository importable as `insar_fusion` (as QGIS names it), and QGIS's
    `processing` importable; return the folder holding the `insar_fusion` link."""
    key = hashlib.sha1(REPO.encode()).hexdigest()[:10]
    parent = os.path.join(tempfile.gettempdir(), f"insar_fusion_pkg_{key}")
    link = os.path.join(parent, "insar_fusion")
    os.makedirs(parent, exist_ok=True)
    if os.path.realpath(link) != REPO:
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(REPO, link)
    # The repository root must not be on sys.path: its processing/ would shadow QGIS's.
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.getcwd()) != REPO]
    if parent not in sys.path:
        sys.path.insert(0, parent)
    if QGIS_PLUGINS not in sys.path:
        sys.path.append(QGIS_PLUGINS)
    return parent


def start():
    """Initialise QgsApplication, Processing and the InSAR Fusion provider once; return the app."""
    global _APP, _PROVIDER
    if _APP is not None:
        return _APP
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    make_importable()
    from qgis.core import QgsApplication

    _APP = QgsApplication([], False)
    _APP.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    from insar_fusion.processing.provider import InsarFusionProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("insarfusion") is None:
        _PROVIDER = InsarFusionProvider()  # keep a reference, or Python collects it
        registry.addProvider(_PROVIDER)
    return _APP

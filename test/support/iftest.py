"""Helpers for the test suite (imported by conftest.py and by tests)."""
import hashlib
import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QGIS_PLUGINS = "/usr/share/qgis/python/plugins"


def make_importable() -> str:
    """Make the repository importable as the package `insar_fusion` (as QGIS names it)."""
    key = hashlib.sha1(REPO.encode()).hexdigest()[:10]
    parent = os.path.join(tempfile.gettempdir(), f"insar_fusion_pkg_{key}")
    link = os.path.join(parent, "insar_fusion")
    os.makedirs(parent, exist_ok=True)
    if os.path.realpath(link) != REPO:
        try:
            os.remove(link)
        except FileNotFoundError:
            pass
        os.symlink(REPO, link)
    # The repository root must not be on sys.path: its processing/ would shadow QGIS's.
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.getcwd()) != REPO]
    if parent not in sys.path:
        sys.path.insert(0, parent)
    if QGIS_PLUGINS not in sys.path:
        sys.path.append(QGIS_PLUGINS)
    return parent


class LogFeedback:
    """Factory for a QgsProcessingFeedback that records everything it is told."""

    @staticmethod
    def create():
        from qgis.core import QgsProcessingFeedback

        class _Feedback(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.lines = []
                self.progress_values = []
                self.progressChanged.connect(self.progress_values.append)

            def pushInfo(self, info):
                self.lines.append(info)
                super().pushInfo(info)

            def reportError(self, error, fatalError=False):
                self.lines.append(error)
                super().reportError(error, fatalError)

            def pushDebugInfo(self, info):
                self.lines.append(info)
                super().pushDebugInfo(info)

            def pushWarning(self, warning):
                self.lines.append(warning)
                super().pushWarning(warning)

            def text(self):
                return "\n".join(self.lines)

        return _Feedback()


_PROVIDERS = []  # keep Python references to the providers registered here


def ensure_provider():
    """The insarfusion provider, registered (again) if a plugin-unload test removed it."""
    from qgis.core import QgsApplication
    from insar_fusion.processing.provider import InsarFusionProvider

    registry = QgsApplication.processingRegistry()
    prov = registry.providerById("insarfusion")
    if prov is None:
        prov = InsarFusionProvider()
        registry.addProvider(prov)
        _PROVIDERS.append(prov)
    return prov


def run_alg(alg_id, params, feedback=None, context=None):
    """processing.run an algorithm; return (results, feedback)."""
    import processing

    ensure_provider()
    from qgis.core import QgsProcessingContext, QgsProject

    feedback = feedback or LogFeedback.create()
    if context is None:
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        context.setFeedback(feedback)
    full = alg_id if ":" in alg_id else "insarfusion:" + alg_id
    results = processing.run(full, params, feedback=feedback, context=context)
    return results, feedback


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

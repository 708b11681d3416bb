"""Helpers for the test suite (imported by conftest.py and by tests)."""
import hashlib
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.append(os.path.join(REPO, "tools"))
import qgis_headless  # noqa: E402  (tools/qgis_headless.py)


def make_importable() -> str:
    """Make the repository importable as the package `insar_fusion` (as QGIS names it)."""
    return qgis_headless.make_importable()


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

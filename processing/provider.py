"""The InSAR Fusion Processing provider (id `insarfusion`)."""
import importlib
import inspect
import os
import pkgutil
import sys
import traceback

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .base import InsarFusionAlgorithm

PLUGIN_DIR = os.path.dirname(os.path.dirname(__file__))
ICON = os.path.join(PLUGIN_DIR, "resources", "icon.svg")


def algorithm_classes():
    """Every concrete algorithm class in the sub-packages of this package, and import errors."""
    classes, errors = [], []
    package = __name__.rsplit(".", 1)[0]
    here = os.path.dirname(__file__)
    for info in pkgutil.walk_packages([here], prefix=package + "."):
        if info.ispkg or not info.name.rsplit(".", 1)[1].startswith("alg_"):
            continue
        try:
            # QGIS's import hook does not see importlib, so unloading the plugin would leave this
            # module behind (its classes then fail issubclass against a re-imported base class and
            # the provider loads nothing): forget_algorithm_modules() drops it on unload
            module = importlib.import_module(info.name)
        except Exception:  # one broken module must not hide the others
            errors.append((info.name, traceback.format_exc()))
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, InsarFusionAlgorithm) and cls.__module__ == module.__name__ and cls.NAME:
                classes.append(cls)
    classes.sort(key=lambda c: c.NAME)
    return classes, errors


def forget_algorithm_modules() -> None:
    """Drop the alg_* modules from sys.modules (on unload), so the next load imports them afresh."""
    package = __name__.rsplit(".", 1)[0] + "."
    for name in [n for n in sys.modules if n.startswith(package) and n.rsplit(".", 1)[1].startswith("alg_")]:
        del sys.modules[name]


class InsarFusionProvider(QgsProcessingProvider):
    """Registers every algorithm found in processing/<group>/alg_*.py."""

    def __init__(self):
        super().__init__()
        self.load_errors = []

    def id(self):  # noqa: A003
        return "insarfusion"

    def name(self):
        return "InSAR Fusion"

    def longName(self):
        return "InSAR Fusion: InSAR deformation with NDVI, soil moisture and precipitation"

    def icon(self):
        return QIcon(ICON)

    def svgIconPath(self):
        return ICON

    def loadAlgorithms(self):
        classes, self.load_errors = algorithm_classes()
        for name, tb in self.load_errors:
            QgsMessageLog.logMessage(f"Could not load {name}:\n{tb}", "InSAR Fusion", Qgis.MessageLevel.Critical)
        for cls in classes:
            self.addAlgorithm(cls())

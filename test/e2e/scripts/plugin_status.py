"""Run inside the QGIS desktop (--code): report from QGIS's own registries whether the plugin loaded."""
import json
import os

import qgis.utils
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QMenu, QToolBar
from qgis.utils import iface


def report():
    window = iface.mainWindow()
    provider = QgsApplication.processingRegistry().providerById("insarfusion")
    status = {
        "loaded": "insar_fusion" in qgis.utils.plugins,
        "active": "insar_fusion" in qgis.utils.active_plugins,
        "load_time": qgis.utils.plugin_times.get("insar_fusion"),
        "provider": provider is not None,
        "provider_errors": [name for name, _ in getattr(provider, "load_errors", [])],
        "algorithms": [a.id() for a in provider.algorithms()] if provider else [],
        "menu": window.findChild(QMenu, "InsarFusionMenu") is not None,
        "toolbar": window.findChild(QToolBar, "InsarFusionToolbar") is not None,
    }
    with open(os.environ["IF_STATUS"], "w") as f:
        json.dump(status, f)


iface.mainWindow().setGeometry(0, 0, 1600, 1000)
QTimer.singleShot(3000, report)

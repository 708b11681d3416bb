"""QGIS start-up script: the study's project opened by the real desktop. Writes IF_STATUS (JSON: the
layers and whether each is valid, the print layouts and their items) and shows one layout's
designer (IF_LAYOUT, default the first) for the screenshot."""
import json
import os
import time

from qgis.core import (QgsLayoutItemLabel, QgsLayoutItemLegend, QgsLayoutItemMap, QgsLayoutItemPicture,
                       QgsLayoutItemScaleBar, QgsProject)
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface

STATUS = os.environ.get("IF_STATUS", "")
WANTED = os.environ.get("IF_LAYOUT", "")
state = {"t0": time.time(), "tries": 0}
iface.mainWindow().setGeometry(0, 0, 1600, 1000)


def items(layout):
    kinds = {QgsLayoutItemMap: "map", QgsLayoutItemLegend: "legend", QgsLayoutItemScaleBar: "scalebar",
             QgsLayoutItemPicture: "north arrow", QgsLayoutItemLabel: "label"}
    return sorted({name for item in layout.items() for cls, name in kinds.items() if isinstance(item, cls)})


def wait():
    project = QgsProject.instance()
    state["tries"] += 1
    if not project.mapLayers() and state["tries"] < 120:
        QTimer.singleShot(500, wait)
        return
    layouts = project.layoutManager().printLayouts()
    status = {"project": project.fileName(), "layers": len(project.mapLayers()),
              "invalid": [lyr.name() for lyr in project.mapLayers().values() if not lyr.isValid()],
              "layouts": {lay.name(): items(lay) for lay in layouts}}
    chosen = next((lay for lay in layouts if lay.name() == WANTED), layouts[0] if layouts else None)
    if chosen is not None:
        designer = iface.openLayoutDesigner(chosen)
        status["designer"] = chosen.name()
        window = designer.window() if hasattr(designer, "window") else None
        if window is not None:
            window.setGeometry(0, 0, 1600, 1000)
            window.raise_()
    status["seconds"] = round(time.time() - state["t0"], 1)
    QTimer.singleShot(6000, lambda: write(status))


def write(status):
    if STATUS:
        with open(STATUS, "w") as f:
            json.dump(status, f)


QTimer.singleShot(2000, wait)

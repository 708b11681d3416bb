"""QGIS start-up script (--code): open the inspector on the sample scene, click two sites with QTest.

Reads IF_DATA (a JSON file: the InSAR layer, the stack folders, the two sites to click) and writes
IF_STATUS (JSON) once both charts are drawn, so the caller can take the screenshot.
"""
import json
import os

import qgis.utils
from qgis.core import (QgsCoordinateReferenceSystem, QgsProject, QgsRasterLayer, QgsRectangle,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QPoint, Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QDockWidget
from qgis.utils import iface

with open(os.environ["IF_DATA"]) as _f:
    DATA = json.load(_f)
STATUS = os.environ["IF_STATUS"]
window = iface.mainWindow()
window.setGeometry(0, 0, 1600, 1000)
state = {"clicks": []}


def load():
    from insar_fusion.processing.styles import rate_style
    from insar_fusion.ui.inspector import sources as src

    project = QgsProject.instance()
    project.addMapLayer(QgsRasterLayer(DATA["background"], "NDVI July 2019"))
    layer = QgsVectorLayer(DATA["insar"], "InSAR points (vertical)", "ogr")
    rate_style("velocity")(layer)
    project.addMapLayer(layer)
    iface.mapCanvas().setDestinationCrs(QgsCoordinateReferenceSystem(DATA["crs"]))
    plugin = qgis.utils.plugins["insar_fusion"]
    plugin.show_inspector()
    dock = plugin.inspector()
    dock.set_sources(src.Sources(layer.id(), [src.StackSource(label, "folder", folder)
                                              for label, folder in DATA["stacks"]], 2000.0, 3))
    dock.sources_box.setCollapsed(True)
    browser = window.findChild(QDockWidget, "Browser")
    if browser is not None:
        browser.hide()
    window.resizeDocks([dock], [820], Qt.Orientation.Horizontal)
    state["dock"] = dock
    dock.charts_drawn.connect(charted)
    dock.activate_pick()
    QTimer.singleShot(2500, zoom)


def zoom():
    xmin, ymin, xmax, ymax = DATA["view"]
    iface.mapCanvas().setExtent(QgsRectangle(xmin, ymin, xmax, ymax))
    iface.mapCanvas().refresh()
    QTimer.singleShot(2500, lambda: click(*DATA["sites"][0], Qt.KeyboardModifier.NoModifier))


def click(x, y, modifiers):
    canvas = iface.mapCanvas()
    px = canvas.getCoordinateTransform().transform(x, y)
    pos = QPoint(int(px.x()), int(px.y()))
    mp = canvas.getCoordinateTransform().toMapCoordinates(pos.x(), pos.y())
    state["clicks"].append([mp.x(), mp.y()])
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, modifiers, pos)


def charted():
    n = len(state["dock"].analyses)
    if n == 1 and len(state["clicks"]) == 1:
        QTimer.singleShot(800, lambda: click(*DATA["sites"][1], Qt.KeyboardModifier.ShiftModifier))
    elif n == 2:
        QTimer.singleShot(1500, report)


def report():
    dock = state["dock"]
    with open(STATUS, "w") as f:
        json.dump({"clicks": state["clicks"],
                   "point_ids": [a.data.point_id for a in dock.analyses],
                   "lags": [{g.variable: g.lag_days for g in a.lags} for a in dock.analyses],
                   "r_rate_ndvi": [a.correlation("rate", "ndvi").r for a in dock.analyses],
                   "axes": dock.view.series_rows(),
                   "dock_visible": dock.isVisible(),
                   "status": dock.status.text()}, f)


QTimer.singleShot(3000, load)

"""QGIS start-up script (--code): open the inspector on synthetic data, click two points with QTest.

Reads IF_DATA (a JSON file of paths from tsdata.demo_scene) and writes IF_STATUS (JSON) when the
charts are drawn, so the caller can take the screenshot.
"""
import json
import os
import time

import qgis.utils
from qgis.core import (QgsCoordinateReferenceSystem, QgsProject, QgsRasterLayer, QgsRectangle,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QPoint, Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QDockWidget
from qgis.utils import iface

DATA = json.load(open(os.environ["IF_DATA"]))
STATUS = os.environ["IF_STATUS"]
window = iface.mainWindow()
window.setGeometry(0, 0, 1600, 1000)
state = {"clicks": [], "t0": time.time()}


def load():
    from insar_fusion.processing.styles import rate_style

    project = QgsProject.instance()
    ndvi = QgsRasterLayer(DATA["ndvi"][6], "NDVI July 2019")
    project.addMapLayer(ndvi)
    layer = QgsVectorLayer(DATA["insar"], "InSAR points", "ogr")
    rate_style("velocity")(layer)
    project.addMapLayer(layer)
    canvas = iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:32647"))
    plugin = qgis.utils.plugins["insar_fusion"]
    plugin.show_inspector()
    dock = plugin.inspector()
    from insar_fusion.ui.inspector import sources as src

    dock.set_sources(src.Sources(layer.id(), [
        src.StackSource("ndvi", "folder", os.path.dirname(DATA["ndvi"][0])),
        src.StackSource("soil_moisture", "folder", os.path.dirname(DATA["sm"][0])),
        src.StackSource("precipitation", "pattern", os.path.join(os.path.dirname(DATA["pr"][0]), "precip_*.tif"))],
        2000.0, 3))
    dock.sources_box.setCollapsed(True)
    browser = window.findChild(QDockWidget, "Browser")
    if browser is not None:
        browser.hide()
    window.resizeDocks([dock], [820], Qt.Horizontal)
    state.update(dock=dock, layer=layer)
    dock.charts_drawn.connect(charted)
    dock.activate_pick()
    QTimer.singleShot(2500, lambda: zoom(canvas))


def zoom(canvas):
    cx, cy = DATA["centre"]
    canvas.setExtent(QgsRectangle(cx - 7200, cy - 7200, cx + 7200, cy + 7200))
    canvas.refresh()
    QTimer.singleShot(2000, lambda: click(canvas, cx + 300, cy - 200, Qt.NoModifier))


def click(canvas, x, y, modifiers):
    px = canvas.getCoordinateTransform().transform(x, y)
    pos = QPoint(int(px.x()), int(px.y()))
    mp = canvas.getCoordinateTransform().toMapCoordinates(pos.x(), pos.y())
    state["clicks"].append([mp.x(), mp.y(), int(modifiers != Qt.NoModifier)])
    QTest.mouseClick(canvas.viewport(), Qt.LeftButton, modifiers, pos)


def charted():
    dock = state["dock"]
    n = len(dock.analyses)
    if n == 1 and len(state["clicks"]) == 1:
        cx, cy = DATA["centre"]
        QTimer.singleShot(800, lambda: click(iface.mapCanvas(), cx + 4300, cy + 3900, Qt.ShiftModifier))
        return
    if n == 2:
        QTimer.singleShot(1500, report)


def report():
    dock = state["dock"]
    with open(STATUS, "w") as f:
        json.dump({"clicks": state["clicks"],
                   "point_ids": [a.data.point_id for a in dock.analyses],
                   "lags": {a.site: {g.variable: g.lag_days for g in a.lags} for a in dock.analyses},
                   "axes": list(dock.view.series_axes()),
                   "dock_visible": dock.isVisible(),
                   "status": dock.status.text()}, f)


QTimer.singleShot(3000, load)

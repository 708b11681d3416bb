"""QGIS start-up script (qgis --code) for `make qgis` under Xvfb: show the demo project with the
time-series inspector open on a farmland point, then write IF_STATUS (JSON) for the screenshot.

Runs inside the QGIS desktop; the project is given on QGIS's command line.
"""
import json
import os
import time

import qgis.utils
from qgis.core import QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QPoint, Qt, QTimer
from qgis.PyQt.QtWidgets import QDockWidget
from qgis.utils import iface

STATUS = os.environ.get("IF_STATUS", "")
state = {"t0": time.time(), "clicked": None}
window = iface.mainWindow()
window.setGeometry(0, 0, 1600, 1000)


def write(**extra):
    if not STATUS:
        return
    project = QgsProject.instance()
    status = {"project": project.fileName(), "layers": len(project.mapLayers()),
              "invalid": [lyr.name() for lyr in project.mapLayers().values() if not lyr.isValid()],
              "seconds": round(time.time() - state["t0"], 1), **extra}
    with open(STATUS, "w") as f:
        json.dump(status, f)


def wait_for_project(tries=[0]):  # noqa: B006 (a counter kept between calls)
    tries[0] += 1
    if not QgsProject.instance().mapLayers() and tries[0] < 120:
        QTimer.singleShot(500, wait_for_project)
        return
    for name in ("Browser", "Browser2", "LayerStyling"):
        dock = window.findChild(QDockWidget, name)
        if dock is not None:
            dock.hide()
    canvas = iface.mapCanvas()
    canvas.setExtent(QgsProject.instance().viewSettings().defaultViewExtent())
    canvas.refresh()
    plugin = qgis.utils.plugins.get("insar_fusion")
    if plugin is None or not hasattr(plugin, "show_inspector"):
        QTimer.singleShot(4000, lambda: write(inspector=False))
        return
    plugin.show_inspector()
    dock = plugin.inspector()
    window.resizeDocks([dock], [760], Qt.Orientation.Horizontal)
    dock.charts_drawn.connect(lambda: QTimer.singleShot(1500, lambda: done(dock)))
    QTimer.singleShot(4000, lambda: click(dock))


def click(dock):
    """Click the map at the P1 region's centre (the farmland zone of the paper's Fig. 11)."""
    from qgis.PyQt.QtTest import QTest

    canvas = iface.mapCanvas()
    regions = next((lyr for lyr in QgsProject.instance().mapLayers().values()
                    if lyr.source().endswith("layername=regions")), None)
    centre = None
    if regions is not None:
        for f in regions.getFeatures():
            if f["name"] == "P1":
                centre = f.geometry().centroid().asPoint()
    if centre is None:
        write(inspector=True, clicked=False)
        return
    full = QgsProject.instance().viewSettings().defaultViewExtent()
    canvas.setExtent(QgsRectangle(centre.x() - 6000, full.yMinimum(), centre.x() + 10000, full.yMaximum()))
    canvas.refresh()
    px = canvas.getCoordinateTransform().transform(centre.x(), centre.y())
    state["clicked"] = [centre.x(), centre.y()]
    QTimer.singleShot(1500, lambda: QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                                                     QPoint(int(px.x()), int(px.y()))))
    QTimer.singleShot(60000, lambda: write(inspector=True, clicked=state["clicked"], charts=False))


def done(dock):
    lags = {a.site: {g.variable: g.lag_days for g in a.lags} for a in dock.analyses}
    write(inspector=True, clicked=state["clicked"], charts=True,
          point_ids=[str(a.data.point_id) for a in dock.analyses], lags=lags, status=dock.status.text())


QTimer.singleShot(2000, wait_for_project)

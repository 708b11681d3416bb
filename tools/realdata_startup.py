"""QGIS start-up script (qgis --code) for tools/realdata_docs.py: zoom to the visible layers, show
their legends and, with IF_MODE=inspector, open the time-series inspector on the point that
moves fastest; then write IF_STATUS (JSON) for the screenshot."""
import json
import os
import time

import qgis.utils
from qgis.core import QgsProject, QgsRectangle, QgsVectorLayer
from qgis.PyQt.QtCore import QPoint, Qt, QTimer
from qgis.PyQt.QtWidgets import QDockWidget
from qgis.utils import iface

STATUS = os.environ.get("IF_STATUS", "")
MODE = os.environ.get("IF_MODE", "")
t0 = time.time()
window = iface.mainWindow()
window.setGeometry(0, 0, 1600, 1000)


def write(**extra):
    project = QgsProject.instance()
    status = {"layers": len(project.mapLayers()),
              "invalid": [lyr.name() for lyr in project.mapLayers().values() if not lyr.isValid()],
              "seconds": round(time.time() - t0, 1), **extra}
    if STATUS:
        with open(STATUS, "w") as f:
            json.dump(status, f)


def visible_layers():
    root = QgsProject.instance().layerTreeRoot()
    return [n.layer() for n in root.findLayers() if n.isVisible()]


def wait_for_project(tries=[0]):  # noqa: B006 (a counter kept between calls)
    tries[0] += 1
    if not QgsProject.instance().mapLayers() and tries[0] < 120:
        QTimer.singleShot(500, wait_for_project)
        return
    for name in ("Browser", "Browser2", "LayerStyling"):
        dock = window.findChild(QDockWidget, name)
        if dock is not None:
            dock.hide()
    legend = window.findChild(QDockWidget, "Layers")
    if legend is not None:
        window.resizeDocks([legend], [400], Qt.Orientation.Horizontal)
    root = QgsProject.instance().layerTreeRoot()
    for node in root.findLayers():
        node.setExpanded(node.isVisible())
    if MODE != "inspector":
        QTimer.singleShot(1000, zoom)
        QTimer.singleShot(4000, write)
        return
    plugin = qgis.utils.plugins.get("insar_fusion")
    if plugin is None or not hasattr(plugin, "show_inspector"):
        QTimer.singleShot(3000, lambda: write(inspector=False))
        return
    plugin.show_inspector()
    dock = plugin.inspector()
    dock.sources_box.setCollapsed(True)  # no stacks here: room for the charts
    window.resizeDocks([dock], [760], Qt.Orientation.Horizontal)
    QTimer.singleShot(1500, zoom)  # once the dock has taken its place
    dock.charts_drawn.connect(lambda: QTimer.singleShot(1500, lambda: write(inspector=True, charts=True,
                                                                             point=state.get("point"))))
    QTimer.singleShot(4000, lambda: click(dock))
    QTimer.singleShot(90000, lambda: write(inspector=True, charts=False, point=state.get("point")))


state = {}


def zoom():
    canvas = iface.mapCanvas()
    extent = QgsRectangle()
    for layer in visible_layers():
        extent.combineExtentWith(canvas.mapSettings().layerExtentToOutputExtent(layer, layer.extent()))
    extent.scale(1.05)
    canvas.setExtent(extent)
    canvas.refresh()


def click(dock):
    """Click the point whose velocity is the most negative (the fastest subsidence)."""
    from qgis.PyQt.QtTest import QTest

    from insar_fusion.ui.inspector import sources as src

    layer = QgsProject.instance().mapLayer(src.load(QgsProject.instance()).insar_layer_id)
    if layer is None:
        layer = next(lyr for lyr in visible_layers() if isinstance(lyr, QgsVectorLayer))
    best = min(layer.getFeatures(), key=lambda f: f["velocity"] if f["velocity"] is not None else 1e9)
    pt = best.geometry().asPoint()
    state["point"] = [str(best["pid"]), best["velocity"]]
    canvas = iface.mapCanvas()
    canvas.refresh()
    px = canvas.getCoordinateTransform().transform(pt.x(), pt.y())
    QTimer.singleShot(1500, lambda: QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton,
                                                     Qt.KeyboardModifier.NoModifier,
                                                     QPoint(int(px.x()), int(px.y()))))


QTimer.singleShot(2000, wait_for_project)

"""QGIS start-up script (--code): every inspector feature of issue 17 once, in the real desktop,
driven with QTest mouse clicks and keys on the map canvas.

Reads IF_DATA (JSON: the InSAR layer, stacks, sites, view, a GNSS CSV, the screen size) and writes
IF_STATUS (JSON) when done, so that the caller takes the screenshot of the final state.
"""
import json
import os

import qgis.utils
from qgis.core import (QgsCoordinateReferenceSystem, QgsFeature, QgsGeometry, QgsPointXY,
                       QgsProject, QgsRasterLayer, QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QPoint, Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QDockWidget
from qgis.utils import iface

with open(os.environ["IF_DATA"]) as _f:
    DATA = json.load(_f)
STATUS = os.environ["IF_STATUS"]
window = iface.mainWindow()
state = {"steps": []}


def canvas():
    return iface.mapCanvas()


def later(step, delay=1500):
    """Run `step` after `delay` ms once the dock has no task running (a loaded machine is slow)."""
    def go():
        dock = state.get("dock")
        if dock is not None and dock.busy():
            QTimer.singleShot(300, go)
            return
        try:
            step()
        except Exception as e:  # noqa: BLE001 (written to the status, so the test says what failed)
            import traceback
            with open(STATUS, "w") as f:
                json.dump({"error": f"{step.__name__}: {e}", "traceback": traceback.format_exc()}, f)
    QTimer.singleShot(delay, go)


def px(x, y):
    p = canvas().getCoordinateTransform().transform(x, y)
    return QPoint(int(p.x()), int(p.y()))


def click(x, y, button=Qt.MouseButton.LeftButton, modifiers=Qt.KeyboardModifier.NoModifier):
    QTest.mouseClick(canvas().viewport(), button, modifiers, px(x, y))


def load():
    from insar_fusion.processing.styles import rate_style
    from insar_fusion.ui.inspector import sources as src

    window.setGeometry(QApplication.primaryScreen().availableGeometry())  # no window manager: fill the screen
    project = QgsProject.instance()
    project.addMapLayer(QgsRasterLayer(DATA["background"], "NDVI July 2019"))
    layer = QgsVectorLayer(DATA["insar"], "InSAR points (LOS)", "ogr")
    rate_style("velocity")(layer)
    project.addMapLayer(layer)
    canvas().setDestinationCrs(QgsCoordinateReferenceSystem(DATA["crs"]))
    plugin = qgis.utils.plugins["insar_fusion"]
    plugin.show_inspector()
    dock = plugin.inspector()
    dock.set_sources(src.Sources(layer.id(), [src.StackSource(label, "folder", folder)
                                              for label, folder in DATA["stacks"]], 2000.0, 3))
    dock.sources_box.setCollapsed(True)
    browser = window.findChild(QDockWidget, "Browser")
    if browser is not None:
        browser.hide()
    window.resizeDocks([dock], [DATA["dock_width"]], Qt.Orientation.Horizontal)
    state["dock"], state["layer"] = dock, layer
    QTimer.singleShot(2500, zoom)


def zoom():
    xmin, ymin, xmax, ymax = DATA["view"]
    canvas().setExtent(QgsRectangle(xmin, ymin, xmax, ymax))
    canvas().refresh()
    later(backspace_check, 2500)


def backspace_check():
    """Bug 1 in the real QGIS: Backspace while drawing a study area must not delete the active
    layer's selected features (QGIS's own delete-selection shortcut)."""
    dock = state["dock"]
    edited = QgsVectorLayer(f"Point?crs={DATA['crs']}&field=name:string", "edited layer", "memory")
    f = QgsFeature(edited.fields())
    f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*DATA["sites"][0])))
    edited.dataProvider().addFeatures([f])
    QgsProject.instance().addMapLayer(edited)
    edited.startEditing()
    edited.selectAll()
    iface.setActiveLayer(edited)
    dock.activate_study_area()
    cx, cy = DATA["sites"][0]
    for dx, dy in ((-900, -900), (900, -700), (700, 900)):
        click(cx + dx, cy + dy)
    canvas().setFocus()
    QTest.keyClick(canvas(), Qt.Key.Key_Backspace)
    state["backspace"] = {"features_after": edited.featureCount(), "selected_after": edited.selectedFeatureCount(),
                          "vertices_after": len(dock.study_tool.vertices)}
    QTest.keyClick(canvas(), Qt.Key.Key_Escape)
    edited.rollBack()
    QgsProject.instance().removeMapLayer(edited.id())
    iface.setActiveLayer(state["layer"])
    dock.activate_pick()
    later(pick_sites, 2000)


def pick_sites():
    click(*DATA["sites"][0])
    later(second_site, 2000)


def second_site():
    click(*DATA["sites"][1], modifiers=Qt.KeyboardModifier.ShiftModifier)
    later(reference, 2000)


def reference():
    dock = state["dock"]
    state["steps"].append(("picked", [a.site for a in dock.analyses]))
    dock.activate_pick("reference")
    click(*DATA["reference"])
    later(fit_and_more, 2000)


def fit_and_more():
    dock = state["dock"]
    state["steps"].append(("reference", dock.analyses[0].data.reference if dock.analyses else ""))
    dock.model_combo.setCurrentIndex(dock.model_combo.findData("annual"))
    dock.replicas.setChecked(True)
    dock.load_gnss(DATA["gnss"])
    state["gnss_text"] = dock.view.lags.toPlainText()
    later(polygon, 1500)


def polygon():
    dock = state["dock"]
    dock.draw_polygon("site")
    cx, cy = DATA["polygon_centre"]
    for dx, dy in ((-1500, -1200), (1400, -1500), (1300, 1200), (-1200, 1100)):
        click(cx + dx, cy + dy)
    click(cx, cy, Qt.MouseButton.RightButton, Qt.KeyboardModifier.ShiftModifier)
    later(save_selection, 2500)


def save_selection():
    dock = state["dock"]
    dock.selections_tab.save_current("farmland sites")
    dock.view.setCurrentIndex(0)
    later(report, 1500)


def report():
    dock = state["dock"]
    screen = QApplication.primaryScreen().availableGeometry()
    frame = window.frameGeometry()
    with open(STATUS, "w") as f:
        json.dump({"backspace": state["backspace"], "steps": state["steps"],
                   "sites": [a.site for a in dock.analyses],
                   "kinds": [s.kind for s in dock.shapes],
                   "rows": dock.view.series_rows(),
                   "curves": {k: list(v) for k, v in dock.view.series_view.series().items()},
                   "gnss_text": state.get("gnss_text", ""),
                   "selections": [s.name for s in dock.selections_tab.selections],
                   "reference_marks": len(dock.marks.reference_bands),
                   "window_height": frame.height(), "screen_height": screen.height(),
                   "window_width": frame.width(), "screen_width": screen.width(),
                   "dock_width": dock.width(), "dock_visible": dock.isVisible(),
                   "status": dock.status.text()}, f)


QTimer.singleShot(3000, load)

"""Helpers for the inspector tests: the synthetic site, waiting for the dock, canvas events."""
import time

from qgis.gui import QgsMapMouseEvent
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QKeyEvent

CENTRE = (405000.0, 4315000.0)
R = 2000.0


def wait(dock, timeout=30.0):
    """Process events until no task of the dock runs."""
    end = time.time() + timeout
    while time.time() < end:
        QCoreApplication.processEvents()
        if not dock.busy():
            QCoreApplication.processEvents()
            return
        time.sleep(0.005)
    raise AssertionError("the inspector's tasks did not finish")


def event(canvas, x, y, button=Qt.MouseButton.LeftButton, modifiers=Qt.KeyboardModifier.NoModifier,
          kind=QEvent.Type.MouseButtonRelease):
    """A canvas mouse event at map point (x, y)."""
    px = canvas.getCoordinateTransform().transform(x, y)
    return QgsMapMouseEvent(canvas, kind, QPoint(int(round(px.x())), int(round(px.y()))),
                            button, button, modifiers)


def click(dock, canvas, x, y, modifiers=Qt.KeyboardModifier.NoModifier):
    """Click the pick tool at (x, y), wait for the charts; returns the event's map point."""
    e = event(canvas, x, y, modifiers=modifiers)
    dock.pick_tool.canvasReleaseEvent(e)
    wait(dock)
    return e.mapPoint()


def key(k, modifiers=Qt.KeyboardModifier.NoModifier):
    return QKeyEvent(QEvent.Type.KeyPress, k, modifiers)

"""Map tools: pick points for the inspector, and draw a study-area polygon."""
from qgis.core import QgsGeometry, QgsPointXY, QgsWkbTypes
from qgis.gui import QgsMapTool, QgsRubberBand
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor


class PickTool(QgsMapTool):
    """Click: inspect the nearest point. Shift-click: add it to the comparison. Esc: clear."""

    picked = pyqtSignal(QgsPointXY, bool)  # map point (canvas CRS), add to the comparison
    cleared = pyqtSignal()

    def __init__(self, canvas):
        super().__init__(canvas)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def canvasReleaseEvent(self, event):  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton:
            add = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.picked.emit(QgsPointXY(event.mapPoint()), add)

    def tolerance(self) -> float:
        """The pick tolerance in map units: QGIS's search radius (identify tool), in screen pixels."""
        return QgsMapTool.searchRadiusMU(self.canvas())

    def keyPressEvent(self, event):  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.cleared.emit()
            event.accept()
        else:
            event.ignore()


class StudyAreaTool(QgsMapTool):
    """Left click adds a vertex, right click finishes, Backspace/Delete remove the last vertex, Esc aborts."""

    finished = pyqtSignal(list)  # the vertices (QgsPointXY, canvas CRS), at least three

    def __init__(self, canvas):
        super().__init__(canvas)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.vertices = []
        self.band = None
        self.add_next = False  # the polygon was finished with Shift-right-click (add to a comparison)

    def _band(self):
        if self.band is None:
            self.band = QgsRubberBand(self.canvas(), QgsWkbTypes.GeometryType.PolygonGeometry)
            self.band.setColor(QColor(230, 120, 0, 200))
            self.band.setFillColor(QColor(230, 120, 0, 50))
            self.band.setWidth(2)
        return self.band

    def _redraw(self, floating=None):
        pts = list(self.vertices) + ([floating] if floating is not None else [])
        band = self._band()
        band.reset(QgsWkbTypes.GeometryType.PolygonGeometry)
        if len(pts) >= 2:
            band.setToGeometry(QgsGeometry.fromPolygonXY([pts + [pts[0]]]), None)

    def canvasMoveEvent(self, event):  # noqa: N802
        if self.vertices:
            self._redraw(QgsPointXY(event.mapPoint()))

    def canvasReleaseEvent(self, event):  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.vertices.append(QgsPointXY(event.mapPoint()))
            self._redraw()
        elif event.button() == Qt.MouseButton.RightButton:
            if len(self.vertices) >= 3:
                self.add_next = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                vertices = list(self.vertices)
                self.reset()
                self.finished.emit(vertices)

    def keyPressEvent(self, event):  # noqa: N802
        # Every key is left ignored, as QGIS's own capture tools do: QGIS deletes the selected
        # features of the active layer on a Backspace or Delete that the map tool accepted.
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            if self.vertices:
                self.vertices.pop()
                self._redraw()
        elif event.key() == Qt.Key.Key_Escape:
            self.reset()
        event.ignore()

    def reset(self):
        """Forget the vertices and hide the rubber band."""
        self.vertices = []
        if self.band is not None:
            self.band.reset(QgsWkbTypes.GeometryType.PolygonGeometry)

    def deactivate(self):
        self.reset()
        super().deactivate()

    def remove_band(self):
        """Take the rubber band off the canvas for good."""
        if self.band is not None:
            self.canvas().scene().removeItem(self.band)
            self.band = None

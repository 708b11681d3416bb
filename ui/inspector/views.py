"""The inspector's chart area (linked matplotlib charts) and its marks on the map."""
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg, NavigationToolbar2QT
from matplotlib.figure import Figure
from qgis.core import QgsCoordinateTransform, QgsGeometry, QgsPointXY, QgsWkbTypes
from qgis.gui import QgsRubberBand
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtWidgets import QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from ...core.report import literal_text
from ...core.timeseries import charts


class ChartsView(QSplitter):
    """Left: deformation, rate and each stack on one shared date axis. Right: heatmap and lags."""

    def __init__(self, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("InsarFusionInspectorCharts")
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(0, 0, 0, 0)
        self.figure = Figure(figsize=(7.0, 6.0), dpi=90)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setObjectName("InsarFusionSeriesCanvas")
        self.canvas.setMinimumHeight(380)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.toolbar = NavigationToolbar2QT(self.canvas, left)  # zoom/pan one chart: all follow
        lay.addWidget(self.toolbar)
        lay.addWidget(self.canvas, 1)
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        self.heat_figure = Figure(figsize=(3.6, 3.2), dpi=90)
        self.heat_canvas = FigureCanvasQTAgg(self.heat_figure)
        self.heat_canvas.setObjectName("InsarFusionHeatmapCanvas")
        self.heat_canvas.setMinimumSize(300, 240)
        self.lags = QLabel("Click a point on the map.")
        self.lags.setObjectName("InsarFusionLagsLabel")
        self.lags.setFont(QFont("monospace", 8))
        self.lags.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.lags.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lags.setWordWrap(True)
        rlay.addWidget(self.heat_canvas, 3)
        rlay.addWidget(self.lags, 2)
        self.addWidget(left)
        self.addWidget(right)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 1)

    def show(self, analyses) -> None:
        """Redraw every chart for these analyses (the first one feeds the heatmap)."""
        if not analyses:
            self.clear()
            return
        literal_text(charts.timeseries_panel(analyses, fig=self.figure))
        self.canvas.draw()
        literal_text(charts.correlation_heatmap(analyses[0], fig=self.heat_figure))
        self.heat_canvas.draw()
        self.lags.setText("\n\n".join(charts.lag_text(a) for a in analyses))
        self.toolbar.update()  # a new home view for the zoom history

    def clear(self) -> None:
        self.figure.clear()
        self.canvas.draw()
        self.heat_figure.clear()
        self.heat_canvas.draw()
        self.lags.setText("Click a point on the map.")

    def series_axes(self):
        """{variable: axes} of the linked charts."""
        return {ax.get_label(): ax for ax in self.figure.axes if ax.get_label()}


class MapMarks:
    """A point mark and a radius circle per inspected site, in the site's colour."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.bands = []

    def show(self, analyses, layer_crs, project) -> None:
        self.clear()
        dest = self.canvas.mapSettings().destinationCrs()
        tr = QgsCoordinateTransform(layer_crs, dest, project) if layer_crs.isValid() and \
            dest.isValid() and layer_crs != dest else None
        for k, a in enumerate(analyses):
            colour = QColor(charts.COLOURS[k % len(charts.COLOURS)])
            circle = QgsGeometry.fromPointXY(QgsPointXY(a.data.x, a.data.y)).buffer(a.data.radius, 36)
            point = QgsGeometry.fromPointXY(QgsPointXY(a.data.x, a.data.y))
            if tr is not None:
                circle.transform(tr)
                point.transform(tr)
            ring = QgsRubberBand(self.canvas, QgsWkbTypes.GeometryType.PolygonGeometry)
            ring.setToGeometry(circle, None)
            ring.setStrokeColor(colour)
            fill = QColor(colour)
            fill.setAlpha(30)
            ring.setFillColor(fill)
            ring.setWidth(2)
            mark = QgsRubberBand(self.canvas, QgsWkbTypes.GeometryType.PointGeometry)
            mark.setToGeometry(point, None)
            mark.setIcon(QgsRubberBand.IconType.ICON_CIRCLE)
            mark.setIconSize(14)
            mark.setColor(colour)
            mark.setWidth(3)
            self.bands += [ring, mark]

    def clear(self) -> None:
        for band in self.bands:
            band.reset()
            self.canvas.scene().removeItem(band)
        self.bands = []

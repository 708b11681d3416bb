"""The inspector's chart area and its marks on the map.

The series are drawn with PyQtGraph (several times faster than matplotlib for a click's redraw,
bench/bench_inspector.py measures both); the plots and their curves are kept and re-used, so a
click only sets new data. The heatmaps (matplotlib, the reports' own function) are drawn only
when their tab is shown. Both take their curves from core.timeseries.panel.
"""
import datetime as dt

import numpy as np
try:
    import pyqtgraph as pg
except ImportError:  # a QGIS without PyQtGraph: the series are drawn with matplotlib instead
    pg = None
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from qgis.core import QgsCoordinateTransform, QgsGeometry, QgsPointXY, QgsWkbTypes
from qgis.gui import QgsRubberBand
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtWidgets import QLabel, QPlainTextEdit, QSizePolicy, QTabWidget, QVBoxLayout, QWidget

from ...core.report import literal_text
from ...core.timeseries import charts, panel

EPOCH = dt.datetime(1970, 1, 1)
STYLE = {"mean": dict(width=1.6, symbol="o", size=4), "point": dict(width=1.0, style=Qt.PenStyle.DashLine),
         "rate": dict(width=1.4, symbol="o", size=4), "stack": dict(width=1.4, symbol="s", size=4),
         "fit": dict(width=3.0, alpha=140), "replica": dict(width=1.0, style=Qt.PenStyle.DotLine, alpha=150),
         "gnss": dict(width=0, symbol="x", size=6), "residual": dict(width=0, symbol="o", size=4)}


def seconds(dates) -> np.ndarray:
    """Dates as POSIX seconds (UTC), what pyqtgraph's date axis shows."""
    return np.array([(dt.datetime(d.year, d.month, d.day) - EPOCH).total_seconds() for d in dates], float)


def _no_spread(c) -> bool:
    """A band with no finite value (a circle of one point): not drawn, not in the key."""
    return c.kind == "band" and not (np.isfinite(c.lower) & np.isfinite(c.upper)).any()


def panel_key(curves) -> str:
    """The key, short: one coloured entry per site, then what each line style means."""
    sites = " ".join(f"<span style='color:{c.colour}'>■</span>&nbsp;{c.label.replace(' circle mean', '')}"
                     for c in curves if c.kind == "mean")
    kinds = {c.kind for c in curves if not _no_spread(c)}
    styles = [text for kind, text in (("point", "dashed: the picked point"), ("fit", "thick: the fit"),
                                      ("replica", "dotted: ± λ/2"), ("gnss", "×: GNSS"),
                                      ("band", "shaded: ±1 std")) if kind in kinds]
    return sites + (f"<br>{'; '.join(styles)}" if styles else "")


class SeriesView(QWidget):
    """A wrapped title and key above linked PyQtGraph plots, one per variable row.

    Items are pooled and re-used (setData, hidden when not needed), never removed: removing an
    item from a PyQtGraph scene inside QGIS raises in itemChange (a QVariant sip cannot convert).
    When the rows change, a new plot widget replaces the old one.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(2)
        self.header = QLabel("")
        self.header.setObjectName("InsarFusionSeriesHeader")
        self.header.setWordWrap(True)  # never clipped: it wraps to the dock's width
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.box.addWidget(self.header)
        self.graphics = None
        self.rows, self.curves = [], []
        self._layout([])

    def _new_graphics(self):
        g = pg.GraphicsLayoutWidget()
        g.setObjectName("InsarFusionSeriesCanvas")
        g.setBackground("w")
        g.setMinimumHeight(200)
        g.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        return g

    def _plot(self, name: str, row: int, first):
        plot = self.graphics.addPlot(row=row, col=0, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        unit = charts.unit_of(name)
        plot.setLabel("left", f"{charts.short(name)}<br>({unit})" if unit else charts.short(name),
                      **{"font-size": "7pt"})  # two short lines fit a low plot
        plot.showGrid(x=True, y=True, alpha=0.25)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setStyle(tickFont=QFont("Sans", 7))
            plot.getAxis(axis).setPen("#444")
            plot.getAxis(axis).setTextPen("#222")
        plot.getAxis("left").setWidth(62)  # the same width on every row keeps the dates aligned
        if first is not None:
            plot.setXLink(first)
        plot.setMenuEnabled(False)
        if name in (panel.RATE, panel.RESIDUALS):
            plot.addLine(y=0.0, pen=pg.mkPen("#888", width=0.8))
        return plot

    def _layout(self, rows) -> None:
        if rows == self.rows and self.graphics is not None:
            return
        old = self.graphics
        self.graphics = self._new_graphics()
        if old is not None:
            self.box.replaceWidget(old, self.graphics)
            old.setParent(None)
            old.deleteLater()
        else:
            self.box.addWidget(self.graphics, 1)
        self.plots, self.pool = {}, {}
        first = None
        for k, name in enumerate(rows):
            self.plots[name] = self._plot(name, k, first)
            first = first or self.plots[name]
            self.pool[name] = {"line": [], "band": [], "bars": []}
        for name in rows[:-1]:
            # one date axis, at the bottom: a date axis costs more to paint than its plot does
            # (its ticks are worked out in Python), so the upper rows have none, and no x grid
            self.plots[name].hideAxis("bottom")
            self.plots[name].showGrid(x=False, y=True, alpha=0.25)
        self.rows = list(rows)
        # each row stays readable: the dock scrolls rather than squeezing six rows into 250 px
        self.graphics.setMinimumHeight(max(200, 95 * len(rows)))

    def show(self, analyses, options=panel.Options(), reference: str = "", fitted=None) -> None:
        if not analyses:
            self.clear()
            return
        rows = panel.rows_of(analyses, options)
        self._layout(rows)
        self.curves = panel.panel_curves(analyses, options, fitted)
        by_row = panel.curves_by_row(self.curves)
        for name in rows:
            used = {"line": 0, "band": 0, "bars": 0}
            for c in by_row.get(name, []):
                self._draw(name, c, used)
            for kind, items in self.pool[name].items():
                for item in items[used[kind]:]:
                    for part in (item if isinstance(item, tuple) else (item,)):
                        part.setVisible(False)
            self.plots[name].enableAutoRange()
        key = panel_key(self.curves)
        self.header.setText(f"<b>{panel.title_of(analyses, reference, shading=False)}</b><br/><small>{key}</small>")

    def _take(self, row, kind, used, make):
        items = self.pool[row][kind]
        if used[kind] >= len(items):
            items.append(make())
        item = items[used[kind]]
        used[kind] += 1
        for part in (item if isinstance(item, tuple) else (item,)):
            part.setVisible(True)
        return item

    def _draw(self, row, c, used) -> None:
        plot = self.plots[row]
        x = seconds(c.dates)
        colour = QColor(c.colour)
        if c.kind == "band":
            if _no_spread(c):
                return  # an empty fill would stretch the date axis back to 1970 too
            def make():
                # a transparent pen, not None: an item without a pen has no bounds, and the
                # fill's empty rectangle at 0 then stretched the date axis back to 1970
                clear = pg.mkPen(QColor(0, 0, 0, 0))
                lo, hi = pg.PlotDataItem(pen=clear), pg.PlotDataItem(pen=clear)
                band = pg.FillBetweenItem(lo, hi)
                for item in (lo, hi, band):
                    plot.addItem(item)
                return lo, hi, band
            lo, hi, band = self._take(row, "band", used, make)
            fill = QColor(colour)
            fill.setAlpha(40)
            lo.setData(x, c.lower, connect="finite")
            hi.setData(x, c.upper, connect="finite")
            band.setBrush(pg.mkBrush(fill))
            return
        st = STYLE.get(c.kind, STYLE["stack"])
        pen_colour = QColor(colour)
        pen_colour.setAlpha(st.get("alpha", 255))
        pen = None if st["width"] == 0 else pg.mkPen(pen_colour, width=st["width"],
                                                     style=st.get("style", Qt.PenStyle.SolidLine))
        def make_line():
            line = pg.PlotDataItem()
            plot.addItem(line)
            return line
        item = self._take(row, "line", used, make_line)
        kw = dict(pen=pen, connect="finite", symbol=None)
        if "symbol" in st:
            kw.update(symbol=st["symbol"], symbolSize=st["size"], symbolBrush=pg.mkBrush(colour),
                      symbolPen=pg.mkPen(colour))
        item.opts["name"] = c.label
        item.setData(x, np.asarray(c.values, float), **kw)
        if c.lower is not None and c.kind == "point":
            def make_bars():
                bars = pg.ErrorBarItem(x=np.zeros(1), y=np.zeros(1), height=np.zeros(1))
                plot.addItem(bars)
                return bars
            bars = self._take(row, "bars", used, make_bars)
            ok = np.isfinite(c.values)
            bars.setData(x=x[ok], y=np.asarray(c.values)[ok], height=(c.upper - c.lower)[ok],
                         pen=pg.mkPen(pen_colour, width=0.6))

    def clear(self) -> None:
        for pools in self.pool.values():
            for items in pools.values():
                for item in items:
                    for part in (item if isinstance(item, tuple) else (item,)):
                        part.setVisible(False)
        self.curves = []
        self.header.setText("")

    def series(self):
        """{row: {label: (dates as seconds, values)}} of what is drawn (tests read it back)."""
        out = {}
        for name in self.rows:
            got = {}
            for item in self.pool[name]["line"]:
                if item.isVisible() and item.name():
                    x, y = item.getData()
                    got[item.name()] = (x, y)
            out[name] = got
        return out


class MatplotlibSeriesView(QWidget):
    """The series drawn with matplotlib (the reports' own function), where PyQtGraph is missing."""

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.header = QLabel("")
        self.header.setWordWrap(True)
        lay.addWidget(self.header)
        self.figure = Figure(figsize=(6.0, 6.0), dpi=90)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setObjectName("InsarFusionSeriesCanvas")
        self.canvas.setMinimumHeight(300)
        lay.addWidget(self.canvas, 1)
        self.rows, self.curves = [], []

    def show(self, analyses, options=panel.Options(), reference: str = "", fitted=None) -> None:
        if not analyses:
            self.clear()
            return
        self.rows = panel.rows_of(analyses, options)
        self.curves = panel.panel_curves(analyses, options, fitted)
        literal_text(charts.timeseries_panel(analyses, fig=self.figure, options=options, reference=reference))
        self.canvas.draw()

    def clear(self) -> None:
        self.figure.clear()
        self.canvas.draw()
        self.curves = []

    def series(self):
        out = {name: {} for name in self.rows}
        for c in self.curves:
            if c.kind != "band":
                out[c.row][c.label] = (seconds(c.dates), np.asarray(c.values, float))
        return out


class ChartsView(QTabWidget):
    """Tabs: the linked series, the correlation heatmaps (one per site), the lags and fits."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("InsarFusionInspectorCharts")
        self.setUsesScrollButtons(True)  # the tabs never set the dock's minimum width
        self.tabBar().setExpanding(False)
        self.series_view = SeriesView() if pg is not None else MatplotlibSeriesView()
        self.addTab(self.series_view, "Series")
        self.heat_figure = Figure(figsize=(4.0, 3.0), dpi=90)
        self.heat_canvas = FigureCanvasQTAgg(self.heat_figure)
        self.heat_canvas.setObjectName("InsarFusionHeatmapCanvas")
        self.heat_canvas.setMinimumSize(200, 160)
        self.addTab(self.heat_canvas, "Correlation")
        self.lags = QPlainTextEdit("Click a point on the map.")  # scrolls: never grows the dock
        self.lags.setObjectName("InsarFusionLagsLabel")
        self.lags.setReadOnly(True)
        self.lags.setFont(QFont("monospace", 8))
        self.lags.setMinimumHeight(60)
        self.addTab(self.lags, "Lags && fits")
        self.setMinimumHeight(240)
        self.analyses = []
        self._heat_stale = False
        self.currentChanged.connect(lambda _: self._draw_heat_if_shown())

    def show(self, analyses, options=panel.Options(), reference: str = "", extra_text: str = "",
             fitted=None) -> None:
        """Redraw the series now; the heatmaps when (or as soon as) their tab is shown."""
        if not analyses:
            self.clear()
            return
        self.analyses = list(analyses)
        self.series_view.show(analyses, options, reference, fitted)
        text = "\n\n".join(charts.lag_text(a) for a in analyses)
        fit_text = charts.fit_text(analyses, options.model) if options.model else ""
        self.lags.setPlainText("\n\n".join(t for t in (text, fit_text, extra_text) if t))
        self._heat_stale = True
        self._draw_heat_if_shown()

    def _draw_heat_if_shown(self) -> None:
        if self._heat_stale and self.currentWidget() is self.heat_canvas:
            self.draw_heatmaps()

    def draw_heatmaps(self) -> None:
        literal_text(charts.correlation_heatmaps(self.analyses, fig=self.heat_figure))
        self.heat_canvas.draw()
        self._heat_stale = False

    def clear(self) -> None:
        self.analyses = []
        self.series_view.clear()
        self.heat_figure.clear()
        self.heat_canvas.draw()
        self._heat_stale = False
        self.lags.setPlainText("Click a point on the map.")

    def series_rows(self):
        return list(self.series_view.rows) if self.series_view.curves else []


class MapMarks:
    """Per inspected site: a point mark and its radius circle, or its polygon, in the site's
    colour; the reference as a black square (point) or a dashed black outline (polygon)."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.bands = []
        self.reference_bands = []

    def _transform(self, layer_crs, project):
        dest = self.canvas.mapSettings().destinationCrs()
        return QgsCoordinateTransform(layer_crs, dest, project) if layer_crs.isValid() and \
            dest.isValid() and layer_crs != dest else None

    def _band(self, geom, kind, colour, tr, width=2, fill_alpha=30, icon=None):
        if tr is not None:
            geom.transform(tr)
        band = QgsRubberBand(self.canvas, kind)
        band.setToGeometry(geom, None)
        band.setStrokeColor(colour)
        fill = QColor(colour)
        fill.setAlpha(fill_alpha)
        band.setFillColor(fill)
        band.setWidth(width)
        if icon is not None:
            band.setIcon(icon)
            band.setIconSize(14)
            band.setColor(colour)
        return band

    def show(self, analyses, layer_crs, project, shapes=()) -> None:
        self.clear()
        tr = self._transform(layer_crs, project)
        for k, a in enumerate(analyses):
            colour = QColor(charts.COLOURS[k % len(charts.COLOURS)])
            shape = shapes[k] if k < len(shapes) else None
            if shape is not None and shape.kind == "polygon":
                ring = [QgsPointXY(x, y) for x, y in zip(shape.xs, shape.ys)]
                self.bands.append(self._band(QgsGeometry.fromPolygonXY([ring + ring[:1]]),
                                             QgsWkbTypes.GeometryType.PolygonGeometry, colour, tr))
                continue
            circle = QgsGeometry.fromPointXY(QgsPointXY(a.data.x, a.data.y)).buffer(a.data.radius, 36)
            self.bands.append(self._band(circle, QgsWkbTypes.GeometryType.PolygonGeometry, colour, tr))
            self.bands.append(self._band(QgsGeometry.fromPointXY(QgsPointXY(a.data.x, a.data.y)),
                                         QgsWkbTypes.GeometryType.PointGeometry, colour, tr, width=3,
                                         icon=QgsRubberBand.IconType.ICON_CIRCLE))

    def show_reference(self, shape, layer_crs, project) -> None:
        self.clear_reference()
        if shape is None:
            return
        tr = self._transform(layer_crs, project)
        black = QColor("#000000")
        if shape.kind == "point":
            band = self._band(QgsGeometry.fromPointXY(QgsPointXY(shape.xs[0], shape.ys[0])),
                              QgsWkbTypes.GeometryType.PointGeometry, black, tr, width=3,
                              icon=QgsRubberBand.IconType.ICON_BOX)
        else:
            ring = [QgsPointXY(x, y) for x, y in zip(shape.xs, shape.ys)]
            band = self._band(QgsGeometry.fromPolygonXY([ring + ring[:1]]),
                              QgsWkbTypes.GeometryType.PolygonGeometry, black, tr, fill_alpha=0)
            band.setLineStyle(Qt.PenStyle.DashLine)
        self.reference_bands.append(band)

    def _drop(self, bands) -> None:
        for band in bands:
            band.reset()
            self.canvas.scene().removeItem(band)

    def clear_reference(self) -> None:
        self._drop(self.reference_bands)
        self.reference_bands = []

    def clear(self) -> None:
        self._drop(self.bands)
        self.bands = []

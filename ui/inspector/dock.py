"""The time-series inspector dock: pick points on the map, see linked charts, export them."""
import os

from qgis.core import QgsApplication, QgsCoordinateTransform, QgsProject
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                                 QVBoxLayout, QWidget)

from ... import settings
from ...core.errors import InputError
from ...core.report import figure_png, literal_text
from ...core.timeseries import charts, tables
from ...core.timeseries.stacks import StackReader
from . import sources as src
from .sources_panel import SourcesPanel
from .tasks import IndexTask, SiteTask
from .tools import PickTool, StudyAreaTool
from .views import ChartsView, MapMarks

MAX_COMPARE = 5


class InspectorDock(QgsDockWidget):
    """Sources at the top, tools and progress in the middle, linked charts below."""

    charts_drawn = pyqtSignal()
    indexed = pyqtSignal()  # the InSAR layer is indexed (or indexing failed)
    study_area_saved = pyqtSignal(object)  # the new QgsVectorLayer

    def __init__(self, iface, parent=None):
        super().__init__("InSAR Fusion: time-series inspector", parent or iface.mainWindow())
        self.setObjectName("InsarFusionInspectorDock")
        self.iface, self.canvas, self.project = iface, iface.mapCanvas(), QgsProject.instance()
        self.sources = src.Sources()
        self.store, self.store_layer_id, self.readers = None, None, None
        self.readers_wkt = ""  # the point index CRS the readers were opened for
        self.analyses, self.tasks, self.pending = [], [], None
        self.index_task = self.site_task = None
        self.lookup = "kdtree"
        self.pick_tool = PickTool(self.canvas)
        self.pick_tool.picked.connect(self.pick)
        self.pick_tool.cleared.connect(self.clear)
        self.study_tool = StudyAreaTool(self.canvas)
        self.study_tool.finished.connect(self._save_study_area)
        self.marks = MapMarks(self.canvas)
        self._build()
        self.project.readProject.connect(self.restore_sources)
        self.project.cleared.connect(self._project_cleared)
        self.project.writeProject.connect(self._project_writing)
        self.restore_sources()

    # --- widgets -------------------------------------------------------------------------
    def _build(self):
        body = QWidget()
        lay = QVBoxLayout(body)
        self.sources_box = SourcesPanel(self.project)
        self.sources_box.edited.connect(self._sources_edited)
        lay.addWidget(self.sources_box)
        tools = QHBoxLayout()
        self.pick_button = QPushButton("Pick points")
        self.pick_button.setCheckable(True)
        self.pick_button.setToolTip("Click a point; Shift-click adds points to compare; Esc clears.")
        self.pick_button.clicked.connect(lambda on: self.activate_pick() if on else
                                         self.canvas.unsetMapTool(self.pick_tool))
        self.pick_tool.deactivated.connect(lambda: self.pick_button.setChecked(False))
        tools.addWidget(self.pick_button)
        for text, slot in (("Draw study area", self.activate_study_area), ("Clear", self.clear),
                           ("PNG", lambda: self.export("png")), ("SVG", lambda: self.export("svg")),
                           ("CSV", lambda: self.export("csv"))):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, s=slot: s())
            tools.addWidget(b)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(120)
        self.progress.setVisible(False)
        tools.addWidget(self.progress)
        lay.addLayout(tools)
        self.status = QLabel("Choose the InSAR points, add stacks, then pick a point on the map.")
        self.status.setObjectName("InsarFusionInspectorStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.view = ChartsView()
        lay.addWidget(self.view, 1)
        self.setWidget(body)

    # --- sources ---------------------------------------------------------------------------
    def set_sources(self, sources: src.Sources) -> None:
        """Show `sources` in the widgets and use them (they are saved in the project)."""
        self.sources_box.set_sources(sources)
        self._sources_edited()

    def _project_writing(self, _doc=None) -> None:
        """The project is being saved (maybe under a new name): store the stack folders relative
        to where it is saved, so the project can be moved with its data."""
        if self.sources.stacks:
            src.save(self.project, self.sources)

    def _sources_edited(self) -> None:
        before = self.sources
        self.sources = self.sources_box.sources()
        if self.sources.to_json() != src.load(self.project).to_json():
            src.save(self.project, self.sources)  # only a real change marks the project dirty
        if self.sources.insar_layer_id != self.store_layer_id:
            self.store, self.store_layer_id = None, None
            self._cancel(self.index_task)
            self.index_task = None
        if (self.sources.stacks, self.sources.month_day) != (before.stacks, before.month_day):
            self._close_readers()  # the readers depend on nothing else the form edits

    def restore_sources(self, *_args) -> None:
        """Read the sources saved in the project (on start and whenever a project is read)."""
        self.clear()
        self._close_readers()  # another project: its layer ids may name other files
        self.set_sources(src.load(self.project))
        self.sources_box.setCollapsed(bool(self.insar_layer() and self.sources.stacks))

    def _project_cleared(self) -> None:
        self._cancel_all()
        self.clear()
        self.store, self.store_layer_id = None, None
        self.set_sources(src.Sources())

    def insar_layer(self):
        return self.project.mapLayer(self.sources.insar_layer_id) if self.sources.insar_layer_id else None

    def _ensure_readers(self, crs_wkt: str):
        if self.readers is not None and self.readers_wkt != crs_wkt:
            self._close_readers()  # another point index: the circles are drawn in its CRS
        if self.readers is None:
            self.readers = [StackReader(s.label, s.paths(self.project), crs_wkt, self.sources.month_day)
                            for s in self.sources.stacks]
            self.readers_wkt = crs_wkt
        return self.readers

    def _close_readers(self) -> None:
        for r in self.readers or []:
            r.close()
        self.readers = None

    # --- tools -----------------------------------------------------------------------------
    def activate_pick(self) -> None:
        self.canvas.setMapTool(self.pick_tool)
        self.pick_button.setChecked(True)
        self.ensure_index()

    def activate_study_area(self) -> None:
        self.canvas.setMapTool(self.study_tool)
        self._say("Draw the study area: click to add vertices, right-click to finish, "
                  "Backspace removes the last vertex, Esc aborts.")

    def _save_study_area(self, vertices) -> None:
        from ..study_area import save_study_area

        layer = save_study_area(self.project, vertices, self.canvas.mapSettings().destinationCrs())
        self._say(f"Study area saved as layer '{layer.name()}' ({layer.source().split('|')[0]}); "
                  "use it as STUDY_AREA in the InSAR Fusion algorithms.")
        self.study_area_saved.emit(layer)

    # --- work --------------------------------------------------------------------------------
    def ensure_index(self) -> bool:
        """True when the InSAR layer is indexed; otherwise start indexing it."""
        layer = self.insar_layer()
        if layer is None:
            self._say("Choose the InSAR point layer under Sources first.")
            return False
        if self.store is not None and self.store_layer_id == layer.id():
            return True
        if self.index_task is None:
            self.index_task = IndexTask(layer, self._index_done, self.lookup)
            self._start(self.index_task, f"Indexing {layer.name()}…")
        return False

    def pick(self, map_point, add: bool = False) -> None:
        """Inspect the InSAR point nearest to a map point (canvas CRS); add=True compares."""
        layer = self.insar_layer()
        if layer is None:
            self._say("Choose the InSAR point layer under Sources first.")
            return
        dest = self.canvas.mapSettings().destinationCrs()
        if dest.isValid() and layer.crs().isValid() and dest != layer.crs():
            map_point = QgsCoordinateTransform(dest, layer.crs(), self.project).transform(map_point)
        self.pending = (map_point.x(), map_point.y(), add)
        if self.ensure_index():
            self._start_site()

    def _start_site(self) -> None:
        if self.pending is None or self.store is None:
            return
        x, y, add = self.pending
        self.pending = None
        try:
            readers = self._ensure_readers(self.store.crs_wkt)
        except InputError as e:
            self._say(str(e))
            return
        self._cancel(self.site_task)
        self.site_task = SiteTask(self.store, readers, x, y, self.sources.radius or
                                  settings.value("site_radius"), self.sources.smoothing, add,
                                  self._site_done, self.sources.month_day)
        self._start(self.site_task, "Reading the series…")

    def _start(self, task, message) -> None:
        self.tasks.append(task)
        task.progressChanged.connect(lambda v: self.progress.setValue(int(v)))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._say(message)
        QgsApplication.taskManager().addTask(task)

    def _finish(self, task) -> bool:
        if task in self.tasks:
            self.tasks.remove(task)
        self.progress.setVisible(bool(self.tasks))
        if task.error:
            self._say(task.error)
        return task.result is not None and not task.isCanceled()

    def _index_done(self, task) -> None:
        if task is not self.index_task:
            return
        self.index_task = None
        if self._finish(task):
            self.store, self.store_layer_id = task.result, task.layer_id
            self._say(f"Indexed {len(self.store)} points with {len(self.store.dates)} dates.")
        self.indexed.emit()
        self._start_site()

    def _site_done(self, task) -> None:
        if task is not self.site_task:
            self._finish(task)
            return
        self.site_task = None
        if not self._finish(task):
            return
        if task.add and self.analyses:
            self.analyses = [a for a in self.analyses if a.site != task.result.site]
            self.analyses = (self.analyses + [task.result])[-MAX_COMPARE:]
        else:
            self.analyses = [task.result]
        self.redraw()
        c = task.result.data.circle
        self._say(f"Point {task.result.data.point_id}: {c.n_points} points within "
                  f"{task.result.data.radius:g} m. Shift-click to compare (up to {MAX_COMPARE}), "
                  "Esc to clear.")

    def busy(self) -> bool:
        """True while a task of the dock runs."""
        return bool(self.tasks)

    def redraw(self) -> None:
        layer = self.insar_layer()
        if layer is not None:
            self.marks.show(self.analyses, layer.crs(), self.project)
        self.view.show(self.analyses)
        self.charts_drawn.emit()

    def clear(self) -> None:
        """Forget the inspected points: charts and map marks."""
        self.analyses = []
        self.marks.clear()
        self.view.clear()

    def export(self, kind: str, path: str = "") -> str:
        """Save the charts (png, svg) or the series (csv); asks for a file name when none is given."""
        if not self.analyses:
            self._say("Nothing to export: pick a point first.")
            return ""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, f"Export {kind.upper()}",
                                                  os.path.expanduser(f"~/inspector.{kind}"),
                                                  f"{kind.upper()} (*.{kind})")
            if not path:
                return ""
        if kind == "csv":
            tables.series_csv(path, self.analyses)
        else:
            fig = charts.inspector_figure(self.analyses)
            if kind == "png":
                with open(path, "wb") as f:
                    f.write(figure_png(fig, dpi=120))
            else:
                literal_text(fig).savefig(path, format=kind)
        self._say(f"Saved {path}")
        return path

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # --- life cycle ------------------------------------------------------------------------
    def _cancel(self, task) -> None:
        if task is not None:
            task.done = None
            task.cancel()
            if task in self.tasks:
                self.tasks.remove(task)

    def _cancel_all(self) -> None:
        for task in list(self.tasks):
            self._cancel(task)
        self.index_task = self.site_task = None
        self.pending = None
        self.progress.setVisible(False)

    def closeEvent(self, event):  # noqa: N802 (Qt's name)
        self._cancel_all()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Cancel the tasks, take the marks and tools off the canvas, forget the project."""
        self._cancel_all()
        self.marks.clear()
        for tool in (self.pick_tool, self.study_tool):
            if self.canvas.mapTool() is tool:
                self.canvas.unsetMapTool(tool)
        self.study_tool.remove_band()
        self._close_readers()
        for signal, slot in ((self.project.readProject, self.restore_sources),
                             (self.project.cleared, self._project_cleared),
                             (self.project.writeProject, self._project_writing)):
            try:
                signal.disconnect(slot)
            except TypeError:
                pass

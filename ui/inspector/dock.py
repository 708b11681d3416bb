"""The time-series inspector dock: pick points on the map, see linked charts, export them."""
import time

from qgis.core import QgsApplication, QgsCoordinateTransform, QgsPointXY, QgsProject
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import pyqtSignal

from ... import settings
from ...core.errors import InputError
from ...core.timeseries.selection import Shape
from ...core.timeseries.stacks import StackReader
from . import saved
from . import sources as src
from .tasks import IndexTask, SiteTask, read_site
from .tools import PickTool, StudyAreaTool
from .dock_features import FeaturesMixin
from .dock_widgets import build
from .views import MapMarks

MAX_COMPARE = 5


class InspectorDock(FeaturesMixin, QgsDockWidget):
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
        self.last_timings = {}  # the last site task's perf_counter stamps (the benchmark reads them)
        self.shapes = []            # the shape of each analysis (point or polygon, layer CRS)
        self.reference = None       # a Shape, or None
        self.gnss = None            # (station, comparison text) of the loaded GNSS series
        self.pick_mode = "site"     # what the next click is: a site, or the reference point
        self.pick_tool = PickTool(self.canvas)
        self.pick_tool.picked.connect(self._clicked)
        self.pick_tool.cleared.connect(self.escape)
        self.study_tool = StudyAreaTool(self.canvas)
        self.study_tool.finished.connect(self._save_study_area)
        self.polygon_tool = StudyAreaTool(self.canvas)  # selection and reference polygons
        self.polygon_tool.finished.connect(self._polygon_drawn)
        self.polygon_purpose = "site"
        self.marks = MapMarks(self.canvas)
        build(self)
        self.project.readProject.connect(self.restore_sources)
        self.project.cleared.connect(self._project_cleared)
        self.project.writeProject.connect(self._project_writing)
        self.restore_sources()

    # --- widgets -------------------------------------------------------------------------
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
            self.clear()  # the old layer's charts must not stay on screen
        if (self.sources.stacks, self.sources.month_day) != (before.stacks, before.month_day):
            self._close_readers()  # the readers depend on nothing else the form edits

    def restore_sources(self, *_args) -> None:
        """Read the sources saved in the project (on start and whenever a project is read)."""
        self.clear()
        self._close_readers()  # another project: its layer ids may name other files
        self.set_sources(src.load(self.project))
        self.sources_box.setCollapsed(bool(self.insar_layer() and self.sources.stacks))
        self.reference = saved.load_reference(self.project)
        self._show_reference()
        self.selections_tab.set_selections(saved.load_selections(self.project))

    def _project_cleared(self) -> None:
        self._cancel_all()
        self.clear()
        self.store, self.store_layer_id = None, None
        self.set_sources(src.Sources())
        self.reference = None
        self.marks.clear_reference()
        self.selections_tab.set_selections([])

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
    def activate_pick(self, mode: str = "site") -> None:
        """The pick tool: the next clicks pick sites, or (mode 'reference') the reference point."""
        self.pick_mode = mode
        self.canvas.setMapTool(self.pick_tool)
        self.pick_button.setChecked(True)
        if mode == "reference":
            self._say("Click the reference point: the series are then shown relative to it.")
        self.ensure_index()

    def activate_study_area(self) -> None:
        self.canvas.setMapTool(self.study_tool)
        self._say("Draw the study area: click to add vertices, right-click to finish, "
                  "Backspace removes the last vertex, Esc aborts.")

    def _save_study_area(self, vertices) -> None:
        from ..study_area import save_study_area

        layer = save_study_area(self.project, vertices, self.canvas.mapSettings().destinationCrs())
        self._say(f"Study area added as the temporary layer '{layer.name()}'; use it as STUDY_AREA in the "
                  "InSAR Fusion algorithms, and keep it with Layer ▸ Make Permanent.")
        self.study_area_saved.emit(layer)

    def _to_layer(self, points):
        """Canvas points to (xs, ys) in the InSAR layer's CRS."""
        layer = self.insar_layer()
        dest = self.canvas.mapSettings().destinationCrs()
        tr = None
        if layer is not None and dest.isValid() and layer.crs().isValid() and dest != layer.crs():
            tr = QgsCoordinateTransform(dest, layer.crs(), self.project)
        pts = [tr.transform(p) if tr else QgsPointXY(p) for p in points]
        return [p.x() for p in pts], [p.y() for p in pts]

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

    def _radius(self) -> float:
        return self.sources.radius or settings.value("site_radius")

    def _clicked(self, map_point, add: bool = False) -> None:
        if self.pick_mode == "reference":
            self.pick_mode = "site"
            xs, ys = self._to_layer([map_point])
            self.set_reference(Shape.point(xs[0], ys[0]))
            return
        self.pick(map_point, add, tolerance=self._tolerance(map_point))

    def _tolerance(self, map_point):
        """The pick tool's search radius (screen pixels) in the InSAR layer's units."""
        radius = self.pick_tool.tolerance()
        xs, ys = self._to_layer([map_point, QgsPointXY(map_point.x() + radius, map_point.y())])
        return float(((xs[1] - xs[0]) ** 2 + (ys[1] - ys[0]) ** 2) ** 0.5)

    def pick(self, map_point, add: bool = False, tolerance=None) -> None:
        """Inspect the InSAR point nearest to a map point (canvas CRS); add=True compares."""
        if self.insar_layer() is None:
            self._say("Choose the InSAR point layer under Sources first.")
            return
        xs, ys = self._to_layer([map_point])
        self.inspect(Shape.point(xs[0], ys[0]), add, tolerance)

    def inspect(self, shape, add: bool = False, tolerance=None) -> None:
        """Read a point or polygon site (layer CRS) in the background; add=True compares."""
        self.pending = (shape, add, tolerance)
        if self.ensure_index():
            self._start_site()

    def _start_site(self) -> None:
        if self.pending is None or self.store is None:
            return
        shape, add, tolerance = self.pending
        self.pending = None
        try:
            readers = self._ensure_readers(self.store.crs_wkt)
        except InputError as e:
            self._say(str(e))
            return
        self._cancel(self.site_task)
        self.site_task = None
        if shape.kind == "point" and all(r.held() for r in readers):
            # everything is in memory: a click costs a few ms of CPU, less than the hand-over to a
            # worker thread and back; it runs here (a polygon or a first read stays a task)
            t0 = time.perf_counter()
            try:
                result = read_site(self.store, readers, shape, self._radius(), self.sources.smoothing,
                                   self.sources.month_day, self.reference, tolerance)
            except InputError as e:
                self._say(str(e))
                return
            t1 = time.perf_counter()
            self.last_timings = {"created": t0, "run": t0, "worked": t1, "finished": t1}
            self._show_site(result, shape, add)
            return
        self.site_task = SiteTask(self.store, readers, shape, self._radius(), self.sources.smoothing, add,
                                  self._site_done, self.sources.month_day, self.reference, tolerance)
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
            self._show_reference()
        else:
            self.clear()  # a layer that cannot be read (no dates): no old charts on screen
            if task.error:
                self._say(task.error)
        self.indexed.emit()
        self._start_site()

    def _site_done(self, task) -> None:
        if task is not self.site_task:
            self._finish(task)
            return
        self.site_task = None
        self.last_timings = task.timings
        if not self._finish(task):
            return
        self._show_site(task.result, task.shape, task.add)

    def _show_site(self, result, shape, add) -> None:
        site = result.site
        if add and self.analyses:
            pairs = [(a, sh) for a, sh in zip(self.analyses, self.shapes) if a.site != site]
            pairs = (pairs + [(result, shape)])[-MAX_COMPARE:]
            self.analyses, self.shapes = [p[0] for p in pairs], [p[1] for p in pairs]
        else:
            self.analyses, self.shapes = [result], [shape]
        self.redraw()
        d = result.data
        where = f"within {d.radius:g} m" if d.radius > 0 else "in the polygon"
        ref = f", relative to {d.reference}" if d.reference else ""
        self._say(f"{site}: {d.circle.n_points} points {where}{ref}. Shift-click to compare "
                  f"(up to {MAX_COMPARE}), Esc to clear.")

    def busy(self) -> bool:
        """True while a task of the dock runs."""
        return bool(self.tasks)

    def redraw(self) -> None:
        layer = self.insar_layer()
        if layer is not None:
            self.marks.show(self.analyses, layer.crs(), self.project, self.shapes)
        if not self.analyses:
            self.view.clear()
            return
        self.gnss_text = ""
        opts = self.options()
        self.last_timings["marked"] = time.perf_counter()
        self.view.show(self.analyses, opts, self._reference_label(), self.gnss_text)
        self.last_timings["shown"] = time.perf_counter()
        self.charts_drawn.emit()

    def _reference_label(self) -> str:
        return self.analyses[0].data.reference if self.analyses else ""

    def clear(self) -> None:
        """Forget the inspected points: charts and map marks."""
        self.analyses, self.shapes = [], []
        self.marks.clear()
        self.view.clear()

    def escape(self) -> None:
        """Esc in the pick tool: clear, and say so (the status line must not name the old point)."""
        self.pick_mode = "site"
        self.clear()
        self._say("Cleared. Click a point on the map; Shift-click adds points to compare.")

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
        self.marks.clear_reference()
        for tool in (self.pick_tool, self.study_tool, self.polygon_tool):
            if self.canvas.mapTool() is tool:
                self.canvas.unsetMapTool(tool)
        self.study_tool.remove_band()
        self.polygon_tool.remove_band()
        self._close_readers()
        for signal, slot in ((self.project.readProject, self.restore_sources),
                             (self.project.cleared, self._project_cleared),
                             (self.project.writeProject, self._project_writing),
                             (self.project.layersAdded, self.sources_box.refresh_layers)):
            try:
                signal.disconnect(slot)
            except TypeError:
                pass

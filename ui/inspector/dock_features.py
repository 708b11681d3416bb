"""The inspector's features beyond picking: polygons, the reference, fits and replicas (the
panel options), GNSS, export. Mixed into InspectorDock."""
import os

from qgis.PyQt.QtWidgets import QFileDialog

from ... import settings
from ...core.errors import InputError
from ...core.report import figure_png, literal_text
from ...core.timeseries import charts, fits, panel, tables
from ...core.timeseries.selection import Shape, reference_series
from . import saved
from .tasks import read_site


MAP_KEY = "insar_fusion/referenced_from"  # the layer's own class attribute while re-referenced


class FeaturesMixin:

    def draw_polygon(self, purpose: str = "site") -> None:
        """Draw a polygon: a site (its points' mean ± std) or the reference polygon."""
        self.polygon_purpose = purpose
        self.canvas.setMapTool(self.polygon_tool)
        what = "the reference polygon" if purpose == "reference" else "a polygon around the points to average"
        self._say(f"Draw {what}: click the vertices, right-click to finish, Esc aborts. "
                  "Shift-right-click adds it to the comparison.")
        self.ensure_index()

    def _polygon_drawn(self, vertices) -> None:
        xs, ys = self._to_layer(vertices)
        shape = Shape.polygon(xs, ys)
        if self.polygon_purpose == "reference":
            self.set_reference(shape)
        else:
            self.inspect(shape, add=bool(self.analyses) and self.polygon_tool.add_next)

    def set_reference(self, shape) -> None:
        """Show every series relative to `shape` (a reference point or polygon); None resets."""
        self.reference = shape
        saved.save_reference(self.project, shape)
        self._show_reference()
        if self.shapes:
            self.reread()
        else:
            self._say("Reference reset." if shape is None else "Reference set; pick a point.")

    def _show_reference(self) -> None:
        layer = self.insar_layer()
        if layer is not None:
            self.marks.show_reference(self.reference, layer.crs(), self.project)
            if layer.customProperty(MAP_KEY) is not None:
                self.map_referenced(True)  # the map follows the new reference

    def _map_toggled(self, on: bool) -> None:
        shown = self.map_referenced(on)
        if shown != on:
            self.map_action.blockSignals(True)
            self.map_action.setChecked(shown)
            self.map_action.blockSignals(False)

    def map_referenced(self, on: bool) -> bool:
        """Colour the rate layer by velocity minus the reference's mean velocity, through the
        renderer's class expression (the layer's data are never rewritten); off restores it.
        True when the map shows re-referenced rates."""
        from qgis.core import QgsGraduatedSymbolRenderer

        layer = self.insar_layer()
        renderer = layer.renderer() if layer is not None else None
        if not isinstance(renderer, QgsGraduatedSymbolRenderer):
            if on:
                self._say("The map can be re-referenced when the InSAR layer is styled by graduated "
                          "velocity (as InSAR Fusion styles its outputs).")
            return False
        original = layer.customProperty(MAP_KEY)
        if original is None:
            original = renderer.classAttribute()
        if not on or self.reference is None or self.store is None or "velocity" not in self.store.extra:
            if layer.customProperty(MAP_KEY) is not None:
                renderer.setClassAttribute(original)
                layer.removeCustomProperty(MAP_KEY)
                layer.triggerRepaint()
            return False
        _, _, vref = reference_series(self.store, self.reference, self._radius())
        field = next((f.name() for name in ("velocity", "vel", "mean_velocity") for f in layer.fields()
                      if f.name().lower() == name), "velocity")
        renderer.setClassAttribute(f'"{field}" - ({vref:.6g})')
        layer.setCustomProperty(MAP_KEY, original)
        layer.triggerRepaint()
        self._say(f"The map shows {field} relative to the reference ({vref:+.2f} mm/yr subtracted); "
                  "the layer's data are unchanged.")
        return True

    def reread(self) -> None:
        """Read every shown site again (after the reference changed)."""
        if self.store is None or not self.shapes:
            return
        try:
            readers = self._ensure_readers(self.store.crs_wkt)
            self.analyses = [read_site(self.store, readers, shape, self._radius(), self.sources.smoothing,
                                       self.sources.month_day, self.reference) for shape in self.shapes]
        except InputError as e:
            self._say(str(e))
            return
        self.redraw()
        self._say(f"{len(self.analyses)} site(s) shown" + (f", relative to {self.analyses[0].data.reference}."
                                                           if self.reference else "."))

    def options(self) -> panel.Options:
        """What the panel adds to the series, from the dock's controls."""
        amb = fits.ambiguity_mm(settings.value("radar_wavelength")) if self.replicas.isChecked() else 0.0
        return panel.Options(str(self.model_combo.currentData() or ""), amb, self.uncertainty.isChecked(),
                             self._gnss_overlay())

    def _gnss_overlay(self):
        if self.gnss is None or not self.analyses:
            return ()
        from ...core.timeseries import gnss

        station = self.gnss
        out, lines = [], []
        for a in self.analyses:
            d = a.data
            vector = gnss.los_vector(d.attribute("los_east"), d.attribute("los_north"), d.attribute("los_up"),
                                     d.attribute("incidence"), d.attribute("heading"))
            series, _, direction = gnss.project(station, vector)
            try:
                c = gnss.compare(d.circle.dates, d.circle.mean, station.dates, series, direction)
            except InputError as e:
                lines.append(f"{a.site}: {e}")
                continue
            if not out:  # drawn beside the first site only (one station); compared with every site
                out.append((f"GNSS {station.name} ({direction}) at {a.site}", c.dates, c.gnss))
            lines.append(f"{a.site}: {c.describe()}")
        self.gnss_text = "\n".join(lines)
        return tuple(out)

    def load_gnss_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "GNSS station CSV", os.path.expanduser("~"),
                                              "CSV (*.csv *.txt)")
        if path:
            self.load_gnss(path)

    def load_gnss(self, path: str, unit: str = "mm") -> None:
        """Overlay a GNSS station (CSV: date, east, north, up[, sigmas]) on the deformation."""
        from ...core.timeseries import gnss

        try:
            self.gnss = gnss.read_station(path, unit)
        except (InputError, OSError) as e:
            self._say(str(e))
            return
        self.redraw()
        self._say(self.gnss_text or f"GNSS station {self.gnss.name} loaded; pick a point near it.")

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
        opts = self.options()
        if kind == "csv":
            tables.series_csv(path, self.analyses, panel.site_fits(self.analyses, opts.model))
        else:
            fig = charts.inspector_figure(self.analyses, options=opts, reference=self._reference_label())
            if kind == "png":
                with open(path, "wb") as f:
                    f.write(figure_png(fig, dpi=120))
            else:
                literal_text(fig).savefig(path, format=kind)
        self._say(f"Saved {path}")
        return path


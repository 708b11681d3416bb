"""insarfusion:screen: keep significant deformation inside DEM, NDVI and study-area limits."""
import numpy as np
from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeatureRequest,
                       QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterVectorDestination, QgsWkbTypes)

from ... import settings
from ...core.errors import InputError
from ...core.insar.layout import check_shapefile
from ...core.insar.screen import points_in_polygons, screen, summary
from ...core.points import numeric
from ...core.sampling import sample_band1
from ...core.scale.points import ScreenStep
from .. import scale
from ..base import InsarFusionAlgorithm
from ..layers import read_point_table, write_point_table
from ..styles import rate_style

LABELS = {"rate": "the rate threshold (or NULL velocity)", "area": "the study area",
          "dem": "the DEM range", "ndvi": "the NDVI range"}


def _sampled(layer, limits, table, given, label, feedback, progress):
    """The raster's band 1 at the points, or None when no raster or no limit was given."""
    if layer is None:
        return None
    if limits == (None, None):
        feedback.pushWarning(f"{given} was given without a minimum or maximum; it is not used.")
        return None
    return sample_band1(layer.source(), table.x, table.y, table.crs_wkt, label, progress)


class Screen(InsarFusionAlgorithm):
    NAME = "screen"
    DISPLAY = "Screen significant deformation"
    GROUP = "insar"
    HELP = """
Keeps the points of significant deformation (Heihe paper, section 3.3): <b>|velocity| ≥ threshold</b>,
inside every range given, and reports how many points each criterion removed.

<b>Input</b>: a point layer with a numeric <i>velocity</i> field (mm/yr).
<b>Threshold</b> (mm/yr): default from the plugin settings, now {setting:significant_rate} mm/yr
(10 mm/yr is the paper's value).
<b>Study area</b> (optional): polygons; only points inside are kept (reprojected if its CRS differs).
<b>DEM</b>, <b>DEM minimum/maximum</b> (m, optional): removes mountain points outside the range.
<b>NDVI</b>, <b>NDVI minimum/maximum</b> (optional): e.g. removes desert (low NDVI) points.
Rasters are sampled at each point (nearest pixel, reprojected as needed). A point where a raster
has no value while its range is set is removed, since it cannot be shown to lie inside the range.
A limit without its raster is refused.

<b>Method</b>: criteria are applied in the order rate, study area, DEM, NDVI; each removed point is
counted once, against the first criterion it fails, so the counts add up.
<b>Outputs</b>: the kept points (all fields of the input), styled by velocity; results N_INPUT,
N_KEPT, REMOVED_RATE, REMOVED_AREA, REMOVED_DEM, REMOVED_NDVI (0 for a criterion not used).
""" + scale.HELP
    INPUT, THRESHOLD, STUDY_AREA, OUTPUT = "INPUT", "THRESHOLD", "STUDY_AREA", "OUTPUT"
    DEM, DEM_MIN, DEM_MAX, NDVI, NDVI_MIN, NDVI_MAX = "DEM", "DEM_MIN", "DEM_MAX", "NDVI", "NDVI_MIN", "NDVI_MAX"
    RESULTS = ("N_INPUT", "N_KEPT", "REMOVED_RATE", "REMOVED_AREA", "REMOVED_DEM", "REMOVED_NDVI")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("InSAR points"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterNumber(
            self.THRESHOLD, self.tr("Threshold |velocity| (mm/yr)"), QgsProcessingParameterNumber.Type.Double,
            settings.value("significant_rate"), minValue=0.0))
        self.addParameter(QgsProcessingParameterRasterLayer(self.DEM, self.tr("DEM (m)"), optional=True))
        for key, label in ((self.DEM_MIN, "DEM minimum (m)"), (self.DEM_MAX, "DEM maximum (m)")):
            self.addParameter(QgsProcessingParameterNumber(
                key, self.tr(label), QgsProcessingParameterNumber.Type.Double, None, optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(self.NDVI, self.tr("NDVI"), optional=True))
        for key, label in ((self.NDVI_MIN, "NDVI minimum"), (self.NDVI_MAX, "NDVI maximum")):
            self.addParameter(QgsProcessingParameterNumber(
                key, self.tr(label), QgsProcessingParameterNumber.Type.Double, None, optional=True,
                minValue=-1.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.STUDY_AREA, self.tr("Study area"), [QgsProcessing.SourceType.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Significant deformation"), QgsProcessing.SourceType.TypeVectorPoint))
        for key in self.RESULTS:
            self.addOutput(QgsProcessingOutputNumber(key, key))
        scale.add_parameters(self)

    def _limits(self, parameters, context, raster_key, lo_key, hi_key, what):
        raster = self.parameterAsRasterLayer(parameters, raster_key, context)
        lo = self.optional_number(parameters, lo_key, context)
        hi = self.optional_number(parameters, hi_key, context)
        if raster is None and (lo is not None or hi is not None):
            raise InputError(f"A {what} range was given without a {what} raster; give the {what} raster "
                             f"or clear the {what} limits.")
        if lo is not None and hi is not None and lo > hi:
            raise InputError(f"The {what} minimum ({lo:g}) is above the {what} maximum ({hi:g}).")
        return raster, lo, hi

    def process(self, parameters, context, feedback, progress):
        plan = scale.plan(self, parameters, context)
        if plan is not None:
            return self._tiled(plan, parameters, context, feedback, progress)
        table = read_point_table(self, parameters, self.INPUT, context)
        check_shapefile(self.dest(self.OUTPUT), len(table.columns), len(table.date_columns()))
        if "velocity" not in table.columns:
            raise InputError("The layer has no 'velocity' field (mm/yr); import it with "
                             "'Import InSAR points' first.")
        velocity = numeric(table.columns["velocity"], "velocity")
        if not np.isfinite(velocity).any():
            raise InputError("The 'velocity' field is NULL at every point; there is nothing to screen.")
        threshold = self.parameterAsDouble(parameters, self.THRESHOLD, context)
        dem_layer, dem_lo, dem_hi = self._limits(parameters, context, self.DEM, self.DEM_MIN, self.DEM_MAX, "DEM")
        ndvi_layer, ndvi_lo, ndvi_hi = self._limits(parameters, context, self.NDVI, self.NDVI_MIN,
                                                    self.NDVI_MAX, "NDVI")
        in_area = None
        if parameters.get(self.STUDY_AREA):
            in_area = self._in_area(parameters, context, table)
            if not in_area.any():
                raise InputError("No point lies inside the study area: check that it covers the points "
                                 "(and that both layers carry the right CRS).")
        progress(0.2)
        dem = _sampled(dem_layer, (dem_lo, dem_hi), table, "A DEM", "The DEM", feedback,
                       progress.sub(0.2, 0.4))
        ndvi = _sampled(ndvi_layer, (ndvi_lo, ndvi_hi), table, "An NDVI raster", "The NDVI raster",
                        feedback, progress.sub(0.4, 0.6))
        result = screen(velocity, threshold, in_area, dem, (dem_lo, dem_hi), ndvi, (ndvi_lo, ndvi_hi))
        for line in summary(result, LABELS):
            feedback.pushInfo(line)
        for name, values in (("DEM", dem), ("NDVI", ndvi)):
            if values is not None and np.isnan(values).any():
                feedback.pushInfo(f"{int(np.isnan(values).sum())} points have no {name} value "
                                  "(outside the raster or on nodata).")
        if result.n_kept == 0:
            feedback.pushWarning("No point passed every criterion; the output is empty.")
        write_point_table(self, self.OUTPUT, table.subset(result.keep), context,
                          style=rate_style("velocity"), progress=progress.sub(0.6, 1.0))
        out = {self.OUTPUT: self.dest(self.OUTPUT), "N_INPUT": result.n_input, "N_KEPT": result.n_kept}
        for name in ("rate", "area", "dem", "ndvi"):
            out["REMOVED_" + name.upper()] = result.removed.get(name, 0)
        return out

    def _tiled(self, plan, parameters, context, feedback, progress):
        """The same screening tile by tile (scale.HELP)."""
        table = None if plan.tileset else read_point_table(self, parameters, self.INPUT, context)
        names = plan.tileset.field_names if plan.tileset else list(table.columns)
        crs = plan.tileset.crs_wkt if plan.tileset else table.crs_wkt
        if table is not None:
            check_shapefile(self.dest(self.OUTPUT), len(table.columns), len(table.date_columns()))
        if "velocity" not in names:
            raise InputError("The layer has no 'velocity' field (mm/yr); import it with "
                             "'Import InSAR points' first.")
        if table is not None and not np.isfinite(numeric(table.columns["velocity"], "velocity")).any():
            raise InputError("The 'velocity' field is NULL at every point; there is nothing to screen.")
        threshold = self.parameterAsDouble(parameters, self.THRESHOLD, context)
        dem_layer, dem_lo, dem_hi = self._limits(parameters, context, self.DEM, self.DEM_MIN, self.DEM_MAX, "DEM")
        ndvi_layer, ndvi_lo, ndvi_hi = self._limits(parameters, context, self.NDVI, self.NDVI_MIN,
                                                    self.NDVI_MAX, "NDVI")
        polygons = self._polygons(parameters, context, crs) if parameters.get(self.STUDY_AREA) else None
        specs = {}
        for key, layer, lo, hi, given in (("dem", dem_layer, dem_lo, dem_hi, "A DEM"),
                                          ("ndvi", ndvi_layer, ndvi_lo, ndvi_hi, "An NDVI raster")):
            if layer is not None and (lo, hi) == (None, None):
                feedback.pushWarning(f"{given} was given without a minimum or maximum; it is not used.")
            specs[key] = (layer.source(), lo, hi) if layer is not None and (lo, hi) != (None, None) else None
        step = ScreenStep(threshold, tuple(polygons) if polygons is not None else None, specs["dem"],
                          specs["ndvi"], crs)
        self._checks = (polygons is not None, specs["dem"] is not None, specs["ndvi"] is not None)
        progress(0.1)
        dest, infos = scale.run_points(self, context, self.OUTPUT, plan, step, table,
                                       rate_style("velocity"), progress.sub(0.1, 1.0))
        removed = {}
        for i in infos:
            for k, v in i["removed"].items():
                removed[k] = removed.get(k, 0) + v
        n_in, n_kept = sum(i["n"] for i in infos), sum(i["kept"] for i in infos)
        feedback.pushInfo(f"{n_in} points in, {n_kept} kept (tile by tile: {len(infos)} tiles, "
                          f"{plan.engine.name}).")
        for name, n in removed.items():
            feedback.pushInfo(f"Removed by {LABELS.get(name, name)}: {n}")
        if n_kept == 0:
            feedback.pushWarning("No point passed every criterion; the output is empty.")
        out = {self.OUTPUT: dest, "N_INPUT": n_in, "N_KEPT": n_kept}
        for name in ("rate", "area", "dem", "ndvi"):
            out["REMOVED_" + name.upper()] = removed.get(name, 0)
        return out

    def check_tiled(self, infos):
        """The whole-layer refusals, from every tile's counts, before anything is written."""
        area, dem, ndvi = self._checks
        if not any(i["vel_any"] for i in infos):
            raise InputError("The 'velocity' field is NULL at every point; there is nothing to screen.")
        if area and not any(i["area_hits"] for i in infos):
            raise InputError("No point lies inside the study area: check that it covers the points "
                             "(and that both layers carry the right CRS).")
        for on, key, what in ((dem, "dem_any", "The DEM"), (ndvi, "ndvi_any", "The NDVI raster")):
            if on and not any(i[key] for i in infos):
                n = sum(i["n"] for i in infos)
                raise InputError(f"{what} has no value at any of the {n} points: it does not cover "
                                 "them, or is nodata there. Check the raster's extent and CRS against "
                                 "the points'.")

    def _in_area(self, parameters, context, table):
        return points_in_polygons(table.x, table.y, self._polygons(parameters, context, table.crs_wkt))

    def _polygons(self, parameters, context, crs_wkt):
        source = self.parameterAsSource(parameters, self.STUDY_AREA, context)
        if source is None:
            raise InputError("The study area layer could not be read.")
        if QgsWkbTypes.geometryType(source.wkbType()) != QgsWkbTypes.GeometryType.PolygonGeometry:
            raise InputError("The study area must be a polygon layer.")
        text = crs_wkt.strip()
        points_crs = QgsCoordinateReferenceSystem(text) if text.upper().startswith("EPSG:") else \
            QgsCoordinateReferenceSystem.fromWkt(text)
        if not points_crs.isValid():
            points_crs = source.sourceCrs()  # no CRS on the points: assume the study area's
        transform = QgsCoordinateTransform(source.sourceCrs(), points_crs, context.transformContext())
        polygons = []
        for feat in source.getFeatures(QgsFeatureRequest().setNoAttributes()):
            geom = feat.geometry()
            if geom.isNull() or geom.isEmpty():
                continue
            if source.sourceCrs() != points_crs:
                geom.transform(transform)
            parts = geom.asMultiPolygon() if geom.isMultipart() else [geom.asPolygon()]
            for part in parts:
                polygons.append([np.array([(p.x(), p.y()) for p in ring]) for ring in part])
        if not polygons:
            raise InputError("The study area layer has no polygon.")
        return polygons

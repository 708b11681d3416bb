"""insarfusion:changesummary: mean, std and count of change rasters per region (paper's Table 2)."""
import re

from qgis.core import (QgsProcessing, QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterMultipleLayers,
                       QgsProcessingParameterString, QgsProcessingParameterVectorDestination,
                       QgsWkbTypes)

from ...core.errors import InputError
from ...core.optical.summary import WHOLE, change_chart, stats_columns, table2_html, zonal_stats
from ...core.tables import write_table
from ...core.report import figure_img, write_html
from ..base import InsarFusionAlgorithm
from .common import raster_path


class ChangeSummary(InsarFusionAlgorithm):
    NAME = "changesummary"
    DISPLAY = "Change summary per region (Table 2)"
    GROUP = "optical"
    HELP = """
Summarises change rasters per region, as Table 2 of the Heihe paper: the <b>mean</b> (and
standard deviation and pixel count) of each raster inside each region, plus a row for the whole
extent of the raster.

<b>Regions</b>: polygons (any CRS; reprojected onto each raster). Selected features only, if so
chosen.<br/>
<b>Region name field</b>: the field naming each region (default <i>name</i>).<br/>
<b>Change rasters</b>: band 1 of each, e.g. the outputs of <i>Seasonal and interannual
change</i> for NDVI and for soil moisture.<br/>
<b>Labels</b> (optional): one label per raster, separated by commas, in the order of the rasters
(e.g. <i>NDVI seasonal, SM seasonal, NDVI interannual, SM interannual</i>). Default: the layer
names.

<b>Method</b>: a pixel belongs to a region when its centre lies inside the polygon; nodata pixels
are left out. Std is the population standard deviation (ddof = 0). Rasters are read in strips,
so large rasters need little memory. "Whole extent" is every valid pixel of the raster.

<b>Outputs</b>: a table (GeoPackage, CSV, XLSX or ODS; no geometry) with the columns
<i>region, label, raster, mean, std, count</i>, one row per region and raster; and an HTML report
with Table 2 (mean per region and label), the details, and a bar chart.
"""
    REGIONS, NAME_FIELD, RASTERS, LABELS, OUTPUT, OUTPUT_HTML = (
        "REGIONS", "NAME_FIELD", "RASTERS", "LABELS", "OUTPUT", "OUTPUT_HTML")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.REGIONS, self.tr("Regions (polygons)"), [QgsProcessing.SourceType.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterField(
            self.NAME_FIELD, self.tr("Region name field"), "name", self.REGIONS,
            optional=True))  # optional: QGIS 3.22 ignores a required field's default in scripts
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.RASTERS, self.tr("Change rasters"), QgsProcessing.SourceType.TypeRaster))
        self.addParameter(QgsProcessingParameterString(
            self.LABELS, self.tr("Labels, comma-separated (default: layer names)"), optional=True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Summary table"), QgsProcessing.SourceType.TypeVector))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HTML, self.tr("Summary report (Table 2)"), self.tr("HTML files (*.html)"),
            optional=True, createByDefault=True))

    def _regions(self, parameters, context):
        source = self.parameterAsSource(parameters, self.REGIONS, context)
        if source is None:
            raise InputError("No REGIONS layer was given.")
        if QgsWkbTypes.geometryType(source.wkbType()) != QgsWkbTypes.GeometryType.PolygonGeometry:
            raise InputError("REGIONS must be a polygon layer.")
        field = self.parameterAsString(parameters, self.NAME_FIELD, context) or "name"
        idx = source.fields().indexOf(field)
        if idx < 0:
            raise InputError(f"REGIONS has no field '{field}'; choose the field that names the regions.")
        regions = []
        for feat in source.getFeatures():
            name = feat.attribute(idx)
            name = f"feature {feat.id()}" if name is None or (hasattr(name, "isNull") and name.isNull()) \
                else str(name)
            geom = feat.geometry()
            regions.append((name, bytes(geom.asWkb()) if not geom.isNull() else b""))
        if not regions:
            raise InputError("The REGIONS layer has no features.")
        return regions, source.sourceCrs().toWkt()

    def process(self, parameters, context, feedback, progress):
        regions, regions_wkt = self._regions(parameters, context)
        layers = self.parameterAsLayerList(parameters, self.RASTERS, context) or []
        if not layers:
            raise InputError("No change rasters were given.")
        paths = [raster_path(layer, self.RASTERS) for layer in layers]
        text = self.parameterAsString(parameters, self.LABELS, context).strip()
        labels = [s.strip() for s in re.split(r"[,;]", text)] if text else [l.name() for l in layers]
        if len(labels) != len(paths):
            raise InputError(f"LABELS holds {len(labels)} label(s) but {len(paths)} raster(s) were "
                             "given; give one label per raster, separated by commas.")
        out, html = self.dest(self.OUTPUT), self.dest(self.OUTPUT_HTML)
        if out.startswith("ogr:"):
            raise InputError("Save the summary table to a file (.gpkg, .csv, .xlsx or .ods).")
        stats = zonal_stats(list(zip(labels, paths)), regions, regions_wkt, progress.sub(0, 0.9))
        for label in labels:
            mine = [s for s in stats if s.label == label]
            if not any(s.count for s in mine):
                raise InputError(f"The raster '{label}' has no valid pixel: every pixel is nodata.")
            if not any(s.count for s in mine if s.region != WHOLE):
                raise InputError(f"No region overlaps the raster '{label}': check that the regions and "
                                 "the raster cover the same area (and carry the right CRS).")
        empty = sorted({s.region for s in stats if s.count == 0})
        if empty:
            feedback.reportError(f"No valid pixel inside: {', '.join(empty)} (outside the rasters, "
                                 "or smaller than a pixel).", False)
        write_table(out, stats_columns(stats))
        results = {self.OUTPUT: out}
        if html:
            sections = table2_html(stats)
            fig = change_chart(stats)
            sections.append(figure_img(fig, "Mean change per region"))
            write_html(html, "Change per region", sections)
            results[self.OUTPUT_HTML] = html
        progress(1.0)
        return results

"""insarfusion:composite: per-pixel max (MVC), mean or median of dated rasters inside a window."""
from qgis.core import (QgsProcessing, QgsProcessingParameterDateTime, QgsProcessingParameterEnum,
                       QgsProcessingParameterMultipleLayers, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer)

from ...core.optical.composite import METHODS, composite
from ...core.optical.stack import date_rasters
from ..base import InsarFusionAlgorithm
from ..styles import style_raster_output, ndvi_raster_style, raster_ramp
from .common import (date_parameter, raster_path, raster_paths, require_tif)


class Composite(InsarFusionAlgorithm):
    NAME = "composite"
    DISPLAY = "Composite over a time window (MVC)"
    GROUP = "optical"
    HELP = """
Combines every dated raster inside a time window into one raster, pixel by pixel. The
<b>maximum value composite (MVC)</b> of NDVI is the classic use (Ningxia paper 3.1.3): it keeps the
greenest, least cloudy value of each pixel.

<b>Input rasters</b>: band 1 of each. The date of each raster comes from its file name
(<i>YYYYMMDD</i>, e.g. ndvi_20190709.tif, or <i>YYYYMM</i> for a monthly raster, e.g. ndvi_201907.tif)
or, when the name has none, from GDAL metadata (ACQUISITION_DATE, DATE_ACQUIRED, SENSING_TIME,
…, TIFFTAG_DATETIME).<br/>
<b>Start</b> and <b>End</b>: the window; both ends are included. A monthly raster counts when its
month overlaps the window.<br/>
<b>Method</b>: max (MVC), mean or median; nodata pixels are ignored, and a pixel that is nodata
in every input stays nodata.<br/>
<b>Target grid</b> (optional): a raster whose grid (extent, pixel size, CRS) the output takes.
Without it the first input's grid is used. Inputs on another grid are resampled onto it
(area-weighted average); inputs in another CRS need a target grid.

<b>Output</b>: a float32 GeoTIFF in the units of the inputs (nodata NaN), styled with the NDVI
ramp (or a viridis ramp when values leave [−1, 1]). The log lists the rasters used. Memory stays
bounded (windows of 256 rows; max and mean keep one running array whatever the number of inputs).
"""
    INPUTS, START, END, METHOD, TARGET, OUTPUT = ("INPUTS", "START", "END", "METHOD", "TARGET",
                                                  "OUTPUT")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.INPUTS, self.tr("Dated input rasters"), QgsProcessing.SourceType.TypeRaster))
        self.addParameter(QgsProcessingParameterDateTime(
            self.START, self.tr("Start date (included)"), QgsProcessingParameterDateTime.Type.Date))
        self.addParameter(QgsProcessingParameterDateTime(
            self.END, self.tr("End date (included)"), QgsProcessingParameterDateTime.Type.Date))
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, self.tr("Method"), list(METHODS), defaultValue=0))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.TARGET, self.tr("Target grid (optional; default: the first input's grid)"),
            optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, self.tr("Composite")))

    def process(self, parameters, context, feedback, progress):
        paths = raster_paths(self, parameters, self.INPUTS, context)
        first = date_parameter(self, parameters, self.START, context)
        last = date_parameter(self, parameters, self.END, context)
        method = METHODS[self.parameterAsEnum(parameters, self.METHOD, context)]
        target_layer = self.parameterAsRasterLayer(parameters, self.TARGET, context)
        target = raster_path(target_layer, self.TARGET) if target_layer is not None else None
        out = require_tif(self.dest(self.OUTPUT), self.OUTPUT)
        rasters = date_rasters(paths)
        result = composite(out, rasters, first, last, method, target, paths[0], progress)
        feedback.pushInfo(f"{method} of {len(result.used)} raster(s) dated {first.isoformat()} to "
                          f"{last.isoformat()}: {', '.join(result.used)}.")
        if result.resampled:
            feedback.pushInfo(f"Resampled onto the output grid (average): {', '.join(result.resampled)}.")
        skipped = len(rasters) - len(result.used)
        if skipped:
            feedback.pushInfo(f"{skipped} input(s) outside the window were not used.")
        style = ndvi_raster_style() if result.ndvi_like or result.limits is None else \
            raster_ramp("Viridis", limits=result.limits if result.limits[1] > result.limits[0]
                        else (result.limits[0], result.limits[0] + 1.0))
        style_raster_output(self, context, out, style)
        return {self.OUTPUT: out}

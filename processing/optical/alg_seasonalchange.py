"""insarfusion:seasonalchange: summer(B) - summer(A) and summer(B) - winter(B) of a dated stack."""
import os

from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterEnum,
                       QgsProcessingParameterMultipleLayers, QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer)

from ...core.errors import InputError
from ...core.optical.composite import METHODS
from ...core.optical.seasonal import seasonal_change
from ...core.optical.stack import date_rasters
from ..base import InsarFusionAlgorithm
from ..styles import style_raster_output, change_raster_style
from .common import (optional_int, raster_path, raster_paths, require_tif)


class SeasonalChange(InsarFusionAlgorithm):
    NAME = "seasonalchange"
    DISPLAY = "Seasonal and interannual change"
    GROUP = "optical"
    HELP = """
The two change maps of the Heihe paper (Fig. 5, Table 2), for NDVI or soil moisture alike:
<ul><li><b>Interannual change</b> = summer of year B − summer of year A
(e.g. NDVI July 2020 − NDVI July 2019);</li>
<li><b>Seasonal change</b> = summer of year B − winter of year B
(e.g. NDVI July 2020 − NDVI January 2020).</li></ul>

<b>Dated input rasters</b>: band 1 of each; dates from the file names (YYYYMMDD or YYYYMM) or
GDAL metadata, as in <i>Composite over a time window</i>.<br/>
<b>Summer month</b> (default 7, July) and <b>Winter month</b> (default 1, January): calendar months.
The winter month is taken in year B.<br/>
<b>Year A</b> and <b>Year B</b> (optional): by default B is the last year with a summer-month
input and A the year before.<br/>
<b>Month composite</b>: when several rasters fall in one month (e.g. 5-day NDVI), they are first
combined per pixel by this method (default mean; max gives a monthly MVC), ignoring nodata.<br/>
<b>Target grid</b> (optional): the output grid; default the first input's. Inputs on other grids
are resampled onto it (area-weighted average); inputs in another CRS need a target grid.

<b>Outputs</b>: two float32 GeoTIFFs in the units of the inputs (NDVI: none; soil moisture:
m³/m³), nodata where either month is nodata, styled brown (decrease) to green (increase) on a
ramp centred on 0.
"""
    (INPUTS, SUMMER_MONTH, WINTER_MONTH, YEAR_A, YEAR_B, METHOD, TARGET, OUTPUT_INTERANNUAL,
     OUTPUT_SEASONAL) = ("INPUTS", "SUMMER_MONTH", "WINTER_MONTH", "YEAR_A", "YEAR_B", "METHOD",
                         "TARGET", "OUTPUT_INTERANNUAL", "OUTPUT_SEASONAL")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.INPUTS, self.tr("Dated input rasters (NDVI or soil moisture)"), QgsProcessing.SourceType.TypeRaster))
        for name, label, default in ((self.SUMMER_MONTH, "Summer month (1-12)", 7),
                                     (self.WINTER_MONTH, "Winter month (1-12, in year B)", 1)):
            self.addParameter(QgsProcessingParameterNumber(
                name, self.tr(label), QgsProcessingParameterNumber.Type.Integer, default,
                minValue=1, maxValue=12))
        for name, label in ((self.YEAR_A, "Year A (default: the year before B)"),
                            (self.YEAR_B, "Year B (default: the last year with a summer input)")):
            self.addParameter(QgsProcessingParameterNumber(
                name, self.tr(label), QgsProcessingParameterNumber.Type.Integer, None, optional=True,
                minValue=1900, maxValue=2200))
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, self.tr("Month composite (several rasters in a month)"), list(METHODS),
            defaultValue=1))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.TARGET, self.tr("Target grid (optional; default: the first input's grid)"),
            optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_INTERANNUAL, self.tr("Interannual change (summer B − summer A)")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_SEASONAL, self.tr("Seasonal change (summer B − winter B)")))
        self.addOutput(QgsProcessingOutputNumber("YEAR_A_USED", self.tr("Year A used")))
        self.addOutput(QgsProcessingOutputNumber("YEAR_B_USED", self.tr("Year B used")))

    def process(self, parameters, context, feedback, progress):
        paths = raster_paths(self, parameters, self.INPUTS, context)
        target_layer = self.parameterAsRasterLayer(parameters, self.TARGET, context)
        target = raster_path(target_layer, self.TARGET) if target_layer is not None else None
        inter = require_tif(self.dest(self.OUTPUT_INTERANNUAL), self.OUTPUT_INTERANNUAL)
        seas = require_tif(self.dest(self.OUTPUT_SEASONAL), self.OUTPUT_SEASONAL)
        if os.path.abspath(inter) == os.path.abspath(seas):
            raise InputError("OUTPUT_INTERANNUAL and OUTPUT_SEASONAL are the same file; give two names.")
        method = METHODS[self.parameterAsEnum(parameters, self.METHOD, context)]
        r = seasonal_change(date_rasters(paths), inter, seas,
                            optional_int(parameters, self.YEAR_A), optional_int(parameters, self.YEAR_B),
                            self.parameterAsInt(parameters, self.SUMMER_MONTH, context),
                            self.parameterAsInt(parameters, self.WINTER_MONTH, context),
                            method, target, paths[0], progress)
        for what, names in (("summer A", r.summer_a), ("summer B", r.summer_b),
                            ("winter B", r.winter_b)):
            feedback.pushInfo(f"{what}: {method} of {', '.join(names)}")
        feedback.pushInfo(f"Interannual change {r.year_b} − {r.year_a}; seasonal change in {r.year_b}.")
        style_raster_output(self, context, inter, change_raster_style(r.interannual_limit))
        style_raster_output(self, context, seas, change_raster_style(r.seasonal_limit))
        return {self.OUTPUT_INTERANNUAL: inter, self.OUTPUT_SEASONAL: seas,
                "YEAR_A_USED": r.year_a, "YEAR_B_USED": r.year_b}

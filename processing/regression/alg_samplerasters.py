"""insarfusion:samplerasters: raster values at points, one field per raster and band."""
from qgis.core import (QgsProcessing, QgsProcessingParameterEnum, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterMultipleLayers, QgsProcessingParameterString,
                       QgsProcessingParameterVectorDestination, QgsRasterLayer)

from ...core.errors import InputError
from ...core.points import PointTable
from ...core.raster import open_raster
from ...core.regression.fieldnames import name_limit, sample_field_names
from ...core.sampling import require_values, sample
from ...core.scale.points import SampleStep
from .. import scale
from ..base import InsarFusionAlgorithm
from ..layers import read_point_table, write_point_table

METHODS = ("nearest", "bilinear")


class SampleRasters(InsarFusionAlgorithm):
    NAME = "samplerasters"
    DISPLAY = "Sample rasters at points"
    GROUP = "regression"
    HELP = """
Adds to every point the values of one or more rasters at its location: one field per raster and
band, e.g. the NDVI and soil-moisture changes that GWR then explains the deformation with
(Heihe paper section 3.3).

<b>Parameters</b><ul>
<li><b>Input points</b>: any point layer.</li>
<li><b>Rasters</b>: one or more rasters (GDAL files); multi-band rasters give one field per band.</li>
<li><b>Method</b>: <i>nearest</i> takes the pixel the point lies in; <i>bilinear</i> interpolates
between the four nearest pixel centres (NULL if any of them is nodata).</li>
<li><b>Field prefix</b>: put before every new field name (optional).</li></ul>

<b>Field names</b>: prefix + the raster's layer name, with anything but letters, digits and _
replaced by _, a leading digit preceded by r, and _1, _2, … per band for multi-band rasters.
Names are unique (a clash with an existing field gets _2, _3, …) and at most 10 characters for a
Shapefile output, 63 otherwise.

<b>Method</b>: point coordinates are read once and transformed to each raster's CRS on the fly
when the CRSs differ; each raster is read tile by tile (1024 × 1024 pixels, all bands at once)
and every point in the tile is sampled with one vectorised lookup — never one read per point.

<b>Output</b>: the input points with all their fields, plus the sampled fields (floating point).
Points outside a raster or on a nodata pixel get NULL.
""" + scale.HELP
    INPUT, RASTERS, METHOD, FIELD_PREFIX, OUTPUT = "INPUT", "RASTERS", "METHOD", "FIELD_PREFIX", "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Input points"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.RASTERS, self.tr("Rasters to sample"), QgsProcessing.SourceType.TypeRaster))
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, self.tr("Method"), list(METHODS), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.FIELD_PREFIX, self.tr("Field prefix"), "", optional=True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Sampled points"), QgsProcessing.SourceType.TypeVectorPoint))
        scale.add_parameters(self)

    def process(self, parameters, context, feedback, progress):
        layers = self.parameterAsLayerList(parameters, self.RASTERS, context)
        rasters = [lyr for lyr in layers if isinstance(lyr, QgsRasterLayer)]
        if not rasters:
            raise InputError("Choose at least one raster to sample.")
        for lyr in rasters:
            if lyr.providerType() != "gdal":
                raise InputError(f"The raster '{lyr.name()}' is not a file (provider "
                                 f"{lyr.providerType()}); save it as a GeoTIFF first.")
        method = METHODS[self.parameterAsEnum(parameters, self.METHOD, context)]
        prefix = self.parameterAsString(parameters, self.FIELD_PREFIX, context) or ""
        plan = scale.plan(self, parameters, context)
        if plan is not None:
            return self._tiled(plan, parameters, context, feedback, progress, rasters, method, prefix)
        table = read_point_table(self, parameters, self.INPUT, context)
        progress(0.05)
        counts = [open_raster(lyr.source()).RasterCount for lyr in rasters]
        names = sample_field_names(prefix, [lyr.name() for lyr in rasters], counts,
                                   table.columns.keys(), name_limit(self.dest(self.OUTPUT)))
        cols = dict(table.columns)
        for k, lyr in enumerate(rasters):
            span = progress.sub(0.05 + 0.75 * k / len(rasters), 0.05 + 0.75 * (k + 1) / len(rasters))
            values = require_values(sample(lyr.source(), table.x, table.y, table.crs_wkt,
                                           method=method, progress=span),
                                    f"The raster '{lyr.name()}'")
            for j, field in enumerate(names[k]):
                cols[field] = values[:, j]
            missing = int((~(values == values)).all(axis=1).sum())
            feedback.pushInfo(f"{lyr.name()}: {', '.join(names[k])}"
                              + (f" ({missing} points outside or on nodata: NULL)" if missing else ""))
        out = PointTable(table.x, table.y, cols, table.crs_wkt)
        dest = write_point_table(self, self.OUTPUT, out, context, progress=progress.sub(0.8, 1.0))
        return {self.OUTPUT: dest}

    def _tiled(self, plan, parameters, context, feedback, progress, rasters, method, prefix):
        """The same sampling tile by tile (scale.HELP)."""
        table = None if plan.tileset else read_point_table(self, parameters, self.INPUT, context)
        existing = plan.tileset.field_names if plan.tileset else list(table.columns)
        crs = plan.tileset.crs_wkt if plan.tileset else table.crs_wkt
        counts = [open_raster(lyr.source()).RasterCount for lyr in rasters]
        names = sample_field_names(prefix, [lyr.name() for lyr in rasters], counts, existing,
                                   name_limit(self.dest(self.OUTPUT)))
        self._rasters = [lyr.name() for lyr in rasters]
        step = SampleStep(tuple((lyr.source(), tuple(names[k])) for k, lyr in enumerate(rasters)),
                          method, crs)
        progress(0.05)
        dest, infos = scale.run_points(self, context, self.OUTPUT, plan, step, table, None,
                                       progress.sub(0.05, 1.0))
        for k, lyr in enumerate(rasters):
            missing = sum(i["missing"][k] for i in infos)
            feedback.pushInfo(f"{lyr.name()}: {', '.join(names[k])}"
                              + (f" ({missing} points outside or on nodata: NULL)" if missing else ""))
        return {self.OUTPUT: dest}

    def check_tiled(self, infos):
        """A raster with no value at any point of any tile is refused, as in one run."""
        n = sum(i["n"] for i in infos)
        for k, name in enumerate(self._rasters):
            if n and not any(i["any"][k] for i in infos):
                raise InputError(f"The raster '{name}' has no value at any of the {n} points: it does "
                                 "not cover them, or is nodata there. Check the raster's extent and "
                                 "CRS against the points'.")

"""insarfusion:ndvi: NDVI = (NIR - Red) / (NIR + Red), block by block."""
from qgis.core import (QgsProcessingParameterBand, QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer)

from ...core.optical.ndvi import ndvi_raster
from ..base import InsarFusionAlgorithm
from ..styles import style_raster_output, ndvi_raster_style
from .common import raster_path, require_tif


class Ndvi(InsarFusionAlgorithm):
    NAME = "ndvi"
    DISPLAY = "NDVI from red and near-infrared"
    GROUP = "optical"
    HELP = """
Computes the Normalized Difference Vegetation Index <b>NDVI = (NIR − Red) / (NIR + Red)</b>
(Heihe paper 2.2.2), for example from Sentinel-2 bands B4 (red) and B8 (NIR).

<b>Red raster</b> and <b>Red band</b>: the red reflectance.<br/>
<b>NIR raster</b> (optional) and <b>NIR band</b>: the near-infrared reflectance. Leave the NIR
raster empty, or choose the same raster again, when both bands are in one multi-band raster;
then NIR band is a band of the red raster. A NIR raster on another grid (e.g. 20 m B8A) is
resampled onto the red raster's grid (average); it must be in the same CRS and overlap it.<br/>
<b>Scale</b> and <b>Offset</b>: reflectance = value × Scale + Offset, for reflectance stored as
integers (Sentinel-2 L2A: Scale 0.0001; from processing baseline 04.00 also Offset −0.1).
A scale alone does not change NDVI; an offset does.

Pixels that are nodata in either band, or where NIR + Red ≤ 0, become nodata. Values are
clipped to [−1, 1]. The raster is processed in strips, so a 10980 × 10980 tile needs well
under a few hundred MB of memory.

<b>Output</b>: NDVI as a float32 GeoTIFF (no unit, nodata NaN) on the red raster's grid,
styled with a green ramp from 0 to 1 (saved as a .qml beside it).
"""
    RED, RED_BAND, NIR, NIR_BAND, SCALE, OFFSET, OUTPUT = (
        "RED", "RED_BAND", "NIR", "NIR_BAND", "SCALE", "OFFSET", "OUTPUT")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterRasterLayer(self.RED, self.tr("Red raster")))
        self.addParameter(QgsProcessingParameterBand(self.RED_BAND, self.tr("Red band"), 1, self.RED,
                                                  optional=True))  # optional: QGIS 3.22 ignores
        # the default of a required band parameter that a script leaves out
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.NIR, self.tr("NIR raster (empty: a band of the red raster)"), optional=True))
        self.addParameter(QgsProcessingParameterBand(self.NIR_BAND, self.tr("NIR band"), 1, self.NIR,
                                                  optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.SCALE, self.tr("Scale (reflectance = value × scale + offset)"),
            QgsProcessingParameterNumber.Type.Double, 1.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.OFFSET, self.tr("Offset"), QgsProcessingParameterNumber.Type.Double, 0.0))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, self.tr("NDVI")))

    def process(self, parameters, context, feedback, progress):
        red = raster_path(self.parameterAsRasterLayer(parameters, self.RED, context), self.RED)
        nir_layer = self.parameterAsRasterLayer(parameters, self.NIR, context)
        nir = raster_path(nir_layer, self.NIR) if nir_layer is not None else None
        out = require_tif(self.dest(self.OUTPUT), self.OUTPUT)
        result = ndvi_raster(red, self.parameterAsInt(parameters, self.RED_BAND, context), nir,
                             self.parameterAsInt(parameters, self.NIR_BAND, context), out,
                             self.parameterAsDouble(parameters, self.SCALE, context),
                             self.parameterAsDouble(parameters, self.OFFSET, context), progress)
        if result.nir_resampled:
            feedback.pushInfo("The NIR raster was resampled (average) onto the red raster's grid.")
        feedback.pushInfo(f"NDVI on {result.width} × {result.height} pixels: {result.valid} valid, "
                          f"{result.masked} nodata (nodata input or NIR + Red ≤ 0).")
        style_raster_output(self, context, out, ndvi_raster_style())
        return {self.OUTPUT: out}

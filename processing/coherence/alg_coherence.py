"""insarfusion:coherence: coherence magnitude of an SLC pair (or an interferogram and two amplitudes)."""
from qgis.core import (QgsProcessingOutputNumber, QgsProcessingParameterEnum,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer)

from ...core.coherence.slc import coherence_interferogram_raster, coherence_raster
from ...core.errors import InputError
from ..base import InsarFusionAlgorithm
from ..styles import raster_ramp, style_raster_output
from .common import raster_path


class Coherence(InsarFusionAlgorithm):
    NAME = "coherence"
    DISPLAY = "Coherence from an SLC pair"
    GROUP = "coherence"
    HELP = """
Estimates the interferometric coherence (Ningxia paper, eq. 1) over a moving window of
<b>WINDOW_X</b> (range) × <b>WINDOW_Y</b> (azimuth) pixels:
<p><b>γ = |Σ s₁·s₂*| / √(Σ|s₁|² · Σ|s₂|²)</b></p>
<b>Mode</b>
<ul><li><b>SLC pair</b>: <b>REFERENCE</b> and <b>SECONDARY</b> are co-registered complex
rasters (CInt16, CInt32, CFloat32 or CFloat64), or two-band rasters holding the real and
imaginary parts. They must be on the same grid.</li>
<li><b>Interferogram and amplitudes</b>: <b>INTERFEROGRAM</b> is the un-normalised
interferogram s₁·s₂* (complex, or two bands real/imaginary) or its wrapped phase in radians
(one real band), and <b>AMPLITUDE_1</b>, <b>AMPLITUDE_2</b> are the amplitudes |s₁| and |s₂|
(not intensities: take the square root of an intensity first). Then
γ = |Σ I| / √(Σ A₁² · Σ A₂²), the same estimate.</li></ul>
<b>Method.</b> The raster is processed tile by tile with a halo of window − 1 pixels, so tile
edges are seamless (the tiled result equals the whole-image result exactly) and memory stays
bounded. At the raster edges the window is truncated to the pixels inside. A pixel with no
signal (0) or no data (NaN, nodata) in either image is left out of every window, and is
itself no data in the output. With an even window the extra row/column is on the
bottom/right side.
<b>Bias.</b> The estimate is biased upwards for small windows and low coherence (Touzi et al.
1999): with L independent looks, coherence 0 reads about 0.9/√L on average. Use a window of
at least 20-30 pixels when the coherence is low.
<b>Output</b>: float32 coherence in [0, 1] on the input grid (nodata NaN), styled 0 to 1.
Results MEAN_COHERENCE and VALID_FRACTION.
"""
    MODE, REFERENCE, SECONDARY = "MODE", "REFERENCE", "SECONDARY"
    INTERFEROGRAM, AMPLITUDE_1, AMPLITUDE_2 = "INTERFEROGRAM", "AMPLITUDE_1", "AMPLITUDE_2"
    WINDOW_X, WINDOW_Y, OUTPUT = "WINDOW_X", "WINDOW_Y", "OUTPUT"
    MODES = ["slc_pair", "interferogram"]

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterEnum(
            self.MODE, self.tr("Mode"), [self.tr("SLC pair (reference and secondary)"),
                                         self.tr("Interferogram and two amplitudes")],
            defaultValue=0))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.REFERENCE, self.tr("Reference SLC (complex)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.SECONDARY, self.tr("Secondary SLC (complex, co-registered)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.INTERFEROGRAM, self.tr("Interferogram (complex, or wrapped phase in radians)"),
            optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.AMPLITUDE_1, self.tr("Amplitude of the reference |s1|"), optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.AMPLITUDE_2, self.tr("Amplitude of the secondary |s2|"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.WINDOW_X, self.tr("Window in range (pixels, columns)"),
            QgsProcessingParameterNumber.Type.Integer, 5, minValue=1))
        self.addParameter(QgsProcessingParameterNumber(
            self.WINDOW_Y, self.tr("Window in azimuth (pixels, rows)"),
            QgsProcessingParameterNumber.Type.Integer, 5, minValue=1))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Coherence")))
        self.addOutput(QgsProcessingOutputNumber("MEAN_COHERENCE", self.tr("Mean coherence")))
        self.addOutput(QgsProcessingOutputNumber("VALID_FRACTION",
                                                 self.tr("Share of pixels with a coherence")))

    def process(self, parameters, context, feedback, progress):
        mode = self.MODES[self.parameterAsEnum(parameters, self.MODE, context)]
        wx = self.parameterAsInt(parameters, self.WINDOW_X, context)
        wy = self.parameterAsInt(parameters, self.WINDOW_Y, context)
        out = self.dest(self.OUTPUT)
        if mode == "slc_pair":
            ref = raster_path(self, parameters, self.REFERENCE, context)
            sec = raster_path(self, parameters, self.SECONDARY, context)
            if not ref or not sec:
                raise InputError("The SLC-pair mode needs REFERENCE and SECONDARY (two co-registered "
                                 "complex SLCs). For an interferogram and amplitudes, choose the "
                                 "interferogram mode.")
            run = coherence_raster(ref, sec, out, wy, wx, progress)
        else:
            paths = [raster_path(self, parameters, n, context)
                     for n in (self.INTERFEROGRAM, self.AMPLITUDE_1, self.AMPLITUDE_2)]
            if not all(paths):
                raise InputError("The interferogram mode needs INTERFEROGRAM, AMPLITUDE_1 and "
                                 "AMPLITUDE_2.")
            run = coherence_interferogram_raster(*paths, out, wy, wx, progress)
        feedback.pushInfo(f"Coherence over a {wx} x {wy} window (range x azimuth) on a "
                          f"{run.width} x {run.height} raster: mean {run.mean:.3f}, "
                          f"{100 * run.valid_fraction:.1f}% of pixels with a value.")
        style_raster_output(self, context, out, raster_ramp("Viridis", limits=(0.0, 1.0)))
        return {self.OUTPUT: out, "MEAN_COHERENCE": run.mean, "VALID_FRACTION": run.valid_fraction}

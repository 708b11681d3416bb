"""insarfusion:predictcoherence: coherence predicted from NDVI, its error, and where InSAR is usable."""
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer)

from ... import settings
from ...core.coherence.charts import error_histogram_figure
from ...core.coherence.predict import Law, law_from_rows, predict_rasters
from ...core.errors import InputError
from ...core.insar.charts import save_png
from ..base import InsarFusionAlgorithm
from ..styles import raster_ramp, style_raster_output
from .common import raster_path, read_rows, usable_style


class PredictCoherence(InsarFusionAlgorithm):
    NAME = "predictcoherence"
    DISPLAY = "Predict coherence from NDVI"
    GROUP = "coherence"
    HELP = """
Predicts InSAR coherence from an NDVI raster with a fitted model (Ningxia paper, section 3.4),
compares it with a true coherence when one is given, and maps where InSAR is usable.
<b>Model</b>: the <b>MODELS_TABLE</b> written by 'Fit NDVI-coherence models' and a
<b>MODEL</b> (<i>best</i>, the row flagged best, or a model name); or, without a table, a model
name and its parameters <b>A</b>, <b>B</b>, <b>C</b> typed in (exponential
γ = A·exp(B·NDVI) + C, linear γ = A + B·NDVI, logarithmic γ = A + B·ln(NDVI)).
Predictions are clipped to [0, 1]; NDVI ≤ 0 has no logarithmic prediction.
<b>TRUE_COHERENCE</b> (optional): the outputs are then on its grid, with the NDVI averaged
onto it, and <b>OUTPUT_ERROR</b> = true − predicted; ERROR_MEAN and ERROR_STD summarise it
(the paper: −0.041 ± 0.165 on ROI1), and <b>OUTPUT_HISTOGRAM</b> (PNG) shows its histogram.
Without it the outputs are on the NDVI grid.
<b>OUTPUT_USABLE</b>: 1 where NDVI ≤ <b>NDVI_LIMIT</b> (default from the plugin settings,
now {setting:ndvi_limit}; 0.4 in the paper: above it C-band DInSAR is unreliable) and the predicted coherence ≥ <b>THRESHOLD</b>
(default 0.3); 0 elsewhere; 255 no data. USABLE_FRACTION is the share of pixels with a
prediction that are usable.
"""
    NDVI, MODELS_TABLE, MODEL, A, B, C = "NDVI", "MODELS_TABLE", "MODEL", "A", "B", "C"
    TRUE_COHERENCE, NDVI_LIMIT, THRESHOLD = "TRUE_COHERENCE", "NDVI_LIMIT", "THRESHOLD"
    OUTPUT, OUTPUT_ERROR, OUTPUT_USABLE, OUTPUT_HISTOGRAM = (
        "OUTPUT", "OUTPUT_ERROR", "OUTPUT_USABLE", "OUTPUT_HISTOGRAM")
    CHOICES = ["best", "exponential", "linear", "logarithmic"]

    def initAlgorithm(self, config=None):
        num = QgsProcessingParameterNumber
        self.addParameter(QgsProcessingParameterRasterLayer(self.NDVI, self.tr("NDVI")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.MODELS_TABLE, self.tr("Models table (from 'Fit NDVI-coherence models')"),
            [QgsProcessing.SourceType.TypeVector], optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.MODEL, self.tr("Model"), self.CHOICES, defaultValue=0))
        for name, label in ((self.A, "Parameter a"), (self.B, "Parameter b"),
                            (self.C, "Parameter c (exponential offset)")):
            self.addParameter(num(name, self.tr(label + " (when no table is given)"), num.Double,
                                  None, optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.TRUE_COHERENCE, self.tr("True coherence (for the error)"), optional=True))
        self.addParameter(num(self.NDVI_LIMIT, self.tr("NDVI limit of usable InSAR"), num.Double,
                              settings.value("ndvi_limit")))
        self.addParameter(num(self.THRESHOLD, self.tr("Minimum predicted coherence"), num.Double,
                              0.3, minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Predicted coherence")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_ERROR, self.tr("Error (true − predicted)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_USABLE, self.tr("Usable for InSAR (1/0)"), optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HISTOGRAM, self.tr("Error histogram"), "PNG files (*.png)", optional=True,
            createByDefault=False))
        for name, label in (("ERROR_MEAN", "Mean error"), ("ERROR_STD", "Error standard deviation"),
                            ("USABLE_FRACTION", "Usable share")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def _law(self, parameters, context):
        choice = self.CHOICES[self.parameterAsEnum(parameters, self.MODEL, context)]
        if parameters.get(self.MODELS_TABLE):
            return law_from_rows(read_rows(self, parameters, self.MODELS_TABLE, context), choice)
        if choice == "best":
            raise InputError("Without a MODELS_TABLE, choose the model (exponential, linear or "
                             "logarithmic) and type its parameters A and B (and C).")
        vals = [self.optional_number(parameters, n, context) for n in (self.A, self.B, self.C)]
        vals = [float("nan") if v is None else v for v in vals]
        if vals[0] != vals[0] or vals[1] != vals[1]:
            raise InputError(f"The {choice} model needs parameters A and B (or give a MODELS_TABLE).")
        return Law(choice, *vals)

    def process(self, parameters, context, feedback, progress):
        law = self._law(parameters, context)
        ndvi = raster_path(self, parameters, self.NDVI, context, required=True)
        true = raster_path(self, parameters, self.TRUE_COHERENCE, context)
        err_path, hist_path = self.dest(self.OUTPUT_ERROR), self.dest(self.OUTPUT_HISTOGRAM)
        if (err_path or hist_path) and not true:
            raise InputError("OUTPUT_ERROR and OUTPUT_HISTOGRAM need TRUE_COHERENCE.")
        limit = self.parameterAsDouble(parameters, self.NDVI_LIMIT, context)
        thr = self.parameterAsDouble(parameters, self.THRESHOLD, context)
        feedback.pushInfo(f"Model: {law.model}, a = {law.a:.6g}, b = {law.b:.6g}"
                          + (f", c = {law.c:.6g}" if law.c == law.c else "") + ".")
        run = predict_rasters(ndvi, law, self.dest(self.OUTPUT), true or None, err_path or None,
                              self.dest(self.OUTPUT_USABLE) or None, limit, thr,
                              progress.sub(0.0, 0.9))
        feedback.pushInfo(f"Outputs on {run.grid}. {run.n_valid} pixels predicted; "
                          f"{100 * run.usable_fraction:.1f}% usable (NDVI <= {limit:g} and "
                          f"predicted >= {thr:g}).")
        if run.n_undefined:
            feedback.pushWarning(f"{run.n_undefined} pixels have NDVI <= 0, where the logarithmic "
                                 "model is undefined; they are no data.")
        if true:
            feedback.pushInfo(f"Error (true - predicted) over {run.error_n} pixels: mean "
                              f"{run.error_mean:.4f}, std {run.error_std:.4f}.")
        style_raster_output(self, context, self.dest(self.OUTPUT), raster_ramp("Viridis", limits=(0.0, 1.0)))
        if err_path:
            style_raster_output(self, context, err_path, raster_ramp("RdBu", limits=(-0.5, 0.5)))
        if self.dest(self.OUTPUT_USABLE):
            style_raster_output(self, context, self.dest(self.OUTPUT_USABLE), usable_style)
        if hist_path:
            fig = error_histogram_figure(run.hist_counts, run.hist_edges, run.error_mean, run.error_std)
            save_png(fig, hist_path, dpi=None)
        progress(1.0)
        return {self.OUTPUT: self.dest(self.OUTPUT), self.OUTPUT_ERROR: err_path or None,
                self.OUTPUT_USABLE: self.dest(self.OUTPUT_USABLE) or None,
                self.OUTPUT_HISTOGRAM: hist_path or None,
                "ERROR_MEAN": run.error_mean, "ERROR_STD": run.error_std,
                "USABLE_FRACTION": run.usable_fraction}

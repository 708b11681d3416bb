"""insarfusion:coherencemodel: fit exponential, linear and logarithmic NDVI-to-coherence models."""
import numpy as np
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingOutputString,
                       QgsProcessingParameterBoolean, QgsProcessingParameterEnum,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterLayer, QgsProcessingParameterVectorDestination)

from ...core.coherence.models import MODELS, fit_models, formula
from ...core.coherence.report import write_model_report
from ...core.coherence.samples import sample_windows
from ...core.tables import write_table
from ...core.errors import InputError
from ...core.points import PointTable
from ..base import InsarFusionAlgorithm
from ..layers import write_point_table
from ..styles import graduated
from .common import raster_path


class CoherenceModel(InsarFusionAlgorithm):
    NAME = "coherencemodel"
    DISPLAY = "Fit NDVI-coherence models"
    GROUP = "coherence"
    HELP = """
Fits how coherence falls with vegetation (Ningxia paper, sections 3.2-4.1), and scores each
model by RMSE, R², PICP and PINAW.
<b>Samples.</b> <b>NDVI</b> is brought onto the <b>COHERENCE</b> grid (area-weighted average
when it is finer, bilinear when coarser). Pixels where coherence or NDVI is below
<b>MASK_BELOW</b> (default 0.2: water, cloud) are masked. The image is cut into
<b>WINDOW</b> × <b>WINDOW</b>-pixel windows; a window with at least half its pixels left gives
its mean NDVI, mean coherence and the Pearson R between the two. Windows with
|R| ≥ <b>MIN_ABS_R</b> (default 0.6; the relation is negative, so |R| is compared) are the samples.
<b>Models</b> (<b>MODELS</b>, default all three):
<ul><li>exponential γ = a·exp(b·NDVI) + c (non-linear least squares; c = 0 when
<b>EXP_OFFSET</b> is off);</li><li>linear γ = a + b·NDVI;</li>
<li>logarithmic γ = a + b·ln(NDVI) (samples with NDVI ≤ 0 are excluded, from every model so
that the scores compare, and counted in the log).</li></ul>
<b>Scores</b> at <b>CONFIDENCE</b> (default 0.99): RMSE, R² = 1 − RSS/TSS, PICP = share of
samples inside their prediction interval, PINAW = mean interval width / range of the observed
coherence. Prediction intervals are honest: the OLS interval for a new observation for the
linear and logarithmic models; for the exponential model the delta-method interval,
ŷ ± t·√(s² + gᵀCg), with C the covariance of the fitted parameters.
<b>BEST_MODEL</b> (the paper's rule, the best on all four together): each criterion ranks
the models on values rounded to 4 significant digits, ties sharing the better rank; the model
with the most first places wins; ties go to the lowest sum of ranks, then the lowest RMSE,
then the fewest parameters.
<b>Outputs</b>: OUTPUT_SAMPLES (points at the window centres: row, col, n_pixels, ndvi_mean,
coherence_mean, r, used); OUTPUT_MODELS (table: model, a, b, c, a_se, b_se, c_se, rmse, r2,
picp, pinaw, n, confidence, sigma, best, formula; the input of 'Predict coherence from NDVI');
OUTPUT_HTML (evaluation table, and per model the fitted curve with its prediction band and the
residuals, as the paper's Table 2 and Figs. 2-4).
"""
    NDVI, COHERENCE, WINDOW, MASK_BELOW, MIN_ABS_R = (
        "NDVI", "COHERENCE", "WINDOW", "MASK_BELOW", "MIN_ABS_R")
    CONFIDENCE, MODELS, EXP_OFFSET = "CONFIDENCE", "MODELS", "EXP_OFFSET"
    OUTPUT_SAMPLES, OUTPUT_MODELS, OUTPUT_HTML = "OUTPUT_SAMPLES", "OUTPUT_MODELS", "OUTPUT_HTML"

    def initAlgorithm(self, config=None):
        num = QgsProcessingParameterNumber
        self.addParameter(QgsProcessingParameterRasterLayer(self.NDVI, self.tr("NDVI")))
        self.addParameter(QgsProcessingParameterRasterLayer(self.COHERENCE, self.tr("Coherence")))
        self.addParameter(num(self.WINDOW, self.tr("Sample window (pixels of the coherence grid)"),
                              num.Integer, 10, minValue=2))
        self.addParameter(num(self.MASK_BELOW, self.tr("Mask coherence and NDVI below"), num.Double,
                              0.2))
        self.addParameter(num(self.MIN_ABS_R, self.tr("Keep windows with |R| at least"), num.Double,
                              0.6, minValue=0.0, maxValue=1.0))
        self.addParameter(num(self.CONFIDENCE, self.tr("Confidence level of prediction intervals"),
                              num.Double, 0.99, minValue=0.5, maxValue=0.9999))
        self.addParameter(QgsProcessingParameterEnum(
            self.MODELS, self.tr("Models"), list(MODELS), allowMultiple=True,
            defaultValue=[0, 1, 2]))
        self.addParameter(QgsProcessingParameterBoolean(
            self.EXP_OFFSET, self.tr("Exponential model with an offset c"), True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_SAMPLES, self.tr("Window samples"), QgsProcessing.SourceType.TypeVectorPoint,
            optional=True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_MODELS, self.tr("Models"), QgsProcessing.SourceType.TypeVector))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HTML, self.tr("Report"), "HTML files (*.html)", optional=True))
        self.addOutput(QgsProcessingOutputString("BEST_MODEL", self.tr("Best model")))
        self.addOutput(QgsProcessingOutputNumber("N_SAMPLES", self.tr("Windows fitted")))
        self.addOutput(QgsProcessingOutputNumber("N_WINDOWS_TRIED", self.tr("Windows tried")))

    def process(self, parameters, context, feedback, progress):
        ndvi = raster_path(self, parameters, self.NDVI, context, required=True)
        coh = raster_path(self, parameters, self.COHERENCE, context, required=True)
        window = self.parameterAsInt(parameters, self.WINDOW, context)
        mask = self.parameterAsDouble(parameters, self.MASK_BELOW, context)
        min_r = self.parameterAsDouble(parameters, self.MIN_ABS_R, context)
        conf = self.parameterAsDouble(parameters, self.CONFIDENCE, context)
        chosen = [MODELS[i] for i in self.parameterAsEnums(parameters, self.MODELS, context)]
        offset = self.parameterAsBool(parameters, self.EXP_OFFSET, context)
        s = sample_windows(ndvi, coh, window, mask, min_r, progress.sub(0.0, 0.6))
        feedback.pushInfo(f"NDVI onto the coherence grid: {s.resampling}. {s.total} windows of "
                          f"{window} x {window} pixels; {s.tried} with enough unmasked pixels; "
                          f"{int(s.used.sum())} with |R| >= {min_r:g}.")
        if s.tried == 0:
            raise InputError(f"None of the {s.total} windows of {window} x {window} pixels has enough "
                             f"pixels with coherence and NDVI >= MASK_BELOW ({mask:g}) and some "
                             "variation. Check that the rasters overlap and hold NDVI (not "
                             "reflectance), or lower MASK_BELOW.")
        if not s.used.any():
            raise InputError(f"No window passes the R threshold: {s.tried} windows were tried and "
                             f"the best |R| between NDVI and coherence was {s.best_abs_r:.3f} "
                             f"(MIN_ABS_R is {min_r:g}). Lower MIN_ABS_R, use a larger WINDOW, "
                             "or use an area with more varied vegetation.")
        x, y = s.ndvi[s.used], s.coherence[s.used]
        fits = fit_models(x, y, chosen, conf, offset)
        progress(0.8)
        notes = []
        if fits.excluded_nonpositive:
            notes.append(f"{fits.excluded_nonpositive} samples with NDVI <= 0 were excluded (ln(NDVI) "
                         "is undefined there), from every model so the scores compare.")
        for n in notes:
            feedback.pushWarning(n)
        for f in fits.fits:
            feedback.pushInfo(f"{f.model}: {formula(f.model, f.params)}; RMSE {f.rmse:.4f}, R² "
                              f"{f.r2:.4f}, PICP {100 * f.picp:.2f}%, PINAW {f.pinaw:.4f}, n {f.n}"
                              + (f" ({f.note})" if f.note else ""))
        feedback.pushInfo(f"Best model: {fits.best} ({fits.reason}).")
        write_table(self.dest(self.OUTPUT_MODELS), self._model_columns(fits), "models")
        progress(0.82)
        if self.dest(self.OUTPUT_SAMPLES):
            cols = {"row": s.row, "col": s.col, "n_pixels": s.n_pixels, "ndvi_mean": s.ndvi,
                    "coherence_mean": s.coherence, "r": s.r, "used": s.used.astype(np.int64)}
            crs = self.parameterAsRasterLayer(parameters, self.COHERENCE, context).crs().toWkt()
            write_point_table(self, self.OUTPUT_SAMPLES, PointTable(s.x, s.y, cols, crs), context,
                              style=graduated("coherence_mean", ramp="Viridis", limits=(0.0, 1.0),
                                              size=2.4), layer_name="samples",
                              progress=progress.sub(0.82, 0.86))
        if self.dest(self.OUTPUT_HTML):
            write_model_report(self.dest(self.OUTPUT_HTML), fits, s, mask, min_r, notes,
                               progress.sub(0.86, 1.0))
        progress(1.0)
        return {self.OUTPUT_MODELS: self.dest(self.OUTPUT_MODELS),
                self.OUTPUT_SAMPLES: self.dest(self.OUTPUT_SAMPLES) or None,
                self.OUTPUT_HTML: self.dest(self.OUTPUT_HTML) or None,
                "BEST_MODEL": fits.best, "N_SAMPLES": int(s.used.sum()), "N_WINDOWS_TRIED": s.tried}

    @staticmethod
    def _model_columns(fits):
        cols = {k: [] for k in ("model", "a", "b", "c", "a_se", "b_se", "c_se", "rmse", "r2", "picp",
                                "pinaw", "n", "confidence", "sigma", "best", "formula")}
        for f in fits.fits:
            vals = [f.model, *f.params, *f.se, f.rmse, f.r2, f.picp, f.pinaw, f.n, f.confidence,
                    f.sigma, int(f.model == fits.best), formula(f.model, f.params)]
            for k, v in zip(cols, vals):
                cols[k].append(v)
        return cols

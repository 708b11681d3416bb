"""insarfusion:masklowcoherence: flag or remove InSAR points where coherence is predicted too low."""
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterLayer, QgsProcessingParameterVectorDestination)

from ... import settings
from ...core.coherence.reliability import flag_points
from ...core.errors import InputError
from ...core.points import PointTable
from ...core.sampling import sample_band1
from ..base import InsarFusionAlgorithm
from ..layers import read_point_table, write_point_table
from .common import raster_path, reliability_style


class MaskLowCoherence(InsarFusionAlgorithm):
    NAME = "masklowcoherence"
    DISPLAY = "Flag InSAR points in low coherence"
    GROUP = "coherence"
    HELP = """
Marks the InSAR points whose deformation should not be trusted because vegetation decorrelates
C-band InSAR there (Ningxia paper, section 4.2: "the deformation got in DInSAR should be
masked in higher NDVI").
A point is <b>unreliable</b> when the <b>PREDICTED</b> coherence raster (from 'Predict coherence
from NDVI') is below <b>THRESHOLD</b> (default 0.3) at the point, or the <b>NDVI</b> raster is
above <b>NDVI_LIMIT</b> (default from the plugin settings, now {setting:ndvi_limit}). Give either raster or both;
a test whose raster has no value at the point is skipped, and a point with no value at all is
<i>unknown</i> (NULL).
<b>MODE</b>: <i>flag</i> keeps every point and adds the fields <i>reliable</i> (1, 0 or NULL),
<i>reason</i>, <i>pred_coh</i> and/or <i>ndvi</i>; the map shows reliable points in the
rate colours and unreliable ones as faded crosses in the same colours, so the deformation in
dense vegetation stays visible but marked. <i>remove</i> drops the unreliable points (unknown
points are kept).
<b>Results</b>: N_POINTS, N_UNRELIABLE, N_UNKNOWN, N_OUTPUT.
"""
    INPUT, PREDICTED, NDVI, THRESHOLD = "INPUT", "PREDICTED", "NDVI", "THRESHOLD"
    NDVI_LIMIT, MODE, OUTPUT = "NDVI_LIMIT", "MODE", "OUTPUT"

    def initAlgorithm(self, config=None):
        num = QgsProcessingParameterNumber
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("InSAR points"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.PREDICTED, self.tr("Predicted coherence"), optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(self.NDVI, self.tr("NDVI"), optional=True))
        self.addParameter(num(self.THRESHOLD, self.tr("Minimum predicted coherence"), num.Double,
                              0.3, minValue=0.0, maxValue=1.0))
        self.addParameter(num(self.NDVI_LIMIT, self.tr("NDVI limit"), num.Double,
                              settings.value("ndvi_limit")))
        self.addParameter(QgsProcessingParameterEnum(
            self.MODE, self.tr("Mode"), [self.tr("flag"), self.tr("remove")], defaultValue=0))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Points with reliability"), QgsProcessing.SourceType.TypeVectorPoint))
        for name, label in (("N_POINTS", "Points"), ("N_UNRELIABLE", "Unreliable points"),
                            ("N_UNKNOWN", "Points without a raster value"),
                            ("N_OUTPUT", "Points written")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def process(self, parameters, context, feedback, progress):
        pred_path = raster_path(self, parameters, self.PREDICTED, context)
        ndvi_path = raster_path(self, parameters, self.NDVI, context)
        if not pred_path and not ndvi_path:
            raise InputError("Give a PREDICTED coherence raster, an NDVI raster, or both.")
        table = read_point_table(self, parameters, self.INPUT, context)
        progress(0.2)
        pred = sample_band1(pred_path, table.x, table.y, table.crs_wkt, "The PREDICTED raster",
                            progress.sub(0.2, 0.4)) if pred_path else None
        ndvi = sample_band1(ndvi_path, table.x, table.y, table.crs_wkt, "The NDVI raster",
                            progress.sub(0.4, 0.6)) if ndvi_path else None
        thr = self.parameterAsDouble(parameters, self.THRESHOLD, context)
        limit = self.parameterAsDouble(parameters, self.NDVI_LIMIT, context)
        flags = flag_points(pred, ndvi, thr, limit)
        cols = dict(table.columns)
        for name, values in (("pred_coh", pred), ("ndvi", ndvi)):
            if values is not None:
                if name in cols:
                    feedback.pushWarning(f"The field '{name}' is replaced by the sampled raster value.")
                cols[name] = values
        cols["reliable"] = flags.reliable
        cols["reason"] = flags.reason
        out = PointTable(table.x, table.y, cols, table.crs_wkt)
        remove = self.parameterAsEnum(parameters, self.MODE, context) == 1
        if remove:
            out = out.subset(~(flags.reliable == 0))
        feedback.pushInfo(f"{len(table)} points: {flags.n_unreliable} unreliable "
                          f"({flags.n_low_coherence} low predicted coherence < {thr:g}, "
                          f"{flags.n_dense_vegetation} NDVI > {limit:g}), {flags.n_unknown} "
                          f"without a raster value. {'Removed' if remove else 'Flagged'}.")
        progress(0.7)
        vel = "velocity" if "velocity" in cols else next(
            (c for c in cols if c.lower() in ("vel", "mean_velocity")), "velocity")
        write_point_table(self, self.OUTPUT, out, context, style=reliability_style(vel),
                          progress=progress.sub(0.7, 1.0))
        return {self.OUTPUT: self.dest(self.OUTPUT), "N_POINTS": len(table),
                "N_UNRELIABLE": flags.n_unreliable, "N_UNKNOWN": flags.n_unknown,
                "N_OUTPUT": len(out)}

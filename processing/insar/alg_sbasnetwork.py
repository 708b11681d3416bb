"""insarfusion:sbasnetwork: small-baseline pairs from acquisition dates and perpendicular baselines."""
import numpy as np
from qgis.core import (QgsProcessing, QgsProcessingOutputBoolean, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterVectorDestination)

from ...core.errors import InputError
from ...core.insar.charts import network_chart, save_png
from ...core.insar.network import build
from ...core.tables import write_table
from ..base import InsarFusionAlgorithm


def _plain(value):
    """A QVariant/QDate/QDateTime attribute as a plain Python value (None for NULL)."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if hasattr(value, "toPyDateTime"):
        return value.toPyDateTime()
    if hasattr(value, "toPyDate"):
        return value.toPyDate()
    return value


class SbasNetwork(InsarFusionAlgorithm):
    NAME = "sbasnetwork"
    DISPLAY = "SBAS pair network"
    GROUP = "insar"
    HELP = """
Builds the small-baseline (SBAS) interferometric pair network of one track and draws it as time
against perpendicular baseline (Heihe paper, Fig. 2).

<b>Input</b>: a table (CSV or layer) with one row per acquisition: a date (YYYY-MM-DD or YYYYMMDD)
and the perpendicular baseline B⊥ (m) relative to a common reference.
<b>Date field</b> and <b>B⊥ field</b>: the columns to use (default <i>date</i> and <i>bperp</i>).
<b>Maximum temporal baseline</b> (days, default 24) and <b>maximum perpendicular baseline</b>
(m, default 100): two acquisitions i &lt; j are paired when 0 &lt; t_j − t_i ≤ the temporal limit and
|B⊥_j − B⊥_i| ≤ the perpendicular limit (the Ningxia paper uses 24 days and 100 m).

<b>Outputs</b>: a table of pairs (<i>reference</i>, <i>secondary</i> dates, <i>temporal_baseline</i>
in days, <i>perpendicular_baseline</i> = B⊥ secondary − B⊥ reference in m) and the network chart (PNG).
Results: N_PAIRS, N_DATES, CONNECTED (whether the pairs join every acquisition into one graph),
N_COMPONENTS and GAPS: the date intervals that no pair spans and the isolated dates (or else the
dates cut off from the first acquisition). A disconnected network is reported, not refused: SBAS inversion of it is
ill-posed, so add pairs across the gaps (raise the limits) before using it.
"""
    INPUT, DATE_FIELD, BPERP_FIELD = "INPUT", "DATE_FIELD", "BPERP_FIELD"
    MAX_TEMPORAL, MAX_PERPENDICULAR, OUTPUT, OUTPUT_CHART = (
        "MAX_TEMPORAL", "MAX_PERPENDICULAR", "OUTPUT", "OUTPUT_CHART")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Acquisitions (date, bperp)"), [QgsProcessing.SourceType.TypeVector]))
        self.addParameter(QgsProcessingParameterField(
            self.DATE_FIELD, self.tr("Date field"), "date", self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.BPERP_FIELD, self.tr("Perpendicular baseline field (m)"), "bperp", self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_TEMPORAL, self.tr("Maximum temporal baseline (days)"), QgsProcessingParameterNumber.Type.Double,
            24.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_PERPENDICULAR, self.tr("Maximum perpendicular baseline (m)"),
            QgsProcessingParameterNumber.Type.Double, 100.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Pairs"), QgsProcessing.SourceType.TypeVector))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CHART, self.tr("Network chart"), "PNG files (*.png)", optional=True))
        self.addOutput(QgsProcessingOutputNumber("N_PAIRS", self.tr("Number of pairs")))
        self.addOutput(QgsProcessingOutputNumber("N_DATES", self.tr("Number of acquisitions")))
        self.addOutput(QgsProcessingOutputBoolean("CONNECTED", self.tr("Network connected")))
        self.addOutput(QgsProcessingOutputNumber("N_COMPONENTS", self.tr("Connected parts")))
        self.addOutput(QgsProcessingOutputString("GAPS", self.tr("Gaps")))

    def process(self, parameters, context, feedback, progress):
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError("No acquisition table was given.")
        names = [f.name() for f in source.fields()]
        date_field = self.parameterAsString(parameters, self.DATE_FIELD, context) or "date"
        bperp_field = self.parameterAsString(parameters, self.BPERP_FIELD, context) or "bperp"
        for field, what in ((date_field, "date"), (bperp_field, "perpendicular baseline")):
            if field not in names:
                raise InputError(f"The table has no field '{field}' for the {what}; it has: {', '.join(names)}.")
        i_date, i_b = names.index(date_field), names.index(bperp_field)
        dates, bperp = [], []
        for feat in source.getFeatures():
            attrs = feat.attributes()
            dates.append(_plain(attrs[i_date]))
            bperp.append(_plain(attrs[i_b]))
        net = build(dates, bperp, self.parameterAsDouble(parameters, self.MAX_TEMPORAL, context),
                    self.parameterAsDouble(parameters, self.MAX_PERPENDICULAR, context))
        progress(0.5)
        feedback.pushInfo(f"{net.n_pairs} pairs between {len(net.dates)} acquisitions.")
        gaps = net.describe_gaps()
        if not net.connected:
            feedback.pushWarning(f"The network is not connected ({net.n_components} parts): {gaps}. "
                                 "Raise MAX_TEMPORAL or MAX_PERPENDICULAR to bridge it.")
        iso = lambda k: np.array([net.dates[m].isoformat() for m in k], dtype=object)  # noqa: E731
        write_table(self.dest(self.OUTPUT), {
            "reference": iso(net.i), "secondary": iso(net.j),
            "temporal_baseline": net.temporal.astype(np.int64), "perpendicular_baseline": net.perpendicular,
            "bperp_reference": net.bperp[net.i], "bperp_secondary": net.bperp[net.j]})
        results = {self.OUTPUT: self.dest(self.OUTPUT)}
        if self.dest(self.OUTPUT_CHART):
            title = (f"{len(net.dates)} acquisitions, {net.n_pairs} pairs (Δt ≤ "
                     f"{self.parameterAsDouble(parameters, self.MAX_TEMPORAL, context):g} d, |ΔB⊥| ≤ "
                     f"{self.parameterAsDouble(parameters, self.MAX_PERPENDICULAR, context):g} m)")
            save_png(network_chart(net.dates, net.bperp, net.i, net.j, net.gaps, title, net.isolated),
                     self.dest(self.OUTPUT_CHART))
            results[self.OUTPUT_CHART] = self.dest(self.OUTPUT_CHART)
        progress(1.0)
        results.update({"N_PAIRS": net.n_pairs, "N_DATES": len(net.dates), "CONNECTED": net.connected,
                        "N_COMPONENTS": net.n_components, "GAPS": gaps})
        return results

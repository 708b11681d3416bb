"""insarfusion:splicetracks: remove the offset between two adjacent tracks and merge them."""
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterString,
                       QgsProcessingParameterVectorDestination)

from ...core.insar.charts import save_png, splice_chart
from ...core.insar.layout import LAYOUT, check_shapefile
from ...core.insar.splice import corrected_secondary, splice
from ..base import InsarFusionAlgorithm
from ..layers import read_point_table, write_point_table
from ..styles import graduated, rate_style

CORRECTIONS = ("constant", "plane")


class SpliceTracks(InsarFusionAlgorithm):
    NAME = "splicetracks"
    DISPLAY = "Splice adjacent tracks"
    GROUP = "insar"
    HELP = """
Merges two adjacent InSAR tracks (both already <b>vertical</b>, see <i>LOS to vertical</i>) after
removing the reference offset of the secondary track, and checks their agreement in the overlap
(Heihe paper, section 3.1 and Fig. 8).

<b>Reference</b> and <b>Secondary</b>: point layers in the standard layout (velocity in mm/yr,
DYYYYMMDD in mm), in a projected CRS in metres (the secondary is reprojected to the reference's CRS).
<b>Match distance</b> (m, default 60): a secondary point is paired with its nearest reference point
within this distance; each reference point keeps only its closest secondary.
<b>Correction</b>: <i>constant</i> d = a, or <i>plane</i> d = a + b·(x − x0)/1000 + c·(y − y0)/1000
(b, c in mm/yr per km; x0, y0 the centroid of the pairs), for d = v_secondary − v_reference,
fitted robustly (Huber M-estimate, iteratively reweighted least squares, k = 1.345, scale =
median |residual| / 0.6745, as statsmodels RLM).
At least 10 pairs are needed.
<b>Track names</b>: written to the <i>track</i> field (default: the layer names); a reference that
already has a <i>track</i> field (an earlier merge, to splice a third track on) keeps its own.

<b>Method.</b> The fitted offset is subtracted from every secondary velocity, and
offset·(t − t_first) from its series. The series is then interpolated linearly onto the
reference's dates (NULL outside its own span); if the dates differ, it is re-referenced to the
reference's first date and a constant per date (the median reference − secondary difference over
the pairs) aligns it with the reference.

<b>Outputs.</b> <i>Merged</i>: every reference point and the secondary points that have no reference
point within the match distance (the overlap is not counted twice: the reference is kept there),
with a <i>track</i> field. <i>Corrected secondary</i> (optional): every point of the secondary,
overlap included, in the reference's CRS, with the offset removed from its velocity and series
(on its own dates) and the removed offset in the field <i>offset</i>: use it where both tracks
count as independent measurements, e.g. a regression over every point. <i>Pairs</i>: the matched pairs at the reference location with both rates,
the difference, the correction and the residual. <i>Chart</i>: rate A against rate B with the 1:1 and
±3·RMSE lines. Results: OFFSET (mm/yr, at the pairs' centroid), PLANE_A/B/C, ORIGIN_X/Y, RMSE and
RMSE_BEFORE (mm/yr, of the pair differences after and before correction), N_PAIRS,
FRACTION_WITHIN_3RMSE.
"""
    REFERENCE, SECONDARY, MATCH_DISTANCE, CORRECTION = "REFERENCE", "SECONDARY", "MATCH_DISTANCE", "CORRECTION"
    REFERENCE_NAME, SECONDARY_NAME = "REFERENCE_NAME", "SECONDARY_NAME"
    OUTPUT, OUTPUT_PAIRS, OUTPUT_CHART = "OUTPUT", "OUTPUT_PAIRS", "OUTPUT_CHART"
    OUTPUT_SECONDARY = "OUTPUT_SECONDARY"
    RESULTS = ("OFFSET", "PLANE_A", "PLANE_B", "PLANE_C", "ORIGIN_X", "ORIGIN_Y", "RMSE", "RMSE_BEFORE",
               "N_PAIRS", "FRACTION_WITHIN_3RMSE", "N_MERGED")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.REFERENCE, self.tr("Reference track (vertical)"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SECONDARY, self.tr("Secondary track (vertical)"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterNumber(
            self.MATCH_DISTANCE, self.tr("Match distance (m)"), QgsProcessingParameterNumber.Type.Double,
            60.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterEnum(
            self.CORRECTION, self.tr("Correction"), list(CORRECTIONS), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.REFERENCE_NAME, self.tr("Reference track name"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.SECONDARY_NAME, self.tr("Secondary track name"), optional=True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Merged tracks"), QgsProcessing.SourceType.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_SECONDARY, self.tr("Secondary track, offset removed"),
            QgsProcessing.SourceType.TypeVectorPoint, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_PAIRS, self.tr("Matched pairs"), QgsProcessing.SourceType.TypeVectorPoint, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CHART, self.tr("Overlap chart"), "PNG files (*.png)", optional=True))
        for key in self.RESULTS:
            self.addOutput(QgsProcessingOutputNumber(key, key))

    def _name(self, parameters, key, layer_key, context):
        text = self.parameterAsString(parameters, key, context).strip()
        if text:
            return text
        source = self.parameterAsSource(parameters, layer_key, context)
        return (source.sourceName() if source is not None else "") or layer_key.lower()

    def process(self, parameters, context, feedback, progress):
        ref = read_point_table(self, parameters, self.REFERENCE, context)
        sec = read_point_table(self, parameters, self.SECONDARY, context)
        n_dates = len(ref.date_columns())
        check_shapefile(self.dest(self.OUTPUT), n_dates + len(LAYOUT) + 1, n_dates)
        progress(0.2)
        names = (self._name(parameters, self.REFERENCE_NAME, self.REFERENCE, context),
                 self._name(parameters, self.SECONDARY_NAME, self.SECONDARY, context))
        if names[0] == names[1]:
            names = (names[0] + " (reference)", names[1] + " (secondary)")
        distance = self.parameterAsDouble(parameters, self.MATCH_DISTANCE, context)
        correction = CORRECTIONS[self.parameterAsEnum(parameters, self.CORRECTION, context)]
        merged, pairs, fit, shift = splice(ref, sec, distance, correction, names, progress.sub(0.2, 0.6))
        feedback.pushInfo(f"{fit.n_pairs} pairs within {distance:g} m.")
        if correction == "constant":
            feedback.pushInfo(f"Offset of {names[1]}: {fit.a:.3f} mm/yr.")
        else:
            feedback.pushInfo(f"Offset plane of {names[1]}: {fit.a:.3f} mm/yr at ({fit.origin[0]:.1f}, "
                              f"{fit.origin[1]:.1f}) + {fit.b:.4f} mm/yr/km east + {fit.c:.4f} mm/yr/km north.")
        feedback.pushInfo(f"RMSE of the pair differences: {fit.rmse_before:.3f} mm/yr before, "
                          f"{fit.rmse:.3f} mm/yr after correction; {100 * fit.fraction_within_3rmse:.1f}% "
                          "of the pairs within ±3·RMSE.")
        if shift.any():
            feedback.pushInfo(f"Series aligned per date: mean shift {abs(shift).mean():.3f} mm "
                              f"(largest {abs(shift).max():.3f} mm).")
        write_point_table(self, self.OUTPUT, merged, context, style=rate_style("velocity"),
                          progress=progress.sub(0.6, 0.85))
        results = {self.OUTPUT: self.dest(self.OUTPUT)}
        if self.dest(self.OUTPUT_SECONDARY):
            write_point_table(self, self.OUTPUT_SECONDARY, corrected_secondary(ref, sec, fit), context,
                              style=rate_style("velocity"), progress=progress.sub(0.85, 0.88))
            results[self.OUTPUT_SECONDARY] = self.dest(self.OUTPUT_SECONDARY)
        if self.dest(self.OUTPUT_PAIRS):
            write_point_table(self, self.OUTPUT_PAIRS, pairs, context,
                              style=graduated("residual", ramp="RdBu", classes=7, diverging=True, unit="mm/yr"),
                              progress=progress.sub(0.85, 0.92))
            results[self.OUTPUT_PAIRS] = self.dest(self.OUTPUT_PAIRS)
        if self.dest(self.OUTPUT_CHART):
            progress(0.93)
            fig = splice_chart(pairs.columns["rate_ref"], pairs.columns["rate_sec_corrected"], fit.rmse,
                               pairs.columns["rate_sec"], names)
            progress(0.96)
            save_png(fig, self.dest(self.OUTPUT_CHART))
            results[self.OUTPUT_CHART] = self.dest(self.OUTPUT_CHART)
        progress(1.0)
        results.update({"OFFSET": fit.offset, "PLANE_A": fit.a, "PLANE_B": fit.b, "PLANE_C": fit.c,
                        "ORIGIN_X": fit.origin[0], "ORIGIN_Y": fit.origin[1], "RMSE": fit.rmse,
                        "RMSE_BEFORE": fit.rmse_before, "N_PAIRS": fit.n_pairs,
                        "FRACTION_WITHIN_3RMSE": fit.fraction_within_3rmse, "N_MERGED": len(merged)})
        return results

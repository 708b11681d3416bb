"""insarfusion:seasonalfit: trend plus annual cycle per point, fitted for all points at once."""
import numpy as np
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterVectorDestination)

from ...core.errors import InputError
from ...core.insar.layout import check_shapefile
from ...core.insar.seasonal import MIN_DATES, fit
from ...core.points import PointTable
from ...core.dates import date_fields
from ...core.scale.points import SeasonalStep
from .. import scale
from ..base import InsarFusionAlgorithm
from ..layers import read_point_table, write_point_table
from ..styles import graduated, rate_style

FIELDS = ("trend", "seasonal_amplitude", "seasonal_peak_doy", "max_seasonal_subsidence",
          "max_seasonal_uplift", "fit_rmse")
STYLES = ("seasonal_amplitude", "trend")


class SeasonalFit(InsarFusionAlgorithm):
    NAME = "seasonalfit"
    DISPLAY = "Seasonal fit"
    GROUP = "insar"
    HELP = """
Fits every point's displacement series with a trend and an annual cycle (Heihe paper, section 5.2):
<b>d(t) = a + v·t + A·sin(2πt) + B·cos(2πt)</b>, t in decimal years (2019.0 = 1 January 2019),
by least squares over the dates the point has (NULL dates are left out, point by point).
All points are solved together (batched 4×4 normal equations).

<b>Input</b>: a point layer with date fields DYYYYMMDD (mm), ideally vertical.
<b>Style by</b>: colour the output by seasonal amplitude or by trend.

<b>Output fields</b> (added to the input's fields):
<ul><li><i>trend</i> (mm/yr): v.</li>
<li><i>seasonal_amplitude</i> (mm): R = √(A² + B²), half the peak-to-trough range of the cycle.</li>
<li><i>seasonal_peak_doy</i>: day of year (1 = 1 January) at which the annual cycle peaks (highest,
i.e. most uplifted).</li>
<li><i>max_seasonal_subsidence</i> (mm, ≤ 0) and <i>max_seasonal_uplift</i> (mm, ≥ 0): the fall from a
seasonal high to the next low, and the rise from a low to the next high, of the fitted motion
v·t + A·sin + B·cos. Without a trend they are −2R and +2R; a trend makes them unequal (the paper's
−70 mm and +60 mm). When the trend outruns the cycle there is no reversal: one of them is 0 and the
other is v × 1 year.</li>
<li><i>fit_rmse</i> (mm): root mean square of the residuals over the point's dates.</li></ul>
Points with fewer than 5 dates, or whose dates cannot separate the terms, get NULL.
""" + scale.HELP
    INPUT, STYLE, OUTPUT = "INPUT", "STYLE", "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("InSAR points with a series"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterEnum(
            self.STYLE, self.tr("Style by"), list(STYLES), defaultValue=0))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Seasonal fit"), QgsProcessing.SourceType.TypeVectorPoint))
        self.addOutput(QgsProcessingOutputNumber("N_FITTED", self.tr("Points fitted")))
        self.addOutput(QgsProcessingOutputNumber("N_SKIPPED", self.tr("Points not fitted")))
        scale.add_parameters(self)

    def process(self, parameters, context, feedback, progress):
        plan = scale.plan(self, parameters, context)
        if plan is not None:
            return self._tiled(plan, parameters, context, feedback, progress)
        table = read_point_table(self, parameters, self.INPUT, context)
        dates, series = table.series()
        check_shapefile(self.dest(self.OUTPUT), len(set(table.columns) | set(FIELDS)), len(dates))
        progress(0.1)
        result = fit(dates, series, progress.sub(0.1, 0.6))
        fall, rise = result.swings()
        values = dict(zip(FIELDS, (result.trend, result.amplitude, result.peak_doy, fall, rise,
                                   result.fit_rmse)))
        cols = {k: v for k, v in table.columns.items() if k not in FIELDS}
        cols.update({k: np.asarray(v, float) for k, v in values.items()})
        out = PointTable(table.x, table.y, cols, table.crs_wkt)
        fitted = int(np.isfinite(result.trend).sum())
        if fitted == 0:
            raise InputError(f"No point could be fitted: every point has fewer than {MIN_DATES} dates "
                             "with a value (or dates that cannot separate trend and cycle), e.g. "
                             "every date field is NULL.")
        skipped = len(table) - fitted
        feedback.pushInfo(f"Fitted {fitted} of {len(table)} points over {len(dates)} dates.")
        if skipped:
            feedback.pushWarning(f"{skipped} points have fewer than {MIN_DATES} usable dates (or dates that "
                                 "cannot separate trend and cycle); their fields are NULL.")
        field = STYLES[self.parameterAsEnum(parameters, self.STYLE, context)]
        style = rate_style("trend") if field == "trend" else graduated(field, ramp="Viridis", classes=7)
        write_point_table(self, self.OUTPUT, out, context, style=style, progress=progress.sub(0.6, 1.0))
        return {self.OUTPUT: self.dest(self.OUTPUT), "N_FITTED": fitted, "N_SKIPPED": skipped}

    def _style(self, parameters, context):
        field = STYLES[self.parameterAsEnum(parameters, self.STYLE, context)]
        return rate_style("trend") if field == "trend" else graduated(field, ramp="Viridis", classes=7)

    def _tiled(self, plan, parameters, context, feedback, progress):
        """The same fit tile by tile (scale.HELP)."""
        table = None if plan.tileset else read_point_table(self, parameters, self.INPUT, context)
        names = plan.tileset.field_names if plan.tileset else list(table.columns)
        if table is not None:
            table.series()
        dates = date_fields(names)
        if not dates:
            raise InputError("The layer has no date fields. Date fields are named DYYYYMMDD, "
                             "D_YYYYMMDD or YYYYMMDD, one per acquisition.")
        check_shapefile(self.dest(self.OUTPUT), len(set(names) | set(FIELDS)), len(dates))
        if len(dates) < MIN_DATES:
            raise InputError(f"The seasonal fit needs at least {MIN_DATES} dates; the layer has {len(dates)}.")
        progress(0.1)
        dest, infos = scale.run_points(self, context, self.OUTPUT, plan, SeasonalStep(FIELDS), table,
                                       self._style(parameters, context), progress.sub(0.1, 1.0))
        n, fitted = sum(i["n"] for i in infos), sum(i["fitted"] for i in infos)
        feedback.pushInfo(f"Fitted {fitted} of {n} points over {len(dates)} dates, tile by tile "
                          f"({len(infos)} tiles, {plan.engine.name}).")
        if n - fitted:
            feedback.pushWarning(f"{n - fitted} points have fewer than {MIN_DATES} usable dates (or dates "
                                 "that cannot separate trend and cycle); their fields are NULL.")
        return {self.OUTPUT: dest, "N_FITTED": fitted, "N_SKIPPED": n - fitted}

    def check_tiled(self, infos):
        if not any(i["fitted"] for i in infos):
            raise InputError(f"No point could be fitted: every point has fewer than {MIN_DATES} dates "
                             "with a value (or dates that cannot separate trend and cycle), e.g. "
                             "every date field is NULL.")

"""insarfusion:lostovertical: LOS displacement to vertical, d_U = d_LOS / cos(theta)."""
import numpy as np
from qgis.core import (QgsProcessing, QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterVectorDestination)

from ...core.dates import date_fields
from ...core.errors import InputError
from ...core.insar.los import check_los_up, los_to_vertical, up_factor_from_incidence
from ...core.points import numeric
from ...core.sampling import sample_band1
from ...core.scale.points import LosStep
from .. import scale
from ..base import InsarFusionAlgorithm
from ..layers import read_point_table, write_point_table
from ..styles import rate_style


class LosToVertical(InsarFusionAlgorithm):
    NAME = "lostovertical"
    DISPLAY = "LOS to vertical"
    GROUP = "insar"
    HELP = """
Converts line-of-sight (LOS) displacement to vertical displacement, assuming the ground moves
only vertically (Heihe paper, eq. 2): <b>d_U = d_LOS / cos θ</b>, with θ the incidence angle.
It is applied to <i>velocity</i>, <i>velocity_std</i> and every date field (DYYYYMMDD).

<b>Where θ comes from</b>, first match wins:
<ol><li><b>Incidence angle</b>, one value for all points, if given;</li>
<li><b>Incidence raster</b> (degrees), sampled at each point, if given;</li>
<li>the <b>incidence field</b> (default <i>incidence</i>) when the layer has it;</li>
<li>the <i>los_up</i> field (the up-component of the LOS unit vector, EGMS), used as cos θ.</li></ol>
Angles outside (0°, 80°) are refused. Points with no angle get NULL.
""" + scale.HELP
    INPUT, INCIDENCE_FIELD, INCIDENCE_ANGLE, INCIDENCE_RASTER, OUTPUT = (
        "INPUT", "INCIDENCE_FIELD", "INCIDENCE_ANGLE", "INCIDENCE_RASTER", "OUTPUT")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("InSAR points (LOS)"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(
            self.INCIDENCE_FIELD, self.tr("Incidence angle field (degrees)"), "incidence", self.INPUT,
            QgsProcessingParameterField.DataType.Numeric, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.INCIDENCE_ANGLE, self.tr("Incidence angle for all points (degrees)"),
            QgsProcessingParameterNumber.Type.Double, None, optional=True, minValue=0.0, maxValue=90.0))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.INCIDENCE_RASTER, self.tr("Incidence angle raster (degrees)"), optional=True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Vertical displacement"), QgsProcessing.SourceType.TypeVectorPoint))
        scale.add_parameters(self)

    def process(self, parameters, context, feedback, progress):
        plan = scale.plan(self, parameters, context)
        if plan is not None:
            return self._tiled(plan, parameters, context, feedback, progress)
        table = read_point_table(self, parameters, self.INPUT, context)
        table.series()  # refuse a layer without date fields early, with a clear message
        progress(0.2)
        angle = self.optional_number(parameters, self.INCIDENCE_ANGLE, context)
        raster = self.parameterAsRasterLayer(parameters, self.INCIDENCE_RASTER, context)
        field = self.parameterAsString(parameters, self.INCIDENCE_FIELD, context)
        if angle is not None:
            factor = up_factor_from_incidence(np.full(len(table), angle))
            source = f"a fixed incidence of {angle:g}°"
        elif raster is not None:
            theta = sample_band1(raster.source(), table.x, table.y, table.crs_wkt, "The incidence raster",
                                 progress.sub(0.2, 0.5))
            factor = up_factor_from_incidence(theta)
            source = f"the raster {raster.name()}"
        elif field and field in table.columns:
            factor = up_factor_from_incidence(numeric(table.columns[field], field))
            source = f"the field {field}"
        elif "los_up" in table.columns:
            factor = numeric(table.columns["los_up"], "los_up")
            check_los_up(factor)
            source = "the field los_up"
        else:
            raise InputError("No incidence angle: give an incidence field, a fixed angle or an "
                             "incidence raster (or a layer with a los_up field).")
        missing = int(np.sum(~np.isfinite(factor)))
        if missing == len(table):
            raise InputError(f"No point has an incidence angle: {source} holds no value at any point. "
                             "Give an incidence field with values, a fixed angle or an incidence raster.")
        feedback.pushInfo(f"Converted {len(table)} points to vertical using {source}.")
        if missing:
            feedback.reportError(f"{missing} points have no incidence angle; their values are NULL.",
                                 False)
        out = los_to_vertical(table, factor)
        progress(0.6)
        write_point_table(self, self.OUTPUT, out, context, style=rate_style("velocity"),
                          progress=progress.sub(0.6, 1.0))
        return {self.OUTPUT: self.dest(self.OUTPUT)}

    def _tiled(self, plan, parameters, context, feedback, progress):
        """The same conversion tile by tile (scale.HELP)."""
        table = None if plan.tileset else read_point_table(self, parameters, self.INPUT, context)
        names = plan.tileset.field_names if plan.tileset else list(table.columns)
        if table is not None:
            table.series()
        elif not date_fields(names):
            raise InputError("The layer has no date fields. Date fields are named DYYYYMMDD, "
                             "D_YYYYMMDD or YYYYMMDD, one per acquisition.")
        angle = self.optional_number(parameters, self.INCIDENCE_ANGLE, context)
        raster = self.parameterAsRasterLayer(parameters, self.INCIDENCE_RASTER, context)
        field = self.parameterAsString(parameters, self.INCIDENCE_FIELD, context)
        crs = plan.tileset.crs_wkt if plan.tileset else table.crs_wkt
        if angle is not None:
            step, self._source = LosStep("angle", angle), f"a fixed incidence of {angle:g}°"
            up_factor_from_incidence(np.array([angle]))
        elif raster is not None:
            step, self._source = LosStep("raster", raster.source(), crs), f"the raster {raster.name()}"
        elif field and field in names:
            step, self._source = LosStep("field", field), f"the field {field}"
        elif "los_up" in names:
            step, self._source = LosStep("los_up"), "the field los_up"
        else:
            raise InputError("No incidence angle: give an incidence field, a fixed angle or an "
                             "incidence raster (or a layer with a los_up field).")
        progress(0.2)
        dest, infos = scale.run_points(self, context, self.OUTPUT, plan, step, table,
                                       rate_style("velocity"), progress.sub(0.2, 1.0))
        n, missing = sum(i["n"] for i in infos), sum(i["missing"] for i in infos)
        feedback.pushInfo(f"Converted {n} points to vertical using {self._source}, tile by tile "
                          f"({len(infos)} tiles, {plan.engine.name}).")
        if missing:
            feedback.reportError(f"{missing} points have no incidence angle; their values are NULL.", False)
        return {self.OUTPUT: dest}

    def check_tiled(self, infos):
        """Refuse, before anything is written, a run in which no point had an angle."""
        n, missing = sum(i["n"] for i in infos), sum(i["missing"] for i in infos)
        if n and missing == n:
            raise InputError(f"No point has an incidence angle: {self._source} holds no value at any "
                             "point. Give an incidence field with values, a fixed angle or an "
                             "incidence raster.")

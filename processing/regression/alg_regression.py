"""insarfusion:regression: per-group linear regressions with a report (paper eqs. 7-9, Fig. 9)."""
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterVectorDestination)

from ...compat import parameter_as_fields
from ...core.errors import InputError
from ...core.regression.ols import MIN_POINTS, regress
from ...core.regression.ols_report import COLUMNS, fit_rows, write_report
from ...core.tables import write_rows
from ..base import InsarFusionAlgorithm
from ..layers import read_point_table
from .common import explanatory_fields, numeric_field


class Regression(InsarFusionAlgorithm):
    NAME = "regression"
    DISPLAY = "Linear regression by group (report)"
    GROUP = "regression"
    HELP = """
Regresses a dependent variable (e.g. the deformation rate) on each explanatory variable
separately (e.g. the NDVI change, then the soil-moisture change), per group (e.g. per region
P1…P6): <b>y = α + k x</b> (Heihe paper eqs. 7–9, Table 3, Fig. 9).

<b>Parameters</b><ul>
<li><b>Input points</b>: any point layer.</li>
<li><b>Dependent variable</b> and <b>explanatory variables</b> (numeric fields; each explanatory
variable gets its own simple regression).</li>
<li><b>Group field</b> (optional): one regression per distinct value; points whose group is NULL
are left out. Without it, all points form one group "all".</li>
<li><b>Confidence level</b> (default 0.95): for the coefficient intervals and the bands.</li></ul>

<b>Method</b>: least squares; k = Σ(x − x̄)(y − ȳ)/Σ(x − x̄)²; Pearson r; R² = r²;
RMSE = √(Σ(y − ŷ)²/n) (eq. 9); p-value of the two-sided t-test of k = 0; t intervals (n − 2
degrees of freedom) in closed form, equal to statsmodels' OLS. Pairs with a NULL are skipped. A group
with fewer than 3 points, or a constant explanatory variable, gets NULL statistics.

<b>Outputs</b><ul>
<li><b>Regression table</b> (no geometry): group_name, dependent, explanatory, n, slope,
intercept, r, r2, rmse, p_value, slope_se, slope_low, slope_high, intercept_se, intercept_low,
intercept_high, confidence.</li>
<li><b>HTML report</b>: the summary table and, per group and variable, the scatter with the
fitted line, the confidence band of the mean and the prediction band; the residuals
(observed − predicted) against the predicted values; and a normal QQ plot of the residuals.</li></ul>
"""
    INPUT, DEPENDENT, EXPLANATORY, GROUP_FIELD, CONFIDENCE, OUTPUT_TABLE, OUTPUT_HTML = (
        "INPUT", "DEPENDENT", "EXPLANATORY", "GROUP_FIELD", "CONFIDENCE", "OUTPUT_TABLE", "OUTPUT_HTML")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Input points"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(
            self.DEPENDENT, self.tr("Dependent variable"), None, self.INPUT,
            QgsProcessingParameterField.DataType.Numeric))
        self.addParameter(QgsProcessingParameterField(
            self.EXPLANATORY, self.tr("Explanatory variables (each regressed separately)"), None,
            self.INPUT, QgsProcessingParameterField.DataType.Numeric, allowMultiple=True))
        self.addParameter(QgsProcessingParameterField(
            self.GROUP_FIELD, self.tr("Group field (e.g. region)"), None, self.INPUT,
            QgsProcessingParameterField.DataType.Any, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.CONFIDENCE, self.tr("Confidence level"), QgsProcessingParameterNumber.Type.Double, 0.95,
            minValue=0.5, maxValue=0.9999))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_TABLE, self.tr("Regression table"), QgsProcessing.SourceType.TypeVector))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HTML, self.tr("Regression report"), self.tr("HTML files (*.html)")))
        self.addOutput(QgsProcessingOutputNumber("N_FITS", "Number of regressions"))

    def process(self, parameters, context, feedback, progress):
        table = read_point_table(self, parameters, self.INPUT, context)
        dep_name = self.parameterAsString(parameters, self.DEPENDENT, context)
        names = explanatory_fields(dep_name, parameter_as_fields(self, parameters, self.EXPLANATORY,
                                                                    context))
        group_field = self.parameterAsString(parameters, self.GROUP_FIELD, context)
        confidence = self.parameterAsDouble(parameters, self.CONFIDENCE, context)
        dep = numeric_field(table, dep_name, "dependent")
        expl = {n: numeric_field(table, n, "explanatory") for n in names}
        groups = None
        if group_field:
            if group_field not in table.columns:
                raise InputError(f"The group field '{group_field}' is not in the layer.")
            groups = table.columns[group_field]
        fits = regress(dep, expl, groups, confidence, dep_name)
        progress(0.2)
        for f in fits:
            if f.n < MIN_POINTS or f.slope != f.slope:
                feedback.pushWarning(f"{f.group} / {f.explanatory}: {f.n} usable points"
                                     f"{'' if f.n < MIN_POINTS else ' with a constant ' + f.explanatory}"
                                     "; no regression (NULL statistics).")
            else:
                feedback.pushInfo(f"{f.group} / {f.explanatory}: k = {f.slope:.6g}, α = "
                                  f"{f.intercept:.6g}, r = {f.r:.4f}, R² = {f.r2:.4f}, RMSE = "
                                  f"{f.rmse:.4g}, p = {f.p_value:.3g}, n = {f.n}")
        write_rows(self.dest(self.OUTPUT_TABLE), COLUMNS, fit_rows(fits), "regression")
        progress(0.3)
        title = f"Regression of {dep_name}" + (f" by {group_field}" if group_field else "")
        write_report(self.dest(self.OUTPUT_HTML), fits, title, progress=progress.sub(0.3, 1.0))
        return {self.OUTPUT_TABLE: self.dest(self.OUTPUT_TABLE),
                self.OUTPUT_HTML: self.dest(self.OUTPUT_HTML), "N_FITS": len(fits)}

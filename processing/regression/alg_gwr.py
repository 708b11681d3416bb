"""insarfusion:gwr: geographically weighted regression with GWR4's diagnostics."""
import numpy as np
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterBoolean,
                       QgsProcessingParameterDefinition, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterNumber, QgsProcessingParameterVectorDestination)

from ...compat import parameter_as_fields
from ...core.crs import require_projected
from ...core.errors import InputError
from ...core.points import PointTable
from ...core.regression import bandwidth as bandwidth_search
from ...core.regression.gwr import COND_LIMIT, UNDERSUPPORTED, fit
from ...core.regression.kernels import KERNELS, NEGLIGIBLE_WEIGHT
from ...core.scale.gwr_tiles import fit_layer
from .. import scale
from ..base import InsarFusionAlgorithm
from ..layers import layer_path, read_point_table, save_default_style, write_point_table
from ... import settings
from ..styles import graduated
from .common import explanatory_fields, numeric_field

RESULTS = ("R2", "ADJ_R2", "AICC", "AIC", "ENP", "SIGMA2", "RSS", "TR_S", "TR_STS", "BANDWIDTH",
           "WEIGHTED_MEAN_LOCAL_R2", "N_UNDERSUPPORTED")


def output_columns(result, names) -> dict:
    """The GWR output fields, in the documented order."""
    cols = {}
    labels = ["intercept"] + [f"coef_{n}" for n in names]
    for j, label in enumerate(labels):
        cols[label] = result.params[:, j]
    for prefix, arr in (("se", result.se), ("t", result.tvalues)):
        for j, n in enumerate(["intercept"] + list(names)):
            cols[f"{prefix}_{n}"] = arr[:, j]
    cols.update(predicted=result.predicted, residual=result.residual,
                std_residual=result.std_residual, local_r2=result.local_r2,
                influence=result.influence, cooks_d=result.cooks_d,
                n_neighbours=result.n_neighbours.astype(np.int64),
                cond_number=np.where(np.isfinite(result.cond_number), result.cond_number, np.nan))
    return cols


class Gwr(InsarFusionAlgorithm):
    NAME = "gwr"
    DISPLAY = "Geographically weighted regression (GWR)"
    GROUP = "regression"
    HELP = f"""
Fits a regression at every point, weighting the other points by distance (Heihe paper eq. 4):
<b>y_i = β_i0 + Σ_k β_ik x_ik + ε_i</b>, with weights w_ij = K(d_ij / h). Definitions and
diagnostics are those of GWR4 (and mgwr with sigma2_v1=False), checked against GWR4's own output.

<b>Parameters</b><ul>
<li><b>Input points</b>: a point layer in a projected CRS in metres (a geographic CRS is refused;
the message names the UTM zone to use).</li>
<li><b>Dependent variable</b>: e.g. the vertical deformation rate (mm/yr).</li>
<li><b>Explanatory variables</b>: one or more numeric fields, e.g. the NDVI and soil-moisture
changes sampled with <i>Sample rasters at points</i>. Points with NULL in any of these fields
are left out and get NULL results.</li>
<li><b>Bandwidth (m)</b>: the kernel's distance h; the default comes from the plugin settings
(now {{setting:gwr_bandwidth}} m; 500 m in the paper). <b>0</b> chooses h by golden-section search on AICc.</li>
<li><b>Kernel</b>: bisquare (1 − (d/h)²)² for d &lt; h (default); gaussian exp(−½(d/h)²);
exponential exp(−d/h); box 1 for d ≤ h.</li>
<li><b>Adaptive neighbours k</b> (optional): use an adaptive kernel instead, whose bandwidth at
each point is the distance to its k-th nearest point (the point itself counts as the first),
as GWR4's adaptive (NN) kernels. The bandwidth above is then ignored.</li>
<li><b>Exact kernel</b> (advanced): gaussian and exponential weights below
{NEGLIGIBLE_WEIGHT:g} are dropped unless this is checked (the dropped share of the weight is
below 3e-11; the exact computation can be far slower).</li></ul>

<b>Method</b>: neighbours from a strip index; local systems A_i β_i = X'W_i y solved in batches;
nothing n × n is formed. σ² = RSS / (n − 2 tr S + tr SᵀS); ENP = 2 tr S − tr SᵀS;
AICc = n ln(RSS/n) + n ln 2π + n (n + tr S)/(n − 2 − tr S); AIC = n ln(RSS/n) + n ln 2π + n +
2 (tr S + 1); standard errors √(σ² diag(C Cᵀ)), C = (XᵀWX)⁻¹XᵀW; local R² = 1 − Σ w_ij e_j² /
Σ w_ij (y_j − ȳ_i)² with ȳ_i the locally weighted mean (the paper's eq. 5 lacks the "1 −").
A point is <b>under-supported</b> when fewer than p points (p = number of coefficients) have a
non-zero weight, or its local design is singular: the condition number of W^½X with unit
columns exceeds {COND_LIMIT:g}. It gets NULL estimates, is counted in N_UNDERSUPPORTED and
reported in the log.

<b>Outputs</b>: the input fields, then intercept, coef_&lt;x&gt;, se_intercept, se_&lt;x&gt;,
t_intercept, t_&lt;x&gt;, predicted, residual, std_residual, local_r2, influence (S_ii),
cooks_d, n_neighbours (points with non-zero weight, itself included), cond_number. The layer is
styled by local_r2; a second style (coefficient of the first explanatory variable, diverging
ramp) is stored in the GeoPackage (Layer Properties &gt; Style &gt; Load Style &gt; from database).
Results: R2, ADJ_R2, AICC, AIC, ENP, SIGMA2, RSS, TR_S, TR_STS, BANDWIDTH (m; the median local
bandwidth for adaptive kernels), WEIGHTED_MEAN_LOCAL_R2 (local R² weighted by each point's local
total sum of squares, = 1 − Σ RSS_i / Σ TSS_i), N_UNDERSUPPORTED.

<b>Tile by tile</b>: each tile is fitted over a halo as wide as the kernel reaches from its
points (the bandwidth, or the k-th neighbour distance of an adaptive kernel); tr S, tr SᵀS, RSS,
σ², AICc and R² are summed over the tiles exactly. A bandwidth search (0) runs in this process
first; on a tile set, give the bandwidth (or k).
""" + scale.HELP
    INPUT, DEPENDENT, EXPLANATORY, BANDWIDTH, KERNEL, ADAPTIVE_NEIGHBOURS, EXACT, OUTPUT = (
        "INPUT", "DEPENDENT", "EXPLANATORY", "BANDWIDTH", "KERNEL", "ADAPTIVE_NEIGHBOURS", "EXACT",
        "OUTPUT")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Input points"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(
            self.DEPENDENT, self.tr("Dependent variable"), "velocity", self.INPUT,
            QgsProcessingParameterField.DataType.Numeric))  # the dialog picks velocity when the layer has it
        self.addParameter(QgsProcessingParameterField(
            self.EXPLANATORY, self.tr("Explanatory variables"), None, self.INPUT,
            QgsProcessingParameterField.DataType.Numeric, allowMultiple=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.BANDWIDTH, self.tr("Bandwidth (m; 0 = choose by AICc)"),
            QgsProcessingParameterNumber.Type.Double, settings.value("gwr_bandwidth"), minValue=0.0))
        self.addParameter(QgsProcessingParameterEnum(
            self.KERNEL, self.tr("Kernel"), list(KERNELS), defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.ADAPTIVE_NEIGHBOURS, self.tr("Adaptive kernel: number of neighbours k (optional)"),
            QgsProcessingParameterNumber.Type.Integer, None, optional=True, minValue=0))
        exact = QgsProcessingParameterBoolean(
            self.EXACT, self.tr("Exact gaussian/exponential kernel (no truncation; slow)"), False)
        exact.setFlags(exact.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(exact)
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("GWR results"), QgsProcessing.SourceType.TypeVectorPoint))
        for key in RESULTS:
            self.addOutput(QgsProcessingOutputNumber(key, key))
        scale.add_parameters(self)

    def process(self, parameters, context, feedback, progress):
        plan = scale.plan(self, parameters, context)
        if plan is not None and plan.tileset is not None:
            return self._tileset(plan, parameters, context, feedback, progress)
        table = read_point_table(self, parameters, self.INPUT, context)
        require_projected(table.crs_wkt, table.x, table.y, "The input layer")
        dep_name = self.parameterAsString(parameters, self.DEPENDENT, context)
        names = explanatory_fields(dep_name, parameter_as_fields(self, parameters, self.EXPLANATORY,
                                                                    context))
        dep = numeric_field(table, dep_name, "dependent")
        expl = np.column_stack([numeric_field(table, n, "explanatory") for n in names])
        complete = np.isfinite(dep) & np.all(np.isfinite(expl), axis=1)
        for j, n in enumerate(names):
            if complete.sum() > len(names) + 2 and np.ptp(expl[complete, j]) == 0:
                raise InputError(f"The explanatory variable '{n}' has the same value "
                                 f"({expl[complete, j][0]:g}) at every point: it has no variance, so "
                                 "its coefficient cannot be told from the intercept. Remove it.")
        kernel = KERNELS[self.parameterAsEnum(parameters, self.KERNEL, context)]
        exact = self.parameterAsBoolean(parameters, self.EXACT, context)
        k = self.optional_number(parameters, self.ADAPTIVE_NEIGHBOURS, context, integer=True) or 0
        h = self.parameterAsDouble(parameters, self.BANDWIDTH, context)
        searched = not k and h == 0
        if searched:
            found = bandwidth_search.search(table.x, table.y, dep, expl, kernel, exact,
                                            progress=progress.sub(0.0, 0.5))
            h = found.bandwidth
            feedback.pushInfo(f"Bandwidth chosen by AICc (golden section between {found.lower:.1f} "
                              f"and {found.upper:.1f} m, {len(found.history)} fits): {h:.3f} m, "
                              f"AICc {found.aicc:.4f}.")
            if found.at_upper_limit:
                feedback.pushWarning(f"The best bandwidth is at the upper search limit "
                                     f"({found.upper:.1f} m); AICc may decrease further. Give a "
                                     "larger bandwidth explicitly to explore beyond it.")
        w0 = 0.85 if searched else 0.7
        span = progress.sub(0.5 if searched else 0.0, w0)
        if plan is None:
            result = fit(table.x, table.y, dep, expl, h, kernel, k, exact, names, span)
        else:
            result = fit_layer(table.x, table.y, dep, expl, h, kernel, k, exact, names, plan.engine,
                               plan.tile_size, progress=span)
            feedback.pushInfo(f"Fitted tile by tile ({plan.engine.name}).")
        self._log(feedback, result, len(table))
        out = self._output_table(table, result, names, feedback)
        style = graduated("local_r2", ramp="Viridis", classes=5, limits=(0.0, 1.0),
                          values=result.local_r2)
        if plan is not None and plan.folder:
            dest = scale.write_table_tiles(self, context, self.OUTPUT, plan, out, style,
                                           progress.sub(w0, 0.98))
        else:
            dest = write_point_table(self, self.OUTPUT, out, context, style=style,
                                     progress=progress.sub(w0, 0.98))
        first = f"coef_{names[0]}"
        coef_style = graduated(first, ramp="RdBu", classes=9, diverging=True, values=result.params[:, 1])
        save_default_style(layer_path(dest), coef_style, first,
                           f"GWR coefficient of {names[0]} (diverging, centred on 0)", default=False)
        values = dict(R2=result.r2, ADJ_R2=result.adj_r2, AICC=result.aicc, AIC=result.aic,
                      ENP=result.enp, SIGMA2=result.sigma2, RSS=result.rss, TR_S=result.tr_s,
                      TR_STS=result.tr_sts, BANDWIDTH=result.bandwidth,
                      WEIGHTED_MEAN_LOCAL_R2=result.weighted_mean_local_r2,
                      N_UNDERSUPPORTED=result.n_undersupported)
        return {self.OUTPUT: dest, **values}

    def _tileset(self, plan, parameters, context, feedback, progress):
        """GWR over a tile set: workers read the tiles and their halos from the files."""
        from ...core.scale.gwr_tileset import fit_tileset
        from ...core.scale.outputs import GpkgAppender, TileFolder
        from ...core.scale.tileset import field_kinds
        ts = plan.tileset
        dep_name = self.parameterAsString(parameters, self.DEPENDENT, context)
        names = explanatory_fields(dep_name, parameter_as_fields(self, parameters, self.EXPLANATORY, context))
        for n, role in [(dep_name, "dependent")] + [(n, "explanatory") for n in names]:
            if n not in ts.field_names:
                raise InputError(f"The {role} field '{n}' is not in the layer.")
        kernel = KERNELS[self.parameterAsEnum(parameters, self.KERNEL, context)]
        exact = self.parameterAsBoolean(parameters, self.EXACT, context)
        k = self.optional_number(parameters, self.ADAPTIVE_NEIGHBOURS, context, integer=True) or 0
        h = self.parameterAsDouble(parameters, self.BANDWIDTH, context)
        if not k and h == 0:
            raise InputError("On a tile set the bandwidth cannot be searched (BANDWIDTH 0): give the "
                             "bandwidth in metres, or an adaptive number of neighbours. Search it on "
                             "a sample of the points first.")
        lower = {f"coef_{n}".lower() for n in names} | {"intercept", "predicted", "residual",
                                                         "local_r2", "influence", "cooks_d"}
        keep = [c for c in ts.field_names if c.lower() not in lower and not c.lower().startswith(("se_", "t_"))]
        style = graduated("local_r2", ramp="Viridis", classes=5, limits=(0.0, 1.0))
        folder = TileFolder(scale.vrt_of(self.dest(self.OUTPUT))) if plan.folder else None
        app = None if plan.folder else GpkgAppender(self._gpkg_dest())
        entries, summary, first = [], None, None
        try:
            for kind, table, entry in fit_tileset(ts, dep_name, names, h, kernel, k, exact, plan.engine,
                                                  folder.sink() if folder else None, keep, progress.sub(0.0, 0.97)):
                if kind == "summary":
                    summary = table
                elif folder:
                    entries.append(entry)
                else:
                    app.append(table, progress.sub(0.97, 0.97))
                    first = table
            if folder:
                from ...core.vector_io import read_points
                import os
                sample_tile = next(e for e in entries if e["count"])
                kinds = field_kinds(read_points(os.path.join(folder.tmp, sample_tile["file"])))
                dest = scale.publish(self, context, self.OUTPUT, folder.finish(ts.grid, ts.crs_wkt, kinds, entries), style)
            else:
                dest = app.finish(first)
                scale.style_gpkg(dest, style)
        except BaseException:
            (folder or app).abort()
            raise
        s = summary
        feedback.pushInfo(f"GWR ({'adaptive ' + kernel + ', k = ' + str(k) if k else 'fixed ' + kernel + f', h = {h:.3f} m'}) "
                          f"on {s['n']} points, tile by tile ({len(ts.ids)} tiles, {plan.engine.name}): "
                          f"R² {s['r2']:.4f}, AICc {s['aicc']:.4f}, ENP {s['enp']:.3f}, σ² {s['sigma2']:.6g}.")
        if s["n_undersupported"]:
            feedback.pushWarning(f"{s['n_undersupported']} points are under-supported ({s['few']} with "
                                 f"fewer than {len(names) + 1} neighbours); their estimates are NULL.")
        values = dict(R2=s["r2"], ADJ_R2=s["adj_r2"], AICC=s["aicc"], AIC=s["aic"], ENP=s["enp"],
                      SIGMA2=s["sigma2"], RSS=s["rss"], TR_S=s["tr_s"], TR_STS=s["tr_sts"],
                      BANDWIDTH=s["bandwidth"], WEIGHTED_MEAN_LOCAL_R2=s["weighted_mean_local_r2"],
                      N_UNDERSUPPORTED=s["n_undersupported"])
        return {self.OUTPUT: dest, **values}

    def _gpkg_dest(self):
        dest = self.dest(self.OUTPUT)
        if not dest.lower().endswith(".gpkg"):
            raise InputError("With a tile set as input, write the output to a GeoPackage (.gpkg), or "
                             "choose the folder of tiles as output.")
        return dest

    @staticmethod
    def _log(feedback, r, total):
        kind = f"adaptive {r.kernel}, k = {r.neighbours}" if r.neighbours else \
            f"fixed {r.kernel}, h = {r.bandwidth:.3f} m"
        feedback.pushInfo(f"GWR ({kind}) on {r.n} points: R² {r.r2:.4f}, adjusted R² "
                          f"{r.adj_r2:.4f}, AICc {r.aicc:.4f}, ENP {r.enp:.3f}, σ² {r.sigma2:.6g}.")
        if r.n_missing:
            feedback.pushWarning(f"{r.n_missing} of {total} points have NULL in a field used; they "
                                 "were left out and their results are NULL.")
        if r.n_undersupported:
            few = int(np.sum((r.status == UNDERSUPPORTED) & (r.n_neighbours < len(r.names))))
            feedback.pushWarning(
                f"{r.n_undersupported} points are under-supported ({few} with fewer than "
                f"{len(r.names)} neighbours, {r.n_undersupported - few} with a singular local "
                f"design, condition number > {COND_LIMIT:g}); their estimates are NULL. A larger "
                "bandwidth, or an adaptive kernel, gives them more neighbours.")

    @staticmethod
    def _output_table(table, result, names, feedback) -> PointTable:
        new = output_columns(result, names)
        lower = {n.lower() for n in new}
        clash = [c for c in table.columns if c.lower() in lower]
        if clash:
            feedback.pushWarning(f"The input fields {', '.join(clash)} are replaced by the GWR "
                                 "results of the same name.")
        cols = {c: v for c, v in table.columns.items() if c.lower() not in lower}
        cols.update(new)
        return PointTable(table.x, table.y, cols, table.crs_wkt)

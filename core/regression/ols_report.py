"""The HTML report of the per-group regressions: a summary table, then Fig. 9 per fit."""
import html
from typing import Iterable, List, Optional

from ..progress import Progress, ensure
from ..report import figure_img, table, write_html
from .charts import qq_plot, residual_plot, scatter_fit
from .ols import LineFit

COLUMNS = ("group_name", "dependent", "explanatory", "n", "slope", "intercept", "r", "r2", "rmse",
           "p_value", "slope_se", "slope_low", "slope_high", "intercept_se", "intercept_low",
           "intercept_high", "confidence")


def fit_rows(fits: Iterable[LineFit]) -> List[list]:
    """One row per fit, in the order of COLUMNS."""
    return [[f.group, f.dependent, f.explanatory, f.n, f.slope, f.intercept, f.r, f.r2, f.rmse,
             f.p_value, f.slope_se, f.slope_ci[0], f.slope_ci[1], f.intercept_se, f.intercept_ci[0],
             f.intercept_ci[1], f.confidence] for f in fits]


def write_report(path: str, fits: List[LineFit], title: str = "Regression report",
                 units: str = "", progress: Optional[Progress] = None) -> str:
    """Summary table and, per group and variable, scatter with bands, residuals and QQ plot."""
    progress = ensure(progress)
    pct = f"{100 * fits[0].confidence:g} %" if fits else ""
    head = ["group", "explanatory", "n", "slope k", "intercept α", "r", "R²", "RMSE", "p-value",
            f"slope {pct} CI"]
    rows = [[f.group, f.explanatory, f.n, f.slope, f.intercept, f.r, f.r2, f.rmse, f.p_value,
             f"{f.slope_ci[0]:.4g} … {f.slope_ci[1]:.4g}" if f.n >= 3 else ""] for f in fits]
    sections = [
        "<p class='note'>Least-squares line y = α + k x per group and explanatory variable (Heihe "
        "paper eqs. 7–9). RMSE = √(Σ(y − ŷ)²/n). Bands: confidence band of the mean and prediction "
        f"band at {pct}. Residual = observed − predicted.</p>",
        "<h2>Summary</h2>", table(head, rows)]
    for i, f in enumerate(fits):
        progress(i / max(len(fits), 1))
        sections.append(f"<h2>{html.escape(f.group)} — {html.escape(f.dependent)} on "
                        f"{html.escape(f.explanatory)}</h2>")
        imgs = []
        for k, (chart, alt) in enumerate(((scatter_fit, "regression with bands"),
                                          (residual_plot, "residuals"), (qq_plot, "QQ plot of residuals"))):
            progress((i + k / 3) / max(len(fits), 1))  # a cancel check per figure
            imgs.append(figure_img(chart(f, units) if chart is scatter_fit else chart(f), alt))
        sections.append("<div style='display:grid;grid-template-columns:repeat(3,1fr);gap:8px'>"
                        + "".join(imgs) + "</div>")
    progress(1.0)
    return write_html(path, title, sections)

"""The NDVI-coherence model report: evaluation table (paper Table 2) and per-model figures (Figs. 2-4)."""
import html
from typing import Optional, Sequence

from .. import report
from ..progress import Progress, ensure
from .charts import model_figure, models_figure
from .models import FitSet, formula
from .samples import WindowSamples


def _pm(v: float, se: float) -> str:
    if v != v:
        return ""
    return f"{v:.4g} ± {se:.2g}" if se == se else f"{v:.4g}"


def evaluation_rows(fitset: FitSet) -> Sequence[list]:
    """Rows of the evaluation table."""
    rows = []
    for f in fitset.fits:
        rows.append([f.model, formula(f.model, f.params), _pm(f.params[0], f.se[0]),
                     _pm(f.params[1], f.se[1]), _pm(f.params[2], f.se[2]), f.rmse, f.r2,
                     f"{100 * f.picp:.2f}%" if f.picp == f.picp else "", f.pinaw, f.n,
                     "best" if f.model == fitset.best else ""])
    return rows


def write_model_report(path: str, fitset: FitSet, samples: WindowSamples, mask_below: float,
                       min_abs_r: float, notes: Sequence[str] = (),
                       progress: Optional[Progress] = None) -> str:
    """Write the HTML report of 'Fit NDVI-coherence models' (progress after each figure)."""
    progress = ensure(progress)
    conf = fitset.fits[0].confidence
    sections = [
        "<h2>Samples</h2>",
        f"<p>{samples.total} whole {samples.window} × {samples.window}-pixel windows; "
        f"{samples.tried} had enough pixels with coherence and NDVI ≥ {mask_below:g}; "
        f"{int(samples.used.sum())} had |R| ≥ {min_abs_r:g} and were fitted "
        f"(best |R| {samples.best_abs_r:.3f}). NDVI onto the coherence grid: "
        f"{html.escape(samples.resampling)}.</p>",
        f"<h2>Evaluation at the {conf:.0%} confidence level (paper Table 2)</h2>",
        report.table(["model", "formula", "a", "b", "c", "RMSE", "R²", "PICP", "PINAW", "n", ""],
                     evaluation_rows(fitset)),
        f"<p>Best model: <span class='ok'>{html.escape(fitset.best)}</span> "
        f"({html.escape(fitset.reason)}).</p>",
        "<p class='note'>Rule: each of RMSE (lower), R² (higher), PICP (higher) and PINAW (lower) "
        "ranks the models, on values rounded to 4 significant digits; the model with the most "
        "first places wins; ties go to the lowest sum of ranks, then the lowest RMSE, then the "
        "fewest parameters. Prediction intervals: OLS intervals for the linear and logarithmic "
        "models, delta-method intervals around the non-linear least-squares fit for the "
        "exponential model; PICP and PINAW are computed on the fitted samples.</p>",
    ]
    for note in notes:
        sections.append(f"<p class='note'>{html.escape(note)}</p>")
    sections.append("<h2>All models</h2>")
    sections.append(report.figure_img(models_figure(fitset.fits, fitset.x, fitset.y), "all models"))
    for k, f in enumerate(fitset.fits):
        progress((k + 1) / (len(fitset.fits) + 1))
        sections.append(f"<h2>{html.escape(f.model.capitalize())} model</h2>")
        if f.note:
            sections.append(f"<p class='bad'>{html.escape(f.note)}</p>")
        sections.append(report.figure_img(model_figure(f, fitset.x, fitset.y), f.model))
    return report.write_html(path, "NDVI – coherence models", sections)

"""The study's HTML report: the user's own results, every figure embedded. No paper, no truth.

It is built from the study's record (study.json), the study GeoPackage, the layouts' page images
and the child algorithms' own reports (their sections are embedded as they wrote them).
"""
import html
import os
from typing import Dict, List, Optional

from ..progress import Progress, ensure
from ..report import body_of, png_img, table, write_html
from . import summaries

TITLE = "Ground deformation and its drivers: the study"


def _esc(text) -> str:
    return html.escape(str(text))


def _skipped(record: dict, key: str) -> Optional[str]:
    """The paragraph saying why a step did not run, or None when it ran."""
    step = next((s for s in record["steps"] if s["key"] == key), None)
    if step is None:
        return "<p class='note'>Not run.</p>"
    if step["status"] != "ok":
        return f"<p class='note'>Skipped: {_esc(step['reason'])}.</p>"
    return None


def _step(record: dict, key: str) -> dict:
    return next((s for s in record["steps"] if s["key"] == key), {"runs": [], "notes": []})


def _notes(record: dict, key: str) -> str:
    notes = _step(record, key).get("notes", [])
    return "".join(f"<p class='note'>{_esc(n)}</p>" for n in notes)


def _figure(figures: Dict[str, bytes], name: str) -> str:
    return png_img(figures[name], name) if name in figures else ""


def _child(reports: Dict[str, str], key: str) -> str:
    path = reports.get(key)
    if not path or not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        return body_of(f.read())


def sec_run(record: dict) -> str:
    inputs = record["inputs"]
    rows = [[t["name"], os.path.basename(t["source"]), t["fmt"], t["n_points"], t["n_dates"],
             f"{t['first_date']} to {t['last_date']}", t["conversion"]] for t in record["tracks"]]
    out = ["<p>Tracks (the first is the reference for the splice):</p>",
           table(["track", "file", "format", "points", "dates", "from, to", "vertical?"], rows)]
    stacks = [[label, s["n"], s["first"], s["last"], s["source"]] for label, s in inputs["stacks"].items()]
    if stacks:
        out.append(f"<p>Stacks (month-only file names stand for day {inputs['month_day']} of the month):</p>"
                   + table(["stack", "rasters", "first", "last", "from"], stacks))
    others = [[k, v] for k, v in inputs["others"].items()]
    out.append(table(["input", "value"], others))
    steps = [[k + 1, s["title"], s["status"], f"{s['seconds']:.1f} s" if s["status"] == "ok" else "",
              s["reason"] or "; ".join(s.get("notes", []))[:300]] for k, s in enumerate(record["steps"])]
    out.append("<p>Steps:</p>" + table(["#", "step", "status", "time", "result or reason"], steps))
    return "".join(out)


def sec_splice(record: dict, reports: Dict[str, str]) -> str:
    skipped = _skipped(record, "splice")
    if skipped:
        return skipped
    out = []
    for run in _step(record, "splice")["runs"]:
        r = run["results"]
        slug = os.path.splitext(os.path.basename(r.get("OUTPUT_SECONDARY", "")))[0].replace("_spliced", "")
        out.append(f"<h3>{_esc(run['label'])}</h3>")
        out.append(table(["pairs", "offset at the pairs' centroid (mm/yr)", "plane a", "b (mm/yr/km east)",
                          "c (mm/yr/km north)", "origin x", "origin y", "RMSE before", "RMSE after",
                          "within ±3·RMSE"],
                         [[r["N_PAIRS"], r["OFFSET"], r["PLANE_A"], r["PLANE_B"], r["PLANE_C"], r["ORIGIN_X"],
                           r["ORIGIN_Y"], r["RMSE_BEFORE"], r["RMSE"], f"{100 * r['FRACTION_WITHIN_3RMSE']:.1f} %"]]))
        chart = reports.get(f"overlap_{slug}")
        if chart and os.path.exists(chart):
            with open(chart, "rb") as f:
                out.append(png_img(f.read(), f"overlap check {slug}"))
    return ("<p>Each further track is spliced onto the merge of the ones before: the offset "
            "d = v_secondary − v_reference of the matched pairs is fitted robustly (Huber), removed from "
            "the whole secondary, and the overlap keeps the reference. The RMSE after the offset is the "
            "tracks' agreement (about √(σ₁² + σ₂²) for independent noise).</p>" + "".join(out)
            + _notes(record, "splice"))


def sec_rate(record: dict, gpkg: str, figures: Dict[str, bytes]) -> str:
    stats = summaries.rate_stats(gpkg, "rate")
    text = (f"<p>{stats['n']} points; rate median {stats['median']:.2f} mm/yr, 1st percentile "
            f"{stats['p01']:.1f}, 99th percentile {stats['p99']:.1f} mm/yr; largest subsidence "
            f"{stats['min']:.1f} mm/yr, largest uplift {stats['max']:+.1f} mm/yr.</p>") if stats else ""
    return text + _figure(figures, "Deformation rate") + _notes(record, "tracks")


def sec_screen(record: dict, figures: Dict[str, bytes]) -> str:
    skipped = _skipped(record, "screen")
    if skipped:
        return skipped
    r = _step(record, "screen")["runs"][0]["results"]
    rows = [["input points", r["N_INPUT"]], ["removed: |rate| below the threshold (or NULL)", r["REMOVED_RATE"]],
            ["removed: outside the study area", r["REMOVED_AREA"]], ["removed: outside the DEM range", r["REMOVED_DEM"]],
            ["removed: outside the NDVI range", r["REMOVED_NDVI"]], ["kept (significant)", r["N_KEPT"]]]
    return ("<p>Each removed point is counted once, against the first criterion it fails (rate, study "
            "area, DEM, NDVI), so the counts add up.</p>" + table(["criterion", "points"], rows)
            + _notes(record, "screen") + _figure(figures, "Significant deformation"))


def sec_seasonal(record: dict, gpkg: str) -> str:
    skipped = _skipped(record, "seasonal")
    if skipped:
        return skipped
    rows = []
    for run in _step(record, "seasonal")["runs"]:
        name = os.path.splitext(os.path.basename(run["results"]["OUTPUT"]))[0]
        s = summaries.seasonal_stats(gpkg, name)
        if s:
            rows.append([run["label"], run["results"]["N_FITTED"], run["results"]["N_SKIPPED"], s["amp_median"],
                         s["amp_p90"], s["amp_max"], s["peak_doy"], s["subsidence"], s["uplift"], s["rmse"]])
    return ("<p>d(t) = a + v·t + A·sin 2πt + B·cos 2πt per point; amplitude √(A² + B²); the peak day is the "
            "circular mean of the points' peak days (amplitude-weighted); the largest seasonal subsidence and "
            "uplift are over the points.</p>"
            + table(["points", "fitted", "not fitted", "amplitude median (mm)", "90th pct", "max",
                     "peak day of year", "largest seasonal subsidence (mm)", "largest uplift (mm)",
                     "fit RMSE median (mm)"], rows, digits=3) + _notes(record, "seasonal"))


def sec_change(record: dict, reports: Dict[str, str], figures: Dict[str, bytes]) -> str:
    skipped = _skipped(record, "change")
    if skipped:
        return skipped
    return _notes(record, "change") + _child(reports, "change") + _figure(figures, "Change per region")


def sec_ols(record: dict, reports: Dict[str, str]) -> str:
    skipped = _skipped(record, "ols")
    if skipped:
        return skipped
    return ("<p>The rate of every point of every track inside the regions (secondaries with the splice offset "
            "removed, the overlap counted on both tracks) regressed on each change separately, per region.</p>"
            + _notes(record, "ols") + _child(reports, "ols"))


GWR_ROWS = (("R2", "R²"), ("ADJ_R2", "adjusted R²"), ("AICC", "AICc"), ("AIC", "AIC"),
            ("ENP", "effective number of parameters"), ("SIGMA2", "σ² (residual variance)"), ("RSS", "RSS"),
            ("BANDWIDTH", "bandwidth (m)"), ("WEIGHTED_MEAN_LOCAL_R2", "weighted mean local R²"),
            ("N_UNDERSUPPORTED", "points without an estimate (too few neighbours or a singular local design)"))


def sec_gwr(record: dict, gpkg: str, figures: Dict[str, bytes]) -> str:
    skipped = _skipped(record, "gwr")
    if skipped:
        return skipped
    run = next(r for r in _step(record, "gwr")["runs"] if r["alg"] == "insarfusion:gwr")
    res = run["results"]
    n = summaries.count(gpkg, "gwr")
    rows = [["points", n]] + [[label, res.get(key)] for key, label in GWR_ROWS]
    return (f"<p>velocity ~ {' + '.join(record['explanatory'])} at the significant points, fixed bisquare "
            "kernel (GWR4's definitions).</p>" + table(["diagnostic", "value"], rows)
            + _figure(figures, "GWR local R²") + _figure(figures, "GWR coefficients") + _notes(record, "gwr"))


def sec_sites(record: dict, gpkg: str, reports: Dict[str, str]) -> str:
    skipped = _skipped(record, "sites")
    if skipped:
        return skipped
    lags = summaries.table_rows(gpkg, "site_lags")
    rows = [[r["site"], r["variable"], r["lag_days"], r["r_at_lag"], r["r_with_rate"], r["p_value"], r["n"],
             "yes" if r["at_limit"] else ""] for r in lags]
    return ("<p>Positive lag: the variable comes after the deformation rate.</p>"
            + table(["site", "variable", "lag (days)", "r at the lag", "r at zero lag", "p", "n months",
                     "at the search limit"], rows, digits=3) + _notes(record, "sites") + _child(reports, "sites"))


def sec_coherence(record: dict, reports: Dict[str, str]) -> str:
    skipped = _skipped(record, "coherence")
    if skipped:
        return skipped
    out = [_notes(record, "coherence"), _child(reports, "coherence")]
    rows = []
    for run in _step(record, "coherence")["runs"]:
        r = run["results"]
        if run["alg"] == "insarfusion:predictcoherence" and r.get("ERROR_MEAN") is not None:
            rows.append([run["label"], r["ERROR_MEAN"], r["ERROR_STD"], r.get("USABLE_FRACTION")])
        if run["alg"] == "insarfusion:masklowcoherence":
            out.append(f"<p>InSAR points flagged: {r['N_UNRELIABLE']} unreliable, {r['N_UNKNOWN']} without a "
                       f"raster value, of {r['N_POINTS']} (field <i>reliable</i> of the layer "
                       "<i>reliability</i>).</p>")
    if rows:
        out.insert(2, "<h3>Prediction against the given coherence</h3>"
                   + table(["pair", "error mean (given − predicted)", "error std", "usable fraction"], rows))
    for key, path in sorted(reports.items()):
        if key.startswith("coherence_error_") and os.path.exists(path):
            with open(path, "rb") as f:
                out.append(png_img(f.read(), key))
    return "".join(out)


def sec_outputs(record: dict) -> str:
    o = record["outputs"]
    rows = [[p["name"], p["title"], p["group"]] for p in o["layers"]]
    rasters = [[r["file"], r["title"]] for r in o["rasters"]]
    return (f"<p><b>{_esc(os.path.basename(o['geopackage']))}</b>: every layer and table, each with its style:</p>"
            + table(["layer", "content", "project group"], rows)
            + (table(["raster", "content"], rasters) if rasters else "")
            + f"<p><b>{_esc(os.path.basename(o['project']))}</b>: the QGIS project (every layer styled, in groups; "
            f"the time-series inspector set on the rate layer; print layouts: {_esc(', '.join(o['layouts']))}).</p>")


def write_report(path: str, record: dict, gpkg: str, figures: Dict[str, bytes], reports: Dict[str, str],
                 progress: Optional[Progress] = None) -> str:
    """Write the report (self-contained HTML); progress (and a chance to cancel) between sections."""
    progress = ensure(progress)
    sections: List[str] = []
    parts = (("Inputs and steps", lambda: sec_run(record)),
             ("Splice: overlap check and offset", lambda: sec_splice(record, reports)),
             ("Deformation rate", lambda: sec_rate(record, gpkg, figures)),
             ("Screening: significant deformation", lambda: sec_screen(record, figures)),
             ("Seasonal statistics", lambda: sec_seasonal(record, gpkg)),
             ("Change per region (Table 2)", lambda: sec_change(record, reports, figures)),
             ("OLS per region (Table 3)", lambda: sec_ols(record, reports)),
             ("GWR diagnostics", lambda: sec_gwr(record, gpkg, figures)),
             ("Sites: series, correlations and lags", lambda: sec_sites(record, gpkg, reports)),
             ("NDVI–coherence model", lambda: sec_coherence(record, reports)),
             ("Outputs", lambda: sec_outputs(record)))
    for k, (title, fn) in enumerate(parts):
        progress(k / len(parts))
        sections.append(f"<h2>{_esc(title)}</h2>" + fn())
    return write_html(path, TITLE, sections)


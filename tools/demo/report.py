"""report.html (self-contained, figures embedded) and report.json: each result beside the paper's
and every planted parameter beside what the pipeline recovered."""
import html
import json
import os
from typing import Callable, Dict, List

import numpy as np

from insar_fusion.core.report import figure_img, figure_png, png_img, table, write_html

from . import charts
from .checks import FAIL, INFO, NA, PASS, Missing
from .data import Outputs
from .recover_more import FARM_SITES, all_checks, domain_error, touzi_mean
from .steps import COHERENCE_LOOKS, NETWORK_BPERP, NETWORK_DAYS, SAMPLE_WINDOW

TITLE = "InSAR Fusion demo: the Heihe and Ningxia workflow on the sample scene"
PAPER = {"overlap_rmse": 2.8, "gwr_r2": 0.9, "lag_ndvi": 15.0, "lag_sm": 30.0,
         "seasonal_subsidence": -70.0, "seasonal_uplift": 60.0, "error_mean": -0.041, "error_std": 0.165,
         "pairs": {"T128": (156, 54), "T026": (135, 47)}}
PAPER_TABLE2 = {"scene": (0.19, 0.02, -0.01, 0.01), "P1": (0.57, 0.02, 0.07, 0.03), "P2": (0.63, 0.05, 0.12, 0.04),
                "P3": (0.55, 0.03, -0.001, 0.03), "P4": (0.04, 0.002, -0.03, -0.001),
                "P5": (0.17, 0.03, -0.07, 0.03), "P6": (0.08, 0.03, 0.0006, 0.017)}
PAPER_TABLE3 = {"P1": (39, 34), "P2": (24, 28), "P3": (26, 25)}  # RMSE mm/yr: SMMI, NDVI
PAPER_MODELS = {"exponential": (0.0627, 0.877, 0.9952, 0.325), "logarithmic": (0.0641, 0.871, 0.9936, 0.332),
                "linear": (0.0755, 0.821, 0.9936, 0.391)}


class Report:
    """Collects sections, the paper comparison rows and the key figures."""

    def __init__(self, o: Outputs):
        self.o = o
        self.sections: List[str] = []
        self.paper: List[dict] = []
        self.figures: Dict[str, bytes] = {}

    def figure(self, key: str, fig, alt: str) -> str:
        self.figures[key] = figure_png(fig, 110)
        return png_img(self.figures[key], alt)

    def layout(self, key: str, name: str, alt: str) -> str:
        """A page of one of the study's print layouts (figures/<name>.png), as the study drew it."""
        path = self.o.figure(name)
        if path is None:
            raise Missing(f"the study wrote no figure '{name}'")
        with open(path, "rb") as f:
            self.figures[key] = f.read()
        return png_img(self.figures[key], alt)

    def compare(self, result: str, ours, paper, note: str = "") -> None:
        self.paper.append({"result": result, "ours": ours, "paper": paper, "note": note})


def _fmt(v, digits=3):
    if isinstance(v, float):
        if abs(v) >= 1e4 and float(v).is_integer():
            return f"{v:.0f}"
        return f"{v:.{digits}g}"
    return "" if v is None else str(v)


def _section(rep: Report, title: str, fn: Callable) -> None:
    try:
        body = fn(rep)
    except Missing as e:
        body = f"<p class='bad'>Not available: {html.escape(str(e))}.</p>"
    except Exception as e:  # noqa: BLE001 (one broken section must not hide the others)
        body = f"<p class='bad'>This section failed: {html.escape(type(e).__name__)}: {html.escape(str(e))}</p>"
    rep.sections.append(f"<h2>{html.escape(title)}</h2>{body}")


def _need(o: Outputs, *layers: str) -> None:
    missing = [n for n in layers if n not in o.layers]
    if missing:
        raise Missing(f"{', '.join(missing)} missing from the outputs (its step did not run)")


# --- sections ----------------------------------------------------------------------------------------
def sec_rate(rep: Report) -> str:
    o = rep.o
    ref, sec = o.truth["track_offset"]["reference"], o.truth["track_offset"]["secondary"]
    pairs_name = f"overlap_pairs_{sec.lower()}"
    _need(o, "rate", pairs_name)
    m = o.points("rate", ["velocity"])
    out = [rep.layout("rate_map", "deformation_rate", "the study's layout 'Deformation rate'")]
    from insar_fusion.core.insar.charts import splice_chart
    p = o.points(pairs_name, ["rate_ref", "rate_sec", "rate_sec_corrected"])
    sp = o.results["splice"]
    fig = splice_chart(p.columns["rate_ref"], p.columns["rate_sec_corrected"], sp["RMSE"],
                       p.columns["rate_sec"], (ref, sec))
    out.append(rep.figure("overlap", fig, "overlap check"))
    noise = []
    for t in (f"{ref.lower()}_vertical", f"{sec.lower()}_vertical"):
        v = o.points(t, ["velocity_std"])
        ext = o.truth["track_offset"]["overlap_extent"]
        inside = (v.x >= ext[0]) & (v.x <= ext[2]) & (v.y >= ext[1]) & (v.y <= ext[3])
        noise.append(np.mean(v.columns["velocity_std"][inside] ** 2))
    expected = float(np.sqrt(sum(noise)))
    rep.compare("Overlap RMSE of the two tracks (Fig. 8)", f"{sp['RMSE']:.2f} mm/yr", "2.8 mm/yr",
                f"expected from the planted noise √(σ₁² + σ₂²) = {expected:.2f} mm/yr")
    rep.compare("Pairs within ±3·RMSE", f"{100 * sp['FRACTION_WITHIN_3RMSE']:.1f} %", "most points")
    rep.compare("Largest subsidence rate", f"{np.nanmin(m.columns['velocity']):.1f} mm/yr", "beyond −50 mm/yr")
    text = (f"<p>{sp['N_PAIRS']} matched pairs in the overlap; the fitted offset plane (RMSE before "
            f"{sp['RMSE_BEFORE']:.2f}, after {sp['RMSE']:.2f} mm/yr) is compared with the planted one in the "
            f"truth table below. The paper's 2.8 mm/yr comes from real noise; the scene plants "
            f"0.5 mm/yr per track, so √(σ₁² + σ₂²) = {expected:.2f} mm/yr is what a correct splice gives.</p>")
    if "seasonal" in o.layers:
        s = o.points("seasonal", ["max_seasonal_subsidence", "max_seasonal_uplift"])
        sub, up = np.nanmin(s.columns["max_seasonal_subsidence"]), np.nanmax(s.columns["max_seasonal_uplift"])
        rep.compare("Largest seasonal subsidence / uplift", f"{sub:.0f} / +{up:.0f} mm", "−70 / +60 mm (LOS)",
                    "the scene plants 6-14 mm seasonal amplitudes")
    return text + "".join(out)


def sec_change(rep: Report) -> str:
    o = rep.o
    _need(o, "change_table")
    rows = {("scene" if r["region"] == "Whole extent" else r["region"], r["label"]): r["mean"]
            for r in o.rows("change_table")}
    keys = ("ndvi_seasonal", "sm_seasonal", "ndvi_interannual", "sm_interannual")
    body = []
    for region in ("scene", "P1", "P2", "P3", "P4", "P5", "P6"):
        ours = [rows.get((region, k)) for k in keys]
        planted = [o.truth["change"][region][k] for k in keys]
        body.append([("whole extent" if region == "scene" else region)]
                    + [f"{a:.3f} ({b:.3f})" if a is not None else "" for a, b in zip(ours, planted)]
                    + [" / ".join(f"{v:g}" for v in PAPER_TABLE2[region])])
    return ("<p>Mean change per region (changesummary); in brackets the planted value. The paper's "
            "Table 2 is given for comparison (real data, other regions).</p>"
            + table(["region", "NDVI seasonal", "SM seasonal (m³/m³)", "NDVI interannual",
                     "SM interannual (m³/m³)", "paper Table 2 (same order)"], body))


def sec_gwr(rep: Report) -> str:
    o = rep.o
    _need(o, "gwr", "gwr_farmland")
    g = o.points("gwr", ["local_r2"])
    res, farm_res = o.results["gwr"], o.results["gwr_farmland"]
    out = [rep.layout("gwr_local_r2", "gwr_local_r2", "the study's layout 'GWR local R²'")]
    from .recover_more import _planted_surface
    f = o.points("gwr_farmland", ["coef_ndvi_interannual", "coef_sm_interannual"])
    ok = np.isfinite(f.columns["coef_ndvi_interannual"])
    panels = [(k, f.columns[c][ok], _planted_surface(o.truth["gwr"][k], f.x[ok], f.y[ok]), u)
              for k, c, u in (("b1", "coef_ndvi_interannual", "mm/yr per NDVI"),
                              ("b2", "coef_sm_interannual", "mm/yr per m³/m³"))]
    out.append(rep.figure("gwr_coefficients", charts.coefficients_vs_planted(panels), "coefficients"))
    rep.compare("GWR global R²", f"{res['R2']:.3f}", "0.9",
                f"weighted mean local R² {res['WEIGHTED_MEAN_LOCAL_R2']:.3f}; all farmland points "
                f"{farm_res['R2']:.3f}")
    return (f"<p>insarfusion:gwr on the {len(g)} significant points (as the paper), dependent velocity (mm/yr), "
            f"explanatory dNDVI and dSM (July 2020 − July 2019, sampled bilinearly), fixed 500 m bisquare: R² "
            f"{res['R2']:.3f}, adjusted {res['ADJ_R2']:.3f}, AICc {res['AICC']:.1f}, ENP {res['ENP']:.1f}. "
            f"{res['N_UNDERSUPPORTED']} points have no estimate: in the mines and the saline zone the NDVI "
            f"change is constant, so the local design is singular (reported, not filled).</p>"
            f"<p>The scene plants the relation at every farmland point, so the coefficient surfaces are "
            f"recovered from a second GWR on all {len(f)} farmland points of both tracks (R² "
            f"{farm_res['R2']:.3f}; screening keeps only the centres of the bowls, where the changes vary "
            f"less): the local estimates against the planted surfaces below, and in the truth table.</p>"
            + "".join(out))


def sec_ols(rep: Report) -> str:
    o = rep.o
    _need(o, "ols_regions", "region_points")
    rows = o.rows("ols_regions")
    body = []
    for r in rows:
        var = "NDVI" if r["explanatory"].startswith("ndvi") else "SM"
        paper = PAPER_TABLE3.get(r["group_name"], (None, None))[0 if var == "SM" else 1]
        body.append([r["group_name"], var, r["n"], r["slope"], f"[{_fmt(r['slope_low'])}, {_fmt(r['slope_high'])}]",
                     r["intercept"], r["r"], r["r2"], r["rmse"], r["p_value"], paper])
    out = [table(["region", "x", "n", "slope k", "95 % CI of k", "intercept α", "r", "R²", "RMSE (mm/yr)",
                  "p", "paper RMSE"], body)]
    from insar_fusion.core.regression.charts import qq_plot, residual_plot, scatter_fit
    from insar_fusion.core.regression.ols import fit_line
    pts = o.points("region_points", ["region_name", "velocity", "ndvi_interannual", "sm_interannual"])
    grid = []
    for region in FARM_SITES:
        sel = pts.columns["region_name"] == region
        for field in ("sm_interannual", "ndvi_interannual"):
            fit = fit_line(pts.columns[field][sel].astype(float), pts.columns["velocity"][sel].astype(float),
                           0.95, region, "velocity", field)
            figs = [scatter_fit(fit, "mm/yr", 4.2, 3.6), residual_plot(fit, 4.2, 3.6), qq_plot(fit, 4.2, 3.6)]
            if region == "P1" and field == "sm_interannual":
                rep.figures["ols_p1"] = _row_png(figs)
            grid.append("<div>" + "".join(figure_img(f, f"{region} {field}", 80) for f in figs) + "</div>")
    rmse = ", ".join(f"{r['group_name']} {r['rmse']:.1f}" for r in rows
                     if r["group_name"] in FARM_SITES and r["explanatory"].startswith("sm"))
    rep.compare("OLS RMSE of the rate on dSM, P1-P3 (Table 3)", f"{rmse} mm/yr", "39, 24, 26 mm/yr")
    return ("<p>insarfusion:regression per region over every point of both tracks (the secondary minus the "
            "spliced offset), each change regressed separately (paper eqs. 7-9). Figures: scatter with the "
            "fitted line, 95 % confidence band of the mean and prediction band; residuals against predicted; "
            "QQ plot of the residuals (paper Fig. 9), for the farmland regions.</p>" + "".join(out) + "".join(grid))


def _row_png(figs) -> bytes:
    """Three figures side by side as one PNG (for docs/)."""
    import io

    from matplotlib.image import imread

    from insar_fusion.core.report import new_figure
    imgs = [imread(io.BytesIO(figure_png(f, 100))) for f in figs]
    big = new_figure(4.2 * len(imgs), 3.6, 100)
    for k, img in enumerate(imgs):
        ax = big.add_subplot(1, len(imgs), k + 1)
        ax.imshow(img)
        ax.axis("off")
    return figure_png(big, 100)


def sec_timeseries(rep: Report) -> str:
    o = rep.o
    _need(o, "site_series", "site_correlation", "site_lags")
    series = o.rows("site_series")
    out = []
    for site in ("P1", "P6"):
        data = {}
        for var in charts.VAR_LABELS:
            rows = sorted((r for r in series if r["site"] == site and r["variable"] == var),
                          key=lambda r: str(r["date"]))
            if rows:
                data[var] = (charts.parse_dates([r["date"] for r in rows]), [r["value"] for r in rows])
        if data:
            out.append(rep.figure(f"site_{site.lower()}", charts.site_panel(site, data), f"series {site}"))
    corr = o.rows("site_correlation")
    names = ["deformation", "rate", "ndvi", "soil_moisture", "precipitation"]
    mats = []
    for site in ("P1", "P2", "P3", "P6"):
        r = np.full((len(names), len(names)), np.nan)
        for row in corr:
            if row["site"] == site and row["variable_a"] in names and row["variable_b"] in names:
                i, j = names.index(row["variable_a"]), names.index(row["variable_b"])
                r[i, j] = r[j, i] = row["r"] if row["r"] is not None else np.nan
        np.fill_diagonal(r, 1.0)
        mats.append((site, names, r))
    out.append(rep.figure("heatmaps", charts.correlation_heatmaps(mats), "correlation heatmaps"))
    lags = {}
    for row in o.rows("site_lags"):
        lags.setdefault(row["site"], {})[row["variable"]] = row["lag_days"]
    t = o.truth["lags_days"]
    out.append(rep.figure("lags", charts.lag_chart(lags, {"ndvi": t["ndvi"], "soil_moisture": t["soil_moisture"]},
                                                   {"ndvi": 15.0, "soil_moisture": 30.0}), "lags"))
    farm = [lags[s] for s in FARM_SITES if s in lags]
    mean = lambda v: float(np.mean([f[v] for f in farm if f.get(v) is not None]))  # noqa: E731
    rep.compare("Lag of NDVI / soil moisture behind the rate, P1-P3",
                f"{mean('ndvi'):.1f} / {mean('soil_moisture'):.1f} d",
                "~15 / ~30 d", f"planted {t['ndvi']:g} / {t['soil_moisture']:g} d")
    rr = [abs(row["r"]) for row in corr if row["site"] in FARM_SITES and {row["variable_a"], row["variable_b"]}
          in ({"rate", "ndvi"}, {"rate", "soil_moisture"}) and row["r"] is not None]
    nn = [abs(row["r"]) for row in corr if row["site"] in FARM_SITES and {row["variable_a"], row["variable_b"]}
          == {"ndvi", "soil_moisture"} and row["r"] is not None]
    rep.compare("|r| rate vs NDVI, SM; NDVI vs SM (Fig. 7)",
                f"{min(rr):.2f}-{max(rr):.2f}; {min(nn):.2f}-{max(nn):.2f}",
                "0.7-0.9; > 0.9", "at zero lag")
    return ("<p>insarfusion:sitetimeseries (run by the study) at the centroids of the regions (radius 2000 m): the mean "
            "deformation of the spliced points, its rate, and the NDVI, soil-moisture and precipitation stacks "
            "on a monthly base (paper Figs. 11, 7, 12). Positive lag: the variable comes after the rate.</p>"
            + "".join(out))


def sec_coherence(rep: Report) -> str:
    o = rep.o
    _need(o, "coherence_models", "coherence_samples")
    models = o.rows("coherence_models")
    body = []
    for m in models:
        p = PAPER_MODELS.get(m["model"], (None,) * 4)
        body.append([m["model"] + (" (best)" if m["best"] else ""), m["formula"], m["rmse"], p[0], m["r2"], p[1],
                     m["picp"], p[2], m["pinaw"], p[3], m["n"]])
        if m["best"]:
            rep.compare("Best NDVI-coherence model (Ningxia Table 2)", m["model"], "exponential",
                        f"R² {m['r2']:.3f} vs 0.877; RMSE {m['rmse']:.4f} vs 0.0627")
    out = [table(["model", "fit", "RMSE", "paper", "R²", "paper", "PICP", "paper", "PINAW", "paper", "n"], body)]
    s = o.points("coherence_samples", ["ndvi_mean", "coherence_mean", "used"])
    used = s.columns["used"] == 1
    t = o.truth["coherence"]
    looks = int(o.results.get("coherence_looks", 49))
    seen = (f"planted, as a {looks}-look estimate sees it (Touzi)",
            lambda g: np.array([touzi_mean(t["a"] * np.exp(t["b"] * v) + t["c"], looks) for v in g]))
    out.append(rep.figure("coherence_models", charts.coherence_curves(
        s.columns["ndvi_mean"][used], s.columns["coherence_mean"][used], models, t, seen), "models"))
    pr = o.results["predict"]
    dom = domain_error(o, o.coherence_file())
    err, _ = o.raster(o.raster_file(f"coherence_error_{o.pair_tag()}"))
    e = err[np.isfinite(err)]
    counts, edges = np.histogram(e, bins=40)
    from insar_fusion.core.coherence.charts import error_histogram_figure
    out.append(rep.figure("coherence_error", error_histogram_figure(counts, edges, pr["ERROR_MEAN"], pr["ERROR_STD"]),
                          "error histogram"))
    rep.compare("Coherence error, estimated − predicted (Ningxia ROI1)",
                f"{pr['ERROR_MEAN']:+.3f} ± {pr['ERROR_STD']:.3f} (sub-area); {dom['mean']:+.3f} ± {dom['std']:.3f} "
                f"(NDVI ≥ 0.2)", "−0.041 ± 0.165",
                f"{100 * dom['outside']:.0f} % of the sub-area has NDVI < 0.2 (desert), outside the range the "
                "model is fitted on (coherencemodel masks it)")
    mean_coh = o.results["coherence"]["MEAN_COHERENCE"]  # the demo's estimate, the study's input
    w, n = COHERENCE_LOOKS, SAMPLE_WINDOW
    return (f"<p>Coherence estimated from the SLC pair with a {w} × {w} window (mean {mean_coh:.3f}); "
            "the NDVI maximum-value composite between the two dates averaged onto the 25 m grid (paircomposites); "
            f"{n} × {n} sample windows with |R| ≥ 0.6; models scored at 99 % (RMSE, R², PICP, PINAW). The "
            "sample coherence of a multilook window is biased upwards where coherence is low (Touzi et al. "
            "1999); the dotted curve is the planted law as such an estimate sees it.</p>" + "".join(out)
            + f"<p>Prediction error over the whole sub-area {pr['ERROR_MEAN']:+.3f} ± {pr['ERROR_STD']:.3f}; over the "
            f"{dom['n']} pixels with NDVI ≥ 0.2 {dom['mean']:+.3f} ± {dom['std']:.3f}. Usable for InSAR (NDVI ≤ 0.4, "
            f"predicted ≥ 0.3): {100 * pr['USABLE_FRACTION']:.0f} % of the sub-area; "
            f"{o.results['mask']['N_UNRELIABLE']} of {o.results['mask']['N_POINTS']} InSAR points flagged.</p>")


def sec_network(rep: Report) -> str:
    o = rep.o
    out = []
    from insar_fusion.core.insar.charts import network_chart
    for track in ("T128", "T026"):
        name = f"network_{track.lower()}"
        _need(o, name)
        rows = o.rows(name)
        res = o.results[f"network_{track}"]
        dates = {}
        for r in rows:
            for k in ("reference", "secondary"):
                dates[str(r[k])] = r[f"bperp_{k}"]
        keys = sorted(dates)
        idx = {d: i for i, d in enumerate(keys)}
        dd = charts.parse_dates(keys)
        fig = network_chart(dd, np.array([dates[k] for k in keys]), np.array([idx[str(r["reference"])] for r in rows]),
                            np.array([idx[str(r["secondary"])] for r in rows]), title=f"{track}: {len(rows)} pairs")
        out.append(rep.figure(name, fig, name))
        pp, pi = PAPER["pairs"][track]
        rep.compare(f"SBAS pairs {track} (≤ {NETWORK_DAYS:g} d, ≤ {NETWORK_BPERP:g} m)",
                    f"{res['N_PAIRS']} pairs, {res['N_DATES']} images",
                    f"{pp} pairs, {pi} images", "connected" if res["CONNECTED"] else "DISCONNECTED")
    return "".join(out)


def sec_recovery(rep: Report, checks) -> str:
    s = checks.summary()
    head = (f"<p><b>{s['passed']} of {s['checked']}</b> planted parameters recovered within tolerance"
            + (f"; <span class='bad'>{s['failed']} outside</span>" if s["failed"] else "")
            + (f"; {s['unavailable']} not computed (their step did not run)" if s["unavailable"] else "")
            + f". {s['info']} further entries of truth.json are inputs or descriptions (listed last).</p>")
    rows = [r for r in checks.rows if r.status != INFO]
    info = [r for r in checks.rows if r.status == INFO]
    return head + _status_table(rows) + "<details><summary>Inputs and descriptions in truth.json " \
        "that no step estimates</summary>" + _status_table(info) + "</details>"


def _status_table(rows) -> str:
    cls = {PASS: "ok", FAIL: "bad", NA: "bad", INFO: "note"}
    out = ["<table><thead><tr><th>section</th><th>parameter</th><th>planted</th><th>recovered</th>"
           "<th>tolerance</th><th>status</th><th>how it is recovered</th></tr></thead><tbody>"]
    for r in rows:
        cells = [r.section, r.parameter, _fmt(r.planted, 6), _fmt(r.recovered, 6), r.tolerance]
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
                   + f"<td class='{cls[r.status]}'>{html.escape(r.status)}</td>"
                   + f"<td class='note'>{html.escape(r.how)}</td></tr>")
    return "".join(out) + "</tbody></table>"


def sec_steps(o: Outputs, steps: List[dict]) -> str:
    rows = []
    for s in steps:
        rows.append([s["number"] if s["number"] is not None else "", s["title"], s["status"], f"{s['seconds']:.1f} s",
                     s["headline"] or s["message"]])
    bad = [s for s in steps if s["status"] in ("FAILED", "NOT RUN")]
    warn = "".join(f"<p class='bad'>Step {s['number']} {html.escape(s['title'])}: {s['status']}: "
                   f"{html.escape(s['message'])}</p>" for s in bad)
    total = sum(s["seconds"] for s in steps)
    study = [[k + 1, s["title"], s["status"], f"{s['seconds']:.1f} s" if s["status"] == "ok" else "",
              s["reason"] or ", ".join(f"{r['alg']} {r['seconds']:.1f} s" for r in s["runs"])]
             for k, s in enumerate(o.study.get("steps", []))]
    return (warn + f"<p>{o.truth['size']} scene, seed {o.truth['seed']}; every step ran headless through "
            f"processing.run; {total:.0f} s in all. The study is one run of <b>insarfusion:study</b> (its own "
            "report: <a href='study.html'>study.html</a>); the demo adds the inputs it derives from the scene "
            "and the runs only its checks need.</p>"
            + table(["step", "what", "status", "time", "result"], rows)
            + "<p>The study's steps:</p>" + table(["#", "step", "status", "time", "child algorithms"], study))


def sec_outputs(o: Outputs) -> str:
    out = o.study.get("outputs", {})
    rows = [[p["name"], p["title"], p["group"]] for p in out.get("layers", [])]
    rasters = [[r["file"], r["title"]] for r in out.get("rasters", [])]
    extra = [[name, title] for name, title in o.demo.get("layers", {}).items()]
    return ("<p><b>study.gpkg</b> (the study's layers and tables):</p>"
            + table(["layer", "content", "project group"], rows)
            + "<p><b>rasters/</b> (GeoTIFF, each with its .qml style):</p>" + table(["file", "content"], rasters)
            + f"<p><b>study.qgz</b>: the study's project, with the print layouts {', '.join(out.get('layouts', []))}."
            "</p><p><b>demo.gpkg</b> (the runs only the checks need) and <b>demo/</b> (the inputs the demo "
            "derives from the scene: Sentinel-2 NDVI, the SLC pair's coherence, the network charts):</p>"
            + table(["layer", "content"], extra))


def build_report(out: str, steps: List[dict]) -> dict:
    """Write OUT/report.html, OUT/report.json and OUT/figures/*.png; return the truth-check summary."""
    o = Outputs(out)
    checks = all_checks(o)
    rep = Report(o)
    rep.sections.append("<h2>Run</h2>" + sec_steps(o, steps))
    for title, fn in (("Deformation rate and the overlap check (Heihe Figs. 3, 8)", sec_rate),
                      ("Change of NDVI and soil moisture per region (Heihe Table 2)", sec_change),
                      ("GWR at 500 m (Heihe section 3.3)", sec_gwr),
                      ("OLS per region (Heihe Fig. 9, Table 3)", sec_ols),
                      ("Time series, correlations and lags (Heihe Figs. 7, 11, 12)", sec_timeseries),
                      ("NDVI and coherence (Ningxia Table 2, Fig. 5)", sec_coherence),
                      ("Pair networks (Heihe Fig. 2)", sec_network)):
        _section(rep, title, fn)
    comparison = "<h2>Results beside the papers'</h2>" + table(
        ["result", "this run", "paper", "note"], [[c["result"], c["ours"], c["paper"], c["note"]] for c in rep.paper])
    rep.sections.insert(1, comparison)
    rep.sections.insert(2, "<h2>Planted against recovered (truth.json)</h2>" + sec_recovery(rep, checks))
    rep.sections.append("<h2>Outputs</h2>" + sec_outputs(o))
    write_html(os.path.join(out, "report.html"), TITLE, rep.sections)
    fig_dir = os.path.join(out, "figures")
    os.makedirs(fig_dir, exist_ok=True)
    for key, png in rep.figures.items():
        with open(os.path.join(fig_dir, f"report_{key}.png"), "wb") as f:
            f.write(png)
    summary = checks.summary()
    failed = [f"{r.section} {r.parameter}: planted {_fmt(r.planted)}, recovered {_fmt(r.recovered)} "
              f"({r.tolerance})" for r in checks.rows if r.status == FAIL]
    with open(os.path.join(out, "report.json"), "w", encoding="utf-8") as f:
        json.dump({"steps": steps, "paper": rep.paper, "recovery": {"summary": summary,
                   "rows": [r.as_dict() for r in checks.rows]}}, f, indent=1, default=str)
    return dict(summary, failed_rows=failed)

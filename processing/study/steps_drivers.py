"""The study's driver steps: NDVI and soil-moisture change, GWR, OLS per region, site time series
and the NDVI–coherence model."""
import csv
import os

from ...core.errors import InputError
from ...core.study.inputs import change_years, nearest_in_time
from ...core.study.layers import assign_regions, join_change, merge_tracks, rows
from .plan import CHANGE_PREFIX, Plan

G_DRIVERS, G_REGRESSION, G_COHERENCE, G_TABLES = "Drivers", "Regression", "Coherence", "Tables"
G_SITES = "Sites and regions"
CHANGE_TITLES = {"interannual": "interannual change (summer B − summer A)",
                 "seasonal": "seasonal change (summer B − winter B)"}
MIN_GWR_POINTS = 10


def change(plan: Plan, st) -> None:
    """Interannual and seasonal change of NDVI and soil moisture; their means per region (Table 2)."""
    n = plan.numbers
    why = []
    for label in ("ndvi", "soil_moisture"):
        paths = plan.stack(label)
        if not paths:
            continue
        years, reason = change_years(paths, n["summer_month"], n["winter_month"], n.get("year_a"), n.get("year_b"))
        if years is None:
            why.append(f"{label}: {reason}")
            st.note(f"No {label} change: {reason}.")
            continue
        prefix = CHANGE_PREFIX[label]
        out = {k: plan.raster(f"{prefix}_{k}") for k in ("interannual", "seasonal")}
        st.run("seasonalchange", {"INPUTS": paths, "SUMMER_MONTH": n["summer_month"],
                                  "WINTER_MONTH": n["winter_month"], "YEAR_A": years[0], "YEAR_B": years[1],
                                  "OUTPUT_INTERANNUAL": out["interannual"], "OUTPUT_SEASONAL": out["seasonal"]},
               f"{label} {years[0]} to {years[1]}")
        n[f"{label}_years"] = list(years)
        for kind, path in out.items():
            plan.change[f"{prefix}_{kind}"] = path
            name = "NDVI" if label == "ndvi" else "Soil moisture"
            plan.add_raster(path, f"{name} {CHANGE_TITLES[kind]}", G_DRIVERS, visible=False)
    if not plan.change:
        st.skip("; ".join(why))
        return
    if not plan.regions_layer:
        st.note("No REGIONS: no change per region (Table 2).")
        return
    keys = [k for k in ("ndvi_interannual", "ndvi_seasonal", "sm_interannual", "sm_seasonal") if k in plan.change]
    table, html = plan.path("change_table"), plan.path("change_table", ".html")
    st.run("changesummary", {"REGIONS": plan.regions_layer, "NAME_FIELD": plan.region_field,
                             "RASTERS": [plan.change[k] for k in keys], "LABELS": ",".join(keys),
                             "OUTPUT": table, "OUTPUT_HTML": html}, "mean change per region")
    plan.change_table, plan.reports["change"] = table, html
    plan.publish(table, "change_table", "Change per region (Table 2)", G_TABLES)
    joined = plan.path("regions_change")
    join_change(plan.regions_layer, plan.region_field, rows(table), joined)
    plan.publish(joined, "regions_change", "Regions: mean change", G_SITES, "change:" + keys[0])


def gwr_skip(plan: Plan, n_significant: int) -> str:
    """Why the GWR cannot run ('' when it can)."""
    if not plan.explanatory:
        return "no interannual change raster to explain the rate with (give an NDVI or soil-moisture stack " \
               "covering the summer month of two years)"
    if n_significant < MIN_GWR_POINTS:
        return f"only {n_significant} significant points (at least {MIN_GWR_POINTS} are needed)"
    return ""


def _region_join(plan: Plan, st, src: str, out: str, inside_only: bool, label: str) -> int:
    """Each point's region (field region_<REGION_FIELD>), the points outside dropped with inside_only."""
    n = assign_regions(src, plan.regions_layer, plan.region_field, out, inside_only, st.progress())
    st.note(f"{label}: {n} points" + (" inside a region" if inside_only else ""))
    return n


def gwr(plan: Plan, st) -> None:
    """velocity ~ the interannual changes, by GWR at the significant points (fixed bisquare)."""
    sampled = plan.path("sampled")
    st.run("samplerasters", {"INPUT": plan.significant, "RASTERS": [plan.change[k] for k in plan.explanatory],
                             "METHOD": 1, "FIELD_PREFIX": "", "OUTPUT": sampled}, "changes at the significant points")
    if plan.regions_layer:
        joined = plan.path("sampled_regions")
        _region_join(plan, st, sampled, joined, False, "Region of each significant point")
        sampled = joined
    plan.gwr = plan.path("gwr")
    st.run("gwr", {"INPUT": sampled, "DEPENDENT": "velocity", "EXPLANATORY": plan.explanatory,
                   "BANDWIDTH": plan.numbers["bandwidth"], "KERNEL": 0, "OUTPUT": plan.gwr},
           f"{plan.numbers['bandwidth']:g} m bisquare")
    plan.publish(plan.gwr, "gwr", "GWR local R² (significant points)", G_REGRESSION, "local_r2")


def ols(plan: Plan, st) -> None:
    """velocity ~ each change separately, per region, over every point of every track (Table 3)."""
    both = plan.path("all_tracks")
    n = merge_tracks([(t.corrected, t.name) for t in plan.tracks], both, st.progress())
    st.note(f"{n} points of {len(plan.tracks)} track(s)" + (", the secondaries with their splice offset removed"
                                                            if len(plan.tracks) > 1 else "") + ".")
    inside = plan.path("region_points_inside")
    if _region_join(plan, st, both, inside, True, "Region of each point") == 0:
        st.skip("no InSAR point lies inside a region")
        return
    plan.region_points = plan.path("region_points")
    st.run("samplerasters", {"INPUT": inside, "RASTERS": [plan.change[k] for k in plan.explanatory],
                             "METHOD": 1, "FIELD_PREFIX": "", "OUTPUT": plan.region_points},
           "changes at the points in the regions")
    table, html = plan.path("ols_regions"), plan.path("ols_regions", ".html")
    st.run("regression", {"INPUT": plan.region_points, "DEPENDENT": "velocity", "EXPLANATORY": plan.explanatory,
                          "GROUP_FIELD": plan.group_field, "CONFIDENCE": 0.95, "OUTPUT_TABLE": table,
                          "OUTPUT_HTML": html}, "per region")
    plan.reports["ols"] = html
    plan.publish(plan.region_points, "region_points", "Points of every track inside the regions (for OLS)",
                 G_REGRESSION, "rate")
    plan.publish(table, "ols_regions", "OLS per region (Table 3)", G_TABLES)


def sites(plan: Plan, st) -> None:
    """Deformation, its rate and the stacks around each site: correlations and lags."""
    out = {k: plan.path(f"site_{k}") for k in ("series", "correlation", "lags")}
    html = plan.path("site_timeseries", ".html")
    params = {"SITES": plan.sites_layer, "INSAR": plan.rate, "RADIUS": plan.numbers["radius"],
              "SMOOTHING": 3, "MONTH_DAY": plan.numbers["month_day_index"], "OUTPUT_TABLE": out["series"],
              "OUTPUT_CORRELATION": out["correlation"], "OUTPUT_LAGS": out["lags"], "OUTPUT_HTML": html}
    if plan.site_field:
        params["SITE_FIELD"] = plan.site_field
    for label, key in (("ndvi", "NDVI_STACK"), ("soil_moisture", "SM_STACK"), ("precipitation", "PRECIP_STACK")):
        if plan.stack(label):
            params[key] = plan.stack(label)
        else:
            st.note(f"No {label} stack: no {label} series, correlations or lags.")
    st.run("sitetimeseries", params, f"radius {plan.numbers['radius']:g} m")
    plan.reports["sites"], plan.site_lags = html, out["lags"]
    for k, title in (("series", "Site series (long form)"), ("correlation", "Site correlations"),
                     ("lags", "Lags behind the deformation rate")):
        plan.publish(out[k], f"site_{k}", title, G_TABLES)


def coherence(plan: Plan, st) -> None:
    """NDVI composites per pair, the NDVI→coherence models, predictions, and unreliable points flagged."""
    ndvi = plan.coherence_ndvi or plan.stack("ndvi")
    composites = []
    for pair in plan.coherence:
        table = plan.path(f"pair_{pair.tag}", ".csv")
        with open(table, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([["reference", "secondary"],
                                     [pair.reference.isoformat(), pair.secondary.isoformat()]])
        folder = os.path.dirname(plan.raster(f"ndvi_pairs/{pair.tag}/_"))
        res = st.run("paircomposites", {"INPUTS": ndvi, "PAIRS": table, "TARGET": pair.path,
                                        "OUTPUT_FOLDER": folder}, f"NDVI MVC {pair.tag}")
        if not res.get("OUTPUTS"):
            st.note(f"Pair {pair.tag}: no NDVI raster between its dates; not modelled.")
            continue
        composites.append((pair, res["OUTPUTS"][0]))
        plan.add_raster(res["OUTPUTS"][0], f"NDVI MVC of the pair {pair.tag} on its coherence grid", G_COHERENCE)
    if not composites:
        raise InputError("No coherence pair has an NDVI raster between its two dates, so the NDVI–coherence "
                         "model cannot be fitted: give NDVI rasters (NDVI or COHERENCE_NDVI) dated within the pairs.")
    pair, mvc = composites[0]
    models, samples, html = plan.path("coherence_models"), plan.path("coherence_samples"), \
        plan.path("coherence_models", ".html")
    st.run("coherencemodel", {"NDVI": mvc, "COHERENCE": pair.path, "WINDOW": plan.numbers["coherence_window"],
                              "OUTPUT_MODELS": models, "OUTPUT_SAMPLES": samples, "OUTPUT_HTML": html},
           f"models on the pair {pair.tag}")
    plan.reports["coherence"] = html
    plan.publish(models, "coherence_models", "NDVI–coherence models", G_TABLES)
    plan.publish(samples, "coherence_samples", "NDVI–coherence sample windows", G_COHERENCE, "samples")
    for pair, mvc in composites:
        pred = plan.raster(f"coherence_predicted_{pair.tag}")
        err, usable = plan.raster(f"coherence_error_{pair.tag}"), plan.raster(f"coherence_usable_{pair.tag}")
        st.run("predictcoherence", {"NDVI": mvc, "MODELS_TABLE": models, "MODEL": 0, "TRUE_COHERENCE": pair.path,
                                    "OUTPUT": pred, "OUTPUT_ERROR": err, "OUTPUT_USABLE": usable,
                                    "OUTPUT_HISTOGRAM": plan.path(f"coherence_error_{pair.tag}", ".png")},
               f"predicted against {os.path.basename(pair.path)}")
        plan.reports[f"coherence_error_{pair.tag}"] = plan.path(f"coherence_error_{pair.tag}", ".png")
        plan.add_raster(pred, f"Coherence predicted from NDVI, pair {pair.tag}", G_COHERENCE)
        plan.add_raster(err, f"Coherence error (given − predicted), pair {pair.tag}", G_COHERENCE)
        plan.add_raster(usable, f"Usable for InSAR, pair {pair.tag}", G_COHERENCE)
    if not plan.stack("ndvi"):
        st.note("No NDVI stack: the InSAR points are not flagged (the coherence NDVI covers its pairs only).")
        return
    first = composites[0][0]
    month = nearest_in_time(plan.stack("ndvi"), first.reference, plan.numbers["month_day"])
    tag = os.path.splitext(os.path.basename(month))[0]
    scene = plan.raster(f"coherence_predicted_{tag}")
    st.run("predictcoherence", {"NDVI": month, "MODELS_TABLE": models, "MODEL": 0, "OUTPUT": scene},
           f"whole area from {os.path.basename(month)}")
    plan.add_raster(scene, f"Coherence predicted from {os.path.basename(month)} (whole area)", G_COHERENCE)
    flagged = plan.path("reliability")
    st.run("masklowcoherence", {"INPUT": plan.rate, "PREDICTED": scene, "NDVI": month, "THRESHOLD": 0.3,
                                "MODE": 0, "OUTPUT": flagged}, "flag the InSAR points")
    plan.numbers["coherence_ndvi_raster"] = month
    plan.publish(flagged, "reliability", "InSAR points flagged by predicted coherence and NDVI", G_DEFORMATION_FLAG,
                 "reliability")


G_DEFORMATION_FLAG = "Deformation"

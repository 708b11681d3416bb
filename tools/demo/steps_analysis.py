"""Steps 8-12 of the demo (GWR, OLS, site time series, coherence, networks) and the step list."""
import os

from .runner import Step
from .steps import (COHERENCE_LOOKS, EXPLANATORY, GWR_BANDWIDTH, NETWORK_BPERP, NETWORK_DAYS, REGIONS_LAYER,
                    SAMPLE_WINDOW, SITES, _slc_pair, _tracks, import_tracks, optical, sample, scene, screen,
                    seasonal, splice, vertical)


# --- 8. GWR ------------------------------------------------------------------------------------
def gwr(ctx):
    path = ctx.work_path("gwr")
    res = ctx.run("gwr", {"INPUT": ctx.files["sampled"], "DEPENDENT": "velocity",
                          "EXPLANATORY": list(EXPLANATORY), "BANDWIDTH": GWR_BANDWIDTH, "KERNEL": 0,
                          "OUTPUT": path}, "significant points, 500 m bisquare", key="gwr")
    ctx.files["gwr"] = path
    ctx.publish(path, "gwr", "GWR local R² (significant points)", "Regression", "local_r2")
    farm = ctx.work_path("farmland_points")
    ctx.run("native:extractbyattribute", {"INPUT": ctx.files["region_points"], "FIELD": "landcover",
                                          "OPERATOR": 0, "VALUE": "1", "OUTPUT": farm},
            "farmland points of both tracks (land cover 1)")
    farm_gwr = ctx.work_path("gwr_farmland")
    res_farm = ctx.run("gwr", {"INPUT": farm, "DEPENDENT": "velocity", "EXPLANATORY": list(EXPLANATORY),
                               "BANDWIDTH": GWR_BANDWIDTH, "KERNEL": 0, "OUTPUT": farm_gwr},
                       "farmland points, 500 m bisquare", key="gwr_farmland")
    ctx.publish(farm_gwr, "gwr_farmland", "GWR local R² (all farmland points)", "Regression", "local_r2")
    return {"R2": f"{res['R2']:.3f} (paper 0.9)", "under-supported": res["N_UNDERSUPPORTED"],
            "farmland R2": f"{res_farm['R2']:.3f}"}


# --- 9. OLS per region -------------------------------------------------------------------------
def ols(ctx):
    table, html = ctx.work_path("ols"), ctx.report_path("ols_regions.html")
    res = ctx.run("regression", {"INPUT": ctx.files["region_points"], "DEPENDENT": "velocity",
                                 "EXPLANATORY": list(EXPLANATORY), "GROUP_FIELD": "region_name",
                                 "CONFIDENCE": 0.95, "OUTPUT_TABLE": table, "OUTPUT_HTML": html},
                  "all points, per region", key="ols")
    ctx.files["ols"] = table
    ctx.sub_reports["OLS per region (Fig. 9, Table 3)"] = html
    ctx.publish(table, "ols_regions", "OLS per region (Table 3)", "Tables")
    return {"regressions": res["N_FITS"]}


# --- 10. site time series ----------------------------------------------------------------------
def sites(ctx):
    chosen = ctx.work_path("site_regions")
    names = ", ".join(f"'{s}'" for s in SITES)
    ctx.run("native:extractbyexpression", {
        "INPUT": ctx.scene_path(REGIONS_LAYER),
        "EXPRESSION": f'"name" IN ({names})', "OUTPUT": chosen}, "regions P1-P3, P6")
    site_pts = ctx.work_path("sites")
    ctx.run("native:centroids", {"INPUT": chosen, "ALL_PARTS": False, "OUTPUT": site_pts}, "centroids")
    ctx.publish(site_pts, "sites", "Time-series sites (region centroids)", "Sites and regions", "sites",
                visible=True)
    out = {k: ctx.work_path(f"site_{k}") for k in ("series", "correlation", "lags")}
    html = ctx.report_path("site_timeseries.html")
    ctx.run("sitetimeseries", {
        "SITES": site_pts, "SITE_FIELD": "name", "INSAR": ctx.files["merged"], "RADIUS": 2000.0,
        "NDVI_STACK": ctx.scene_files("ndvi"), "SM_STACK": ctx.scene_files("soil_moisture"),
        "PRECIP_STACK": ctx.scene_files("precipitation"), "SMOOTHING": 3,
        "MONTH_DAY": 1,  # month-only names stand for the 16th: the scene's convention (docs/scene.md)
        "OUTPUT_TABLE": out["series"], "OUTPUT_CORRELATION": out["correlation"],
        "OUTPUT_LAGS": out["lags"], "OUTPUT_HTML": html}, "P1-P3, P6", key="sitetimeseries")
    ctx.sub_reports["Site time series (Figs. 7, 11, 12)"] = html
    for k, title in (("series", "Site series (long form)"), ("correlation", "Site correlations"),
                     ("lags", "Lags behind the deformation rate")):
        ctx.files[f"site_{k}"] = out[k]
        ctx.publish(out[k], f"site_{k}", title, "Tables")
    return {"sites": len(SITES)}


# --- 11. coherence -----------------------------------------------------------------------------
def coherence(ctx):
    c = ctx.truth["coherence"]["slope_term"]  # the scene's SAR geometry (sensor inputs)
    ref, sec = _slc_pair(ctx)
    tag = lambda d: d.replace("-", "")  # noqa: E731
    coh = ctx.raster_path("coherence")
    res = ctx.run("coherence", {"REFERENCE": ctx.scene_path("slc", f"slc_{tag(ref)}.tif"),
                                "SECONDARY": ctx.scene_path("slc", f"slc_{tag(sec)}.tif"),
                                "WINDOW_X": COHERENCE_LOOKS, "WINDOW_Y": COHERENCE_LOOKS, "OUTPUT": coh},
                  f"{COHERENCE_LOOKS}x{COHERENCE_LOOKS} window", key="coherence")
    res["LOOKS"] = COHERENCE_LOOKS ** 2
    ctx.results["coherence_looks"] = COHERENCE_LOOKS ** 2
    ctx.add_raster(coh, "Coherence estimated from the SLC pair", "Coherence", "qml")
    pairs_dir = os.path.join(ctx.rasters, "ndvi_pairs")
    pc = ctx.run("paircomposites", {"INPUTS": ctx.files["s2_ndvi"],
                                    "PAIRS": ctx.scene_path("slc", "pairs.csv"), "TARGET": coh,
                                    "OUTPUT_FOLDER": pairs_dir}, "NDVI MVC per pair", key="paircomposites")
    ndvi_pair = pc["OUTPUTS"][0]
    ctx.add_raster(ndvi_pair, "NDVI MVC of the pair on the coherence grid (25 m)", "Coherence", "qml")
    models, samples = ctx.work_path("coherence_models"), ctx.work_path("coherence_samples")
    html = ctx.report_path("coherence_models.html")
    fit = ctx.run("coherencemodel", {"NDVI": ndvi_pair, "COHERENCE": coh, "WINDOW": SAMPLE_WINDOW,
                                     "OUTPUT_MODELS": models, "OUTPUT_SAMPLES": samples,
                                     "OUTPUT_HTML": html}, "exponential, linear, logarithmic",
                  key="coherencemodel")
    ctx.files.update(coherence_models=models, coherence_samples=samples)
    ctx.sub_reports["NDVI-coherence models (Ningxia Table 2)"] = html
    ctx.publish(models, "coherence_models", "NDVI-coherence models (Ningxia Table 2)", "Tables")
    ctx.publish(samples, "coherence_samples", "NDVI-coherence sample windows", "Coherence", "samples")
    pred, err = ctx.raster_path("coherence_predicted"), ctx.raster_path("coherence_error")
    usable = ctx.raster_path("coherence_usable")
    ctx.run("predictcoherence", {"NDVI": ndvi_pair, "MODELS_TABLE": models, "MODEL": 0,
                                 "TRUE_COHERENCE": coh, "OUTPUT": pred, "OUTPUT_ERROR": err,
                                 "OUTPUT_USABLE": usable,
                                 "OUTPUT_HISTOGRAM": ctx.report_path("coherence_error.png")},
            "vs the estimated coherence", key="predict")
    ctx.add_raster(pred, "Coherence predicted from NDVI", "Coherence", "qml")
    ctx.add_raster(err, "Coherence error (estimated - predicted)", "Coherence", "qml")
    ctx.add_raster(usable, "Usable for InSAR (NDVI <= 0.4, predicted >= 0.3)", "Coherence", "qml")
    ctx.files.update(ndvi_pair=ndvi_pair, coherence=coh, coherence_predicted=pred)
    month = ref[:4] + ref[5:7]
    scene_pred = ctx.raster_path(f"coherence_predicted_{month}")
    ctx.run("predictcoherence", {"NDVI": ctx.scene_path("ndvi", f"ndvi_{month}.tif"),
                                 "MODELS_TABLE": models, "MODEL": 0, "OUTPUT": scene_pred},
            f"whole scene from NDVI {month}", key="predict_scene")
    ctx.add_raster(scene_pred, f"Coherence predicted from NDVI {month} (whole scene)", "Coherence", "qml")
    flagged = ctx.work_path("reliability")
    mask = ctx.run("masklowcoherence", {"INPUT": ctx.files["merged"], "PREDICTED": scene_pred,
                                        "NDVI": ctx.scene_path("ndvi", f"ndvi_{month}.tif"),
                                        "THRESHOLD": 0.3, "MODE": 0, "OUTPUT": flagged},
                   "flag points", key="mask")
    ctx.publish(flagged, "reliability", "InSAR points flagged by predicted coherence and NDVI",
                "InSAR deformation", "reliability")
    base = ctx.work_path("baseline")
    ctx.run("baselinecorrelation", {"PAIRS": ctx.scene_path("slc", "pairs.csv"),
                                    "WAVELENGTH": c["wavelength_m"], "SLANT_RANGE": c["slant_range_m"],
                                    "INCIDENCE": c["theta_deg"], "SLOPE": 0.0,
                                    "RANGE_RESOLUTION": c["range_resolution_m"], "OUTPUT": base},
            "B⊥ of the pair", key="baseline")
    ctx.publish(base, "baseline_decorrelation", "Baseline decorrelation of the SLC pair", "Tables")
    return {"mean coherence": f"{res['MEAN_COHERENCE']:.3f}", "best model": fit["BEST_MODEL"],
            "unreliable points": mask["N_UNRELIABLE"]}


# --- 12. network -------------------------------------------------------------------------------
def network(ctx):
    out = {}
    for track in _tracks():
        path = ctx.work_path(f"network_{track}")
        chart = ctx.report_path(f"network_{track}.png")
        res = ctx.run("sbasnetwork", {"INPUT": ctx.scene_path("insar", f"{track}_acquisitions.csv"),
                                      "MAX_TEMPORAL": NETWORK_DAYS, "MAX_PERPENDICULAR": NETWORK_BPERP,
                                      "OUTPUT": path, "OUTPUT_CHART": chart}, track,
                      key=f"network_{track}")
        ctx.sub_reports[f"Pair network {track} (Fig. 2)"] = chart
        ctx.publish(path, f"network_{track.lower()}", f"SBAS pairs {track}", "Tables")
        out[track] = f"{res['N_PAIRS']} pairs of {res['N_DATES']} dates" + \
            ("" if res["CONNECTED"] else " (DISCONNECTED)")
    return out


def all_steps():
    """The demo's steps in order."""
    return [
        Step("scene", 0, "Sample scene (truth.json)", scene, ("samplescene",)),
        Step("import", 1, "Import both tracks (EGMS CSV)", import_tracks, ("importpoints",), ("scene",)),
        Step("vertical", 2, "LOS to vertical", vertical, ("lostovertical",), ("import",)),
        Step("splice", 3, "Splice the tracks, overlap check", splice, ("splicetracks",), ("vertical",)),
        Step("screen", 4, "Screen at 10 mm/yr with DEM and NDVI", screen, ("screen",), ("splice",)),
        Step("seasonal", 5, "Seasonal fit", seasonal, ("seasonalfit",), ("screen",)),
        Step("optical", 6, "NDVI, composites, change per region", optical,
             ("ndvi", "composite", "seasonalchange", "changesummary"), ("scene",)),
        Step("sample", 7, "Sample the change rasters at the points", sample, ("samplerasters",),
             ("seasonal", "optical")),
        Step("gwr", 8, "GWR at 500 m", gwr, ("gwr",), ("sample",)),
        Step("ols", 9, "OLS per region", ols, ("regression",), ("sample",)),
        Step("sites", 10, "Site time series at P1-P3 and P6", sites, ("sitetimeseries",), ("splice",)),
        Step("coherence", 11, "Coherence: estimate, model, predict, mask", coherence,
             ("coherence", "paircomposites", "coherencemodel", "predictcoherence", "masklowcoherence",
              "baselinecorrelation"), ("optical", "splice")),
        Step("network", 12, "Pair network for each track", network, ("sbasnetwork",), ("scene",)),
    ]

"""The twelve steps of the Heihe and Ningxia workflow, each through processing.run('insarfusion:...').

Parameters a user would choose are constants here; the screening ranges and the SAR sensor
geometry are read from the scene's documented suggestions (truth.json `screen`, `coherence`),
never any planted result.
"""
import csv
import os

from .context import quiet_gdal
from .runner import Step, StepFailed

REFERENCE, SECONDARY = "T128", "T026"   # the reference track keeps its datum (paper: T128 and T26)
SIGNIFICANT = 10.0                      # mm/yr, Heihe section 3.3
GWR_BANDWIDTH = 500.0                   # m, fixed bisquare (the paper)
SITES = ("P1", "P2", "P3", "P6")        # time-series sites (paper Figs. 7, 11, 12)
COHERENCE_LOOKS = 7                     # 7 x 7 estimation window: 49 looks
SAMPLE_WINDOW = 3                       # 3 x 3 pixel windows for the NDVI-coherence samples
NETWORK_DAYS, NETWORK_BPERP = 48, 150.0  # pair thresholds: 4 revisits, 150 m
CHANGE_RASTERS = ("ndvi_interannual", "ndvi_seasonal", "sm_interannual", "sm_seasonal")
EXPLANATORY = ("ndvi_interannual", "sm_interannual")  # dNDVI and dSM, Jul 2020 - Jul 2019
REGIONS_LAYER = "regions.gpkg|layername=regions"


def _tracks():
    return (REFERENCE, SECONDARY)


# --- 0. the scene ------------------------------------------------------------------------------
def scene(ctx):
    from .runner import available_algorithms

    if "samplescene" in available_algorithms():
        ctx.run("samplescene", {"OUTPUT_FOLDER": ctx.scene, "SIZE": ["small", "large"].index(ctx.size),
                                "SEED": ctx.seed, "LOAD_LAYERS": False}, ctx.size)
    else:  # the Processing wrapper is not in this build: the same generator, called directly
        import time
        from insar_fusion.core.progress import Progress
        from insar_fusion.core.scene import generate_scene

        t0 = time.time()
        generate_scene(ctx.scene, ctx.size, ctx.seed,
                       Progress(lambda f: ctx.console.progress("core.scene", 100 * f)))
        ctx.console.done(f"core.scene.generate_scene ({ctx.size})", time.time() - t0)
        ctx.current_runs.append((f"core.scene.generate_scene ({ctx.size})", time.time() - t0))
    truth = ctx.load_truth()
    ctx.publish(ctx.scene_path(REGIONS_LAYER), "regions", "Regions P1-P6",
                "Scene", "regions", visible=True)
    ctx.publish(ctx.scene_path("regions.gpkg") + "|layername=footprints", "footprints",
                "Footprints (tracks, overlap, S2/SLC sub-area)", "Scene", "footprints")
    n = {t: v["n_points"] for t, v in truth["tracks"].items()}
    return {"size": truth["size"], "seed": truth["seed"], "points": n}


# --- 1. import ---------------------------------------------------------------------------------
def import_tracks(ctx):
    out = {}
    for track in _tracks():
        path = ctx.work_path(f"{track}_los")
        res = ctx.run("importpoints", {"INPUT": ctx.scene_path("insar", f"{track}_egms.csv"),
                                       "FORMAT": 1, "CRS": "EPSG:32647", "OUTPUT": path},
                      track, key=f"import_{track}")
        ctx.files[f"{track}_los"] = path
        res["DATES"] = _date_fields(path)
        ctx.publish(path, f"{track.lower()}_los", f"{track} LOS rate (imported)", "InSAR tracks", "rate")
        out[track] = f"{res['N_POINTS']} points x {res['N_DATES']} dates"
    return out


def _date_fields(path):
    """The acquisition dates (YYYY-MM-DD) of a point layer's DYYYYMMDD fields."""
    from osgeo import ogr

    from insar_fusion.core.dates import date_fields

    ds = ogr.Open(path)
    defn = ds.GetLayer(0).GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return [d.isoformat() for _, d in date_fields(names)]


# --- 2. LOS to vertical ------------------------------------------------------------------------
def vertical(ctx):
    for track in _tracks():
        path = ctx.work_path(f"{track}_up")
        ctx.run("lostovertical", {"INPUT": ctx.files[f"{track}_los"], "OUTPUT": path}, track,
                key=f"vertical_{track}")
        ctx.files[f"{track}_up"] = path
        ctx.publish(path, f"{track.lower()}_vertical", f"{track} vertical rate", "InSAR tracks", "rate")
    return {"tracks": len(_tracks())}


# --- 3. splice ---------------------------------------------------------------------------------
def splice(ctx):
    merged, pairs = ctx.work_path("merged"), ctx.work_path("overlap_pairs")
    chart = ctx.report_path("fig8_overlap.png")
    res = ctx.run("splicetracks", {
        "REFERENCE": ctx.files[f"{REFERENCE}_up"], "SECONDARY": ctx.files[f"{SECONDARY}_up"],
        "MATCH_DISTANCE": 60.0, "CORRECTION": 1, "REFERENCE_NAME": REFERENCE,
        "SECONDARY_NAME": SECONDARY, "OUTPUT": merged, "OUTPUT_PAIRS": pairs, "OUTPUT_CHART": chart},
        "plane correction", key="splice")
    ctx.files.update(merged=merged, pairs=pairs)
    ctx.sub_reports["Overlap check (Fig. 8)"] = chart
    ctx.publish(merged, "vertical_rate", "Vertical rate, both tracks spliced (mm/yr)", "InSAR deformation",
                "rate", visible=True, series=True)
    ctx.publish(pairs, "overlap_pairs", "Overlap pairs: residual after the offset (mm/yr)", "InSAR tracks",
                "residual")
    return {"RMSE": f"{res['RMSE']:.2f} mm/yr (paper 2.8)", "pairs": res["N_PAIRS"],
            "offset": f"{res['OFFSET']:+.2f} mm/yr"}


# --- 4. screen ---------------------------------------------------------------------------------
def screen(ctx):
    s = ctx.truth["screen"]
    path = ctx.work_path("significant")
    res = ctx.run("screen", {"INPUT": ctx.files["merged"], "THRESHOLD": SIGNIFICANT,
                             "DEM": ctx.scene_path(s["dem_raster"]), "DEM_MAX": s["dem_max"],
                             "NDVI": ctx.scene_path(s["ndvi_raster"]), "NDVI_MIN": s["ndvi_min"],
                             "NDVI_MAX": s["ndvi_max"], "OUTPUT": path}, "10 mm/yr, DEM, NDVI",
                  key="screen")
    ctx.files["significant"] = path
    ctx.publish(path, "significant", "Significant deformation (|rate| >= 10 mm/yr, screened)",
                "InSAR deformation", "rate", series=True)
    return {"kept": res["N_KEPT"], "removed": f"rate {res['REMOVED_RATE']}, DEM {res['REMOVED_DEM']}, "
                                              f"NDVI {res['REMOVED_NDVI']}"}


# --- 5. seasonal fit ---------------------------------------------------------------------------
def seasonal(ctx):
    path = ctx.work_path("seasonal")
    res = ctx.run("seasonalfit", {"INPUT": ctx.files["significant"], "STYLE": 0, "OUTPUT": path},
                  "significant points", key="seasonal")
    ctx.files["seasonal"] = path
    ctx.publish(path, "seasonal", "Seasonal amplitude of the significant points (mm)",
                "InSAR deformation", "seasonal")
    for track in _tracks():  # each track on its own dates: the whole seasonal picture
        out = ctx.work_path(f"seasonal_{track}")
        ctx.run("seasonalfit", {"INPUT": ctx.files[f"{track}_up"], "STYLE": 0, "OUTPUT": out},
                f"all {track} points", key=f"seasonal_{track}")
        ctx.files[f"seasonal_{track}"] = out
        ctx.publish(out, f"seasonal_{track.lower()}", f"Seasonal amplitude, all {track} points (mm)",
                    "InSAR tracks", "seasonal")
    return {"fitted": res["N_FITTED"], "skipped": res["N_SKIPPED"]}


# --- 6. optical --------------------------------------------------------------------------------
def _s2_dates(ctx):
    folder = ctx.scene_path("s2")
    return sorted(f.split("_")[1] for f in os.listdir(folder) if f.endswith("_red.tif"))


def optical(ctx):
    ndvi = []
    for date in _s2_dates(ctx):
        out = ctx.raster_path(f"ndvi_s2_{date}")
        ctx.run("ndvi", {"RED": ctx.scene_path("s2", f"s2_{date}_red.tif"),
                         "NIR": ctx.scene_path("s2", f"s2_{date}_nir.tif"), "SCALE": 0.0001,
                         "OUTPUT": out}, f"Sentinel-2 {date}")
        ndvi.append(out)
    ctx.files["s2_ndvi"] = ndvi
    ref, sec = _slc_pair(ctx)
    mvc = ctx.raster_path("ndvi_s2_mvc")
    ctx.run("composite", {"INPUTS": ndvi, "START": ref, "END": sec, "METHOD": 0, "OUTPUT": mvc},
            f"MVC {ref} to {sec}", key="composite")
    ctx.add_raster(mvc, f"NDVI maximum value composite {ref} to {sec} (10 m)", "Optical", "qml")
    changes = {}
    for var, folder in (("ndvi", "ndvi"), ("sm", "soil_moisture")):
        inter, seas = ctx.raster_path(f"{var}_interannual"), ctx.raster_path(f"{var}_seasonal")
        ctx.run("seasonalchange", {"INPUTS": ctx.scene_files(folder), "YEAR_A": 2019, "YEAR_B": 2020,
                                   "SUMMER_MONTH": 7, "WINTER_MONTH": 1,
                                   "OUTPUT_INTERANNUAL": inter, "OUTPUT_SEASONAL": seas},
                f"{var} change", key=f"change_{var}")
        changes[f"{var}_interannual"], changes[f"{var}_seasonal"] = inter, seas
        name = "NDVI" if var == "ndvi" else "Soil moisture"
        ctx.add_raster(inter, f"{name} interannual change (Jul 2020 - Jul 2019)", "Optical", "qml")
        ctx.add_raster(seas, f"{name} seasonal change (Jul 2020 - Jan 2020)", "Optical", "qml")
    ctx.files.update(changes)
    table, html = ctx.work_path("change_table"), ctx.report_path("table2_change.html")
    with quiet_gdal():
        ctx.run("changesummary", {"REGIONS": ctx.scene_path(REGIONS_LAYER),
                                  "NAME_FIELD": "name", "RASTERS": [changes[k] for k in CHANGE_RASTERS],
                                  "LABELS": ",".join(CHANGE_RASTERS), "OUTPUT": table, "OUTPUT_HTML": html},
                "Table 2", key="changesummary")
    ctx.files["change_table"] = table
    ctx.sub_reports["Change per region (Table 2)"] = html
    ctx.publish(table, "change_table", "Change per region (Table 2)", "Tables")
    return {"S2 NDVI": len(ndvi), "change rasters": len(changes)}


def _slc_pair(ctx):
    with open(ctx.scene_path("slc", "pairs.csv"), newline="") as f:
        row = next(csv.DictReader(f))
    return row["reference"], row["secondary"]


# --- 7. sample ---------------------------------------------------------------------------------
def _sample_and_join(ctx, src, name, label, discard):
    """samplerasters (bilinear dNDVI, dSM) then the region name of each point (region_name)."""
    raw = ctx.work_path(name + "_raw")
    ctx.run("samplerasters", {"INPUT": src, "RASTERS": [ctx.files[k] for k in EXPLANATORY],
                              "METHOD": 1, "FIELD_PREFIX": "", "OUTPUT": raw}, label, key=f"sample_{name}")
    out = ctx.work_path(name)
    ctx.run("native:joinattributesbylocation", {
        "INPUT": raw, "JOIN": ctx.scene_path(REGIONS_LAYER), "PREDICATE": [5], "JOIN_FIELDS": ["name"],
        "METHOD": 1, "DISCARD_NONMATCHING": discard, "PREFIX": "region_", "OUTPUT": out},
        "region of each point")
    ctx.files[name] = out
    from insar_fusion.core.vector_io import read_points

    t = read_points(out)
    missing = int(sum(1 for v in t.columns[EXPLANATORY[0]] if v != v))
    if missing == len(t):
        raise StepFailed(f"no point of {name} got a raster value: the change rasters miss the points")
    return len(t), missing


def sample(ctx):
    n, missing = _sample_and_join(ctx, ctx.files["seasonal"], "sampled",
                                  "significant points: dNDVI, dSM", False)
    ctx.publish(ctx.files["sampled"], "sampled", "Significant points with dNDVI, dSM and region",
                "Regression", "rate")
    n_all, _ = _sample_and_join(ctx, _both_tracks(ctx), "region_points",
                                "both tracks in P1-P6: dNDVI, dSM", True)
    ctx.publish(ctx.files["region_points"], "region_points",
                "Points of both tracks inside P1-P6 with dNDVI, dSM (for OLS)", "Regression", "rate")
    return {"significant points": n, "without a value": missing, "points in P1-P6": n_all}


def _both_tracks(ctx) -> str:
    """Every point of both tracks (vertical; the secondary minus the spliced offset plane).

    The OLS per region uses each track's own measurement, also in the overlap where the spliced
    layer keeps only the reference: both are independent observations of the same ground.
    """
    r = ctx.results["splice"]
    layers = []
    for track in _tracks():
        slim = ctx.work_path(f"{track}_rate")
        ctx.run("native:retainfields", {"INPUT": ctx.files[f"{track}_up"], "FIELDS": ["pid", "velocity"],
                                        "OUTPUT": slim}, f"{track}: pid, velocity")
        if track == SECONDARY:
            fixed = ctx.work_path(f"{track}_rate_spliced")
            plane = (f"({r['PLANE_A']!r} + {r['PLANE_B']!r} * ($x - {r['ORIGIN_X']!r}) / 1000"
                     f" + {r['PLANE_C']!r} * ($y - {r['ORIGIN_Y']!r}) / 1000)")
            ctx.run("native:fieldcalculator", {"INPUT": slim, "FIELD_NAME": "velocity", "FIELD_TYPE": 0,
                                               "FORMULA": f'"velocity" - {plane}', "OUTPUT": fixed},
                    f"{track}: minus the spliced offset")
            slim = fixed
        layers.append(slim)
    both = ctx.work_path("both_tracks")
    ctx.run("native:mergevectorlayers", {"LAYERS": layers, "CRS": "EPSG:32647", "OUTPUT": both},
            "both tracks")
    return both


# --- 8. GWR ------------------------------------------------------------------------------------
def gwr(ctx):
    path = ctx.work_path("gwr")
    res = ctx.run("gwr", {"INPUT": ctx.files["sampled"], "DEPENDENT": "velocity",
                          "EXPLANATORY": list(EXPLANATORY), "BANDWIDTH": GWR_BANDWIDTH, "KERNEL": 0,
                          "OUTPUT": path}, "500 m bisquare", key="gwr")
    ctx.files["gwr"] = path
    ctx.publish(path, "gwr", "GWR local R²", "Regression", "local_r2")
    return {"R2": f"{res['R2']:.3f} (paper 0.9)", "under-supported": res["N_UNDERSUPPORTED"]}


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
    ctx.publish(site_pts, "sites", "Time-series sites (region centroids)", "Time series", "sites",
                visible=True)
    out = {k: ctx.work_path(f"site_{k}") for k in ("series", "correlation", "lags")}
    html = ctx.report_path("site_timeseries.html")
    ctx.run("sitetimeseries", {
        "SITES": site_pts, "SITE_FIELD": "name", "INSAR": ctx.files["merged"], "RADIUS": 2000.0,
        "NDVI_STACK": ctx.scene_files("ndvi"), "SM_STACK": ctx.scene_files("soil_moisture"),
        "PRECIP_STACK": ctx.scene_files("precipitation"), "SMOOTHING": 3,
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
        Step("scene", 0, "Sample scene (truth.json)", scene),
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

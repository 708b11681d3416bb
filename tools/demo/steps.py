"""Steps 0-7 of the demo: the scene, the InSAR chain, the optical changes and the sampling.

Parameters a user would choose are constants here; the screening ranges and the SAR sensor
geometry are read from the scene's documented suggestions (truth.json `screen`, `coherence`),
never any planted result.
"""
import csv
import os

from .runner import StepFailed

REFERENCE, SECONDARY = "T128", "T026"   # the reference track keeps its datum (paper: T128 and T26)
SIGNIFICANT = 10.0                      # mm/yr, Heihe section 3.3
GWR_BANDWIDTH = 500.0                   # m, fixed bisquare (the paper)
SITES = ("P1", "P2", "P3", "P6")        # time-series sites (paper Figs. 7, 11, 12)
COHERENCE_LOOKS = 7                     # 7 x 7 estimation window: 49 looks
SAMPLE_WINDOW = 5                       # 5 x 5 pixel windows for the NDVI-coherence samples
NETWORK_DAYS, NETWORK_BPERP = 36, 150.0  # pair thresholds: 3 revisits, 150 m (~3 pairs an image)
CHANGE_RASTERS = ("ndvi_interannual", "ndvi_seasonal", "sm_interannual", "sm_seasonal")
EXPLANATORY = ("ndvi_interannual", "sm_interannual")  # dNDVI and dSM, Jul 2020 - Jul 2019
REGIONS_LAYER = "regions.gpkg|layername=regions"


def _tracks():
    return (REFERENCE, SECONDARY)


# --- 0. the scene ------------------------------------------------------------------------------
def scene(ctx):
    ctx.run("samplescene", {"OUTPUT_FOLDER": ctx.scene, "SIZE": ["small", "large"].index(ctx.size),
                            "SEED": ctx.seed, "LOAD_LAYERS": False}, ctx.size)
    truth = ctx.load_truth()
    ctx.publish(ctx.scene_path(REGIONS_LAYER), "regions", "Regions P1-P6",
                "Sites and regions", "regions", visible=True)
    ctx.publish(ctx.scene_path("regions.gpkg") + "|layername=footprints", "footprints",
                "Footprints (tracks, overlap, S2/SLC sub-area)", "Scene", "footprints")
    n = ", ".join(f"{t} {v['n_points']}" for t, v in truth["tracks"].items())
    out = {"size": truth["size"], "seed": truth["seed"], "points": n}
    if os.path.isdir(ctx.scene_path("ndvi_5m")):
        out["ndvi_5m/"] = "not used (benchmark data; every step applies to this scene)"
    return out


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
    """samplerasters (bilinear dNDVI, dSM; nearest land cover), then each point's region (region_name)."""
    raw = ctx.work_path(name + "_raw")
    ctx.run("samplerasters", {"INPUT": src, "RASTERS": [ctx.files[k] for k in EXPLANATORY],
                              "METHOD": 1, "FIELD_PREFIX": "", "OUTPUT": raw}, label, key=f"sample_{name}")
    classes = ctx.work_path(name + "_landcover")
    ctx.run("samplerasters", {"INPUT": raw, "RASTERS": [ctx.scene_path("landcover.tif")], "METHOD": 0,
                              "FIELD_PREFIX": "", "OUTPUT": classes}, "land cover (nearest)")
    out = ctx.work_path(name)
    ctx.run("native:joinattributesbylocation", {
        "INPUT": classes, "JOIN": ctx.scene_path(REGIONS_LAYER), "PREDICATE": [5], "JOIN_FIELDS": ["name"],
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

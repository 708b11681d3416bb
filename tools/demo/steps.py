"""The demo's steps: the scene, the inputs only a demo derives from it, the study itself
(insarfusion:study, the plugin's whole chain), and the extra runs its truth checks need.

Parameters a user would choose are constants here; the screening ranges and the SAR sensor
geometry are read from the scene's documented suggestions (truth.json `screen`, `coherence`),
never any planted result.
"""
import csv
import os

from .runner import Step, StepFailed

REFERENCE, SECONDARY = "T128", "T026"   # the reference track keeps its datum (paper: T128 and T26)
SIGNIFICANT = 10.0                      # mm/yr, Heihe section 3.3
GWR_BANDWIDTH = 500.0                   # m, fixed bisquare (the paper)
SITE_RADIUS = 2000.0                    # m (the paper's circles)
COHERENCE_LOOKS = 7                     # 7 x 7 estimation window: 49 looks
SAMPLE_WINDOW = 5                       # 5 x 5 pixel windows for the NDVI-coherence samples
NETWORK_DAYS, NETWORK_BPERP = 36, 150.0  # pair thresholds: 3 revisits, 150 m (~3 pairs an image)
REGIONS_LAYER = "regions.gpkg|layername=regions"


def _tracks():
    return (REFERENCE, SECONDARY)


def slc_pair(ctx):
    with open(ctx.scene_path("slc", "pairs.csv"), newline="") as f:
        row = next(csv.DictReader(f))
    return row["reference"], row["secondary"]


def pair_tag(ctx) -> str:
    ref, sec = slc_pair(ctx)
    return f"{ref.replace('-', '')}_{sec.replace('-', '')}"


# --- 0. the scene ------------------------------------------------------------------------------
def scene(ctx):
    ctx.run("samplescene", {"OUTPUT_FOLDER": ctx.scene, "SIZE": ["small", "large"].index(ctx.size),
                            "SEED": ctx.seed, "LOAD_LAYERS": False}, ctx.size)
    truth = ctx.load_truth()
    n = ", ".join(f"{t} {v['n_points']}" for t, v in truth["tracks"].items())
    return {"size": truth["size"], "seed": truth["seed"], "points": n}


# --- 1. what a demo derives from the scene -----------------------------------------------------
def demo_inputs(ctx):
    """Sentinel-2 NDVI (for the NDVI–coherence model) and the SLC pair's coherence: the study takes
    NDVI and coherence rasters, a user would bring them; the scene has bands and SLCs."""
    folder = ctx.scene_path("s2")
    dates = sorted(f.split("_")[1] for f in os.listdir(folder) if f.endswith("_red.tif"))
    ndvi = []
    for date in dates:
        out = ctx.demo_path(f"ndvi_s2_{date}.tif")
        ctx.run("ndvi", {"RED": ctx.scene_path("s2", f"s2_{date}_red.tif"),
                         "NIR": ctx.scene_path("s2", f"s2_{date}_nir.tif"), "SCALE": 0.0001, "OUTPUT": out},
                f"Sentinel-2 {date}")
        ndvi.append(out)
    ref, sec = slc_pair(ctx)
    coh = ctx.demo_path(f"coherence_{pair_tag(ctx)}.tif")
    res = ctx.run("coherence", {"REFERENCE": ctx.scene_path("slc", f"slc_{ref.replace('-', '')}.tif"),
                                "SECONDARY": ctx.scene_path("slc", f"slc_{sec.replace('-', '')}.tif"),
                                "WINDOW_X": COHERENCE_LOOKS, "WINDOW_Y": COHERENCE_LOOKS, "OUTPUT": coh},
                  f"{COHERENCE_LOOKS}x{COHERENCE_LOOKS} window", key="coherence")
    ctx.results["coherence_looks"] = COHERENCE_LOOKS ** 2
    ctx.files.update(s2_ndvi=ndvi, coherence=coh)
    return {"S2 NDVI": len(ndvi), "mean coherence": f"{res['MEAN_COHERENCE']:.3f}"}


# --- 2. the study ------------------------------------------------------------------------------
def study_params(ctx) -> dict:
    s = ctx.truth["screen"]
    return {"TRACKS": [ctx.scene_path("insar", f"{t}_egms.csv") for t in _tracks()],
            "TRACK_NAMES": ",".join(_tracks()), "CSV_CRS": "EPSG:32647",
            "NDVI": [ctx.scene_path("ndvi")], "SOIL_MOISTURE": [ctx.scene_path("soil_moisture")],
            "PRECIPITATION": [ctx.scene_path("precipitation")],
            "REGIONS": ctx.scene_path(REGIONS_LAYER), "REGION_FIELD": "name",
            "DEM": ctx.scene_path(s["dem_raster"]), "DEM_MAX": s["dem_max"],
            "NDVI_MIN": s["ndvi_min"], "NDVI_MAX": s["ndvi_max"],
            "COHERENCE": [ctx.files["coherence"]], "COHERENCE_NDVI": ctx.files["s2_ndvi"],
            "COHERENCE_WINDOW": SAMPLE_WINDOW, "RATE_THRESHOLD": SIGNIFICANT, "BANDWIDTH": GWR_BANDWIDTH,
            "RADIUS": SITE_RADIUS, "OUTPUT_FOLDER": ctx.out}


def study(ctx):
    from .runner import StudyFeedback

    res = ctx.run("study", study_params(ctx), "the whole study", key="study", feedback=StudyFeedback(ctx.console))
    if res.get("SKIPPED"):
        raise StepFailed(f"the study skipped steps on the sample scene, which has every input: {res['SKIPPED']}")
    return {"layouts": int(res["N_LAYOUTS"]), "significant": int(res["N_SIGNIFICANT"])}


# --- 3. what only the checks need ----------------------------------------------------------------
def farmland_gwr(ctx):
    """GWR on every farmland point of both tracks, where the scene plants the relation (land cover 1)."""
    study_gpkg = os.path.join(ctx.out, "study.gpkg")
    classes = ctx.work_path("region_points_landcover")
    ctx.run("samplerasters", {"INPUT": f"{study_gpkg}|layername=region_points",
                              "RASTERS": [ctx.scene_path("landcover.tif")], "METHOD": 0, "FIELD_PREFIX": "",
                              "OUTPUT": classes}, "land cover (nearest)")
    farm = ctx.work_path("farmland_points")
    ctx.run("native:extractbyattribute", {"INPUT": classes, "FIELD": "landcover", "OPERATOR": 0, "VALUE": "1",
                                          "OUTPUT": farm}, "farmland points (land cover 1)")
    out = ctx.work_path("gwr_farmland")
    res = ctx.run("gwr", {"INPUT": farm, "DEPENDENT": "velocity", "EXPLANATORY": ["ndvi_interannual", "sm_interannual"],
                          "BANDWIDTH": GWR_BANDWIDTH, "KERNEL": 0, "OUTPUT": out}, "farmland, 500 m bisquare",
                  key="gwr_farmland")
    ctx.publish(out, "gwr_farmland", "GWR on every farmland point (planted relation)")
    return {"farmland R2": f"{res['R2']:.3f}"}


def networks(ctx):
    out = {}
    for track in _tracks():
        path = ctx.work_path(f"network_{track}")
        res = ctx.run("sbasnetwork", {"INPUT": ctx.scene_path("insar", f"{track}_acquisitions.csv"),
                                      "MAX_TEMPORAL": NETWORK_DAYS, "MAX_PERPENDICULAR": NETWORK_BPERP,
                                      "OUTPUT": path, "OUTPUT_CHART": ctx.demo_path(f"network_{track}.png")},
                      track, key=f"network_{track}")
        ctx.publish(path, f"network_{track.lower()}", f"SBAS pairs {track}")
        out[track] = f"{res['N_PAIRS']} pairs of {res['N_DATES']} dates" + \
            ("" if res["CONNECTED"] else " (DISCONNECTED)")
    return out


def baseline(ctx):
    c = ctx.truth["coherence"]["slope_term"]  # the scene's SAR geometry (sensor inputs)
    path = ctx.work_path("baseline")
    res = ctx.run("baselinecorrelation", {"PAIRS": ctx.scene_path("slc", "pairs.csv"),
                                          "WAVELENGTH": c["wavelength_m"], "SLANT_RANGE": c["slant_range_m"],
                                          "INCIDENCE": c["theta_deg"], "SLOPE": 0.0,
                                          "RANGE_RESOLUTION": c["range_resolution_m"], "OUTPUT": path},
                  "B⊥ of the pair", key="baseline")
    ctx.publish(path, "baseline_decorrelation", "Baseline decorrelation of the SLC pair")
    return {"gamma_baseline": f"{res['GAMMA_BASELINE']:.4f}"}


def all_steps():
    """The demo's steps in order."""
    return [
        Step("scene", 0, "Sample scene (truth.json)", scene, ("samplescene",)),
        Step("inputs", 1, "Demo inputs: Sentinel-2 NDVI, SLC coherence", demo_inputs, ("ndvi", "coherence"),
             ("scene",)),
        Step("study", 2, "insarfusion:study: the whole study", study, ("study",), ("inputs",)),
        Step("farmland", 3, "Checks: GWR on every farmland point", farmland_gwr, ("samplerasters", "gwr"),
             ("study",)),
        Step("network", 4, "Checks: pair network for each track", networks, ("sbasnetwork",), ("scene",)),
        Step("baseline", 5, "Checks: baseline decorrelation", baseline, ("baselinecorrelation",), ("scene",)),
    ]

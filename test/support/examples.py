"""The example registry: for every algorithm the provider registers, valid parameters built from
the hardening data (hdata), the kind of each input (which mutations apply), and where the right
answer to a bad input differs from the catalogue's default (mutations.py).

A new algorithm without an entry here fails test_every_algorithm_has_an_example.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple, Union

import checks as c


@dataclass(frozen=True)
class Ok:
    """The run must succeed; `check(ctx)` then asserts what the output must be."""

    check: Optional[Callable] = None
    why: str = ""


@dataclass(frozen=True)
class Err:
    """The run must be refused with a message matching `words`."""

    words: str
    why: str = ""


Expect = Union[Ok, Err]


@dataclass
class Example:
    alg: str
    params: Callable  # (data, out_dir) -> valid parameters, every output inside out_dir
    kinds: Dict[str, str]  # input parameter -> kind of input (see mutations.py)
    expect: Dict[str, Expect] = field(default_factory=dict)  # "case" or "PARAM:case"
    extra: Dict[str, Tuple[Callable, Expect]] = field(default_factory=dict)  # case -> (edit, expect)
    check: Optional[Callable] = None  # what a valid run must produce
    variant: str = ""
    cancel: Optional[Callable] = None  # (big data, out_dir) -> parameters for the cancel test

    @property
    def id(self) -> str:
        return self.alg + (f"[{self.variant}]" if self.variant else "")


def _g(out, name):
    return str(out / name)


SAME = Ok(c.same_as_valid, "the input only changed form (reprojected, duplicated): same answer")
LOOSE = Ok(c.loose, "the input is resampled onto the other's grid: the run completes, no inf")
NO_INF = Ok(c.no_inf, "inf and NaN are read as no value: no output holds inf")
UNUSED = Ok(c.same_as_valid, "the algorithm does not read what was spoiled: same answer")

# The right answer when a case's default (mutations.py) is a success and the registry says nothing.
DEFAULT_OK = {"geographic_crs": SAME, "other_crs": SAME, "duplicate_date": SAME, "nan_inf": NO_INF,
              "one_feature": Ok(c.outputs_exist)}

EXAMPLES: Dict[str, List[Example]] = {}


def register(*examples: Example) -> None:
    for e in examples:
        EXAMPLES.setdefault(e.alg, []).append(e)


def _rows(output, fields, rows=(0, 1, 2)):
    return Ok(c.same_rows(output, {f: list(rows) for f in fields}), "the rows holding inf/NaN get no value")


# --- InSAR points ------------------------------------------------------------------------------
_LOS = {"nan_inf": _rows("OUTPUT", ["velocity", "velocity_std", "D20190117"]),
        "one_feature": Ok(c.n_features("OUTPUT", 1)),
        "INPUT:no_overlap": UNUSED}
register(
    Example("lostovertical", lambda d, o: {"INPUT": d.pts, "OUTPUT": _g(o, "up.gpkg")},
            {"INPUT": "points"}, expect=_LOS, check=c.lostovertical_valid),
    Example("lostovertical", lambda d, o: {"INPUT": d.pts, "INCIDENCE_RASTER": d.incidence,
                                           "OUTPUT": _g(o, "up.gpkg")},
            {"INPUT": "points", "INCIDENCE_RASTER": "raster"}, variant="incidence raster",
            expect=dict(_LOS, **{"INPUT:no_overlap": Err(r"incidence raster has no value"),
                                 "INPUT:all_null": Ok(c.n_features("OUTPUT", 315),
                                                      "NULL values stay NULL; the angles come "
                                                      "from the raster"),
                                 "INPUT:nan_inf": _rows("OUTPUT", ["velocity", "D20190117"]),
                                 "INCIDENCE_RASTER:nan_inf": NO_INF})),
    Example("importpoints", lambda d, o: {"INPUT": d.egms, "CRS": "EPSG:32647",
                                          "OUTPUT": _g(o, "pts.gpkg")},
            {"INPUT": "egms"}, variant="EGMS",
            expect={"one_feature": Ok(c.n_features("OUTPUT", 1)),
                    "nan_inf": Ok(c.same_rows("OUTPUT", {"velocity": [0, 1], "D20190105": [2]}),
                                  "inf and NaN become NULL"),
                    "corrupt_file": Err(r"truncated|cannot read")}),
    Example("importpoints", lambda d, o: {"INPUT": d.mintpy_ts, "OUTPUT": _g(o, "pts.gpkg")},
            {"INPUT": "mintpy"}, variant="MintPy"),
    Example("decompose", lambda d, o: {"TRACKS": [d.ref, d.sec], "HEADINGS": "-10.5, 190.2",
                                       "SERIES": True, "OUTPUT_UP": _g(o, "up.gpkg"),
                                       "OUTPUT_EAST": _g(o, "east.gpkg")},
            {"TRACKS": "tracks"},
            expect={"geographic_crs": Err(r"not in metres.*EPSG:32647"),
                    "other_crs": Ok(c.decompose_regridded, "the cells are laid in the first track's CRS")}),
    Example("sbasnetwork", lambda d, o: {"INPUT": d.acq, "OUTPUT": _g(o, "pairs.gpkg"),
                                         "OUTPUT_CHART": _g(o, "network.png")},
            {"INPUT": "table"},
            expect={"one_feature": Err(r"at least two acquisitions"),
                    "nan_inf": Err(r"row 1 .*no perpendicular baseline")}),
    Example("screen", lambda d, o: {"INPUT": d.pts, "THRESHOLD": 5.0, "DEM": d.dem, "DEM_MAX": 5000.0,
                                    "NDVI": d.ndvi_month("201907"), "NDVI_MIN": -0.5,
                                    "STUDY_AREA": d.regions, "OUTPUT": _g(o, "kept.gpkg")},
            {"INPUT": "points", "DEM": "raster", "NDVI": "raster", "STUDY_AREA": "polygons"},
            expect={"INPUT:one_feature": Ok(c.result_equals("N_INPUT", 1)),
                    "INPUT:nan_inf": Ok(c.kept_without_first("OUTPUT", 3),
                                        "points whose velocity is inf/NaN have none: removed"),
                    "INPUT:no_overlap": Err(r"no point lies inside the study area"),
                    "STUDY_AREA:one_feature": Ok(c.result_at_most_valid("N_KEPT")),
                    "STUDY_AREA:all_null": UNUSED,
                    "DEM:nan_inf": NO_INF, "NDVI:nan_inf": NO_INF}),
    Example("seasonalfit", lambda d, o: {"INPUT": d.pts, "OUTPUT": _g(o, "fit.gpkg")},
            {"INPUT": "points"},
            expect={"nan_inf": Ok(c.no_inf, "inf/NaN dates are left out of each point's fit"),
                    "one_feature": Ok(c.n_features("OUTPUT", 1)), "no_overlap": UNUSED}),
    Example("splicetracks", lambda d, o: {"REFERENCE": d.ref, "SECONDARY": d.sec,
                                          "OUTPUT": _g(o, "merged.gpkg"),
                                          "OUTPUT_PAIRS": _g(o, "pairs.gpkg"),
                                          "OUTPUT_CHART": _g(o, "overlap.png")},
            {"REFERENCE": "points", "SECONDARY": "points"},
            expect={"one_feature": Err(r"at least 10 are needed"),
                    "all_null": Err(r"velocity is NULL at every point"),
                    "REFERENCE:geographic_crs": Err(r"not in metres.*projected CRS.*EPSG:32647"),
                    "SECONDARY:geographic_crs": Ok(c.same_as_valid_loosely,
                                                   "the secondary is reprojected onto the reference"),
                    "SECONDARY:other_crs": Ok(c.same_as_valid_loosely,
                                              "the secondary is reprojected onto the reference"),
                    "REFERENCE:other_crs": Ok(c.same_results(["OFFSET", "N_PAIRS", "RMSE", "N_MERGED"]),
                                              "the same pairs, matched in the reference's CRS")}),
)

# --- optical -------------------------------------------------------------------------------------
_DATED_OK = {"duplicate_date": SAME, "nan_inf": NO_INF}
register(
    Example("composite", lambda d, o: {"INPUTS": [d.ndvi_month(m) for m in ("201906", "201907", "201908")],
                                       "START": "2019-06-01", "END": "2019-08-31", "METHOD": 0,
                                       "OUTPUT": _g(o, "mvc.tif")},
            {"INPUTS": "dated", "START": "date"},
            expect=dict(_DATED_OK, all_nodata=Ok(c.no_inf, "the MVC of the others"))),
    Example("ndvi", lambda d, o: {"RED": d.red, "NIR": d.nir, "SCALE": 0.0001, "OUTPUT": _g(o, "ndvi.tif")},
            {"RED": "raster", "NIR": "raster"},
            expect={"geographic_crs": Err(r"warp"), "other_crs": Err(r"warp"),
                    "all_nodata": Ok(c.all_nodata("OUTPUT"), "nodata in, nodata out")}),
    Example("changesummary", lambda d, o: {"REGIONS": d.regions,
                                           "RASTERS": [d.ndvi_month("201907"), d.ndvi_month("202007")],
                                           "OUTPUT": _g(o, "summary.gpkg"),
                                           "OUTPUT_HTML": _g(o, "summary.html")},
            {"REGIONS": "polygons", "RASTERS": "rasters"},
            expect={"REGIONS:no_overlap": Err(r"no region overlaps"),
                    "REGIONS:all_null": Ok(c.regions_named_by_feature),
                    "REGIONS:one_feature": Ok(c.n_features("OUTPUT", 4)),
                    "REGIONS:geographic_crs": Ok(c.same_counts, "regions are reprojected per raster"),
                    "REGIONS:other_crs": Ok(c.same_counts, "regions are reprojected per raster"),
                    "RASTERS:geographic_crs": LOOSE, "RASTERS:other_crs": LOOSE,
                    "RASTERS:no_overlap": Err(r"no region overlaps"),
                    "RASTERS:all_nodata": Err(r"no valid pixel")}),
    Example("seasonalchange", lambda d, o: {"INPUTS": [d.ndvi_month(m) for m in
                                                       ("201901", "201907", "202001", "202007")],
                                            "OUTPUT_INTERANNUAL": _g(o, "inter.tif"),
                                            "OUTPUT_SEASONAL": _g(o, "seasonal.tif")},
            {"INPUTS": "dated"},
            expect=dict(_DATED_OK, all_nodata=Ok(c.same_as_valid, "the first raster (January 2019) "
                                                 "gives only the grid"),
                        truncated_file=Ok(c.same_as_valid, "only the first raster's header (grid) "
                                          "is read; its pixels are not used"))),
    Example("paircomposites", lambda d, o: {"INPUTS": d.s2ndvi(), "PAIRS": d.pairs, "TARGET": d.coh,
                                            "OUTPUT_FOLDER": _g(o, "mvc")},
            {"INPUTS": "dated", "PAIRS": "table", "TARGET": "raster"},
            expect=dict(_DATED_OK, **{
                "INPUTS:all_nodata": Ok(c.no_inf, "the first raster adds nothing to the MVC"),
                "INPUTS:geographic_crs": LOOSE, "INPUTS:other_crs": LOOSE,
                "PAIRS:one_feature": Ok(c.files_in("OUTPUT_FOLDER", 1)),
                "PAIRS:nan_inf": UNUSED, "PAIRS:text_number": UNUSED,
                "PAIRS:duplicate_date": Ok(c.files_in("OUTPUT_FOLDER", 3),
                                           "a repeated pair is composited again"),
                "TARGET:truncated_file": UNUSED, "TARGET:nan_inf": UNUSED, "TARGET:all_nodata": UNUSED,
                "TARGET:geographic_crs": LOOSE, "TARGET:other_crs": LOOSE})),
)

# --- coherence ---------------------------------------------------------------------------------
_FLAGS = Ok(c.same_fields("OUTPUT", ["reliable", "pred_coh", "ndvi"]),
            "the flags use only the point locations; other fields pass through as they are")
_SAMPLED = Ok(c.mostly_same("OUTPUT", ["pred_coh", "ndvi", "reliable"]),
              "the points are reprojected onto the rasters")
_SAMPLES = Ok(c.same_fields("OUTPUT", ["ndvi_201907", "sm_201907"]),
              "only the locations are sampled; the fields pass through as they are")
_SAMPLED_FIELD = Ok(c.mostly_same("OUTPUT", ["ndvi_201907"]), "the points are reprojected onto the raster")
_WINDOWS = Err(r"none of the \d+ windows")
register(
    Example("coherence", lambda d, o: {"REFERENCE": d.slc_ref, "SECONDARY": d.slc_sec, "WINDOW_X": 5,
                                       "WINDOW_Y": 5, "OUTPUT": _g(o, "coh.tif")},
            {"REFERENCE": "slc", "SECONDARY": "slc"},
            expect={"geographic_crs": Err(r"different grids"), "other_crs": Err(r"different grids"),
                    "no_overlap": Err(r"different grids"), "shifted_grid": Err(r"different grids"),
                    "all_nodata": Ok(c.all_nodata("OUTPUT"), "nodata in, nodata out")},
            extra={"window_larger_than_raster": (lambda p, d, o: dict(p, WINDOW_X=500),
                                                 Err(r"window .* is larger than the raster"))}),
    Example("coherencemodel", lambda d, o: {"NDVI": d.ndvi_mvc, "COHERENCE": d.coh, "WINDOW": 3,
                                            "OUTPUT_MODELS": _g(o, "models.gpkg"),
                                            "OUTPUT_SAMPLES": _g(o, "samples.gpkg"),
                                            "OUTPUT_HTML": _g(o, "models.html")},
            {"NDVI": "regressor", "COHERENCE": "raster"},
            expect={"all_nodata": _WINDOWS, "zero_variance": Err(r"some variation"),
                    "geographic_crs": LOOSE, "other_crs": LOOSE},
            extra={"window_larger_than_raster": (lambda p, d, o: dict(p, WINDOW=500),
                                                 Err(r"window .* is larger than the coherence raster"))}),
    Example("predictcoherence", lambda d, o: {"NDVI": d.ndvi25, "MODELS_TABLE": d.models,
                                              "TRUE_COHERENCE": d.coh, "OUTPUT": _g(o, "pred.tif"),
                                              "OUTPUT_ERROR": _g(o, "err.tif"),
                                              "OUTPUT_USABLE": _g(o, "usable.tif"),
                                              "OUTPUT_HISTOGRAM": _g(o, "hist.png")},
            {"NDVI": "raster", "MODELS_TABLE": "numbers", "TRUE_COHERENCE": "raster"},
            expect={"NDVI:all_nodata": Err(r"no pixel has both an NDVI and a prediction"),
                    "MODELS_TABLE:all_null": Err(r"no rows with a 'model' field"),
                    "MODELS_TABLE:nan_inf": Err(r"needs finite parameters"),
                    "MODELS_TABLE:text_number": Err(r"needs finite parameters"),
                    "MODELS_TABLE:one_feature": UNUSED,
                    "TRUE_COHERENCE:all_nodata": Ok(c.all_nodata("OUTPUT_ERROR"),
                                                    "no true coherence, no error"),
                    "geographic_crs": LOOSE, "other_crs": LOOSE}),
    Example("baselinecorrelation", lambda d, o: {"PAIRS": d.pairs, "OUTPUT": _g(o, "gamma.gpkg")},
            {"PAIRS": "table"},
            expect={"all_null": Err(r"'bperp' of the PAIRS table has no value"),
                    "bad_date": UNUSED, "duplicate_date": Ok(c.n_features("OUTPUT", 4)),
                    "one_feature": Ok(c.n_features("OUTPUT", 1))}),
    Example("masklowcoherence", lambda d, o: {"INPUT": d.pts, "PREDICTED": d.coh, "NDVI": d.ndvi25,
                                              "OUTPUT": _g(o, "flagged.gpkg")},
            {"INPUT": "points", "PREDICTED": "raster", "NDVI": "raster"},
            expect={"INPUT:all_null": _FLAGS, "INPUT:text_number": _FLAGS, "INPUT:bad_date": _FLAGS,
                    "INPUT:duplicate_date": _FLAGS, "INPUT:nan_inf": _FLAGS,
                    "INPUT:one_feature": Ok(c.n_features("OUTPUT", 1)),
                    "INPUT:no_overlap": Err(r"PREDICTED raster has no value"),
                    "INPUT:geographic_crs": _SAMPLED, "INPUT:other_crs": _SAMPLED,
                    "PREDICTED:nan_inf": NO_INF, "NDVI:nan_inf": NO_INF,
                    "PREDICTED:geographic_crs": LOOSE, "PREDICTED:other_crs": LOOSE,
                    "NDVI:geographic_crs": LOOSE, "NDVI:other_crs": LOOSE}),
)

# --- regression --------------------------------------------------------------------------------
register(
    Example("samplerasters", lambda d, o: {"INPUT": d.pts, "RASTERS": [d.ndvi_month("201907"),
                                                                     d.stack("soil_moisture")[6]],
                                           "OUTPUT": _g(o, "sampled.gpkg")},
            {"INPUT": "points", "RASTERS": "rasters"},
            expect={"INPUT:all_null": _SAMPLES, "INPUT:text_number": _SAMPLES, "INPUT:bad_date": _SAMPLES,
                    "INPUT:duplicate_date": _SAMPLES, "INPUT:nan_inf": _SAMPLES,
                    "INPUT:one_feature": Ok(c.n_features("OUTPUT", 1)),
                    "INPUT:no_overlap": Err(r"raster 'ndvi_201907' has no value at any"),
                    "RASTERS:all_nodata": Err(r"has no value at any of the \d+ points"),
                    "RASTERS:no_overlap": Err(r"has no value at any of the \d+ points"),
                    "INPUT:geographic_crs": _SAMPLED_FIELD, "INPUT:other_crs": _SAMPLED_FIELD,
                    "RASTERS:geographic_crs": LOOSE, "RASTERS:other_crs": LOOSE}),
    Example("gwr", lambda d, o: {"INPUT": d.gwr, "DEPENDENT": "velocity", "EXPLANATORY": ["dndvi", "dsm"],
                                 "BANDWIDTH": 1500.0, "OUTPUT": _g(o, "gwr.gpkg")},
            {"INPUT": "regression"},
            expect={"one_feature": Err(r"only 1 points have a value in every field"),
                    "all_null": Err(r"only 0 points have a value in every field.*NULL"),
                    "zero_variance": Err(r"'dndvi' has the same value .* no variance"),
                    "geographic_crs": Err(r"not in metres.*EPSG:32647"),
                    "other_crs": Ok(c.loose, "distances in the next zone differ by its scale factor"),
                    "no_overlap": Ok(c.same_as_valid, "GWR does not change when every point moves "
                                                      "by the same distance")},
            extra={"bandwidth_smaller_than_the_point_spacing": (
                lambda p, d, o: dict(p, BANDWIDTH=10.0),
                Err(r"only 0 of \d+ points have enough neighbours.*increase the bandwidth"))}),
    Example("regression", lambda d, o: {"INPUT": d.gwr, "DEPENDENT": "velocity",
                                        "EXPLANATORY": ["dndvi", "dsm"], "GROUP_FIELD": "region",
                                        "OUTPUT_TABLE": _g(o, "ols.gpkg"),
                                        "OUTPUT_HTML": _g(o, "ols.html")},
            {"INPUT": "regression"},
            expect={"all_null": Err(r"group field holds only NULL"),
                    "zero_variance": Ok(c.constant_regressor_has_no_fit,
                                        "documented: a constant variable gets NULL statistics and "
                                        "the log names it"),
                    "one_feature": Ok(c.outputs_exist, "documented: fewer than 3 points give NULL "
                                                       "statistics, named in the log"),
                    "no_overlap": Ok(c.same_as_valid, "moving every point changes no regression")}),
)

# --- time series and sample data ------------------------------------------------------------------
register(
    Example("sitetimeseries", lambda d, o: {"SITES": d.sites, "SITE_FIELD": "name", "INSAR": d.pts,
                                            "RADIUS": 600.0, "NDVI_STACK": d.stack("ndvi"),
                                            "OUTPUT_TABLE": _g(o, "series.gpkg"),
                                            "OUTPUT_CORRELATION": _g(o, "correlation.gpkg"),
                                            "OUTPUT_LAGS": _g(o, "lags.gpkg"),
                                            "OUTPUT_HTML": _g(o, "sites.html")},
            {"SITES": "sites", "INSAR": "points", "NDVI_STACK": "dated"},
            expect={"SITES:all_null": Ok(c.n_sites(2), "sites without a name are named by their id"),
                    "SITES:empty_layer": Err(r"SITES has no point"),
                    "SITES:one_feature": Ok(c.n_sites(1)),
                    "SITES:no_overlap": Err(r"no site has an InSAR point within"),
                    "INSAR:empty_layer": Err(r"INSAR layer has no features"),
                    "INSAR:one_feature": Err(r"no site has an InSAR point within"),
                    "INSAR:all_null": Err(r"no InSAR point with a value"),
                    "INSAR:no_overlap": Err(r"no site has an InSAR point within"),
                    "INSAR:geographic_crs": Err(r"not in metres.*EPSG:32647"),
                    "INSAR:text_number": Ok(c.n_sites(2), "text that reads as a number is used, "
                                                          "other text is no value (lenient by design)"),
                    "INSAR:nan_inf": Ok(c.n_sites(2)),
                    "all_nodata": Ok(c.n_sites(2), "one month without data"),
                    "no_overlap": Ok(c.n_sites(2), "one month without data"),
                    "geographic_crs": Ok(c.n_sites(2), "stacks may be in any CRS"),
                    "other_crs": Ok(c.n_sites(2), "stacks may be in any CRS")}),
    Example("samplescene", lambda d, o: {"OUTPUT_FOLDER": _g(o, "scene"), "SIZE": 0, "SEED": 7,
                                         "LOAD_LAYERS": False},
            {}),
)

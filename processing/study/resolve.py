"""The study's parameters as a Plan: tracks and stacks as file paths, the other inputs as given."""
import os
from typing import List

from qgis.core import QgsMapLayer

from ...core.dates import MONTH_FIRST, MONTH_MIDDLE
from ...core.errors import InputError
from ...core.inputs import csv_truncation
from ...core.study.inputs import coherence_pairs, expand_stack, slug, track_names
from .plan import Plan, Track

MONTH_DAYS = (MONTH_FIRST, MONTH_MIDDLE)
STACK_PARAMS = (("NDVI", "ndvi"), ("SOIL_MOISTURE", "soil_moisture"), ("PRECIPITATION", "precipitation"))


def _values(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v not in (None, "")]
    return [value]


def file_paths(value, name: str, context, keep_layer: bool = False) -> List[str]:
    """The files behind a multiple-input value: paths, project layers (object, id or name) or folders;
    with keep_layer a '|layername=' part is kept (one layer of a GeoPackage)."""
    out = []
    project = context.project()

    def path_of(source):
        head, _, layer = source.partition("|layername=")
        head = os.path.expanduser(head.split("|")[0])
        return f"{head}|layername={layer.split('|')[0]}" if keep_layer and layer else head
    def layer_path(layer):
        if layer.providerType() == "delimitedtext":  # a file:///…?options URI
            from qgis.PyQt.QtCore import QUrl
            return QUrl(layer.source()).toLocalFile()
        if layer.providerType() not in ("ogr", "gdal"):
            raise InputError(f"{name}: the layer '{layer.name()}' is not read from a file (a "
                             f"{layer.providerType()} layer); save it to a GeoPackage first.")
        return path_of(layer.source())
    for v in _values(value):
        if isinstance(v, QgsMapLayer):
            out.append(layer_path(v))
            continue
        text = str(v)
        if os.path.exists(os.path.expanduser(text.split("|")[0])):
            out.append(path_of(text))
            continue
        layer = project.mapLayer(text) if project is not None else None
        if layer is None and project is not None:
            found = project.mapLayersByName(text)
            layer = found[0] if found else None
        if layer is None:
            raise InputError(f"{name}: '{text}' does not exist (neither a file nor a layer of the project).")
        out.append(layer_path(layer))
    return out


def _given(alg, parameters, name, context):
    """A layer parameter's value as the children take it, or None when it was not given."""
    value = parameters.get(name)
    if value in (None, ""):
        return None
    if alg.parameterAsSource(parameters, name, context) is None:
        raise InputError(f"{name}: the layer could not be loaded (missing or corrupt file?).")
    return value


def resolve(alg, parameters, context, work: str) -> Plan:
    paths = file_paths(parameters.get("TRACKS"), "TRACKS", context, keep_layer=True)
    if not paths:
        raise InputError("Give at least one InSAR track in TRACKS (an EGMS CSV, a PS layer, a MintPy or "
                         "LiCSBAS file, or a dated GeoTIFF stack).")
    for p in paths:
        problem = csv_truncation(p.split("|")[0])
        if problem:
            raise InputError(f"TRACKS: {problem}")
    names = track_names(paths, alg.parameterAsString(parameters, "TRACK_NAMES", context))
    tracks = [Track(n, slug(n), p) for n, p in zip(names, paths)]
    month_day = MONTH_DAYS[alg.parameterAsEnum(parameters, "MONTH_DAY", context)]
    stacks = {}
    for param, label in STACK_PARAMS:
        given = file_paths(parameters.get(param), param, context)
        if given:
            stacks[label] = expand_stack(given, param, month_day)
    plan = Plan(work, tracks, stacks)
    plan.regions = _given(alg, parameters, "REGIONS", context)
    plan.region_field = alg.parameterAsString(parameters, "REGION_FIELD", context) or "name"
    plan.study_area = _given(alg, parameters, "STUDY_AREA", context)
    plan.sites = _given(alg, parameters, "SITES", context)
    plan.site_field = alg.parameterAsString(parameters, "SITE_FIELD", context) if plan.sites is not None else ""
    dem = alg.parameterAsRasterLayer(parameters, "DEM", context)
    if dem is not None:
        plan.dem = parameters["DEM"]
    coherence = file_paths(parameters.get("COHERENCE"), "COHERENCE", context)
    plan.coherence = coherence_pairs(coherence, "COHERENCE")
    extra = file_paths(parameters.get("COHERENCE_NDVI"), "COHERENCE_NDVI", context)
    plan.coherence_ndvi = expand_stack(extra, "COHERENCE_NDVI", month_day) if extra else []
    if plan.coherence and not (plan.coherence_ndvi or stacks.get("ndvi")):
        raise InputError("COHERENCE needs NDVI to fit the NDVI–coherence model: give the NDVI stack, or "
                         "NDVI rasters dated within the pairs as COHERENCE_NDVI.")
    crs = alg.parameterAsCrs(parameters, "CRS", context)
    plan.crs_authid = crs.authid() or crs.toWkt() if crs.isValid() else ""
    csv_crs = alg.parameterAsCrs(parameters, "CSV_CRS", context)
    num = lambda key, integer=False: alg.optional_number(parameters, key, context, integer)  # noqa: E731
    plan.numbers = {
        "csv_crs": csv_crs.authid() or "EPSG:3035" if csv_crs.isValid() else "EPSG:3035",
        "threshold": alg.parameterAsDouble(parameters, "RATE_THRESHOLD", context),
        "bandwidth": alg.parameterAsDouble(parameters, "BANDWIDTH", context),
        "radius": alg.parameterAsDouble(parameters, "RADIUS", context),
        "match_distance": alg.parameterAsDouble(parameters, "MATCH_DISTANCE", context),
        "correction": alg.parameterAsEnum(parameters, "CORRECTION", context),
        "summer_month": alg.parameterAsInt(parameters, "SUMMER_MONTH", context),
        "winter_month": alg.parameterAsInt(parameters, "WINTER_MONTH", context),
        "year_a": num("YEAR_A", True), "year_b": num("YEAR_B", True),
        "dem_min": num("DEM_MIN"), "dem_max": num("DEM_MAX"),
        "ndvi_min": num("NDVI_MIN"), "ndvi_max": num("NDVI_MAX"),
        "month_day": month_day, "month_day_index": MONTH_DAYS.index(month_day),
        "coherence_window": alg.parameterAsInt(parameters, "COHERENCE_WINDOW", context),
        "dem_path": dem.source().split("|")[0] if dem is not None else "",
    }
    if plan.numbers["bandwidth"] <= 0:
        raise InputError("BANDWIDTH must be a distance in metres above 0 (the fixed GWR kernel).")
    return plan

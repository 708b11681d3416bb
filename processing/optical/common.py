"""Helpers shared by the optical algorithms: raster inputs as paths, dates, styled outputs."""
import datetime as dt
import os

from ...core.dates import to_date
from ...core.errors import InputError


def raster_path(layer, name: str) -> str:
    """The file behind a raster layer (GDAL provider), or InputError."""
    if layer is None:
        raise InputError(f"No raster was given as {name}.")
    if not layer.isValid():
        raise InputError(f"The raster given as {name} is not valid (missing or corrupt file?).")
    if layer.providerType() != "gdal":
        raise InputError(f"{name} must be a raster file readable by GDAL (not a "
                         f"'{layer.providerType()}' layer); export it to GeoTIFF first.")
    return layer.source().split("|")[0]


def raster_paths(alg, parameters, name: str, context) -> list:
    """The files behind a multiple-raster parameter, in the order given."""
    layers = alg.parameterAsLayerList(parameters, name, context) or []
    if not layers:
        raise InputError(f"No rasters were given as {name}.")
    return [raster_path(layer, name) for layer in layers]


def date_parameter(alg, parameters, name: str, context) -> dt.date:
    """A date parameter as a date: scripts pass 'YYYY-MM-DD', the dialog passes a QDate/QDateTime."""
    value = parameters.get(name)
    if value is None or value == "":
        raise InputError(f"{name} is required (a date, YYYY-MM-DD).")
    if isinstance(value, (str, dt.date)):
        return to_date(value)
    if hasattr(value, "toPyDateTime"):
        return value.toPyDateTime().date()
    if hasattr(value, "toPyDate"):
        return value.toPyDate()
    qdate = alg.parameterAsDate(parameters, name, context)
    if qdate is None or not qdate.isValid():
        raise InputError(f"{name} is not a valid date; write it as YYYY-MM-DD.")
    return qdate.toPyDate()


def optional_int(parameters, name: str):
    """An optional integer parameter: None when not set."""
    value = parameters.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a whole number, not '{value}'.") from None


def require_tif(path: str, name: str) -> str:
    """Raster outputs are GeoTIFF: refuse another extension rather than write a mislabelled file."""
    if path and os.path.splitext(path)[1].lower() not in (".tif", ".tiff"):
        raise InputError(f"{name} must be a GeoTIFF (.tif); '{os.path.basename(path)}' is not.")
    return path


"""Coordinate reference checks: metres are needed for distances."""
import numpy as np
from osgeo import osr

from .errors import InputError

osr.UseExceptions()


def _srs(wkt: str) -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.SetFromUserInput(wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def same_crs(a: str, b: str) -> bool:
    """True when both CRS are the same, or either is unknown."""
    if not a or not b or a == b:
        return True
    sa, sb = osr.SpatialReference(), osr.SpatialReference()
    sa.SetFromUserInput(a)
    sb.SetFromUserInput(b)
    return bool(sa.IsSame(sb))


def utm_epsg(lon: float, lat: float) -> int:
    """The EPSG code of the WGS 84 UTM zone holding a longitude and latitude."""
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def require_projected(wkt: str, x: np.ndarray, y: np.ndarray, what: str = "The layer") -> None:
    """Raise InputError, naming a suitable UTM zone, unless `wkt` is a projected CRS in metres."""
    if not wkt:
        raise InputError(f"{what} has no coordinate reference system. Assign one (Layer Properties "
                         "> Source) in metres, e.g. the local UTM zone.")
    srs = _srs(wkt)
    if srs.IsProjected() and abs(srs.GetLinearUnits() - 1.0) < 1e-9:
        return
    hint = ""
    finite = np.isfinite(x) & np.isfinite(y)
    if srs.IsGeographic() and finite.any():
        lon, lat = float(np.median(np.asarray(x)[finite])), float(np.median(np.asarray(y)[finite]))
        code = utm_epsg(lon, lat)
        hint = f" For this area use EPSG:{code} (WGS 84 / UTM zone {code % 100}{'N' if code < 32700 else 'S'})."
    name = srs.GetName() or "its CRS"
    raise InputError(f"{what} is in {name}, which is not in metres; distances need a projected CRS. "
                     f"Reproject it first (Vector > Data Management > Reproject Layer).{hint}")


def transform_points(x: np.ndarray, y: np.ndarray, src_wkt: str, dst_wkt: str):
    """Transform coordinate arrays from one CRS to another (identity when either is empty)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if not src_wkt or not dst_wkt:
        return x, y
    src, dst = _srs(src_wkt), _srs(dst_wkt)
    if src.IsSame(dst):
        return x, y
    ct = osr.CoordinateTransformation(src, dst)
    out = np.asarray(ct.TransformPoints(np.column_stack([x, y])), float)
    return out[:, 0], out[:, 1]

"""Read what sitetimeseries needs from QGIS layers: sites, the InSAR points near them, stack files."""
import os
from typing import List, Tuple

import numpy as np
from qgis.core import QgsCoordinateTransform, QgsFeatureRequest, QgsRectangle

from ...core.dates import date_fields
from ...core.errors import InputError
from ...core.progress import checkpoint
from ...core.timeseries.store import CircleSeries, summarise


def read_sites(source, field: str, dest_crs, context) -> List[Tuple[str, float, float]]:
    """(site id, x, y) of every point feature, in `dest_crs`; ids from `field` or the feature id."""
    tr = QgsCoordinateTransform(source.sourceCrs(), dest_crs, context.transformContext()) \
        if source.sourceCrs().isValid() and dest_crs.isValid() else None
    idx = source.fields().indexOf(field) if field else -1
    sites, seen = [], {}
    for feat in source.getFeatures():
        geom = feat.geometry()
        if geom.isNull() or geom.isEmpty():
            continue
        pt = geom.asPoint() if not geom.isMultipart() else geom.centroid().asPoint()
        if tr is not None:
            pt = tr.transform(pt)
        value = feat.attribute(idx) if idx >= 0 else None
        name = str(feat.id()) if value is None or (hasattr(value, "isNull") and value.isNull()) \
            else str(value)
        if name in seen:
            name = f"{name}#{feat.id()}"
        seen[name] = True
        sites.append((name, pt.x(), pt.y()))
    if not sites:
        raise InputError("SITES has no point with a geometry.")
    return sites


def insar_fields(source) -> Tuple[List[str], list]:
    """The date field names and dates of the InSAR layer."""
    names = [f.name() for f in source.fields()]
    dated = date_fields(names)
    if not dated:
        raise InputError("The INSAR layer has no date fields. Date fields are named DYYYYMMDD, "
                         "D_YYYYMMDD or YYYYMMDD, one per acquisition (displacement in mm).")
    return [n for n, _ in dated], [d for _, d in dated]


def circle_series(source, x: float, y: float, radius: float, fields: List[str],
                  dates) -> CircleSeries:
    """Summarise the InSAR points within `radius` of (x, y) (layer CRS), read through its index."""
    all_fields = source.fields()
    idx = [all_fields.indexOf(n) for n in fields]
    request = QgsFeatureRequest().setFilterRect(
        QgsRectangle(x - radius, y - radius, x + radius, y + radius)).setSubsetOfAttributes(idx)
    rows = []
    for k, feat in enumerate(source.getFeatures(request)):
        if k % 2000 == 0:
            checkpoint()  # a wide circle holds tens of thousands of points, read one by one
        geom = feat.geometry()
        if geom.isNull() or geom.isEmpty():
            continue
        pt = geom.asPoint() if not geom.isMultipart() else geom.centroid().asPoint()
        if (pt.x() - x) ** 2 + (pt.y() - y) ** 2 > radius * radius:
            continue
        attrs = feat.attributes()
        rows.append([number(attrs[i]) for i in idx])
    return summarise(dates, np.array(rows, float).reshape(len(rows), len(fields)))


def number(v) -> float:
    """A QGIS attribute value as float (NULL and text as NaN)."""
    if v is None or (hasattr(v, "isNull") and v.isNull()):
        return np.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def stack_paths(layers, name: str) -> List[str]:
    """The files behind the raster layers of a multiple-layer parameter."""
    paths = []
    for layer in layers or []:
        path = layer.source().split("|")[0]
        if not os.path.isfile(path):
            raise InputError(f"{name}: the layer '{layer.name()}' is not a raster file on disk; "
                             "each date of a stack must be a file such as ndvi_201907.tif.")
        paths.append(path)
    return paths

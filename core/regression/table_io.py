"""Writing a table without geometry (GeoPackage, CSV, …) atomically through OGR."""
import os
from typing import Sequence

import numpy as np
from osgeo import ogr

from ..atomic import atomic_output
from ..errors import InputError

_DRIVERS = {".gpkg": "GPKG", ".csv": "CSV", ".xlsx": "XLSX", ".ods": "ODS", ".dbf": "ESRI Shapefile",
            ".sqlite": "SQLite"}


def write_table(path: str, headers: Sequence[str], rows: Sequence[Sequence], layer_name: str = "") -> str:
    """Write rows (str, int, float; None/NaN as NULL) under `headers`; return the path."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in _DRIVERS:
        raise InputError(f"Cannot write a table to '{os.path.basename(path)}': use one of "
                         f"{', '.join(sorted(_DRIVERS))}.")
    kinds = []
    for j, _ in enumerate(headers):
        vals = [r[j] for r in rows if r[j] is not None]
        if vals and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vals):
            kinds.append(ogr.OFTInteger64)
        elif vals and all(isinstance(v, (int, float, np.integer, np.floating)) for v in vals):
            kinds.append(ogr.OFTReal)
        else:
            kinds.append(ogr.OFTString)
    with atomic_output(path) as tmp:
        ds = ogr.GetDriverByName(_DRIVERS[ext]).CreateDataSource(tmp)
        lyr = ds.CreateLayer(layer_name or os.path.splitext(os.path.basename(path))[0], None,
                             ogr.wkbNone)
        for name, kind in zip(headers, kinds):
            lyr.CreateField(ogr.FieldDefn(name, kind))
        defn = lyr.GetLayerDefn()
        lyr.StartTransaction()
        for r in rows:
            f = ogr.Feature(defn)
            for j, v in enumerate(r):
                if v is None or (isinstance(v, (float, np.floating)) and not np.isfinite(v)):
                    f.SetFieldNull(j)
                elif kinds[j] == ogr.OFTString:
                    f.SetField(j, str(v))
                else:
                    f.SetField(j, v.item() if hasattr(v, "item") else v)
            lyr.CreateFeature(f)
        lyr.CommitTransaction()
        ds = None
    return path

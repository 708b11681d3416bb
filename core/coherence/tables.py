"""Tables without geometry (models, baseline pairs) written with OGR, atomically."""
import os
from typing import Dict, List, Optional, Sequence

import numpy as np
from osgeo import ogr

from ..atomic import atomic_output
from ..errors import InputError

ogr.UseExceptions()
_DRIVERS = {".gpkg": "GPKG", ".csv": "CSV", ".xlsx": "XLSX", ".ods": "ODS", ".dbf": "ESRI Shapefile"}


def _kind(values: Sequence) -> int:
    vals = [v for v in values if v is not None and not (isinstance(v, float) and v != v)]
    if all(isinstance(v, (bool, int, np.integer)) for v in vals) and vals:
        return ogr.OFTInteger64
    if all(isinstance(v, (int, float, np.integer, np.floating)) for v in vals):
        return ogr.OFTReal
    return ogr.OFTString


def write_table(path: str, columns: Dict[str, Sequence], layer_name: Optional[str] = None) -> str:
    """Write columns (equal-length sequences; None/NaN -> NULL) as a table; return the path."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in _DRIVERS:
        raise InputError(f"Cannot write the table '{os.path.basename(path)}': use one of "
                         f"{', '.join(sorted(_DRIVERS))} as the extension.")
    layer_name = layer_name or os.path.splitext(os.path.basename(path))[0]
    lists = {k: list(v) for k, v in columns.items()}
    n = len(next(iter(lists.values()))) if lists else 0
    with atomic_output(path) as tmp:
        ds = ogr.GetDriverByName(_DRIVERS[ext]).CreateDataSource(tmp)
        lyr = ds.CreateLayer(layer_name, None, ogr.wkbNone)
        kinds = {}
        for name, vals in lists.items():
            kinds[name] = _kind(vals)
            lyr.CreateField(ogr.FieldDefn(name, kinds[name]))
        lyr.StartTransaction()
        for i in range(n):
            feat = ogr.Feature(lyr.GetLayerDefn())
            for name, vals in lists.items():
                v = vals[i]
                if v is None or (isinstance(v, (float, np.floating)) and v != v):
                    feat.SetFieldNull(name)
                elif kinds[name] == ogr.OFTInteger64:
                    feat.SetField(name, int(v))
                elif kinds[name] == ogr.OFTReal:
                    feat.SetField(name, float(v))
                else:
                    feat.SetField(name, str(v))
            lyr.CreateFeature(feat)
        lyr.CommitTransaction()
        ds = None
    return path


def read_table(path: str) -> List[dict]:
    """Rows of the first layer of a table file as dicts (NULL -> None)."""
    ds = ogr.Open(path.split("|")[0])
    if ds is None:
        raise InputError(f"Cannot read the table '{path}'.")
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    rows = []
    for feat in lyr:
        rows.append({nm: (None if not feat.IsFieldSetAndNotNull(nm) else feat.GetField(nm))
                     for nm in names})
    return rows

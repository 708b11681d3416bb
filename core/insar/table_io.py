"""Write a table without geometry (GeoPackage attribute table, CSV, ...) atomically."""
import os
from typing import Dict, Optional

import numpy as np
from osgeo import ogr

from ..atomic import atomic_output
from ..vector_io import driver_for

ogr.UseExceptions()


def _type(col: np.ndarray):
    if col.dtype.kind in "iub":
        return ogr.OFTInteger64
    if col.dtype.kind == "f":
        return ogr.OFTReal
    return ogr.OFTString


def write_table(path: str, columns: Dict[str, np.ndarray], layer_name: Optional[str] = None) -> str:
    """Write named columns (float NaN and None as NULL) as a geometryless layer; return the path."""
    driver = driver_for(path)
    layer_name = layer_name or os.path.splitext(os.path.basename(path))[0]
    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    with atomic_output(path) as tmp:
        ds = ogr.GetDriverByName(driver).CreateDataSource(tmp)
        lyr = ds.CreateLayer(layer_name, None, ogr.wkbNone)
        for name in names:
            lyr.CreateField(ogr.FieldDefn(name, _type(np.asarray(columns[name]))))
        defn = lyr.GetLayerDefn()
        lyr.StartTransaction()
        for r in range(n):
            f = ogr.Feature(defn)
            for k, name in enumerate(names):
                v = columns[name][r]
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    f.SetFieldNull(k)
                else:
                    f.SetField(k, v.item() if hasattr(v, "item") else v)
            lyr.CreateFeature(f)
        lyr.CommitTransaction()
        ds = None
    return path

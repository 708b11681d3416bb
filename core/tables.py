"""Tables without geometry (GeoPackage attribute tables, CSV, spreadsheets), written atomically."""
import datetime as dt
import os
from typing import Dict, List, Optional, Sequence

import numpy as np
from osgeo import ogr

from .atomic import atomic_output
from .errors import InputError

ogr.UseExceptions()
DRIVERS = {".gpkg": "GPKG", ".csv": "CSV", ".xlsx": "XLSX", ".ods": "ODS", ".dbf": "ESRI Shapefile",
           ".sqlite": "SQLite"}


def _missing(v) -> bool:
    return v is None or (isinstance(v, (float, np.floating)) and not np.isfinite(v))


def field_type(values: Sequence) -> int:
    """OGR type for a column: Integer64, Real, Date or String (NULL, NaN and inf ignored)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iub":
        return ogr.OFTInteger64
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return ogr.OFTReal
    vals = [v for v in values if not _missing(v)]
    if not vals:
        return ogr.OFTReal
    if all(isinstance(v, (bool, int, np.integer, np.bool_)) for v in vals):
        return ogr.OFTInteger64
    if all(isinstance(v, (int, float, np.integer, np.floating)) for v in vals):
        return ogr.OFTReal
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in vals):
        return ogr.OFTDate
    return ogr.OFTString


def write_table(path: str, columns: Dict[str, Sequence], layer_name: Optional[str] = None) -> str:
    """Write equal-length columns as a table; None, NaN and inf become NULL. Returns the path."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in DRIVERS:
        raise InputError(f"Cannot write the table '{os.path.basename(path)}': use one of "
                         f"{', '.join(sorted(DRIVERS))} as the extension.")
    names = list(columns)
    lengths = {len(columns[n]) for n in names}
    if len(lengths) > 1:
        raise ValueError(f"columns of unequal length: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    kinds = [field_type(columns[name]) for name in names]
    with atomic_output(path) as tmp:
        ds = ogr.GetDriverByName(DRIVERS[ext]).CreateDataSource(tmp)
        options = ["STRING_QUOTING=IF_NEEDED"] if ext == ".csv" else []  # numbers stay numbers
        lyr = ds.CreateLayer(layer_name or os.path.splitext(os.path.basename(path))[0], None,
                             ogr.wkbNone, options=options)
        for name, kind in zip(names, kinds):
            lyr.CreateField(ogr.FieldDefn(name, kind))
        defn = lyr.GetLayerDefn()
        cols = [columns[name] for name in names]
        lyr.StartTransaction()
        for i in range(n):
            f = ogr.Feature(defn)
            for j, (col, kind) in enumerate(zip(cols, kinds)):
                v = col[i]
                if _missing(v):
                    f.SetFieldNull(j)
                elif kind == ogr.OFTDate:
                    f.SetField(j, v.year, v.month, v.day, 0, 0, 0, 0)
                elif kind == ogr.OFTInteger64:
                    f.SetField(j, int(v))
                elif kind == ogr.OFTReal:
                    f.SetField(j, float(v))
                else:
                    f.SetField(j, str(v))
            lyr.CreateFeature(f)
        lyr.CommitTransaction()
        ds = None
    return path


def write_rows(path: str, fields: Sequence[str], rows: Sequence[Sequence],
               layer_name: Optional[str] = None) -> str:
    """Write rows (tuples in the order of `fields`) as a table; see write_table."""
    columns = {name: [r[j] for r in rows] for j, name in enumerate(fields)}
    return write_table(path, columns, layer_name)


def read_table(path: str) -> List[dict]:
    """Rows of the first layer of a table file as dicts (NULL -> None)."""
    try:
        ds = ogr.Open(path.split("|")[0])
    except RuntimeError:
        ds = None
    if ds is None:
        raise InputError(f"Cannot read the table '{path}'.")
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return [{nm: (feat.GetField(nm) if feat.IsFieldSetAndNotNull(nm) else None) for nm in names}
            for feat in lyr]

"""Point tables users already have: EGMS CSV and PS-style layers (CODE, VEL, D20190109, ...)."""
import os
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr

from ..dates import date_fields
from ..errors import InputError
from ..inputs import CSV_EXTENSIONS
from ..points import PointTable, find_column, numeric
from ..progress import Progress, checkpoint, ensure
from ..vector_io import CELLS_PER_CHUNK, read_points
from .layout import make_table

gdal.UseExceptions()
ogr.UseExceptions()

WGS84 = "EPSG:4326"
_NULL_TOKENS = [b"", b"NULL", b"null", b"NA", b"N/A", b"NaN", b"nan", b"None"]

#: Candidate column names per layout field, case-insensitive, best first.
_LOS = {"los_east": ("los_east",), "los_north": ("los_north",), "los_up": ("los_up",)}
EGMS = {"pid": ("pid",), "velocity": ("mean_velocity",), "velocity_std": ("mean_velocity_std",),
        "coherence": ("temporal_coherence",), "incidence": ("incidence_angle",),
        "heading": ("track_angle",), **_LOS}
PS = {"pid": ("CODE", "pid"), "velocity": ("VEL", "velocity"),
      "velocity_std": ("V_STDEV", "velocity_std"), "coherence": ("COHERENCE", "coherence"),
      "incidence": ("INCIDENCE", "incidence", "incidence_angle"),
      "heading": ("HEADING", "heading", "track_angle"), **_LOS}
#: DePSI (TU Delft): pnt_* attributes, displacement d_YYYYMMDD in metres, no velocity column.
DEPSI = {"pid": ("pnt_id",), "velocity": (), "velocity_std": (), "coherence": ("pnt_enscoh",),
         "incidence": ("pnt_incidence", "incidence"), "heading": ("heading",), **_LOS}
ANY = {"pid": ("pid", "CODE", "id", "point_id", "pnt_id"),
       "velocity": ("velocity", "mean_velocity", "VEL", "vel", "mean_vel", "rate"),
       "velocity_std": ("velocity_std", "mean_velocity_std", "V_STDEV", "vel_std", "v_std"),
       "coherence": ("coherence", "temporal_coherence", "COHERENCE", "coh", "temp_coh"),
       "incidence": ("incidence", "incidence_angle", "inc_angle", "theta"),
       "heading": ("heading", "track_angle", "HEADING"), **_LOS}
SCHEMES = {"EGMS": EGMS, "PS": PS, "DePSI": DEPSI, "auto": ANY}
#: The factor from the format's displacement unit to mm (DePSI writes metres).
SERIES_TO_MM = {"DePSI": 1000.0}
EASTING = ("easting", "x", "east")
NORTHING = ("northing", "y", "north")
LATITUDE = ("latitude", "lat", "pnt_lat")
LONGITUDE = ("longitude", "lon", "long", "pnt_lon")
_FAMILY = re.compile(r"^[A-Za-z][A-Za-z0-9]*_\d{8}$")  # other per-date families: a_20160327, h2ph_...
_AUTO_NAME = re.compile(r"^(field_\d+|unnamed.*|)$", re.IGNORECASE)  # a CSV's unnamed index column
LAYER_EXTENSIONS = (".gpkg", ".shp", ".geojson", ".json", ".fgb", ".sqlite", ".gml")


def _open_csv(path: str):
    ext = os.path.splitext(path)[1].lower()
    name = path if ext in (".csv", ".tsv") else "CSV:" + path
    try:
        ds = gdal.OpenEx(name, gdal.OF_VECTOR, open_options=["HEADERS=YES"])
    except RuntimeError as e:
        raise InputError(f"Cannot read '{os.path.basename(path)}' as a CSV table: {e}") from None
    if ds is None or ds.GetLayerCount() == 0:
        raise InputError(f"Cannot read '{os.path.basename(path)}' as a CSV table.")
    return ds


def header(path: str) -> List[str]:
    """Column names of a CSV file or attribute names of a vector layer (no data read)."""
    ext = os.path.splitext(path)[1].lower()
    if not path.startswith("/vsi") and not os.path.exists(path):
        raise InputError(f"The file '{path}' does not exist.")
    ds = _open_csv(path) if ext in CSV_EXTENSIONS else gdal.OpenEx(path, gdal.OF_VECTOR)
    if ds is None:
        raise InputError(f"Cannot open '{os.path.basename(path)}' as a table.")
    defn = ds.GetLayer(0).GetLayerDefn()
    return [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]


def _bytes_to_float(arr: np.ndarray, name: str) -> np.ndarray:
    """A column of byte strings as float64 (empty/NULL tokens as NaN); refuses text."""
    checkpoint()
    if arr.dtype.kind != "S":
        arr = np.array([b"" if v is None else (v if isinstance(v, bytes) else str(v).encode())
                        for v in arr.tolist()])
    if arr.size == 0:
        return np.empty(0)
    clean = np.where(np.isin(arr, _NULL_TOKENS), b"nan", arr)
    try:
        return clean.astype(float)
    except ValueError:
        text = np.array([v.decode("utf-8", "replace").strip() for v in arr.tolist()], dtype=object)
        text[np.isin(arr, _NULL_TOKENS)] = None
        return numeric(text, name)


def _estimated_rows(path: str) -> int:
    """Rows of a text table from its size and its first 64 KiB: counting them exactly means
    reading the whole file once more (OGR's GetFeatureCount does)."""
    stat = gdal.VSIStatL(path)
    f = gdal.VSIFOpenL(path, "rb")
    if stat is None or f is None:
        return 1
    try:
        head = gdal.VSIFReadL(1, 1 << 16, f)
    finally:
        gdal.VSIFCloseL(f)
    lines = head.count(b"\n")
    return max(int(stat.size * lines / max(len(head), 1)) - 1, 1) if lines else 1


def _read_csv(path: str, progress: Progress) -> Dict[str, np.ndarray]:
    """Every column of a CSV as a byte-string array, read in bulk through OGR's Arrow stream."""
    ds = _open_csv(path)
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"'{os.path.basename(path)}' has more than one column named "
                         f"{', '.join(repr(n) for n in twice)}; rename or remove the copies.")
    total = _estimated_rows(path)
    parts: Dict[str, list] = {n: [] for n in names}
    done = 0
    rows = max(1000, CELLS_PER_CHUNK // max(len(names), 1))  # a cancel check between batches
    for batch in lyr.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=NO", f"MAX_FEATURES_IN_BATCH={rows}"]):
        for n in names:
            parts[n].append(np.asarray(batch[n]))
        done += len(batch[names[0]]) if names else 0
        progress(min(done / max(total, done, 1), 1.0))
    out = {}
    for n, ps in parts.items():
        ps = [p if p.dtype.kind == "S" else p.astype("S") for p in ps]
        out[n] = (ps[0] if len(ps) == 1 else np.concatenate(ps)) if ps else np.empty(0, "S1")
    return out


def _text(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind == "S":
        out = np.array([v.decode("utf-8", "replace") for v in arr.tolist()], dtype=object)
        out[out == ""] = None
        return out
    return arr


def _pid(col: np.ndarray) -> np.ndarray:
    """Integer ids stay integers; anything else becomes text."""
    if col.dtype.kind in "iu":
        return col.astype(np.int64)
    if col.dtype.kind == "f":
        if np.all(np.isfinite(col)) and np.all(col == np.round(col)):
            return col.astype(np.int64)
        return np.array([None if not np.isfinite(v) else f"{v:g}" for v in col], dtype=object)
    text = _text(col) if col.dtype.kind == "S" else np.asarray(col, dtype=object)
    try:
        return np.array([int(v) for v in text], dtype=np.int64)
    except (TypeError, ValueError, OverflowError):  # beyond 64 bits, ids stay text
        return np.array([None if v is None else str(v) for v in text], dtype=object)


def _pick(names: Sequence[str], scheme: Dict[str, Tuple[str, ...]], fmt: str) -> Dict[str, Optional[str]]:
    picked = {k: find_column(names, cands) for k, cands in scheme.items()}
    if picked["velocity"] is None and scheme["velocity"]:
        wanted = ", ".join(scheme["velocity"])
        raise InputError(f"No velocity column found for the {fmt} format; expected one of: {wanted}. "
                         "Rename the column, or choose the matching FORMAT.")
    return picked


def extra_names(names: Sequence[str], picked: Dict[str, Optional[str]]) -> List[str]:
    """The file's other columns, kept after the layout: not a layout field, coordinate, date or
    per-date family (a_YYYYMMDD, h2ph_YYYYMMDD), nor an unnamed index column."""
    skip = {n.lower() for n in picked.values() if n}
    skip |= {c.lower() for c in EASTING + NORTHING + LATITUDE + LONGITUDE}
    skip |= set(LAYOUT_NAMES)
    dated = {n for n, _ in date_fields(names)}
    return [n for n in names if n.lower() not in skip and n not in dated
            and not _FAMILY.match(n) and not _AUTO_NAME.match(n.strip())]


LAYOUT_NAMES = ("pid", "velocity", "velocity_std", "coherence", "incidence", "los_up", "los_east",
                "los_north", "heading")


def read_table(path: str, fmt: str = "auto", crs: str = "EPSG:3035", nodata: Optional[float] = None,
               progress: Optional[Progress] = None) -> PointTable:
    """An EGMS CSV, a DePSI CSV or a PS-style table/layer as a PointTable in the standard layout.

    CSV coordinates come from easting/northing (in `crs`) or latitude/longitude (EPSG:4326);
    vector layers keep their geometry and CRS. The file's other numeric columns are kept.
    """
    progress = ensure(progress)
    ext = os.path.splitext(path)[1].lower()
    scheme = SCHEMES.get(fmt, ANY)
    if ext in CSV_EXTENSIONS:
        raw = _read_csv(path, progress.sub(0, 0.6))
        names = list(raw)
        ex, no = find_column(names, EASTING), find_column(names, NORTHING)
        la, lo = find_column(names, LATITUDE), find_column(names, LONGITUDE)
        if ex and no:
            x, y, crs_wkt = _bytes_to_float(raw[ex], ex), _bytes_to_float(raw[no], no), crs
        elif la and lo:
            x, y, crs_wkt = _bytes_to_float(raw[lo], lo), _bytes_to_float(raw[la], la), WGS84
        else:
            raise InputError(f"'{os.path.basename(path)}' has no coordinate columns: give "
                             "easting/northing (in the CRS parameter) or latitude/longitude (WGS 84).")
        get_num = lambda n: _bytes_to_float(raw[n], n)  # noqa: E731
        get_raw = lambda n: raw[n]  # noqa: E731
    else:
        table = read_points(path)
        progress(0.6)
        names = list(table.columns)
        x, y, crs_wkt = table.x, table.y, table.crs_wkt
        get_num = lambda n: numeric(table.columns[n], n)  # noqa: E731
        get_raw = lambda n: table.columns[n]  # noqa: E731
    if len(x) == 0:
        raise InputError(f"'{os.path.basename(path)}' holds no points.")
    picked = _pick(names, scheme, fmt)
    dated = date_fields(names)
    if not dated:
        raise InputError(f"'{os.path.basename(path)}' has no date columns. Date columns are named "
                         "YYYYMMDD (EGMS), DYYYYMMDD, D_YYYYMMDD (PS) or d_YYYYMMDD (DePSI), one per "
                         "acquisition.")
    bad_xy = ~(np.isfinite(x) & np.isfinite(y))
    if bad_xy.all():
        raise InputError(f"No point of '{os.path.basename(path)}' has valid coordinates.")

    def clean(v):
        return np.where(v == nodata, np.nan, v) if nodata is not None else v

    def values(key):
        name = picked.get(key)
        return None if name is None else clean(get_num(name))

    scale = SERIES_TO_MM.get(fmt, 1.0)
    series = np.empty((len(x), len(dated)))
    for j, (name, _) in enumerate(dated):
        series[:, j] = clean(get_num(name)) * scale
        if j % 20 == 0:
            progress(0.6 + 0.3 * j / len(dated))
    extras = {}
    for name in extra_names(names, picked):
        try:
            extras[name] = clean(get_num(name))
        except InputError:  # a text column: not a measurement, left out
            continue
    progress(0.95)
    pid = _pid(get_raw(picked["pid"])) if picked["pid"] else None
    geometry = {k: values(k) for k in ("los_east", "los_north", "heading")}
    out = make_table(x, y, crs_wkt, [d for _, d in dated], series, values("velocity"),
                     values("velocity_std"), values("coherence"), values("incidence"),
                     values("los_up"), pid, extras=extras, **geometry)
    progress(1.0)
    return out.subset(~bad_xy) if bad_xy.any() else out

"""The catalogue of bad inputs: per kind of input, how to spoil a valid one, and what to expect.

A mutation takes the valid value of one parameter (a path, or a list of paths) and a folder
for the spoiled copy, and returns the spoiled value. The valid file is never touched.
Each mutation names the words a refusal must contain by default (a regular expression,
matched case-insensitively); the example registry overrides that per algorithm where the
right answer differs (a clean success, or other words).

Kinds of input: points (GeoPackage in the standard layout), polygons, table (CSV with date
and number columns), raster, slc (complex raster), rasters (a list of rasters), dated (a list
of rasters dated by their names), egms (an EGMS CSV file), mintpy (a MintPy HDF5 file),
date (a date given as text), tracks (a list of point layers: the first is spoiled).
"""
import os
from dataclasses import dataclass
from typing import Callable, List, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from spoil_files import (csv_edit, csv_cases, egms_cases, h5_edit, h5_empty, h5_nan_inf, h5_set,
                         h5_text, truncated_csv)

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

MISSING = r"not found|does not exist|no such file"
CORRUPT = r"corrupt|truncated|cannot read|cannot open|could not load|not valid|malformed"
FAR = 1.0e6  # metres: a shift that takes data far away from the rest


@dataclass(frozen=True)
class Mutation:
    case: str
    kinds: Tuple[str, ...]
    make: Callable  # (value, folder) -> spoiled value
    error: str  # by default the run must be refused with words matching this
    what: str


def _out(folder, value, suffix="") -> str:
    stem, ext = os.path.splitext(os.path.basename(value))
    return os.path.join(str(folder), f"{stem}{suffix}{ext}")


# --- any file ---------------------------------------------------------------------------------
def missing(value, folder):
    return _out(folder, value, "_missing")


def _first_block(path):
    """Byte offset of the first image block of a GeoTIFF (its header ends before it)."""
    ds = gdal.Open(path)
    band = ds.GetRasterBand(1)
    bx, by = band.GetBlockSize()
    offsets = [int(band.GetMetadataItem(f"BLOCK_OFFSET_{i}_{j}", "TIFF") or 0)
               for j in range((band.YSize + by - 1) // by) for i in range((band.XSize + bx - 1) // bx)]
    return min(o for o in offsets if o > 0)


def truncated(value, folder):
    """A file cut short, as a download or copy that stopped: a GeoTIFF keeps its header and loses
    its pixels (cut 16 bytes into the first block); any other file keeps its first half."""
    out = _out(folder, value)
    data = open(value, "rb").read()
    cut = _first_block(value) + 16 if value.lower().endswith((".tif", ".tiff")) else len(data) // 2
    with open(out, "wb") as f:
        f.write(data[:cut])
    return out


def garbage(value, folder):
    """Random bytes under the file's name."""
    out = _out(folder, value)
    with open(out, "wb") as f:
        f.write(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return out


# --- point layers in the standard layout ----------------------------------------------------
def _table(value):
    from insar_fusion.core.vector_io import read_points
    return read_points(value)


def _write(table, folder, value, suffix=""):
    from insar_fusion.core.vector_io import write_points
    return write_points(_out(folder, value, suffix), table)


def _points(edit):
    def make(value, folder):
        t = _table(value)
        return _write(edit(t), folder, value)
    return make


def _first_date(t):
    return t.date_columns()[0][0]


def _all_null(t):
    from insar_fusion.core.points import PointTable
    cols = {k: (np.full(len(t), np.nan) if v.dtype.kind in "fiub" and k != "pid"
                else (v if k == "pid" else np.array([None] * len(t), dtype=object)))
            for k, v in t.columns.items()}
    return PointTable(t.x, t.y, cols, t.crs_wkt)


def _nan_inf(t):
    from insar_fusion.core.points import PointTable
    cols = {}
    for k, v in t.columns.items():
        if v.dtype.kind == "f" and k != "pid":
            v = v.copy()
            v[0], v[1], v[2] = np.inf, -np.inf, np.nan
        cols[k] = v
    return PointTable(t.x, t.y, cols, t.crs_wkt)


def _text(t):
    """velocity, dndvi and the first date field (those present) as text, with a word in row 1."""
    from insar_fusion.core.points import PointTable
    cols = dict(t.columns)
    dated = [n for n, _ in t.date_columns()][:1]
    for k in [c for c in ("velocity", "dndvi") if c in cols] + dated:
        v = np.array([f"{x:.3f}" for x in cols[k]], dtype=object)
        v[0] = "n/a-see-notes"
        cols[k] = v
    return PointTable(t.x, t.y, cols, t.crs_wkt)


def _rename_date(t):
    from insar_fusion.core.points import PointTable
    first = _first_date(t)
    cols = {("D20191340" if k == first else k): v for k, v in t.columns.items()}
    return PointTable(t.x, t.y, cols, t.crs_wkt)


def _duplicate_date(t):
    from insar_fusion.core.points import PointTable
    first = _first_date(t)
    cols = dict(t.columns)
    cols["D_" + first.lstrip("D_")] = cols[first].copy()
    return PointTable(t.x, t.y, cols, t.crs_wkt)


def _constant_field(name):
    def edit(t):
        from insar_fusion.core.points import PointTable
        return PointTable(t.x, t.y, dict(t.columns, **{name: np.full(len(t), 0.05)}), t.crs_wkt)
    return edit


def _reprojected(epsg):
    def edit(t):
        from insar_fusion.core.crs import transform_points
        from insar_fusion.core.points import PointTable
        x, y = transform_points(t.x, t.y, t.crs_wkt, f"EPSG:{epsg}")
        return PointTable(x, y, t.columns, f"EPSG:{epsg}")
    return edit


def _shifted(t):
    from insar_fusion.core.points import PointTable
    return PointTable(t.x + FAR, t.y, t.columns, t.crs_wkt)


def _subset(rows):
    return lambda t: t.subset(np.arange(len(t)) < rows)


# --- polygon layers --------------------------------------------------------------------------
def _shift_geometry(g, dx):
    if g.GetGeometryCount():
        for i in range(g.GetGeometryCount()):
            _shift_geometry(g.GetGeometryRef(i), dx)
    else:
        for i in range(g.GetPointCount()):
            x, y = g.GetPoint_2D(i)
            g.SetPoint_2D(i, x + dx, y)


def _polygons(where=None, epsg=None, null=False, shift=0.0):
    def make(value, folder):
        out = _out(folder, value)
        src = ogr.Open(value)
        opts = {"format": "GPKG", "layers": [src.GetLayer(0).GetName()]}
        src = None
        if where is not None:
            opts["where"] = where
        if epsg:
            opts.update(dstSRS=f"EPSG:{epsg}", reproject=True)
        gdal.VectorTranslate(out, value, **opts)
        if null or shift:
            ds = ogr.Open(out, 1)
            lyr = ds.GetLayer(0)
            for f in list(lyr):
                if null:
                    for i in range(f.GetFieldCount()):
                        f.SetFieldNull(i)
                if shift:
                    g = f.GetGeometryRef().Clone()
                    _shift_geometry(g, shift)
                    f.SetGeometry(g)
                lyr.SetFeature(f)
            ds = None
        return out
    return make


# --- rasters ---------------------------------------------------------------------------------
def _raster(edit_array=None, transform=None, warp_to=None, dtype=None):
    def make(value, folder):
        out = _out(folder, value)
        if warp_to:
            gdal.Warp(out, value, dstSRS=f"EPSG:{warp_to}", format="GTiff")
            return out
        src = gdal.Open(value)
        arr = src.ReadAsArray()
        if edit_array is not None:
            arr = edit_array(arr)
        bands = arr[None] if arr.ndim == 2 else arr
        gtype = dtype or (gdal.GDT_CFloat32 if np.iscomplexobj(arr) else
                          gdal.GDT_Float32 if edit_array is not None else src.GetRasterBand(1).DataType)
        ds = gdal.GetDriverByName("GTiff").Create(out, src.RasterXSize, src.RasterYSize,
                                                  bands.shape[0], gtype)
        gt = list(src.GetGeoTransform())
        ds.SetGeoTransform(transform(gt) if transform else gt)
        ds.SetProjection(src.GetProjection())
        for b in range(bands.shape[0]):
            band = ds.GetRasterBand(b + 1)
            nd = src.GetRasterBand(b + 1).GetNoDataValue()
            if gtype in (gdal.GDT_Float32, gdal.GDT_CFloat32) and edit_array is not None:
                nd = np.nan if nd is None or gtype == gdal.GDT_CFloat32 else nd
            if nd is not None and gtype != gdal.GDT_CFloat32:
                band.SetNoDataValue(float(nd))
            band.WriteArray(bands[b])
        ds = None
        return out
    return make


def _nan_inf_pixels(a):
    a = a.astype(np.complex64 if np.iscomplexobj(a) else np.float32)
    flat = a.reshape(-1)
    flat[7], flat[11], flat[13] = np.inf, -np.inf, np.nan
    return a


def _all_nan(a):
    return np.full(a.shape, np.nan, np.complex64 if np.iscomplexobj(a) else np.float32)


def _constant(a):
    return np.full(a.shape, 0.4, np.float32)


def _real_part(a):
    return np.real(a).astype(np.float32)


def _shift_gt(dx):
    return lambda gt: [gt[0] + dx] + gt[1:]


def _one_pixel_off(gt):
    return [gt[0] + gt[1]] + gt[1:]


# --- lists of rasters: spoil the first ------------------------------------------------------
def _first(make):
    def on_list(value, folder):
        return [make(value[0], folder)] + list(value[1:])
    return on_list


def _undated(value, folder):
    out = os.path.join(str(folder), "undated_raster.tif")
    gdal.Translate(out, value[0])
    return [out] + list(value[1:])


def _same_date_twice(value, folder):
    base, ext = os.path.splitext(os.path.basename(value[0]))
    out = os.path.join(str(folder), f"{base}_copy{ext}")
    gdal.Translate(out, value[0])
    return list(value) + [out]


def _bad_date_text(value, folder):
    return "2019-13-45"


RASTER = ("raster", "slc", "regressor")
LISTS = ("rasters", "dated")
POINTS = ("points", "regression", "sites")
VECTORS = POINTS + ("polygons",)


def catalogue() -> List[Mutation]:
    """Every mutation, with the kinds it applies to and the words of its default refusal."""
    m = [
        Mutation("missing_file", VECTORS + RASTER + ("table", "numbers", "egms", "mintpy"), missing, MISSING,
                 "a path that does not exist"),
        Mutation("truncated_file", VECTORS + RASTER + ("mintpy",), truncated, CORRUPT,
                 "the first half of the file"),
        Mutation("corrupt_file", RASTER + ("mintpy", "egms"), garbage, CORRUPT, "random bytes"),
        Mutation("truncated_file", ("table", "numbers", "egms"), truncated_csv, CORRUPT,
                 "a CSV cut inside a row"),
        # point layers
        Mutation("empty_layer", POINTS, _points(_subset(0)), r"no features", "no features"),
        Mutation("one_feature", POINTS, _points(_subset(1)), "", "one feature"),
        Mutation("all_null", POINTS, _points(_all_null), r"null|no value", "every field NULL"),
        Mutation("nan_inf", ("points", "regression"), _points(_nan_inf), "",
                 "inf, -inf and NaN in every number field"),
        Mutation("text_number", ("points", "regression"), _points(_text), r"must be numeric",
                 "velocity and a date field as text, with a word"),
        Mutation("bad_date", ("points",), _points(_rename_date), r"not a valid YYYYMMDD date",
                 "a date field named D20191340"),
        Mutation("duplicate_date", ("points",), _points(_duplicate_date), r"same date",
                 "two fields for one date"),
        Mutation("zero_variance", ("regression",), _points(_constant_field("dndvi")),
                 r"constant|variance|variation", "dndvi the same at every point"),
        Mutation("geographic_crs", POINTS, _points(_reprojected(4326)), "",
                 "reprojected to WGS 84 (degrees)"),
        Mutation("other_crs", POINTS, _points(_reprojected(32648)), "",
                 "reprojected to the next UTM zone"),
        Mutation("no_overlap", POINTS, _points(_shifted), r"overlap|cover",
                 "moved 1000 km east"),
        # polygons
        Mutation("empty_layer", ("polygons",), _polygons(where="0=1"), r"no features|no polygon",
                 "no features"),
        Mutation("one_feature", ("polygons",), _polygons(where="fid=1"), "", "one feature"),
        Mutation("all_null", ("polygons",), _polygons(null=True), r"null|no value", "NULL fields"),
        Mutation("geographic_crs", ("polygons",), _polygons(epsg=4326), "", "in WGS 84"),
        Mutation("other_crs", ("polygons",), _polygons(epsg=32648), "", "in the next UTM zone"),
        Mutation("no_overlap", ("polygons",), _polygons(shift=FAR), r"overlap|cover|outside",
                 "moved 1000 km east"),
        # rasters
        Mutation("nan_inf", RASTER, _raster(_nan_inf_pixels), "", "inf, -inf and NaN pixels"),
        Mutation("all_nodata", RASTER, _raster(_all_nan), r"no valid|no data|nodata|no value",
                 "every pixel NaN"),
        Mutation("geographic_crs", RASTER, _raster(warp_to=4326), "", "warped to WGS 84"),
        Mutation("other_crs", RASTER, _raster(warp_to=32648), "", "warped to the next UTM zone"),
        Mutation("no_overlap", RASTER, _raster(transform=_shift_gt(FAR)), r"overlap|cover",
                 "moved 1000 km east"),
        Mutation("shifted_grid", ("slc",), _raster(transform=_one_pixel_off), r"same grid",
                 "moved by one pixel"),
        Mutation("real_not_complex", ("slc",), _raster(_real_part), r"complex", "a real raster"),
        Mutation("zero_variance", ("regressor",), _raster(_constant), r"variation|variance|constant",
                 "every pixel 0.4"),
    ]
    for case, mk, err in (("missing_file", missing, MISSING), ("truncated_file", truncated, CORRUPT),
                          ("corrupt_file", garbage, CORRUPT)):
        m.append(Mutation(case, LISTS, _first(mk), err, "the first raster: " + case))
    for case, edit, err in (("nan_inf", _raster(_nan_inf_pixels), ""),
                            ("all_nodata", _raster(_all_nan), r"no valid|no data|nodata|no value"),
                            ("geographic_crs", _raster(warp_to=4326), r"CRS|target"),
                            ("other_crs", _raster(warp_to=32648), r"CRS|target"),
                            ("no_overlap", _raster(transform=_shift_gt(FAR)), r"overlap|cover")):
        m.append(Mutation(case, LISTS, _first(edit), err, "the first raster: " + case))
    m += [Mutation("undated_name", ("dated",), _undated, r"no date", "a raster without a date"),
          Mutation("duplicate_date", ("dated",), _same_date_twice, r"same date", "one date twice"),
          Mutation("bad_date", ("date",), _bad_date_text, r"not a date|valid date", "2019-13-45")]
    for case, edit in csv_cases().items():
        kinds = ("table",) if "date" in case else ("table", "numbers")
        m.append(Mutation(case, kinds, csv_edit(edit), _TABLE_WORDS[case], "table: " + case))
    for case, edit in egms_cases().items():
        m.append(Mutation(case, ("egms",), csv_edit(edit), _EGMS_WORDS[case], "EGMS CSV: " + case))
    for case, edit, err in (
            ("nan_inf", h5_nan_inf, ""),
            ("all_null", h5_set("timeseries", lambda a: np.full(a.shape, np.nan, np.float32)),
             r"no valid pixel"),
            ("bad_date", h5_set("date", lambda a: np.array([b"20191340"] + list(a[1:]))),
             r"not a valid YYYYMMDD date"),
            ("duplicate_date", h5_set("date", lambda a: np.array([a[0]] + list(a[:-1]))), r"repeats"),
            ("text_number", h5_text, r"numeric|number|text"),
            ("empty_layer", h5_empty, r"no date|no valid|empty|no acquisition")):
        m.append(Mutation(case, ("mintpy",), h5_edit(edit), err, "MintPy: " + case))
    # lists of point layers (LOS tracks): the first one spoiled as a points layer would be
    m += [Mutation(x.case, ("tracks",), _first(x.make), x.error, "the first track: " + x.what)
          for x in list(m) if "points" in x.kinds]
    return m


_TABLE_WORDS = {"empty_layer": r"no rows|no features|empty|no acquisition", "one_feature": "",
                "all_null": r"null|no date|empty|not a date|missing", "nan_inf": "",
                "text_number": r"numeric|not a number", "bad_date": r"not a date|valid date",
                "duplicate_date": r"same date|twice|repeat|duplicate"}
_EGMS_WORDS = {"empty_layer": r"no points|holds no", "one_feature": "",
               "all_null": r"no valid coordinates|no point", "nan_inf": "",
               "text_number": r"must be numeric", "bad_date": r"not a valid YYYYMMDD date",
               "duplicate_date": r"same date"}

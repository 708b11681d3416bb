"""Writing the scene's files: rasters, the regions GeoPackage, acquisition tables, truth.json."""
import json
import os
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr

from ..atomic import atomic_output
from ..crs import _srs
from ..raster import Grid, create, row_windows, write_array
from .geometry import LANDCOVER, LANDCOVER_COLOURS

gdal.UseExceptions()
ogr.UseExceptions()


def write_float(path: str, grid: Grid, array: np.ndarray, description: str = "") -> str:
    """A float32 GeoTIFF with NaN as nodata."""
    return write_array(path, grid, np.asarray(array, np.float32), nodata=np.nan,
                       descriptions=[description] if description else None)


def write_blocks(path: str, grid: Grid, func, dtype=gdal.GDT_Float32, nodata: Optional[float] = np.nan,
                 rows: int = 256, description: str = "", colours: Optional[Dict[int, tuple]] = None,
                 categories: Optional[Dict[int, str]] = None, progress=None) -> str:
    """Write func(window) -> array strip by strip, so big rasters never sit in memory whole."""
    with create(path, grid, 1, dtype, nodata, descriptions=[description] if description else None) as ds:
        band = ds.GetRasterBand(1)
        if colours:
            ct = gdal.ColorTable()
            for k, rgb in colours.items():
                ct.SetColorEntry(int(k), tuple(rgb) + (255,))
            band.SetRasterColorTable(ct)
            band.SetRasterColorInterpretation(gdal.GCI_PaletteIndex)
        if categories:
            names = [""] * (max(categories) + 1)
            for k, v in categories.items():
                names[k] = v
            band.SetCategoryNames(names)
        wins = list(row_windows(grid.width, grid.height, rows))
        for i, win in enumerate(wins):
            if progress is not None:
                progress(i / len(wins))
            band.WriteArray(func(win), win[0], win[1])
        del band, ds  # let create() close the file before it moves it (category names go to .aux.xml)
    return path


def write_complex(path: str, grid: Grid, array: np.ndarray, description: str = "") -> str:
    """A CFloat32 GeoTIFF (no nodata)."""
    return write_array(path, grid, np.asarray(array, np.complex64), nodata=None, dtype=gdal.GDT_CFloat32,
                       descriptions=[description] if description else None)


def write_uint16(path: str, grid: Grid, array: np.ndarray, description: str = "") -> str:
    """A uint16 GeoTIFF with 0 as nodata."""
    return write_array(path, grid, np.asarray(array, np.uint16), nodata=0, dtype=gdal.GDT_UInt16,
                       descriptions=[description] if description else None)


def landcover_options() -> dict:
    return {"colours": LANDCOVER_COLOURS, "categories": LANDCOVER}


def _polygon(ring: np.ndarray) -> ogr.Geometry:
    r = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ring:
        r.AddPoint_2D(float(x), float(y))
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(r)
    return poly


def box_ring(extent: Sequence[float]) -> np.ndarray:
    xmin, ymin, xmax, ymax = extent
    return np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax], [xmin, ymin]])


def write_gpkg(path: str, crs: str, layers: Dict[str, List[Tuple[Dict[str, object], np.ndarray]]]) -> str:
    """A GeoPackage with polygon layers: {layer: [(attributes, ring), ...]} (first layer first)."""
    with atomic_output(path) as tmp:
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(tmp)
        for lname, feats in layers.items():
            lyr = ds.CreateLayer(lname, _srs(crs), ogr.wkbPolygon)
            keys = list(feats[0][0].keys())
            for k in keys:
                v = feats[0][0][k]
                lyr.CreateField(ogr.FieldDefn(k, ogr.OFTReal if isinstance(v, float) else ogr.OFTString))
            lyr.StartTransaction()
            for attrs, ring in feats:
                f = ogr.Feature(lyr.GetLayerDefn())
                for k in keys:
                    f.SetField(k, attrs[k])
                f.SetGeometry(_polygon(ring))
                lyr.CreateFeature(f)
            lyr.CommitTransaction()
        ds = None
    return path


def rasterize_mask(ring: np.ndarray, grid: Grid) -> np.ndarray:
    """Pixels whose centre lies inside the polygon (GDAL's default rasterize rule)."""
    mem = gdal.GetDriverByName("MEM").Create("", grid.width, grid.height, 1, gdal.GDT_Byte)
    mem.SetGeoTransform(grid.transform)
    srs = _srs(grid.crs_wkt or "EPSG:32647")
    mem.SetSpatialRef(srs)
    vds = ogr.GetDriverByName("Memory").CreateDataSource("")
    lyr = vds.CreateLayer("p", srs, ogr.wkbPolygon)
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(_polygon(ring))
    lyr.CreateFeature(f)
    gdal.RasterizeLayer(mem, [1], lyr, burn_values=[1])
    return mem.ReadAsArray().astype(bool)


def write_acquisitions(path: str, dates, bperp: Iterable[float]) -> str:
    """date,bperp (YYYY-MM-DD, m)."""
    with atomic_output(path) as tmp, open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write("date,bperp\n")
        for d, b in zip(dates, bperp):
            f.write(f"{d.isoformat()},{b:.2f}\n")
    return path


def write_pairs(path: str, reference, secondary, bperp: float) -> str:
    """reference,secondary,bperp (YYYY-MM-DD, m)."""
    with atomic_output(path) as tmp, open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write("reference,secondary,bperp\n")
        f.write(f"{reference.isoformat()},{secondary.isoformat()},{bperp:.2f}\n")
    return path


def _clean(obj):
    """Round floats (to 6 decimals) and turn numpy scalars into plain JSON values."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return None if not np.isfinite(v) else round(v, 6)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def write_truth(path: str, truth: dict) -> str:
    """truth.json, deterministic bytes for the same content."""
    text = json.dumps(_clean(truth), indent=1, sort_keys=False, allow_nan=False)
    with atomic_output(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text + "\n")
    return path


def ensure_dirs(folder: str, names: Iterable[str]) -> None:
    for n in names:
        os.makedirs(os.path.join(folder, n), exist_ok=True)

"""Small synthetic rasters for the optical tests (written with GDAL, independent of the plugin)."""
import os

import numpy as np
from osgeo import gdal, ogr, osr
from tiff import crs_wkt, write_tiff

UTM47 = 32647


def wkt(epsg: int) -> str:
    return crs_wkt(epsg)


def write(path, arrays, x0=400000.0, y0=4300000.0, pixel=10.0, epsg=UTM47, nodata=None,
          dtype=gdal.GDT_Float32, metadata=None, tiled=False):
    """Write a (rows, cols) or (bands, rows, cols) array as a GeoTIFF; return the path."""
    opts = ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"] if tiled else []
    return write_tiff(path, arrays, (x0, pixel, 0.0, y0, 0.0, -pixel), epsg, nodata, dtype, opts, metadata)


def read(path, band=1):
    ds = gdal.Open(str(path))
    b = ds.GetRasterBand(band)
    arr = b.ReadAsArray().astype(float)
    nd = b.GetNoDataValue()
    if nd is not None and not np.isnan(nd):
        arr[arr == nd] = np.nan
    return arr


def grid(path):
    ds = gdal.Open(str(path))
    return ds.GetGeoTransform(), ds.RasterXSize, ds.RasterYSize


def listing(folder):
    return sorted(f for f in os.listdir(folder) if not f.startswith("."))


def regions(tmp_path, polys, epsg=32647, name="regions.gpkg"):
    """polys: {name: list of (x, y) in EPSG:32647}; written in `epsg`."""
    path = str(tmp_path / name)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(32647)
    utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(utm, srs)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("regions", srs, ogr.wkbPolygon)
    lyr.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    for n, ring in polys.items():
        r = ogr.Geometry(ogr.wkbLinearRing)
        for x, y in list(ring) + [ring[0]]:
            r.AddPoint_2D(x, y)
        g = ogr.Geometry(ogr.wkbPolygon)
        g.AddGeometry(r)
        g.Transform(ct)
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("name", n)
        f.SetGeometry(g)
        lyr.CreateFeature(f)
    ds = None
    return path


def overlap_weights(n_fine, fine, n_coarse, coarse):
    """W[i, j] = share of coarse cell i covered by fine cell j (1-D, aligned origins)."""
    w = np.zeros((n_coarse, n_fine))
    for i in range(n_coarse):
        for j in range(n_fine):
            lo, hi = max(i * coarse, j * fine), min((i + 1) * coarse, (j + 1) * fine)
            w[i, j] = max(0.0, hi - lo)
    return w


def area_average(a, fine=10.0, coarse=25.0):
    """Area-weighted mean of `a` in each coarse cell, ignoring NaN (computed independently of GDAL)."""
    wy = overlap_weights(a.shape[0], fine, int(a.shape[0] * fine / coarse), coarse)
    wx = overlap_weights(a.shape[1], fine, int(a.shape[1] * fine / coarse), coarse)
    ok = np.isfinite(a)
    num = wy @ np.where(ok, a, 0.0) @ wx.T
    den = wy @ ok.astype(float) @ wx.T
    return num / den

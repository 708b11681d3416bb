"""One GeoTIFF writer for the test helpers (independent of the plugin's core/raster.py)."""
import numpy as np
from osgeo import gdal, osr


def crs_wkt(crs) -> str:
    """WKT of an EPSG code (int) or any string osr understands ("EPSG:32647", WKT, ...)."""
    srs = osr.SpatialReference()
    if isinstance(crs, int):
        srs.ImportFromEPSG(crs)
    else:
        srs.SetFromUserInput(crs)
    return srs.ExportToWkt()


def write_tiff(path, array, transform, crs=None, nodata=None, dtype=gdal.GDT_Float32, options=(),
               metadata=None) -> str:
    """Write a (rows, cols) or (bands, rows, cols) array; crs None leaves the file without one."""
    arr = np.asarray(array)
    bands = arr[None] if arr.ndim == 2 else arr
    ds = gdal.GetDriverByName("GTiff").Create(str(path), bands.shape[2], bands.shape[1],
                                              bands.shape[0], dtype, options=list(options))
    ds.SetGeoTransform(transform)
    if crs:
        ds.SetProjection(crs_wkt(crs))
    for b in range(bands.shape[0]):
        band = ds.GetRasterBand(b + 1)
        if nodata is not None:
            band.SetNoDataValue(float(nodata))
        band.WriteArray(bands[b])
    if metadata:
        ds.SetMetadata(metadata)
    ds = None
    return str(path)

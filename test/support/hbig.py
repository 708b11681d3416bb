"""Inputs big enough that every algorithm runs for seconds (for the cancellation tests).

The points are the sample scene's whole tracks (about 41 000 and 44 000 points, 55 dates);
the rasters are synthetic, 2048 x 2048 pixels of 15 m over the scene (smooth fields plus noise),
so they overlap the scene's points and regions.
"""
import csv
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from osgeo import gdal

import hdata

N = 2048
PIXEL = 15.0
ORIGIN = (560000.0, 4315000.0)
MONTHS = ("201901", "201906", "201907", "201908", "202001", "202007")


@dataclass(frozen=True)
class Big:
    folder: Path
    scene: Path

    def __getattr__(self, name):
        return str(self.folder / _FILES[name])

    def ndvi_month(self, tag: str) -> str:
        return str(self.folder / "ndvi" / f"ndvi_{tag}.tif")

    def months(self, tags=MONTHS) -> list:
        return [self.ndvi_month(t) for t in tags]


_FILES = {"pts": "pts.gpkg", "ref": "ref.gpkg", "sec": "sec.gpkg", "egms": "T128_egms.csv",
          "gwr": "gwr.gpkg", "red": "red.tif", "nir": "nir.tif", "slc_ref": "slc_20190809.tif",
          "slc_sec": "slc_20190821.tif", "coh": "coh.tif", "ndvi1k": "ndvi1k.tif", "dem": "dem.tif",
          "regions": "regions.gpkg", "sites": "sites.gpkg", "pairs": "pairs.csv", "models": "models.csv",
          "acq": "acquisitions.csv", "bursts": "bursts"}


def _field(rng, n, scale):
    """A smooth random field in [0, 1] (a few cosines), plus a little noise."""
    y, x = np.mgrid[0:n, 0:n] / n
    f = np.zeros((n, n))
    for _ in range(4):
        kx, ky, ph = rng.uniform(1, 6), rng.uniform(1, 6), rng.uniform(0, 6.3)
        f += np.cos(2 * np.pi * (kx * x + ky * y) + ph)
    f = (f - f.min()) / (f.max() - f.min())
    return f + rng.normal(0, scale, (n, n))


def _tif(path, arr, pixel=PIXEL, nodata=np.nan):
    n_rows, n_cols = arr.shape
    kind = {np.dtype("float32"): gdal.GDT_Float32, np.dtype("uint16"): gdal.GDT_UInt16,
            np.dtype("complex64"): gdal.GDT_CFloat32}[arr.dtype]
    ds = gdal.GetDriverByName("GTiff").Create(str(path), n_cols, n_rows, 1, kind,
                                              options=["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256"])
    ds.SetGeoTransform((ORIGIN[0], pixel, 0, ORIGIN[1], 0, -pixel))
    ds.SetProjection(_wkt())
    if nodata is not None and kind != gdal.GDT_CFloat32:
        ds.GetRasterBand(1).SetNoDataValue(float(nodata))
    ds.GetRasterBand(1).WriteArray(arr)
    ds = None


def _wkt():
    from osgeo import osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    return srs.ExportToWkt()


def build(scene: Path, folder: Path) -> Big:
    """Write the big inputs (some 250 MB) into `folder`."""
    from insar_fusion.core.insar.importer import import_points
    from insar_fusion.core.vector_io import write_points
    scene, folder = Path(scene), Path(folder)
    (folder / "ndvi").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    shutil.copy(scene / "insar" / "T128_egms.csv", folder / "T128_egms.csv")
    hdata.split_bursts(folder / "T128_egms.csv", folder / "bursts", parts=4)
    for track, name in (("T128", "pts"), ("T026", "sec")):
        write_points(str(folder / f"{name}.gpkg"),
                     import_points(str(scene / "insar" / f"{track}_egms.csv"), "EGMS", hdata.UTM))
    os.link(folder / "pts.gpkg", folder / "ref.gpkg")
    for p in ("regions.gpkg",):
        shutil.copy(scene / p, folder / p)
    shutil.copy(scene / "insar" / "T128_acquisitions.csv", folder / "acquisitions.csv")
    red = (400 + 800 * _field(rng, N, 0.02)).astype(np.uint16)
    nir = (1500 + 2500 * _field(rng, N, 0.02)).astype(np.uint16)
    _tif(folder / "red.tif", red, nodata=0)
    _tif(folder / "nir.tif", nir, nodata=0)
    for tag in MONTHS:
        _tif(folder / "ndvi" / f"ndvi_{tag}.tif", (0.8 * _field(rng, N, 0.03)).astype(np.float32))
    _tif(folder / "dem.tif", (1400 + 2000 * _field(rng, N, 0.001)).astype(np.float32))
    half = N // 2
    ndvi1k = (0.1 + 0.7 * _field(rng, half, 0.02)).astype(np.float32)
    _tif(folder / "ndvi1k.tif", ndvi1k, pixel=2 * PIXEL)
    gamma = np.clip(0.98 * np.exp(-1.9 * ndvi1k) + 0.08, 0.05, 0.99).astype(np.float32)
    _tif(folder / "coh.tif", gamma, pixel=2 * PIXEL)
    z1 = (rng.normal(size=(half, half)) + 1j * rng.normal(size=(half, half))).astype(np.complex64)
    z2 = (rng.normal(size=(half, half)) + 1j * rng.normal(size=(half, half))).astype(np.complex64)
    _tif(folder / "slc_20190809.tif", z1, pixel=2 * PIXEL)
    _tif(folder / "slc_20190821.tif", (gamma * z1 + np.sqrt(1 - gamma ** 2) * z2).astype(np.complex64),
         pixel=2 * PIXEL)
    with open(folder / "pairs.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["reference", "secondary", "bperp"])
        w.writerows([["2019-06-20", "2019-07-10", "11.5"], ["2019-07-01", "2019-08-20", "40"],
                     ["2019-08-01", "2020-01-20", "-30"], ["2020-01-01", "2020-07-20", "5"]])
    _regression_points(folder)
    _sites(folder)
    with open(folder / "models.csv", "w", newline="") as f:
        csv.writer(f).writerows([["model", "a", "b", "c", "best"], ["exponential", 0.98, -1.9, 0.08, 1]])
    return Big(folder, scene)


def _regression_points(folder: Path) -> None:
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.sampling import sample
    from insar_fusion.core.vector_io import read_points, write_points
    t = read_points(str(folder / "pts.gpkg"), columns=["pid", "velocity"])
    cols = dict(t.columns)
    for name, (a, b) in (("dndvi", ("201907", "202007")), ("dsm", ("201906", "202001"))):
        va = sample(str(folder / "ndvi" / f"ndvi_{a}.tif"), t.x, t.y, t.crs_wkt, [1])[:, 0]
        vb = sample(str(folder / "ndvi" / f"ndvi_{b}.tif"), t.x, t.y, t.crs_wkt, [1])[:, 0]
        cols[name] = vb - va
    cols["region"] = np.where(t.x < np.median(t.x), "west", "east").astype(object)
    write_points(str(folder / "gwr.gpkg"), PointTable(t.x, t.y, cols, t.crs_wkt))


def _sites(folder: Path) -> None:
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import write_points
    gx, gy = np.meshgrid(np.linspace(562000, 577000, 4), np.linspace(4295000, 4310000, 2))
    names = np.array([f"S{i}" for i in range(gx.size)], dtype=object)
    write_points(str(folder / "sites.gpkg"), PointTable(gx.ravel(), gy.ravel(), {"name": names}, hdata.UTM))

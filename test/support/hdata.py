"""Small, valid inputs for every algorithm, cut from the sample scene (the hardening tests' data).

`build(scene, folder)` writes them once per session; the bad-input matrix then mutates copies.
Everything here is plain GDAL/OGR/h5py/numpy, plus the plugin's own point writer for the layers.
"""
import csv
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
from osgeo import gdal
from tiff import write_tiff

gdal.UseExceptions()

SUBAREA = (568500.0, 4304500.0, 571000.0, 4307000.0)   # the S2/SLC sub-area of the scene
SPLICE_BOX = (574000.0, 4300000.0, 575500.0, 4301500.0)  # inside the T128/T026 overlap strip
UTM = "EPSG:32647"
MINTPY_DATES = ["20190105", "20190117", "20190129", "20190210", "20190222", "20190306"]


@dataclass(frozen=True)
class Data:
    """Paths of the valid inputs (all under `folder`)."""

    folder: Path
    scene: Path

    def __getattr__(self, name):  # data.pts -> folder/pts.gpkg etc., see FILES
        if name in FILES:
            return str(self.folder / FILES[name])
        raise AttributeError(name)

    def ndvi_month(self, tag: str) -> str:
        return str(self.folder / "ndvi" / f"ndvi_{tag}.tif")

    def s2ndvi(self) -> list:
        return [str(p) for p in sorted((self.folder / "s2ndvi").glob("ndvi_*.tif"))]

    def stack(self, name: str) -> list:
        """The monthly rasters of ndvi/ or soil_moisture/, in date order."""
        return [str(p) for p in sorted((self.folder / name).glob("*.tif"))]


FILES = {"pts": "pts.gpkg", "ref": "ref.gpkg", "sec": "sec.gpkg", "egms": "egms.csv",
         "mintpy_ts": "mintpy/geo_timeseries.h5", "mintpy_vel": "mintpy/geo_velocity.h5",
         "acq": "acquisitions.csv", "pairs": "pairs.csv", "models": "models.csv",
         "regions": "regions.gpkg", "dem": "dem.tif", "incidence": "incidence.tif",
         "red": "s2/s2_20190811_red.tif", "nir": "s2/s2_20190811_nir.tif",
         "slc_ref": "slc/slc_20190809.tif", "slc_sec": "slc/slc_20190821.tif",
         "coh": "slc/coherence_true.tif", "ndvi_mvc": "ndvi_mvc10.tif", "ndvi25": "ndvi25.tif",
         "gwr": "gwr.gpkg", "sites": "sites.gpkg", "bursts": "bursts"}


def split_bursts(csv_path: Path, folder: Path, parts: int = 2) -> None:
    """An EGMS CSV cut into `parts` bursts of consecutive rows (insarfusion:partition's input)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = Path(csv_path).read_text().splitlines(keepends=True)
    head, rows = lines[0], lines[1:]
    step = -(-len(rows) // parts)
    for k in range(parts):
        (folder / f"burst_{k}.csv").write_text(head + "".join(rows[k * step:(k + 1) * step]))


def _crop_csv(src: Path, dst: Path, box, every: int = 1) -> int:
    """Copy the rows of an EGMS CSV whose easting/northing fall in `box` (every n-th of them)."""
    with open(src, newline="") as f, open(dst, "w", newline="") as g:
        r, w = csv.reader(f), csv.writer(g)
        header = next(r)
        w.writerow(header)
        ix, iy = header.index("easting"), header.index("northing")
        n = kept = 0
        for row in r:
            x, y = float(row[ix]), float(row[iy])
            if box[0] < x < box[2] and box[1] < y < box[3]:
                if n % every == 0:
                    w.writerow(row)
                    kept += 1
                n += 1
    return kept


def _points(csv_path: Path, gpkg: Path) -> None:
    from insar_fusion.core.insar.importer import import_points
    from insar_fusion.core.vector_io import write_points
    write_points(str(gpkg), import_points(str(csv_path), "EGMS", UTM))


def write_raster(path, array, transform, crs=UTM, nodata=np.nan, dtype=None) -> str:
    """A GeoTIFF from an array (2-D, or 3-D bands first)."""
    arr = np.asarray(array)
    gtype = dtype or gdal.GetDataTypeByName({"float32": "Float32", "float64": "Float64",
                                             "complex64": "CFloat32", "uint16": "UInt16",
                                             "uint8": "Byte", "int16": "Int16"}[arr.dtype.name])
    return write_tiff(path, arr, transform, crs, nodata, gtype)


def _ndvi(scene: Path, tag: str):
    red = gdal.Open(str(scene / "s2" / f"s2_{tag}_red.tif"))
    nir = gdal.Open(str(scene / "s2" / f"s2_{tag}_nir.tif"))
    r, n = red.ReadAsArray().astype(float), nir.ReadAsArray().astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where((r > 0) & (n > 0) & (r + n > 0), (n - r) / (r + n), np.nan)
    return v.astype(np.float32), red.GetGeoTransform()


def _mintpy(folder: Path) -> None:
    """A geocoded MintPy pair (geo_timeseries.h5 in m, geo_velocity.h5 in m/yr) over the scene."""
    rng = np.random.default_rng(5)
    rows, cols = 6, 8
    ts = rng.normal(0, 0.004, (len(MINTPY_DATES), rows, cols)).astype(np.float32)
    ts[:, 0, 0] = np.nan
    vel = rng.normal(-0.01, 0.004, (rows, cols)).astype(np.float32)
    vel[0, 0] = np.nan
    attrs = {"FILE_TYPE": "timeseries", "LENGTH": str(rows), "WIDTH": str(cols), "UNIT": "m",
             "X_FIRST": "569000.0", "Y_FIRST": "4306500.0", "X_STEP": "100.0", "Y_STEP": "-100.0",
             "X_UNIT": "meters", "Y_UNIT": "meters", "EPSG": "32647", "REF_DATE": MINTPY_DATES[0]}
    folder.mkdir(parents=True, exist_ok=True)
    with h5py.File(folder / "geo_timeseries.h5", "w") as f:
        f.create_dataset("timeseries", data=ts)
        f.create_dataset("date", data=np.array([d.encode() for d in MINTPY_DATES]))
        f.attrs.update(attrs)
    with h5py.File(folder / "geo_velocity.h5", "w") as f:
        f.create_dataset("velocity", data=vel)
        f.create_dataset("velocityStd", data=np.full((rows, cols), 0.001, np.float32))
        f.attrs.update(dict(attrs, FILE_TYPE="velocity", UNIT="m/year"))


def build(scene: Path, folder: Path) -> Data:
    """Write every valid input into `folder`; return the Data naming them."""
    scene, folder = Path(scene), Path(folder)
    for sub in ("ndvi", "s2", "slc", "s2ndvi", "soil_moisture"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    truth = json.loads((scene / "truth.json").read_text())
    # points: T128 in the sub-area (every 4th) and both tracks in a box of the overlap strip
    _crop_csv(scene / "insar" / "T128_egms.csv", folder / "egms.csv", SUBAREA, every=4)
    _points(folder / "egms.csv", folder / "pts.gpkg")
    for track, name in (("T128", "ref"), ("T026", "sec")):
        _crop_csv(scene / "insar" / f"{track}_egms.csv", folder / f"{name}.csv", SPLICE_BOX)
        _points(folder / f"{name}.csv", folder / f"{name}.gpkg")
        os.remove(folder / f"{name}.csv")
    _mintpy(folder / "mintpy")
    split_bursts(folder / "egms.csv", folder / "bursts")
    shutil.copy(scene / "insar" / "T128_acquisitions.csv", folder / "acquisitions.csv")
    with open(folder / "pairs.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["reference", "secondary", "bperp"])
        w.writerows([["2019-08-09", "2019-08-21", "11.54"], ["2019-08-01", "2019-08-16", "42.0"],
                     ["2019-08-11", "2019-08-26", "-35.5"]])
    law = truth["coherence"]
    with open(folder / "models.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "a", "b", "c", "best"])
        w.writerow(["exponential", law["a"], law["b"], law["c"], 1])
        w.writerow(["linear", 1.0, -0.9, "", 0])
    shutil.copy(scene / "regions.gpkg", folder / "regions.gpkg")
    shutil.copy(scene / "dem.tif", folder / "dem.tif")
    for sub in ("ndvi", "soil_moisture"):
        for p in (scene / sub).glob("*.tif"):
            shutil.copy(p, folder / sub / p.name)
    for tag in ("20190811",):
        for band in ("red", "nir"):
            shutil.copy(scene / "s2" / f"s2_{tag}_{band}.tif", folder / "s2" / f"s2_{tag}_{band}.tif")
    for p in (scene / "slc").glob("*.tif"):
        shutil.copy(p, folder / "slc" / p.name)
    ndvis = []
    for d in truth["coherence"]["s2_dates"]:
        v, gt = _ndvi(scene, d.replace("-", ""))
        write_raster(folder / "s2ndvi" / f"ndvi_{d.replace('-', '')}.tif", v, gt)
        if d in truth["coherence"]["ndvi_dates"]:
            ndvis.append(v)
    write_raster(folder / "ndvi_mvc10.tif", np.max(ndvis, axis=0), gt)
    # the MVC averaged onto the 25 m coherence grid (for models and masks on that grid)
    gdal.Warp(str(folder / "ndvi25.tif"), str(folder / "ndvi_mvc10.tif"), format="GTiff",
              outputBounds=SUBAREA, xRes=25, yRes=25, resampleAlg="average", dstNodata=np.nan)
    ext = truth["extent"]
    write_raster(folder / "incidence.tif", np.full((25, 30), 39.0, np.float32),
                 (ext[0], 1000.0, 0, ext[3], 0, -1000.0))
    _regression_points(folder)
    _sites(folder)
    return Data(folder, scene)


def _regression_points(folder: Path) -> None:
    """The points with the NDVI and soil-moisture changes sampled at them, and a region field."""
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.sampling import sample
    from insar_fusion.core.vector_io import read_points, write_points
    t = read_points(str(folder / "pts.gpkg"))
    cols = {k: t.columns[k] for k in ("pid", "velocity", "velocity_std", "coherence")}
    for name, sub, stem in (("dndvi", "ndvi", "ndvi"), ("dsm", "soil_moisture", "sm")):
        a, b = (sample(str(folder / sub / f"{stem}_{m}.tif"), t.x, t.y, t.crs_wkt, [1], "bilinear")[:, 0]
                for m in ("201907", "202007"))
        cols[name] = b - a
    cols["region"] = np.where(t.x < np.median(t.x), "west", "east").astype(object)
    write_points(str(folder / "gwr.gpkg"), PointTable(t.x, t.y, cols, t.crs_wkt))


def _sites(folder: Path) -> None:
    """Two sites among the points (one analysis each)."""
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import write_points
    x0, y0, x1, y1 = SUBAREA
    xs = np.array([x0 + 0.3 * (x1 - x0), x0 + 0.7 * (x1 - x0)])
    ys = np.array([y0 + 0.5 * (y1 - y0)] * 2)
    write_points(str(folder / "sites.gpkg"),
                 PointTable(xs, ys, {"name": np.array(["S1", "S2"], dtype=object)}, UTM))

"""Read the demo's outputs (results.gpkg, rasters, manifest.json) without QGIS, for the report."""
import json
import os
from typing import Dict, List, Optional

import numpy as np
from matplotlib.path import Path
from osgeo import gdal, ogr

from insar_fusion.core.raster import open_raster, read_float
from insar_fusion.core.vector_io import layer_names

gdal.UseExceptions()
ogr.UseExceptions()


class Outputs:
    """The demo folder: layers and tables of results.gpkg, rasters, truth.json, step results."""

    def __init__(self, out: str):
        self.out = os.path.abspath(out)
        self.gpkg = os.path.join(self.out, "results.gpkg")
        with open(os.path.join(self.out, "manifest.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        self.scene = self.manifest["scene"]
        with open(os.path.join(self.scene, "truth.json"), encoding="utf-8") as f:
            self.truth = json.load(f)
        self.results: Dict[str, dict] = self.manifest.get("results", {})
        self.layers = set(layer_names(self.gpkg)) if os.path.exists(self.gpkg) else set()
        self._cache: Dict[tuple, object] = {}
        self._rings: Optional[Dict[str, np.ndarray]] = None

    def points(self, name: str, columns: Optional[List[str]] = None):
        """A layer of results.gpkg as a PointTable (cached)."""
        from insar_fusion.core.vector_io import read_points

        key = (name, tuple(columns) if columns else None)
        if key not in self._cache:
            self._cache[key] = read_points(self.gpkg, name, columns)
        return self._cache[key]

    def rows(self, name: str) -> List[dict]:
        """A table (or layer's attributes) of results.gpkg as a list of dicts."""
        key = ("rows", name)
        if key not in self._cache:
            ds = ogr.Open(self.gpkg)
            lyr = ds.GetLayerByName(name)
            defn = lyr.GetLayerDefn()
            names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
            self._cache[key] = [{n: f.GetField(n) for n in names} for f in lyr]
        return self._cache[key]

    def raster(self, path: str):
        """(band 1 as float64 with nodata as NaN, geotransform) of a raster (cached, read-only)."""
        key = ("raster", path)
        if key not in self._cache:
            ds = open_raster(path)
            arr = read_float(ds.GetRasterBand(1))
            arr.flags.writeable = False  # shared by every caller
            self._cache[key] = (arr, ds.GetGeoTransform())
        return self._cache[key]

    def raster_file(self, name: str) -> str:
        return os.path.join(self.out, "rasters", name + ".tif")

    def scene_file(self, *parts: str) -> str:
        return os.path.join(self.scene, *parts)

    # --- regions ------------------------------------------------------------------------------
    def rings(self) -> Dict[str, np.ndarray]:
        """{region name: exterior ring} of the scene's regions."""
        if self._rings is None:
            ds = ogr.Open(self.scene_file("regions.gpkg"))
            self._rings = {f.GetField("name"): np.array(f.GetGeometryRef().GetGeometryRef(0).GetPoints())[:, :2]
                           for f in ds.GetLayerByName("regions")}
        return self._rings

    def in_zone(self, name: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Points inside a zone: its region polygon (P1..P6) or within radius_m (other zones)."""
        rings = self.rings()
        if name in rings:
            return Path(rings[name]).contains_points(np.column_stack([x, y]))
        z = self.truth["zones"][name]
        return np.hypot(x - z["centre"][0], y - z["centre"][1]) < z["radius_m"]

    def splice_offset(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The offset plane splicetracks fitted (mm/yr, vertical), at the points."""
        r = self.results["splice"]
        return (r["PLANE_A"] + r["PLANE_B"] * (x - r["ORIGIN_X"]) / 1000.0
                + r["PLANE_C"] * (y - r["ORIGIN_Y"]) / 1000.0)

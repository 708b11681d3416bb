"""Read the demo's outputs without QGIS, for the checks and the report: the study's (study.gpkg,
rasters/, study.json) and the demo's own (demo.gpkg, demo/, demo.json)."""
import json
import os
from typing import Dict, List, Optional

import numpy as np
from matplotlib.path import Path
from osgeo import gdal, ogr

from insar_fusion.core.insar.splice import Offset
from insar_fusion.core.raster import open_raster, read_float
from insar_fusion.core.vector_io import layer_names

gdal.UseExceptions()
ogr.UseExceptions()


def _runs(study: dict) -> Dict[str, dict]:
    """The study's child results under the keys the checks use (import_T128, splice, predict, ...)."""
    out = {}
    for step in study.get("steps", []):
        for run in step.get("runs", []):
            alg, label, res = run["alg"].split(":")[1], run["label"], run["results"]
            if alg == "importpoints" and label.startswith("import "):
                out[f"import_{label[7:].replace(' again', '')}"] = res
            elif alg in ("splicetracks", "screen", "gwr", "regression", "sitetimeseries", "coherencemodel",
                         "masklowcoherence"):
                out.setdefault({"splicetracks": "splice", "masklowcoherence": "mask"}.get(alg, alg), res)
            elif alg == "predictcoherence" and label.startswith("predicted against"):
                out.setdefault("predict", res)
    return out


class Outputs:
    """The demo folder: the study's layers, tables, rasters and results; truth.json; the demo's extras."""

    def __init__(self, out: str):
        self.out = os.path.abspath(out)
        self.gpkg = os.path.join(self.out, "study.gpkg")
        self.extra = os.path.join(self.out, "demo.gpkg")
        with open(os.path.join(self.out, "demo.json"), encoding="utf-8") as f:
            self.demo = json.load(f)
        self.scene = self.demo["scene"]
        with open(os.path.join(self.scene, "truth.json"), encoding="utf-8") as f:
            self.truth = json.load(f)
        path = os.path.join(self.out, "study.json")
        self.study = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.study = json.load(f)
        self.results: Dict[str, dict] = dict(_runs(self.study), **self.demo.get("results", {}))
        self.where: Dict[str, str] = {}
        for gpkg in (self.gpkg, self.extra):
            if os.path.exists(gpkg):
                for name in layer_names(gpkg):
                    self.where.setdefault(name, gpkg)
        self.layers = set(self.where)
        self._cache: Dict[tuple, object] = {}
        self._rings: Optional[Dict[str, np.ndarray]] = None
        for t in self.study.get("tracks", []):  # the first and last date the import found
            if f"import_{t['name']}" in self.results:
                self.results[f"import_{t['name']}"]["DATES"] = [t["first_date"], t["last_date"]]

    def points(self, name: str, columns: Optional[List[str]] = None):
        """A layer as a PointTable (cached)."""
        from insar_fusion.core.vector_io import read_points

        key = (name, tuple(columns) if columns else None)
        if key not in self._cache:
            self._cache[key] = read_points(self.where[name], name, columns)
        return self._cache[key]

    def rows(self, name: str) -> List[dict]:
        """A table (or layer's attributes) as a list of dicts."""
        key = ("rows", name)
        if key not in self._cache:
            ds = ogr.Open(self.where[name])
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
        """A raster the study wrote (rasters/<name>.tif)."""
        return os.path.join(self.out, "rasters", name + ".tif")

    def pair_tag(self) -> str:
        c = self.truth["coherence"]
        return f"{c['reference'].replace('-', '')}_{c['secondary'].replace('-', '')}"

    def coherence_file(self) -> str:
        """The coherence the demo estimated from the SLC pair (the study's COHERENCE input)."""
        return self.demo.get("files", {}).get("coherence", "-")

    def pair_folder(self) -> str:
        """The study's NDVI composite of the pair (rasters/ndvi_pairs/<tag>/)."""
        return os.path.join(self.out, "rasters", "ndvi_pairs", self.pair_tag())

    def scene_file(self, *parts: str) -> str:
        return os.path.join(self.scene, *parts)

    def figure(self, layout: str) -> Optional[str]:
        """The study's PNG of a print layout (figures/<layout>.png), if written."""
        path = os.path.join(self.out, "figures", layout + ".png")
        return path if os.path.exists(path) else None

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

    def splice_fit(self) -> Offset:
        """The offset splicetracks fitted (core's Offset: its .at(x, y) is the one plane formula)."""
        r = self.results["splice"]
        return Offset("plane", r["PLANE_A"], r["PLANE_B"], r["PLANE_C"], (r["ORIGIN_X"], r["ORIGIN_Y"]),
                      r["RMSE"], r["RMSE_BEFORE"], int(r["N_PAIRS"]), r["FRACTION_WITHIN_3RMSE"])

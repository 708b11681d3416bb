"""What the steps share: folders, processing.run with progress, and the results GeoPackage."""
import dataclasses
import json
import os
import time
from typing import Dict, List, Optional

RESULTS_GPKG = "results.gpkg"


@dataclasses.dataclass
class Published:
    """A layer or table copied into results.gpkg (name) from the file an algorithm wrote."""

    name: str
    title: str
    group: str
    style: str = ""        # a key of project.STYLES ('' for tables)
    geometry: bool = True
    visible: bool = False


@dataclasses.dataclass
class RasterOut:
    """A GeoTIFF output beside results.gpkg, for the project."""

    path: str
    title: str
    group: str
    style: str
    visible: bool = False


class Context:
    """Paths, truth, outputs of earlier steps, and the list of what goes into the project."""

    def __init__(self, out: str, size: str, seed: int, console):
        self.out = os.path.abspath(out)
        self.size, self.seed = size, seed
        self.console = console
        self.scene = os.path.join(self.out, "scene")
        self.work = os.path.join(self.out, "work")
        self.rasters = os.path.join(self.out, "rasters")
        self.reports = os.path.join(self.out, "reports")
        for d in (self.out, self.work, self.rasters, self.reports):
            os.makedirs(d, exist_ok=True)
        self.gpkg = os.path.join(self.out, RESULTS_GPKG)
        self.files: Dict[str, str] = {}          # named intermediate files (work/*.gpkg, rasters)
        self.results: Dict[str, dict] = {}       # algorithm results by a short name
        self.published: List[Published] = []
        self.raster_outputs: List[RasterOut] = []
        self.sub_reports: Dict[str, str] = {}    # title -> path (the algorithms' own HTML/PNG)
        self.current_runs: list = []
        self.errors: Dict[str, str] = {}
        self.truth: Optional[dict] = None

    # --- paths ------------------------------------------------------------------------------
    def work_path(self, name: str, ext: str = ".gpkg") -> str:
        return os.path.join(self.work, name + ext)

    def raster_path(self, name: str) -> str:
        return os.path.join(self.rasters, name + ".tif")

    def report_path(self, name: str) -> str:
        return os.path.join(self.reports, name)

    def scene_path(self, *parts: str) -> str:
        return os.path.join(self.scene, *parts)

    def scene_files(self, folder: str) -> List[str]:
        d = self.scene_path(folder)
        return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".tif"))

    def load_truth(self) -> dict:
        with open(self.scene_path("truth.json"), encoding="utf-8") as f:
            self.truth = json.load(f)
        return self.truth

    def log_error(self, key: str, text: str) -> None:
        self.errors[key] = text
        with open(os.path.join(self.out, "demo_errors.log"), "a", encoding="utf-8") as f:
            f.write(f"--- step {key}\n{text}\n")

    # --- running algorithms -------------------------------------------------------------------
    def run(self, alg: str, params: dict, label: str, key: Optional[str] = None) -> dict:
        """processing.run('insarfusion:<alg>') (or a 'native:...' id) with progress and timing."""
        import processing
        from qgis.core import QgsProcessingFeedback

        console = self.console
        fb = QgsProcessingFeedback()
        last = [-10.0]

        def on_progress(p):
            if p - last[0] >= 5 or p >= 100:
                last[0] = p
                console.progress(label, p)

        fb.progressChanged.connect(on_progress)
        alg_id = alg if ":" in alg else "insarfusion:" + alg
        t0 = time.time()
        res = processing.run(alg_id, params, feedback=fb)
        secs = time.time() - t0
        console.done(f"{alg_id} ({label})", secs)
        self.current_runs.append((f"{alg_id} ({label})", secs))
        if key:
            self.results[key] = res
        return res

    # --- results.gpkg -----------------------------------------------------------------------
    def publish(self, src: str, name: str, title: str, group: str, style: str = "",
                visible: bool = False, series: bool = False) -> str:
        """Copy the first layer of `src` into results.gpkg as `name` (replacing an older copy).

        The displacement series (DYYYYMMDD fields) are copied only with series=True: they live in
        the spliced layer (and the significant points), not again in every derived layer.
        """
        from osgeo import gdal, ogr

        from insar_fusion.core.dates import date_of_field

        gdal.UseExceptions()
        path = src.split("|")[0]
        ds = ogr.Open(path)
        layer = ds.GetLayer(0)
        if "|layername=" in src:
            layer = ds.GetLayerByName(src.split("|layername=")[1])
        src_layer = layer.GetName()
        geometry = layer.GetGeomType() != ogr.wkbNone
        defn = layer.GetLayerDefn()
        fields = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
        keep = fields if series else [f for f in fields if date_of_field(f) is None]
        ds = None
        exists = os.path.exists(self.gpkg)
        opts = gdal.VectorTranslateOptions(
            format="GPKG", layers=[src_layer], layerName=name,
            accessMode="overwrite" if exists else None,
            selectFields=None if len(keep) == len(fields) else keep,
            layerCreationOptions=["SPATIAL_INDEX=YES"] if geometry else [])
        if gdal.VectorTranslate(self.gpkg, path, options=opts) is None:
            raise RuntimeError(f"could not copy {src} into {self.gpkg}")
        self.published = [p for p in self.published if p.name != name]
        self.published.append(Published(name, title, group, style, geometry, visible))
        return f"{self.gpkg}|layername={name}"

    def add_raster(self, path: str, title: str, group: str, style: str, visible: bool = False) -> None:
        self.raster_outputs = [r for r in self.raster_outputs if r.path != path]
        self.raster_outputs.append(RasterOut(path, title, group, style, visible))

    def manifest(self) -> dict:
        """What the project and the report need to know about the outputs (demo_output/manifest.json)."""
        return {"size": self.size, "seed": self.seed, "scene": self.scene, "gpkg": self.gpkg,
                "files": self.files, "results": _plain(self.results),
                "published": [dataclasses.asdict(p) for p in self.published],
                "rasters": [dataclasses.asdict(r) for r in self.raster_outputs],
                "sub_reports": self.sub_reports}


def _plain(obj):
    """Algorithm results as JSON-able values."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    try:
        return float(obj)
    except (TypeError, ValueError):
        return str(obj)

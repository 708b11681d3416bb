"""What the demo's steps share: folders, processing.run with progress, and the demo's own outputs.

The study (insarfusion:study) writes study.gpkg, study.qgz, study.html and study.json; the demo adds
what only a demo has: the inputs it derives from the scene (Sentinel-2 NDVI, the SLC pair's
coherence, in OUT/demo/) and its checks' extra runs (demo.gpkg), recorded in demo.json.
"""
import json
import os
import time
from typing import Dict, Optional

DEMO_GPKG, DEMO_JSON = "demo.gpkg", "demo.json"


class Context:
    """Paths, truth, the demo's algorithm results and its extra layers."""

    def __init__(self, out: str, size: str, seed: int, console):
        self.out = os.path.abspath(out)
        self.size, self.seed = size, seed
        self.console = console
        self.scene = os.path.join(self.out, "scene")
        self.demo = os.path.join(self.out, "demo")
        self.work = os.path.join(self.out, "work")
        for d in (self.out, self.demo, self.work):
            os.makedirs(d, exist_ok=True)
        self.gpkg = os.path.join(self.out, DEMO_GPKG)
        self.files: Dict[str, object] = {}      # named inputs the demo made (S2 NDVI, coherence)
        self.results: Dict[str, dict] = {}      # the demo's own algorithm results by a short name
        self.layers: Dict[str, str] = {}        # demo.gpkg layer -> title
        self.current_runs: list = []
        self.errors: Dict[str, str] = {}
        self.truth: Optional[dict] = None

    def work_path(self, name: str, ext: str = ".gpkg") -> str:
        return os.path.join(self.work, name + ext)

    def demo_path(self, name: str) -> str:
        return os.path.join(self.demo, name)

    def scene_path(self, *parts: str) -> str:
        return os.path.join(self.scene, *parts)

    def scene_files(self, folder: str):
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

    def run(self, alg: str, params: dict, label: str, key: Optional[str] = None, feedback=None) -> dict:
        """processing.run('insarfusion:<alg>') (or a 'native:...' id) with progress and timing."""
        import processing
        from qgis.core import QgsProcessingFeedback

        console = self.console
        fb = feedback or QgsProcessingFeedback()
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
            self.results[key] = {k: _plain(v) for k, v in res.items()}
        return res

    def publish(self, src: str, name: str, title: str) -> None:
        """Copy the first layer of `src` into demo.gpkg as `name` (as the study copies its layers)."""
        from insar_fusion.processing.study.deliver import copy_layer

        copy_layer(src, self.gpkg, name, series=True)
        self.layers[name] = title

    def save(self) -> None:
        with open(os.path.join(self.out, DEMO_JSON), "w", encoding="utf-8") as f:
            json.dump({"size": self.size, "seed": self.seed, "scene": self.scene, "files": self.files,
                       "results": self.results, "layers": self.layers}, f, indent=1)


def _plain(obj):
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

"""Helpers for the regression benchmarks (bench_gwr, bench_sampling, bench_scale): QGIS, timing,
report, the synthetic GWR data."""
import json
import os
import platform
import resource
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")


def synthetic(n, seed=7):
    """n points on a 56 m grid (80 % kept, jittered) with planted coefficient surfaces."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n / 0.8)))
    pick = rng.choice(side * side, n, replace=False)
    x = 400000.0 + (pick % side) * 56.0 + rng.uniform(-5, 5, n)
    y = 4300000.0 + (pick // side) * 56.0 + rng.uniform(-5, 5, n)
    dndvi, dsm = rng.normal(0.05, 0.08, n), rng.normal(0.01, 0.02, n)
    u, v = (x - x.mean()) / 5000.0, (y - y.mean()) / 5000.0
    velocity = (-20 + 3 * u) + (-60 + 25 * np.sin(v)) * dndvi + (150 + 80 * u * v) * dsm \
        + rng.normal(0, 1.0, n)
    return x, y, velocity, np.column_stack([dndvi, dsm])


def import_plugin():
    """Make the repository importable as `insar_fusion` (as QGIS names it)."""
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import qgis_headless
    qgis_headless.make_importable()


def start_qgis():
    """A headless QGIS with Processing and the InSAR Fusion provider (tools/qgis_headless)."""
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import qgis_headless
    return qgis_headless.start()


def run(alg: str, params: dict) -> dict:
    """processing.run with an explicit project context (context-less runs of some native
    algorithms crash)."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject
    feedback = QgsProcessingFeedback()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setFeedback(feedback)
    return processing.run(alg, params, feedback=feedback, context=context)


def timed(fn, *args, **kwargs):
    """(seconds, result) of one call."""
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def peak_rss_gb() -> float:
    """Peak resident memory of this process, GB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def workdir(name: str) -> str:
    return tempfile.mkdtemp(prefix=f"insarfusion-bench-{name}-")


def report(name: str, headers, rows, extra=None) -> str:
    """Print a markdown table and write bench/results/bench_<name>.json; return the table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    text = "\n".join(lines)
    print(text)
    os.makedirs(RESULTS, exist_ok=True)
    data = {"benchmark": name, "machine": platform.platform(), "cpus": os.cpu_count(),
            "time": time.strftime("%Y-%m-%d %H:%M:%S"), "headers": list(headers),
            "rows": [list(r) for r in rows], **(extra or {})}
    with open(os.path.join(RESULTS, f"bench_{name}.json"), "w") as f:
        json.dump(data, f, indent=1, default=float)
    return text

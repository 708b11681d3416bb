"""Shared helpers for the benchmarks: import the plugin, start QGIS, time, report."""
import json
import os
import platform
import resource
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
_KEEP = []


def import_plugin():
    """Make the repository importable as `insar_fusion` (as QGIS names it)."""
    sys.path.insert(0, os.path.join(REPO, "test", "support"))
    import iftest
    iftest.make_importable()
    return iftest


def start_qgis():
    """A headless QGIS with Processing and the InSAR Fusion provider; returns the app."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import_plugin()
    from qgis.core import QgsApplication
    app = QgsApplication([], False)
    app.initQgis()
    if "/usr/share/qgis/python/plugins" not in sys.path:
        sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing
    Processing.initialize()
    from insar_fusion.processing.provider import InsarFusionProvider
    registry = QgsApplication.processingRegistry()
    if registry.providerById("insarfusion") is None:
        _KEEP.append(InsarFusionProvider())  # keep a reference: the registry does not own it
        registry.addProvider(_KEEP[-1])
    _KEEP.append(app)
    return app


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
    """Print a markdown table and write bench/results/<name>.json; return the table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    text = "\n".join(lines)
    print(text)
    os.makedirs(RESULTS, exist_ok=True)
    data = {"benchmark": name, "machine": platform.platform(), "cpus": os.cpu_count(),
            "time": time.strftime("%Y-%m-%d %H:%M:%S"), "headers": list(headers),
            "rows": [list(r) for r in rows], **(extra or {})}
    with open(os.path.join(RESULTS, f"{name}.json"), "w") as f:
        json.dump(data, f, indent=1, default=float)
    return text

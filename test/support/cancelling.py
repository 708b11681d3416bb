"""For the cancellation tests: per algorithm, parameters on the big inputs (hbig) that keep it
busy for seconds, or the reason it cannot run long (then it is cancelled on its usual inputs).

A new algorithm without an entry here fails test_every_algorithm_has_a_cancellation_case.
"""
from typing import Callable, Dict, Union


def _g(out, name):
    return str(out / name)


QUICK = "quick"  # marker: the algorithm's work is a formula over a short table

#: algorithm -> (big, out_dir) -> parameters, or (QUICK, why)
CANCEL: Dict[str, Union[Callable, tuple]] = {
    "importpoints": lambda b, o: {"INPUT": b.egms, "CRS": "EPSG:32647", "OUTPUT": _g(o, "p.gpkg")},
    "lostovertical": lambda b, o: {"INPUT": b.pts, "OUTPUT": _g(o, "up.gpkg")},
    "partition": lambda b, o: {"INPUT": b.bursts, "CRS": "EPSG:32647", "TILE_SIZE": 2000.0,
                               "OUTPUT": _g(o, "tiles.vrt")},
    "decompose": lambda b, o: {"TRACKS": [b.ref, b.sec], "HEADINGS": "-10.5, 190.2", "SERIES": True,
                               "CELL_SIZE": 60.0, "OUTPUT_UP": _g(o, "up.gpkg"),
                               "OUTPUT_EAST": _g(o, "east.gpkg")},
    "screen": lambda b, o: {"INPUT": b.pts, "THRESHOLD": 0.0, "DEM": b.dem, "DEM_MAX": 9000.0,
                            "NDVI": b.ndvi_month("201907"), "NDVI_MIN": -1.0,
                            "STUDY_AREA": b.regions, "OUTPUT": _g(o, "kept.gpkg")},
    "seasonalfit": lambda b, o: {"INPUT": b.pts, "OUTPUT": _g(o, "fit.gpkg")},
    "splicetracks": lambda b, o: {"REFERENCE": b.ref, "SECONDARY": b.sec, "CORRECTION": 1,
                                  "OUTPUT": _g(o, "merged.gpkg"), "OUTPUT_PAIRS": _g(o, "pairs.gpkg"),
                                  "OUTPUT_CHART": _g(o, "chart.png")},
    "sbasnetwork": (QUICK, "pairs of one track's acquisitions: a few hundred rows"),
    "composite": lambda b, o: {"INPUTS": b.months(("201906", "201907", "201908")), "START": "2019-06-01",
                               "END": "2019-08-31", "METHOD": 2, "OUTPUT": _g(o, "mvc.tif")},
    "ndvi": lambda b, o: {"RED": b.red, "NIR": b.nir, "SCALE": 0.0001, "OUTPUT": _g(o, "ndvi.tif")},
    "changesummary": lambda b, o: {"REGIONS": b.regions, "RASTERS": b.months(("201907", "202007")),
                                   "OUTPUT": _g(o, "summary.gpkg"), "OUTPUT_HTML": _g(o, "summary.html")},
    "seasonalchange": lambda b, o: {"INPUTS": b.months(), "OUTPUT_INTERANNUAL": _g(o, "inter.tif"),
                                    "OUTPUT_SEASONAL": _g(o, "seasonal.tif")},
    "paircomposites": lambda b, o: {"INPUTS": b.months(), "PAIRS": b.pairs, "TARGET": b.coh,
                                    "OUTPUT_FOLDER": _g(o, "mvc")},
    "coherence": lambda b, o: {"REFERENCE": b.slc_ref, "SECONDARY": b.slc_sec, "WINDOW_X": 9,
                               "WINDOW_Y": 9, "OUTPUT": _g(o, "coh.tif")},
    "coherencemodel": lambda b, o: {"NDVI": b.ndvi1k, "COHERENCE": b.coh, "WINDOW": 4,
                                    "OUTPUT_MODELS": _g(o, "models.gpkg"),
                                    "OUTPUT_SAMPLES": _g(o, "samples.gpkg"),
                                    "OUTPUT_HTML": _g(o, "models.html")},
    "predictcoherence": lambda b, o: {"NDVI": b.ndvi_month("201907"), "MODELS_TABLE": b.models,
                                      "OUTPUT": _g(o, "pred.tif"), "OUTPUT_USABLE": _g(o, "usable.tif")},
    "baselinecorrelation": (QUICK, "a closed formula per pair"),
    "masklowcoherence": lambda b, o: {"INPUT": b.pts, "PREDICTED": b.coh, "NDVI": b.ndvi_month("201907"),
                                      "OUTPUT": _g(o, "flagged.gpkg")},
    "samplerasters": lambda b, o: {"INPUT": b.pts, "RASTERS": b.months(), "OUTPUT": _g(o, "s.gpkg")},
    "gwr": lambda b, o: {"INPUT": b.gwr, "DEPENDENT": "velocity", "EXPLANATORY": ["dndvi", "dsm"],
                         "BANDWIDTH": 800.0, "OUTPUT": _g(o, "gwr.gpkg")},
    "regression": lambda b, o: {"INPUT": b.gwr, "DEPENDENT": "velocity", "EXPLANATORY": ["dndvi", "dsm"],
                                "GROUP_FIELD": "region", "OUTPUT_TABLE": _g(o, "ols.gpkg"),
                                "OUTPUT_HTML": _g(o, "ols.html")},
    "sitetimeseries": lambda b, o: {"SITES": b.sites, "SITE_FIELD": "name", "INSAR": b.pts,
                                    "RADIUS": 1500.0, "NDVI_STACK": b.months(),
                                    "OUTPUT_TABLE": _g(o, "series.gpkg"),
                                    "OUTPUT_CORRELATION": _g(o, "corr.gpkg"),
                                    "OUTPUT_LAGS": _g(o, "lags.gpkg"), "OUTPUT_HTML": _g(o, "sites.html")},
    "study": lambda b, o: {"TRACKS": [b.ref, b.sec], "NDVI": b.months(), "REGIONS": b.regions,
                           "OUTPUT_FOLDER": _g(o, "study")},
    "samplescene": lambda b, o: {"OUTPUT_FOLDER": _g(o, "scene"), "SIZE": 0, "SEED": 3,
                                 "LOAD_LAYERS": False},
}


class Stretches:
    """Watches a feedback's cancel checks: the CPU time (process_time, all threads) of the longest
    stretch of work without one, counting from the start and up to the end, and where it ended.

    Only checks made from Python are seen (every check of the plugin's own code); a check inside
    QGIS's C++ is not, so the figure can only err on the long side.
    """

    def __init__(self, feedback):
        import sys
        import time

        self._clock, self._frame = time.thread_time, sys._getframe
        self.stamps = [(self._clock(), "start")]
        original = feedback.isCanceled

        def checked():
            self.stamps.append((self._clock(), self._where()))
            return original()

        feedback.isCanceled = checked
        self.checks = 0

    def _where(self) -> str:
        """file:line of the plugin code that asked, past core/progress.py and feedbacks that
        forward the question (the study's StepFeedback)."""
        frame = self._frame(2)
        while frame is not None and (frame.f_code.co_filename.endswith("core/progress.py")
                                     or frame.f_code.co_name == "isCanceled"):
            frame = frame.f_back
        if frame is None:
            return "?"
        return f"{frame.f_code.co_filename.split('insar_fusion/')[-1]}:{frame.f_lineno}"

    def finish(self) -> None:
        self.stamps.append((self._clock(), "end"))

    def gaps(self):
        """Every stretch as (seconds, where it began, where it ended)."""
        return [(b[0] - a[0], a[1], b[1]) for a, b in zip(self.stamps, self.stamps[1:])]

    def longest(self, qgis_calls: bool = False):
        """(seconds, where the stretch began, where it ended) of the longest stretch of the
        plugin's own work, or (qgis_calls=True) of the single QGIS calls it cannot interrupt
        ((0, '', '') when there are none)."""
        picked = [g for g in self.gaps() if one_qgis_call(g) == qgis_calls]
        return max(picked, default=(0.0, "", ""))

    @property
    def count(self) -> int:
        return len(self.stamps) - 2


# Stretches that are one call into QGIS's C++, which Python cannot interrupt, between two checks
# marked "around a layout page" or "around a QGIS call" in processing/study/project.py: rendering
# one print layout page for the study's report (layouts.page_png), whose time grows with the
# points the map draws (0.67 s of CPU for the 85 000 points of the cancellation scene at
# 2.6 GHz), and writing the project (0.19 s).
def _marked(relative: str, marker: str) -> frozenset:
    import os
    path = os.path.join(os.path.dirname(__file__), "..", "..", relative)
    with open(path, encoding="utf-8") as f:
        return frozenset(f"{relative}:{n}" for n, line in enumerate(f, 1) if marker in line)


QGIS_CALLS = (_marked("processing/study/project.py", "# around a layout page")
              | _marked("processing/study/project.py", "# around a QGIS call"))


def one_qgis_call(gap) -> bool:
    _, start, end = gap
    return start in QGIS_CALLS and end in QGIS_CALLS

"""make demo: the whole InSAR Fusion analysis on the bundled sample scene, headless.

Every step runs a plugin algorithm through processing.run; outputs go to --out.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qgis_headless  # noqa: E402


class Feedback:
    """Prints progress on one line per step, like the Processing log does."""

    @staticmethod
    def create(label):
        from qgis.core import QgsProcessingFeedback

        fb = QgsProcessingFeedback()
        state = {"last": -10}

        def on_progress(p):
            if p - state["last"] >= 10 or p >= 100:
                state["last"] = p
                print(f"\r  {label}: {p:5.1f}%", end="", flush=True)

        fb.progressChanged.connect(on_progress)
        return fb


def run(alg, params, label):
    import processing

    t0 = time.time()
    res = processing.run("insarfusion:" + alg, params, feedback=Feedback.create(label))
    print(f"\r  {label}: done in {time.time() - t0:.1f} s")
    return res


def steps(out, scene="small"):
    """The demo's steps, in order: (label, callable)."""
    import numpy as np
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import write_points

    def first_points():
        rng = np.random.default_rng(0)
        n = 500
        cols = {"pid": np.arange(n), "velocity": rng.normal(-12, 6, n),
                "incidence": rng.uniform(33, 45, n)}
        for d in ("D20190109", "D20190121", "D20190202"):
            cols[d] = rng.normal(0, 4, n)
        write_points(os.path.join(out, "los_points.gpkg"),
                     PointTable(rng.uniform(4e5, 4.3e5, n), rng.uniform(4.29e6, 4.315e6, n), cols,
                                "EPSG:32647"))

    def vertical():
        run("lostovertical", {"INPUT": os.path.join(out, "los_points.gpkg"),
                              "OUTPUT": os.path.join(out, "vertical_points.gpkg")}, "LOS to vertical")

    def sample_scene():
        run("samplescene", {"OUTPUT_FOLDER": os.path.join(out, "scene"), "SIZE": ["small", "large"].index(scene),
                            "SEED": 42, "LOAD_LAYERS": False}, "Sample scene")

    return [("Sample scene (with truth.json)", sample_scene), ("Write a first point layer", first_points),
            ("LOS to vertical", vertical)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="demo_output")
    ap.add_argument("--scene", default="small", choices=["small", "large"])
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    out = os.path.abspath(a.out)
    t_start = time.time()
    qgis_headless.start()
    timings = []
    for i, (label, fn) in enumerate(steps(out, a.scene), 1):
        print(f"[{i}] {label}")
        t0 = time.time()
        fn()
        timings.append((label, time.time() - t0))
    print("\nInSAR Fusion demo: summary")
    for label, secs in timings:
        print(f"  {label:<40s} {secs:7.1f} s")
    print(f"  {'total':<40s} {time.time() - t_start:7.1f} s")
    print(f"Outputs in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

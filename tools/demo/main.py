"""make demo: the whole InSAR Fusion study on the sample scene, headless, into one folder."""
import argparse
import json
import os
import shutil
import time

from . import runner
from .context import Context
from .steps_analysis import all_steps


def parse(argv=None):
    ap = argparse.ArgumentParser(prog="tools/demo.py", description=__doc__)
    ap.add_argument("--out", default="demo_output", help="output folder (default demo_output)")
    ap.add_argument("--scene", default="small", choices=["small", "large"], help="scene size")
    ap.add_argument("--seed", type=int, default=42, help="scene seed (default 42)")
    ap.add_argument("--keep-work", action="store_true",
                    help="keep the intermediate files in OUT/work (they are copied into results.gpkg)")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    a = parse(argv)
    t_start = time.time()
    console = runner.Console()
    out = os.path.abspath(a.out)
    for stale in ("results.gpkg", "insar_fusion_demo.qgz", "report.html", "report.json",
                  "manifest.json", "demo_errors.log"):
        if os.path.exists(os.path.join(out, stale)):
            os.remove(os.path.join(out, stale))
    for stale in ("work", "rasters", "reports", "figures"):
        shutil.rmtree(os.path.join(out, stale), ignore_errors=True)
    console.line(f"InSAR Fusion demo: {a.scene} scene (seed {a.seed}) into {out}")
    import qgis_headless  # tools/ is on sys.path (tools/demo.py)

    qgis_headless.start()
    ctx = Context(out, a.scene, a.seed, console)
    results = runner.run_steps(all_steps(), ctx, console)
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(ctx.manifest(), f, indent=1)
    extra, errors = [], []
    recovery = None
    for title, fn in (("QGIS project insar_fusion_demo.qgz", _project), ("Report report.html", _report)):
        console.line(f"[ ] {title}")
        t0 = time.time()
        try:
            value = fn(ctx, results)
            status = runner.OK
            if title.startswith("Report"):
                recovery = value
        except Exception as e:  # noqa: BLE001 (the summary must still print)
            import traceback
            status = runner.FAILED
            ctx.log_error(title, traceback.format_exc())
            console.line(f"    *** FAILED: {type(e).__name__}: {e}")
            errors.append(f"{title}: FAILED: {type(e).__name__}: {e}")
        extra.append((title, status, time.time() - t0))
    if not a.keep_work:
        shutil.rmtree(ctx.work, ignore_errors=True)
    console.line(runner.summary(results, extra, time.time() - t_start, recovery, out, errors))
    return 1 if runner.exit_code(results) or any(s != runner.OK for _, s, _ in extra) else 0


def _project(ctx, results):
    from .project import build_project

    return build_project(ctx)


def _report(ctx, results):
    from .report import build_report

    return build_report(ctx.out, [r.as_dict() for r in results])

"""make demo: the sample scene, the whole study on it (insarfusion:study), then the study's results
compared with the scene's planted truth and the papers' figures (report.html)."""
import argparse
import os
import shutil
import time

from . import runner
from .context import Context
from .steps import all_steps

STALE_FILES = ("study.gpkg", "study.qgz", "study.html", "study.json", "demo.gpkg", "demo.json", "report.html",
               "report.json", "demo_errors.log", "results.gpkg", "insar_fusion_demo.qgz", "manifest.json")
STALE_FOLDERS = ("work", "rasters", "reports", "figures", "demo")


def parse(argv=None):
    ap = argparse.ArgumentParser(prog="tools/demo.py", description=__doc__)
    ap.add_argument("--out", default="demo_output", help="output folder (default demo_output)")
    ap.add_argument("--scene", default="small", choices=["small", "large"], help="scene size")
    ap.add_argument("--seed", type=int, default=42, help="scene seed (default 42)")
    ap.add_argument("--keep-work", action="store_true", help="keep the checks' intermediate files in OUT/work")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    a = parse(argv)
    t_start = time.time()
    console = runner.Console()
    out = os.path.abspath(a.out)
    for stale in STALE_FILES:
        for path in (os.path.join(out, stale), os.path.join(out, stale) + "-wal", os.path.join(out, stale) + "-shm"):
            if os.path.exists(path):
                os.remove(path)
    for stale in STALE_FOLDERS:
        shutil.rmtree(os.path.join(out, stale), ignore_errors=True)
    console.line(f"InSAR Fusion demo: {a.scene} scene (seed {a.seed}) into {out}")
    import qgis_headless  # tools/ is on sys.path (tools/demo.py)

    qgis_headless.start()
    ctx = Context(out, a.scene, a.seed, console)
    results = runner.run_steps(all_steps(), ctx, console)
    ctx.save()
    extra, errors, recovery = [], [], None
    console.line("[ ] Report report.html (the study against the truth and the papers)")
    t0 = time.time()
    try:
        from .report import build_report
        recovery = build_report(ctx.out, [r.as_dict() for r in results])
        status = runner.OK
    except Exception as e:  # noqa: BLE001 (the summary must still print)
        import traceback
        status = runner.FAILED
        ctx.log_error("report", traceback.format_exc())
        console.line(f"    *** FAILED: {type(e).__name__}: {e}")
        errors.append(f"report.html: FAILED: {type(e).__name__}: {e}")
    extra.append(("Report report.html", status, time.time() - t0))
    if not a.keep_work:
        shutil.rmtree(ctx.work, ignore_errors=True)
    console.line(runner.summary(results, extra, time.time() - t_start, recovery, out, errors))
    return 1 if runner.exit_code(results) or any(s != runner.OK for _, s, _ in extra) else 0

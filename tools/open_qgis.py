"""make qgis: open QGIS with the plugin and the demo's study project (study.qgz).

With a display ($DISPLAY set): the real QGIS desktop with your profile (`make install` linked the
plugin into it). Without one, or with --xvfb: QGIS under Xvfb in a throw-away profile, the inspector
opened on a farmland point, and a screenshot saved (default OUT/qgis_screenshot.png).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import desktop  # noqa: E402  (tools/desktop.py)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", default="demo_output/study.qgz")
    ap.add_argument("--screenshot", help="PNG to save under Xvfb (default: beside the project)")
    ap.add_argument("--xvfb", action="store_true", help="use Xvfb even when a display is available")
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--status", help="keep the start-up script's JSON status here (layers, inspector, lags)")
    a = ap.parse_args(argv)
    project = os.path.abspath(a.project)
    if not os.path.exists(project):
        print(f"{project} does not exist: run `make demo` first.", file=sys.stderr)
        return 2
    if os.environ.get("DISPLAY") and not a.xvfb:
        qgis = shutil.which("qgis")
        if qgis is None:
            print("The QGIS desktop is not installed (make deps installs it).", file=sys.stderr)
            return 2
        return subprocess.call([qgis, "--nologo", "--noversioncheck", project])
    if shutil.which("Xvfb") is None:
        print("No display and no Xvfb: install xvfb (make deps) or run with a display.", file=sys.stderr)
        return 2
    shot = os.path.abspath(a.screenshot or os.path.join(os.path.dirname(project), "qgis_screenshot.png"))
    status = os.path.abspath(a.status) if a.status else os.path.join(tempfile.mkdtemp(prefix="if-qgis-"),
                                                                        "status.json")
    os.environ["IF_STATUS"] = status
    code = desktop.run(code=os.path.join(HERE, "demo", "qgis_startup.py"), project=project,
                       screenshot=shot, status=status, timeout=a.timeout, settle=2.0)
    info = {}
    if os.path.exists(status):
        with open(status) as f:
            info = json.load(f)
    print(f"QGIS under Xvfb: {info.get('layers', '?')} layers"
          + (f", invalid: {info['invalid']}" if info.get("invalid") else "")
          + (f"; inspector on point {info['point_ids']}" if info.get("point_ids") else "")
          + f"; screenshot {shot if os.path.exists(shot) else '(none)'}")
    return 0 if code == 0 and os.path.exists(shot) and not info.get("invalid") else 1


if __name__ == "__main__":
    sys.exit(main())

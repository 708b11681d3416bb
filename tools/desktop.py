"""Run the real QGIS desktop under Xvfb with the plugin installed in a throw-away profile.

Used by the end-to-end tests, `make qgis` and the README screenshots:
    python3 tools/desktop.py --code script.py --screenshot shot.png [--project p.qgz]
The startup script may write a JSON status file; the run ends when it appears (or on timeout).
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QGIS_INI = """[PythonPlugins]
insar_fusion=true
[qgis]
checkVersion=false
showTips{v}=false
[core]
NewsFeed\\\\httpsfeedqgisorg\\\\disabled=true
[migration]
fileVersion=2
settings=true
[UI]
hidebrowser=false
"""


def free_display() -> int:
    for n in range(90, 200):
        if not os.path.exists(f"/tmp/.X{n}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            return n
    raise RuntimeError("no free X display number")


def make_profile(root: str, plugin_dir: str = REPO) -> str:
    """A QGIS profiles folder with this plugin linked in and enabled; returns the folder."""
    profile = os.path.join(root, "profiles", "default")
    plugins = os.path.join(profile, "python", "plugins")
    os.makedirs(plugins, exist_ok=True)
    link = os.path.join(plugins, "insar_fusion")
    if not os.path.exists(link):
        os.symlink(plugin_dir, link)
    ini = os.path.join(profile, "QGIS", "QGIS3.ini")
    os.makedirs(os.path.dirname(ini), exist_ok=True)
    with open(ini, "w") as f:
        f.write(QGIS_INI.format(v=32216))
    return root


def run(code=None, project=None, screenshot=None, status=None, timeout=180, size="1600x1000",
        settle=3.0, profiles=None) -> int:
    """Start Xvfb and QGIS; wait for `status` (if given) or the timeout; screenshot; stop both."""
    n = free_display()
    env = dict(os.environ, DISPLAY=f":{n}", QT_QPA_PLATFORM="xcb",
               XDG_RUNTIME_DIR=tempfile.mkdtemp(prefix="xdg-"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    xvfb = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    own_profiles = profiles is None
    profiles = profiles or make_profile(tempfile.mkdtemp(prefix="qgis-profile-"))
    cmd = ["qgis", "--nologo", "--noversioncheck", "--profiles-path", profiles]
    if code:
        cmd += ["--code", code]
    if project:
        cmd += [project]
    log = open(os.path.join(profiles, "qgis.log"), "w")
    qgis = None
    try:
        time.sleep(1.0)
        qgis = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if status and os.path.exists(status):
                break
            if qgis.poll() is not None:
                break
            time.sleep(0.5)
        time.sleep(settle)
        if screenshot and qgis.poll() is None:
            subprocess.run(["import", "-display", f":{n}", "-window", "root", screenshot],
                           env=env, check=False, timeout=60)
        return 0 if (not status or os.path.exists(status)) else 1
    finally:
        if qgis is not None and qgis.poll() is None:
            os.killpg(qgis.pid, signal.SIGTERM)
            try:
                qgis.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(qgis.pid, signal.SIGKILL)
        xvfb.terminate()
        xvfb.wait(10)
        log.close()
        if own_profiles and not os.environ.get("KEEP_PROFILE"):
            shutil.rmtree(profiles, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--code", help="Python script QGIS runs after start-up")
    ap.add_argument("--project", help="a .qgz/.qgs project to open")
    ap.add_argument("--screenshot", help="PNG to save of the whole screen")
    ap.add_argument("--status", help="file the script writes when it is done")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to wait before the screenshot")
    ap.add_argument("--size", default="1600x1000", help="the screen, WIDTHxHEIGHT (e.g. 1366x768)")
    a = ap.parse_args(argv)
    return run(a.code, a.project, a.screenshot, a.status, a.timeout, size=a.size, settle=a.settle)


if __name__ == "__main__":
    sys.exit(main())

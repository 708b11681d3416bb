"""Build the plugin zip for QGIS's "Install from ZIP": insar_fusion/<files>.

The files are what git tracks plus new files it does not ignore, minus those marked export-ignore
in .gitattributes (tests, benchmarks, tools, build files) and caches.
"""
import argparse
import configparser
import os
import subprocess
import sys
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def plugin_files():
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    files = sorted(f for f in listed if f and os.path.isfile(os.path.join(REPO, f)))
    attrs = subprocess.run(["git", "check-attr", "-z", "export-ignore", "--stdin"], cwd=REPO,
                           input="\0".join(files).encode() + b"\0", capture_output=True,
                           check=True).stdout.decode().split("\0")
    ignored = {attrs[i] for i in range(0, len(attrs) - 2, 3) if attrs[i + 2] == "set"}
    return [f for f in files if f not in ignored and "__pycache__" not in f and not f.endswith(".pyc")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dist", default="dist")
    a = ap.parse_args(argv)
    meta = configparser.ConfigParser()
    meta.read(os.path.join(REPO, "metadata.txt"))
    version = meta["general"]["version"]
    os.makedirs(a.dist, exist_ok=True)
    out = os.path.join(a.dist, f"insar_fusion-{version}.zip")
    tmp = out + ".partial"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for f in plugin_files():
            z.write(os.path.join(REPO, f), "insar_fusion/" + f)
    os.replace(tmp, out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Pins for pip: the versions of the packages Debian installed, read now, so pip never replaces them.

    /usr/bin/python3 tools/system_pins.py > VENV/constraints.txt     write the pins
    VENV/bin/python tools/system_pins.py --check                      fail if the venv shadows one

GDAL's and QGIS's Python bindings are compiled against Debian's numpy; a wheel of numpy (or of
scipy, pandas, matplotlib, ...) in the venv would break them. Every package named below that
Debian installed is pinned to Debian's own version; one that Debian did not install is left free
(pip may add it, as for dask on a machine without python3-dask).
"""
import importlib.metadata as md
import os
import sys

PROTECTED = (
    # compiled against each other, or against numpy: the stack GDAL and QGIS are built with
    "numpy", "scipy", "pandas", "matplotlib", "GDAL", "h5py", "statsmodels", "patsy", "PyQt5",
    "PyQt5-sip", "sip", "Pillow", "contourpy", "kiwisolver", "pyproj", "shapely",
    # the scale-out engine, at the version Debian ships
    "dask", "distributed", "pyqtgraph", "cloudpickle", "msgpack", "tornado", "toolz", "partd",
    "psutil",
)
SYSTEM = "/usr/lib/python3/dist-packages"


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def system_versions() -> dict:
    """{normalised name: (name, version)} of the protected packages in Debian's dist-packages."""
    wanted = {_norm(n) for n in PROTECTED}
    found = {}
    for dist in md.distributions(path=[SYSTEM]):
        name = dist.metadata["Name"]
        if name and _norm(name) in wanted:
            found[_norm(name)] = (name, dist.version)
    return found


def pins() -> str:
    lines = [f"{name}=={version}" for name, version in sorted(system_versions().values())]
    return "# Debian's own versions, read at set-up time by tools/system_pins.py\n" + "\n".join(lines) + "\n"


def check() -> int:
    """Every protected package Debian has must still be imported from Debian, at Debian's version."""
    bad = []
    for key, (name, version) in sorted(system_versions().items()):
        for dist in md.distributions(name=name):
            where = os.path.realpath(str(dist.locate_file("")))
            if where != os.path.realpath(SYSTEM):
                bad.append(f"{name} {dist.version} in {where} shadows Debian's {version}")
    import numpy
    if not os.path.realpath(numpy.__file__).startswith(os.path.realpath(SYSTEM)):
        bad.append(f"numpy is imported from {numpy.__file__}, not from Debian")
    for line in bad:
        print(line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(check())
    sys.stdout.write(pins())

"""Walk an HDF5 file's structure in a separate process before reading it in this one.

The HDF5 library can crash the interpreter (segmentation fault) on a file whose metadata is
damaged, at once or later (an error while reading damaged metadata can leave its state corrupt),
and inside QGIS that would take the whole application down. A short-lived Python process first
opens the file, lists every object with its shape, type and attributes and reads the small
datasets; if that process dies, or HDF5 reports damage, the file is refused with a message and
never opened in this process.
"""
import os
import subprocess
import sys
from typing import Dict, Optional, Tuple

from ..errors import InputError

TIMEOUT = 120.0  # seconds for the walk (metadata and small datasets only)

_WALK = r"""
import sys
import h5py
def visit(name, obj):
    dict(obj.attrs)
    if isinstance(obj, h5py.Dataset):
        obj.shape, obj.dtype
        if obj.size <= 1_000_000:
            obj[()]
        elif obj.ndim:
            obj[:1]
try:
    with h5py.File(sys.argv[1], "r") as f:
        dict(f.attrs)
        f.visititems(visit)
except Exception as e:
    print("DAMAGED", type(e).__name__, e)
"""

_checked: Dict[Tuple[str, int, float], Optional[str]] = {}


def python_executable() -> Optional[str]:
    """A Python interpreter to run the walk with (inside QGIS on Windows, sys.executable is QGIS)."""
    exe = sys.executable or ""
    if os.path.basename(exe).lower().startswith("python") and os.path.isfile(exe):
        return exe
    for name in ("python.exe", "python3.exe", os.path.join("bin", "python3")):
        candidate = os.path.join(sys.exec_prefix, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def check(path: str) -> None:
    """Raise InputError if walking the file's structure crashes or hangs the HDF5 library."""
    exe = python_executable()
    if exe is None or not os.path.isfile(path):
        return
    st = os.stat(path)
    key = (os.path.abspath(path), st.st_size, st.st_mtime)
    if key not in _checked:
        _checked[key] = _walk(exe, path)
    if _checked[key]:
        raise InputError(_checked[key])


def _walk(exe: str, path: str) -> Optional[str]:
    name = os.path.basename(path)
    try:
        done = subprocess.run([exe, "-c", _WALK, path], stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return (f"Cannot read '{name}': walking its HDF5 structure took over {TIMEOUT:g} s. "
                "The file is probably damaged; use a complete copy of it.")
    except OSError:
        return None  # no interpreter to run the walk: read the file directly
    if done.returncode < 0 or done.returncode > 1:
        return (f"Cannot read '{name}': the HDF5 library crashed reading its structure (exit "
                f"{done.returncode}), so the file is damaged. Use a complete copy of it.")
    if done.returncode == 0 and done.stdout.startswith("DAMAGED"):
        # HDF5 can leave its state corrupted after such errors: the file is not opened here at all
        detail = done.stdout[len("DAMAGED"):].strip().splitlines()[0][:300]
        return f"Cannot read '{name}': its HDF5 structure is damaged ({detail}). Use a complete copy of it."
    return None

"""Write outputs under a temporary name and move them into place only on success."""
import contextlib
import glob
import os
import shutil
import tempfile
from typing import Iterator

# Files that travel with a main file (Shapefile parts, GDAL and QGIS sidecars).
_SIDECAR_SUFFIXES = (".aux.xml", ".qml", ".ovr", ".prj", ".dbf", ".shx", ".cpg", ".qix", ".sbn",
                     ".sbx", ".html", ".png", "-wal", "-shm", "-journal")


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """Yield a temporary path beside `path`; on success move it (and its sidecars) to `path`.

    On any exception the temporary files are removed and `path` is left as it was.
    """
    path = os.path.abspath(path)
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        os.makedirs(folder, exist_ok=True)
    tmpdir = tempfile.mkdtemp(prefix=".insarfusion-", dir=folder)
    tmp = os.path.join(tmpdir, os.path.basename(path))
    try:
        yield tmp
        stem = os.path.splitext(tmp)[0]
        parts = {tmp}
        parts.update(p for p in glob.glob(glob.escape(stem) + ".*")
                     if p.endswith(_SIDECAR_SUFFIXES))
        parts.update(p for p in glob.glob(glob.escape(tmp) + "*") if p.endswith(_SIDECAR_SUFFIXES))
        if not os.path.exists(tmp):
            raise FileNotFoundError(f"the writer produced no file for {path}")
        for part in sorted(parts):
            if os.path.exists(part):
                os.replace(part, os.path.join(folder, os.path.basename(part)))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def remove_outputs(paths) -> None:
    """Delete files (and their sidecars) that a failed run may have left."""
    for path in paths:
        if not path or not isinstance(path, str) or path.startswith(("memory:", "ogr:", "postgres")):
            continue
        base = path.split("|")[0]
        if os.path.isdir(base):  # an output folder this run created: remove it once it is empty
            with contextlib.suppress(OSError):
                os.rmdir(base)
            continue
        for candidate in [base] + [base + s for s in _SIDECAR_SUFFIXES] + \
                [os.path.splitext(base)[0] + s for s in _SIDECAR_SUFFIXES]:
            if os.path.isfile(candidate):
                with contextlib.suppress(OSError):
                    os.remove(candidate)

"""insarfusion:importpoints: detect the format of a file and read it into the standard layout."""
import os
from typing import Optional, Tuple

from ..dates import date_fields
from ..errors import InputError
from ..points import PointTable
from ..progress import Progress
from . import hdf5, stack, tables
from .layout import LAYOUT, check_shapefile

FORMATS = ("auto", "EGMS", "PS", "MintPy", "LiCSBAS", "Raster stack")
HDF5_EXTENSIONS = (".h5", ".he5", ".hdf5", ".hdf")


def detect_format(path: str) -> str:
    """The format of `path` judged from its extension and, for HDF5 and CSV, its contents."""
    if not os.path.exists(path):
        raise InputError(f"The file '{path}' does not exist.")
    ext = os.path.splitext(path)[1].lower()
    if ext in HDF5_EXTENSIONS:
        names = hdf5.datasets(path)
        if "cum" in names and "imdates" in names:
            return "LiCSBAS"
        if "timeseries" in names or "velocity" in names:
            return "MintPy"
        raise InputError(f"'{os.path.basename(path)}' is HDF5 but holds neither a MintPy /timeseries or "
                         f"/velocity nor a LiCSBAS /cum with /imdates (it has: "
                         f"{', '.join(names) or 'no datasets'}).")
    if ext in stack.RASTER_EXTENSIONS:
        return "Raster stack"
    if ext in tables.CSV_EXTENSIONS or ext in tables.LAYER_EXTENSIONS:
        names = {n.lower() for n in tables.header(path)}
        if "mean_velocity" in names:
            return "EGMS"
        return "PS"
    raise InputError(f"Cannot tell the format of '{os.path.basename(path)}' from its extension. Use "
                     "a CSV, Shapefile, GeoPackage, HDF5 (.h5) or GeoTIFF file, or choose the FORMAT.")


@hdf5.reads_hdf5
def count_dates(path: str, fmt: str, companion: str = "") -> int:
    """How many date fields the import of `path` will write (cheap: headers and shapes only)."""
    if fmt in ("EGMS", "PS"):
        return len(date_fields(tables.header(path)))
    if fmt == "MintPy":
        _, ts = hdf5.mintpy_files(path, companion)
        if ts is None:
            return 0
        with hdf5.open_h5(ts) as f:
            return int(f["timeseries"].shape[0])
    if fmt == "LiCSBAS":
        with hdf5.open_h5(path) as f:
            return int(f["cum"].shape[0]) if "cum" in f else 0
    if fmt == "Raster stack":
        return len(stack.stack_layers(path))
    raise InputError(f"Unknown format '{fmt}'; use one of {', '.join(FORMATS)}.")


def check_output(path: str, fmt: str, output: str, companion: str = "") -> Tuple[str, int]:
    """(format, number of dates); refuses a Shapefile output too small for the dates, before any work."""
    fmt = detect_format(path) if fmt == "auto" else fmt
    n = count_dates(path, fmt, companion)
    check_shapefile(output, n + len(LAYOUT), n)
    return fmt, n


def import_points(path: str, fmt: str = "auto", crs: str = "EPSG:3035", companion: str = "",
                  nodata: Optional[float] = None, min_coherence: float = 0.0,
                  progress: Optional[Progress] = None) -> PointTable:
    """Read any supported file into the standard layout (mm, mm/yr, NULL for nodata)."""
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt in ("EGMS", "PS"):
        ext = os.path.splitext(path)[1].lower()
        if ext not in tables.CSV_EXTENSIONS + tables.LAYER_EXTENSIONS:
            raise InputError(f"FORMAT {fmt} needs a CSV or vector file, not '{os.path.basename(path)}'.")
        return tables.read_table(path, fmt, crs, nodata, progress)
    if fmt == "MintPy":
        return hdf5.read_mintpy(path, companion, crs, nodata, min_coherence, progress)
    if fmt == "LiCSBAS":
        return hdf5.read_licsbas(path, nodata, min_coherence, progress)
    if fmt == "Raster stack":
        return stack.read_stack(path, nodata, progress=progress)
    raise InputError(f"Unknown format '{fmt}'; use one of {', '.join(FORMATS)}.")

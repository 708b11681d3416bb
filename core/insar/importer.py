"""insarfusion:importpoints: detect the format of a file and read it into the standard layout."""
import os
from typing import List, Optional, Tuple

import numpy as np

from ..dates import date_fields
from ..errors import InputError
from ..points import PointTable
from ..progress import Progress
from . import archive, hdf5, licsbas, rasters, stack, tables
from .layout import GEOMETRY, LAYOUT, check_shapefile

#: Appended at the end only: scripts and models store the index.
FORMATS = ("auto", "EGMS", "PS", "MintPy", "LiCSBAS", "Raster stack", "DePSI", "LiCSBAS results",
           "Velocity raster", "PyRate interferogram")
HDF5_EXTENSIONS = (".h5", ".he5", ".hdf5", ".hdf")
TABLE_FORMATS = ("EGMS", "PS", "DePSI")


def data_path(path: str) -> Tuple[str, Optional[str]]:
    """The file GDAL reads (inside a zip through /vsizip/) and the product XML beside it."""
    return archive.data_member(path) if archive.is_zip(path) else (path, None)


def detect_format(path: str) -> str:
    """The format of `path` judged from its extension and, for HDF5, CSV and rasters, its contents."""
    if not os.path.exists(path):
        raise InputError(f"The file '{path}' does not exist.")
    inner, _ = data_path(path)
    ext = os.path.splitext(inner)[1].lower()
    if ext in HDF5_EXTENSIONS:
        names = hdf5.datasets(path)
        if "cum" in names and "imdates" in names:
            return "LiCSBAS"
        if "timeseries" in names or "velocity" in names or "temporalCoherence" in names:
            return "MintPy"
        raise InputError(f"'{os.path.basename(path)}' is HDF5 but holds neither a MintPy /timeseries or "
                         f"/velocity nor a LiCSBAS /cum with /imdates (it has: "
                         f"{', '.join(names) or 'no datasets'}).")
    if ext in stack.RASTER_EXTENSIONS:
        return rasters.kind(inner) or "Raster stack"
    if ext in tables.CSV_EXTENSIONS or ext in tables.LAYER_EXTENSIONS:
        names = {n.lower() for n in tables.header(inner)}
        if "mean_velocity" in names:
            return "EGMS"
        if "pnt_id" in names or {"pnt_lat", "pnt_lon"} <= names:
            return "DePSI"
        return "PS"
    if licsbas.is_results(path):
        return "LiCSBAS results"
    raise InputError(f"Cannot tell the format of '{os.path.basename(path)}' from its extension. Use "
                     "a CSV (or the EGMS zip), Shapefile, GeoPackage, HDF5 (.h5), GeoTIFF or a "
                     "LiCSBAS results file (vel), or choose the FORMAT.")


@hdf5.reads_hdf5
def count_dates(path: str, fmt: str, companion: str = "") -> int:
    """How many date fields the import of `path` will write (cheap: headers and shapes only)."""
    if fmt in TABLE_FORMATS:
        return len(date_fields(tables.header(data_path(path)[0])))
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
        return len(stack.stack_layers(data_path(path)[0]))
    if fmt in ("LiCSBAS results", "Velocity raster"):
        return 0
    if fmt == "PyRate interferogram":
        return 2
    raise InputError(f"Unknown format '{fmt}'; use one of {', '.join(FORMATS)}.")


def count_fields(path: str, fmt: str, n_dates: int) -> int:
    """An upper bound of the number of fields the import writes (for the Shapefile limit)."""
    n = n_dates + len(LAYOUT) + len(GEOMETRY)
    if fmt in TABLE_FORMATS:
        names = tables.header(data_path(path)[0])
        n += len(tables.extra_names(names, {}))
    return n


def check_output(path: str, fmt: str, output: str, companion: str = "") -> Tuple[str, int]:
    """(format, number of dates); refuses a Shapefile output too small for the dates, before any work."""
    fmt = detect_format(path) if fmt == "auto" else fmt
    n = count_dates(path, fmt, companion)
    check_shapefile(output, count_fields(path, fmt, n), n)
    return fmt, n


def import_points(path: str, fmt: str = "auto", crs: str = "EPSG:3035", companion: str = "",
                  nodata: Optional[float] = None, min_coherence: float = 0.0,
                  progress: Optional[Progress] = None) -> PointTable:
    """Read any supported file into the standard layout (mm, mm/yr, NULL for nodata)."""
    fmt = detect_format(path) if fmt == "auto" else fmt
    inner, _ = data_path(path)
    ext = os.path.splitext(inner)[1].lower()
    if fmt in TABLE_FORMATS:
        if ext not in tables.CSV_EXTENSIONS + tables.LAYER_EXTENSIONS:
            raise InputError(f"FORMAT {fmt} needs a CSV or vector file, not '{os.path.basename(path)}'.")
        return tables.read_table(inner, fmt, crs, nodata, progress)
    if fmt == "MintPy":
        return hdf5.read_mintpy(path, companion, crs, nodata, min_coherence, progress)
    if fmt == "LiCSBAS":
        return hdf5.read_licsbas(path, nodata, min_coherence, progress)
    if fmt == "LiCSBAS results":
        return licsbas.read_results(path, nodata, min_coherence, progress)
    if fmt in ("Raster stack", "Velocity raster", "PyRate interferogram"):
        if ext not in stack.RASTER_EXTENSIONS:
            raise InputError(f"FORMAT {fmt} needs a GeoTIFF, not '{os.path.basename(path)}'.")
        if fmt == "Velocity raster":
            return rasters.read_velocity(inner, nodata, progress)
        if fmt == "PyRate interferogram":
            return rasters.read_pyrate_ifg(inner, nodata, progress)
        return stack.read_stack(inner, nodata, progress=progress)
    raise InputError(f"Unknown format '{fmt}'; use one of {', '.join(FORMATS)}.")


def reference_to_first(table: PointTable) -> PointTable:
    """Every series shifted so that it is 0 at its first valid date (velocity unchanged)."""
    cols = table.date_columns()
    if not cols:
        return table
    dates, mat = table.series()
    first = np.full(len(table), np.nan)
    for j in range(mat.shape[1] - 1, -1, -1):
        first = np.where(np.isfinite(mat[:, j]), mat[:, j], first)
    out = dict(table.columns)
    for j, (name, _) in enumerate(cols):
        out[name] = mat[:, j] - first
    return PointTable(table.x, table.y, out, table.crs_wkt)


def notes(path: str, fmt: str, table: PointTable) -> List[str]:
    """What the log should tell about this file: product, units, reference, component."""
    out = []
    inner, xml = data_path(path)
    if archive.is_zip(path):
        out.append(f"Read {os.path.basename(inner)} inside the zip. " + archive.describe(inner, xml))
    component = rasters.egms_component(path)
    if component:
        out.append(f"EGMS L3 Ortho '{component}': the velocity and the series are the "
                   f"{rasters.COMPONENTS[component]} component, not line of sight.")
    if fmt == "DePSI":
        out.append("DePSI displacements d_YYYYMMDD are in metres: converted to mm; the velocity is "
                   "fitted to them (mm/yr). The a_ and h2ph_ families are not displacement.")
    if fmt == "MintPy":
        out.append("MintPy metres converted to mm (m/yr to mm/yr). Pixels whose velocity and std are "
                   "both exactly 0 are MintPy's masked pixels and are left out (the reference pixel "
                   "is kept).")
    if fmt == "PyRate interferogram":
        out.append("PyRate interferogram: phase converted to LOS mm as PyRate does "
                   "(phase x wavelength / 4 pi); the series is 0 at the first date and the velocity "
                   "is the displacement over the time span. Its reference is PyRate's (none applied).")
    if fmt == "LiCSBAS results":
        dates = licsbas.used_dates(path)
        span = f", from {dates[0]} to {dates[-1]} ({len(dates)} dates)" if dates else ""
        out.append("LiCSBAS results: vel and vstd in mm/yr, coh_avg, hgt; masked pixels (mask 0) "
                   f"left out; no time series without cum.h5{span}.")
    cols = table.date_columns()
    if cols and len(table):
        _, mat = table.series()
        first = mat[:, 0]
        known = np.isfinite(first)
        off = int(np.sum(known & (first != 0)))
        if off:
            out.append(f"{off} of {len(table)} points are not 0 at the first date {cols[0][1]} (EGMS, "
                       "for one, references each series to the whole period, not to its first date): "
                       "the values are kept as in the file. Tick 'Re-reference each series to 0 at "
                       "its first date' to shift them.")
    return out

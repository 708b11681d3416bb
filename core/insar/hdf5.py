"""MintPy (geo_velocity.h5 + geo_timeseries.h5) and LiCSBAS (cum.h5) grids to points.

MintPy stores metres (m/yr, m) with X_FIRST/Y_FIRST at the outer corner of the first pixel
(pixel centre = X_FIRST + (col + 0.5) * X_STEP). LiCSBAS stores mm (mm/yr, mm) with
corner_lat/corner_lon at the centre of the first pixel (lat = corner_lat + row * post_lat).
Each valid pixel becomes one point at its centre.
"""
import contextlib
import functools
import glob
import math
import os
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import numpy as np
from osgeo import osr

from ..dates import parse_yyyymmdd
from ..errors import Cancelled, InputError
from ..points import PointTable
from ..progress import Progress, ensure
from . import h5probe
from .layout import make_table

if TYPE_CHECKING:  # h5py is imported when an HDF5 file is read, not when the plugin loads
    import h5py

STRIP = 256  # rows read at a time
WGS84 = "EPSG:4326"


def open_h5(path: str) -> "h5py.File":
    """Open an HDF5 file read-only, or raise InputError saying why it cannot be read."""
    import h5py

    if not os.path.exists(path):
        raise InputError(f"The file '{path}' does not exist.")
    h5probe.check(path)  # a damaged file must not crash this process (and QGIS with it)
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise InputError(f"Cannot read '{os.path.basename(path)}' as HDF5 (truncated or not HDF5?): "
                         f"{e}") from None


def reads_hdf5(func):
    """Report what goes wrong inside a damaged or unexpected HDF5 file as an InputError.

    h5py raises OSError, RuntimeError or KeyError for damaged structures, and numpy raises
    TypeError or ValueError for data of an unexpected type or shape: all about the file's
    contents, which the message names.
    """
    @functools.wraps(func)
    def wrapper(path, *args, **kwargs):
        try:
            return func(path, *args, **kwargs)
        except (InputError, Cancelled):
            raise
        except (OSError, RuntimeError, KeyError, TypeError, ValueError) as e:
            raise InputError(f"Cannot read '{os.path.basename(str(path))}': the HDF5 file is damaged or "
                             f"its contents are not as expected ({type(e).__name__}: {e}).") from None
    return wrapper


@reads_hdf5
def datasets(path: str) -> List[str]:
    """Names of the top-level datasets of an HDF5 file."""
    import h5py

    with open_h5(path) as f:
        return [k for k in f.keys() if isinstance(f[k], h5py.Dataset)]


def _require_ndim(dset, ndim: int, path: str, what: str) -> None:
    if dset.ndim != ndim:
        raise InputError(f"/{dset.name.lstrip('/')} in '{os.path.basename(path)}' has {dset.ndim} "
                         f"dimension(s); {what} has {ndim}.")


def _attr(attrs, key: str) -> Optional[str]:
    if key not in attrs:
        return None
    v = attrs[key]
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray):
        v = v.reshape(-1)[0]
        v = v.decode() if isinstance(v, bytes) else v
    return str(v)


def _dates(values) -> list:
    """Dates from YYYYMMDD bytes, strings or integers; duplicates refused."""
    out = []
    for v in np.asarray(values).reshape(-1):
        if isinstance(v, bytes):
            text = v.decode("ascii", "replace")
        elif isinstance(v, (int, np.integer)):
            text = str(int(v))
        else:
            text = str(v)
        out.append(parse_yyyymmdd(text.strip()[:8]))
    if len(set(out)) != len(out):
        raise InputError("The HDF5 file repeats an acquisition date; give each date once.")
    return out


# --- MintPy -------------------------------------------------------------------------------------
@reads_hdf5
def mintpy_files(path: str, companion: str = "") -> Tuple[Optional[str], Optional[str]]:
    """(velocity file, time-series file) from either one of them, the other found beside it."""
    names = datasets(path)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = "geo_" if os.path.basename(path).startswith("geo_") else ""
    if "timeseries" in names:
        ts, vel = path, companion or None
    elif "velocity" in names:
        vel, ts = path, companion or None
    elif "temporalCoherence" in names:  # the coherence beside a velocity or time series
        vel = companion or _side_file(folder, prefix, ["velocity.h5"], "velocity")
        ts = None
        if vel is None and not glob.glob(os.path.join(glob.escape(folder), prefix + "timeseries*.h5")):
            raise InputError(f"'{os.path.basename(path)}' holds only MintPy's temporal coherence, and "
                             "no velocity.h5 or timeseries.h5 lies beside it. Give the velocity or "
                             "time-series file: the coherence is then read from this file.")
    else:
        raise InputError(f"'{os.path.basename(path)}' holds neither /timeseries nor /velocity "
                         f"(it has: {', '.join(names) or 'no datasets'}); it is not a MintPy "
                         "geo_timeseries.h5 or geo_velocity.h5.")
    if vel is None and os.path.exists(os.path.join(folder, prefix + "velocity.h5")):
        vel = os.path.join(folder, prefix + "velocity.h5")
    if ts is None:
        exact = os.path.join(folder, prefix + "timeseries.h5")
        found = sorted(glob.glob(os.path.join(glob.escape(folder), prefix + "timeseries*.h5")))
        if os.path.exists(exact):
            ts = exact
        elif len(found) == 1:
            ts = found[0]
        elif len(found) > 1:
            raise InputError("Several time-series files lie beside the velocity file ("
                             + ", ".join(os.path.basename(p) for p in found)
                             + "); choose one as the companion file.")
    for p, key in ((vel, "velocity"), (ts, "timeseries")):
        if p and key not in datasets(p):
            raise InputError(f"'{os.path.basename(p)}' has no /{key} dataset.")
    return vel, ts


def _number_attr(attrs, key: str, name: str) -> float:
    """A numeric attribute, or InputError naming it."""
    text = _attr(attrs, key)
    if text is None:
        raise InputError(f"'{name}' has no {key} attribute; it is needed for the grid.")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"The attribute {key} of '{name}' is not a number ('{text}').") from None
    if not math.isfinite(value):
        raise InputError(f"The attribute {key} of '{name}' is not finite ('{text}').")
    return value


def _known_epsg(code: int, name: str) -> str:
    srs = osr.SpatialReference()
    try:
        srs.ImportFromEPSG(code)
    except RuntimeError:
        raise InputError(f"'{name}' names EPSG:{code}, which is not a known CRS.") from None
    return f"EPSG:{code}"


def _mintpy_crs(attrs, fallback: str, name: str = "the file") -> str:
    epsg = _attr(attrs, "EPSG")
    if epsg and epsg.strip().lstrip("-").isdigit() and 0 < int(epsg) < 2 ** 31:
        return _known_epsg(int(epsg), name)
    zone = _attr(attrs, "UTM_ZONE")
    if zone:
        digits = "".join(c for c in zone if c.isdigit())
        if not digits or not 1 <= int(digits) <= 60:
            raise InputError(f"The attribute UTM_ZONE of '{name}' is not a UTM zone ('{zone}').")
        return f"EPSG:{(32700 if zone.strip()[-1:].upper() == 'S' else 32600) + int(digits)}"
    unit = (_attr(attrs, "X_UNIT") or "").lower()
    x0 = _number_attr(attrs, "X_FIRST", name)
    if unit.startswith("deg") or (not unit and abs(x0) <= 360):
        return WGS84
    return fallback


def _mintpy_grid(attrs, name: str):
    if _attr(attrs, "X_FIRST") is None or _attr(attrs, "Y_FIRST") is None:
        raise InputError(f"'{name}' is in radar coordinates (no X_FIRST/Y_FIRST attributes). "
                         "Geocode it first (MintPy: geocode.py, or use the geo_*.h5 files).")
    x0, dx, y0, dy = (_number_attr(attrs, k, name) for k in ("X_FIRST", "X_STEP", "Y_FIRST", "Y_STEP"))
    if dx == 0 or dy == 0:
        raise InputError(f"X_STEP and Y_STEP of '{name}' must not be 0.")
    return x0, dx, y0, dy


def _side_file(folder: str, prefix: str, names, dataset: str) -> Optional[str]:
    for n in names:
        p = os.path.join(folder, prefix + n)
        if os.path.exists(p) and dataset in datasets(p):
            return p
    return None


@reads_hdf5
def read_mintpy(path: str, companion: str = "", crs: str = "", nodata: Optional[float] = None,
                min_coherence: float = 0.0, progress: Optional[Progress] = None) -> PointTable:
    """MintPy velocity and/or time series (m, m/yr) as points in mm and mm/yr."""
    progress = ensure(progress)
    vel_path, ts_path = mintpy_files(path, companion)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = "geo_" if os.path.basename(path).startswith("geo_") else ""
    coh_path = _side_file(folder, prefix, ["temporalCoherence.h5"], "temporalCoherence")
    geo_path = _side_file(folder, prefix, ["geometryRadar.h5", "geometryGeo.h5"], "incidenceAngle")
    wanted = {"velocity": (vel_path, "velocity", 1000.0), "velocity_std": (vel_path, "velocityStd", 1000.0),
              "coherence": (coh_path, "temporalCoherence", 1.0),
              "incidence": (geo_path, "incidenceAngle", 1.0)}
    with contextlib.ExitStack() as stack:
        files = {}
        for p in {vel_path, ts_path, coh_path, geo_path} - {None}:
            files[p] = stack.enter_context(open_h5(p))
        main = files[ts_path or vel_path]
        attrs = dict(main.attrs)
        if ts_path:
            if "date" not in main:
                raise InputError(f"'{os.path.basename(ts_path)}' has no /date dataset.")
            _require_ndim(main["timeseries"], 3, ts_path, "a time series (date, row, column)")
            shape = main["timeseries"].shape[1:]
            dates = _dates(main["date"][()])
            if main["timeseries"].shape[0] != len(dates):
                raise InputError(f"'{os.path.basename(ts_path)}' has {main['timeseries'].shape[0]} "
                                 f"epochs but {len(dates)} dates.")
        else:
            _require_ndim(main["velocity"], 2, vel_path, "a velocity grid (row, column)")
            shape, dates = main["velocity"].shape, []
        x0, dx, y0, dy = _mintpy_grid(attrs, os.path.basename(ts_path or vel_path))
        grids = {}
        for key, (p, ds, scale) in wanted.items():
            if p is None or ds not in files[p]:
                continue
            if files[p][ds].shape[-2:] != tuple(shape):
                if key == "velocity":
                    raise InputError(f"/velocity in '{os.path.basename(p)}' is {files[p][ds].shape} but "
                                     f"the time series grid is {tuple(shape)}; use matching files.")
                continue
            grids[key] = (p, ds, scale)
        keep = _reference_pixel(attrs) if "velocity_std" in grids else None
        x, y, cols, series = _grid_points(
            shape, grids, files, files[ts_path] if ts_path else None, "timeseries", 1000.0, nodata,
            min_coherence, lambda r, c: (x0 + (c + 0.5) * dx, y0 + (r + 0.5) * dy), progress, keep)
    heading = _attr(attrs, "HEADING")
    if heading is not None:
        try:
            cols["heading"] = np.full(len(x), float(heading))
        except ValueError:
            pass
    return make_table(x, y, _mintpy_crs(attrs, crs, os.path.basename(ts_path or vel_path)), dates,
                      series, **cols)


def _reference_pixel(attrs) -> Tuple[int, int]:
    """(REF_Y, REF_X), the reference pixel whose velocity and std are 0 by construction."""
    try:
        return int(float(_attr(attrs, "REF_Y") or -1)), int(float(_attr(attrs, "REF_X") or -1))
    except ValueError:
        return -1, -1


# --- LiCSBAS ------------------------------------------------------------------------------------
@reads_hdf5
def read_licsbas(path: str, nodata: Optional[float] = None, min_coherence: float = 0.0,
                 progress: Optional[Progress] = None) -> PointTable:
    """A LiCSBAS cum.h5 (cum in mm, vel in mm/yr, imdates) as points in EPSG:4326."""
    progress = ensure(progress)
    with open_h5(path) as f:
        missing = [k for k in ("cum", "imdates") if k not in f]
        if missing:
            raise InputError(f"'{os.path.basename(path)}' lacks the LiCSBAS dataset(s) "
                             f"{', '.join('/' + m for m in missing)}; it is not a LiCSBAS cum.h5.")
        if "corner_lat" not in f or "post_lat" not in f:
            raise InputError(f"'{os.path.basename(path)}' is not geocoded (no corner_lat/post_lat); "
                             "use the cum.h5 of a geocoded (GEOC) LiCSBAS run.")
        lat1, lon1 = float(f["corner_lat"][()]), float(f["corner_lon"][()])
        dlat, dlon = float(f["post_lat"][()]), float(f["post_lon"][()])
        dates = _dates(f["imdates"][()])
        _require_ndim(f["cum"], 3, path, "a cumulative displacement (date, row, column)")
        shape = f["cum"].shape[1:]
        grids = {}
        for key, ds in (("velocity", "vel"), ("velocity_std", "vstd"), ("coherence", "coh_avg"),
                        ("mask", "mask")):
            if ds in f and f[ds].shape == tuple(shape):
                grids[key] = (path, ds, 1.0)
        x, y, cols, series = _grid_points(shape, grids, {path: f}, f, "cum", 1.0, nodata, min_coherence,
                                          lambda r, c: (lon1 + c * dlon, lat1 + r * dlat), progress)
    return make_table(x, y, WGS84, dates, series, **cols)


# --- shared -------------------------------------------------------------------------------------
def _grid_points(shape, grids: Dict[str, tuple], files, ts_file, ts_name: str, ts_scale: float,
                 nodata, min_coherence, centre, progress: Progress, reference=None):
    """Read the grids strip by strip and keep the valid pixels as points.

    With `reference` (row, col), pixels whose velocity and velocity std are both exactly 0 are
    MintPy's masked pixels and are left out, except the reference pixel itself.
    """
    rows = int(shape[0])
    checked = [(files[p][ds], p) for p, ds, _ in grids.values()]
    checked += [(ts_file[ts_name], ts_file.filename)] if ts_file is not None else []
    for dset, p in checked:
        if dset.dtype.kind not in "fiub":
            raise InputError(f"/{dset.name.lstrip('/')} in '{os.path.basename(p)}' holds "
                             f"{'text' if dset.dtype.kind in 'SUO' else dset.dtype}, not numbers.")
    xs, ys, series, vals = [], [], [], {k: [] for k in grids if k != "mask"}
    for r0 in range(0, rows, STRIP):
        r1 = min(rows, r0 + STRIP)
        block = {}
        for key, (p, ds, scale) in grids.items():
            a = files[p][ds][r0:r1].astype(float)
            if nodata is not None:
                a[a == nodata] = np.nan
            block[key] = a * scale
        ts = None
        if ts_file is not None:
            ts = ts_file[ts_name][:, r0:r1, :].astype(float)
            if nodata is not None:
                ts[ts == nodata] = np.nan
            ts *= ts_scale
        if "velocity" in block:
            valid = np.isfinite(block["velocity"])
        else:
            valid = np.isfinite(ts).any(axis=0)
        if "mask" in block:
            valid &= np.nan_to_num(block.pop("mask")) != 0
        if reference is not None:
            zero = (block["velocity"] == 0) & (block["velocity_std"] == 0)
            if r0 <= reference[0] < r1 and 0 <= reference[1] < zero.shape[1]:
                zero[reference[0] - r0, reference[1]] = False
            valid &= ~zero
        if min_coherence > 0 and "coherence" in block:
            valid &= block["coherence"] >= min_coherence
        rr, cc = np.nonzero(valid)
        x, y = centre(rr + r0, cc)
        xs.append(np.asarray(x, float))
        ys.append(np.asarray(y, float))
        for key in vals:
            vals[key].append(block[key][rr, cc])
        if ts is not None:
            series.append(ts[:, rr, cc].T)
        progress(r1 / rows)
    if min_coherence > 0 and "coherence" not in grids:
        raise InputError("MIN_COHERENCE was given but the input has no coherence grid.")
    x = np.concatenate(xs) if xs else np.empty(0)
    if len(x) == 0:
        raise InputError("The grid has no valid pixel (every value is NaN or nodata).")
    out = {k: np.concatenate(v) for k, v in vals.items()}
    ts_all = np.concatenate(series) if series else None
    return x, np.concatenate(ys), out, ts_all

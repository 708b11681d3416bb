"""LiCSBAS results folders (TS_*/results/vel, vstd, coh_avg, mask, hgt) without cum.h5.

Each result is a raw little-endian float32 raster without a header; its grid is in
TS_*/info/EQA.dem_par (GAMMA DEM_par, EQA = WGS 84 lat/lon) whose corner_lat/corner_lon are
the centre of the first pixel: lat = corner_lat + row * post_lat, lon = corner_lon + col * post_lon.
vel and vstd are mm/yr (positive towards the satellite); mask is 1 for kept pixels, 0 for masked.
"""
import datetime as dt
import os
import re
from typing import Dict, List, Optional

import numpy as np

from ..dates import parse_yyyymmdd
from ..errors import InputError
from ..points import PointTable
from ..progress import Progress, ensure
from .layout import make_table

VELOCITY_FILES = ("vel", "vel.mskd", "vel.filt", "vel.filt.mskd")
WGS84 = "EPSG:4326"
STRIP = 512


def dem_par(path: str) -> Optional[str]:
    """The EQA.dem_par of the results file `path` (in ../info/ or beside it), or None."""
    folder = os.path.dirname(os.path.abspath(path))
    for p in (os.path.join(os.path.dirname(folder), "info", "EQA.dem_par"),
              os.path.join(folder, "EQA.dem_par")):
        if os.path.isfile(p):
            return p
    return None


def is_results(path: str) -> bool:
    """True for a file of a LiCSBAS results folder: no extension, EQA.dem_par found."""
    name = os.path.basename(path)
    return (not os.path.splitext(name)[1] or name in VELOCITY_FILES) and dem_par(path) is not None


def read_par(path: str) -> Dict[str, float]:
    """width, nlines, corner_lat, corner_lon, post_lat, post_lon of a DEM_par file."""
    values = {}
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key.strip() in ("width", "nlines", "corner_lat", "corner_lon", "post_lat", "post_lon"):
                try:
                    values[key.strip()] = float(rest.split()[0])
                except (IndexError, ValueError):
                    raise InputError(f"'{os.path.basename(path)}': '{line.strip()}' is not a number.") from None
    missing = [k for k in ("width", "nlines", "corner_lat", "corner_lon", "post_lat", "post_lon")
               if k not in values]
    if missing:
        raise InputError(f"'{path}' lacks {', '.join(missing)}; it is not a GAMMA EQA.dem_par.")
    if values["width"] < 1 or values["nlines"] < 1 or values["post_lat"] == 0 or values["post_lon"] == 0:
        raise InputError(f"'{path}' describes an empty grid (width, nlines or posts are 0).")
    return values


def used_dates(path: str) -> List[dt.date]:
    """The acquisition dates LiCSBAS used (info/13used_image.txt), or [] when absent."""
    info = os.path.dirname(dem_par(path) or "")
    p = os.path.join(info, "13used_image.txt")
    if not os.path.isfile(p):
        return []
    with open(p, encoding="ascii", errors="replace") as f:
        return [parse_yyyymmdd(t) for t in re.findall(r"(?<!\d)\d{8}(?!\d)", f.read())]


def _raster(path: str, shape) -> np.ndarray:
    size = os.path.getsize(path)
    want = int(shape[0] * shape[1] * 4)
    if size != want:
        raise InputError(f"'{os.path.basename(path)}' has {size} bytes but EQA.dem_par describes "
                         f"{int(shape[1])} x {int(shape[0])} float32 pixels ({want} bytes): it is "
                         "truncated or belongs to another grid.")
    return np.memmap(path, dtype="<f4", mode="r", shape=(int(shape[0]), int(shape[1])))


def read_results(path: str, nodata: Optional[float] = None, min_coherence: float = 0.0,
                 progress: Optional[Progress] = None) -> PointTable:
    """vel (mm/yr) with vstd, coh_avg and hgt of a LiCSBAS results folder as points (WGS 84).

    Pixels with mask 0 or a NaN velocity are left out (as in LiCSBAS's vel.mskd).
    """
    progress = ensure(progress)
    par_path = dem_par(path)
    if par_path is None:
        raise InputError(f"No EQA.dem_par found for '{os.path.basename(path)}' (looked in ../info/ "
                         "and beside it); it holds the grid of LiCSBAS's results.")
    name = os.path.basename(path)
    if name not in VELOCITY_FILES:
        raise InputError(f"'{name}' is a LiCSBAS result but not a velocity; give 'vel' (or vel.mskd, "
                         "vel.filt) from the same results folder.")
    par = read_par(par_path)
    shape = (int(par["nlines"]), int(par["width"]))
    folder = os.path.dirname(os.path.abspath(path))
    grids = {"velocity": _raster(path, shape)}
    for key, file in (("velocity_std", "vstd"), ("coherence", "coh_avg"), ("mask", "mask"),
                      ("hgt", "hgt")):
        p = os.path.join(folder, file)
        if os.path.isfile(p):
            grids[key] = _raster(p, shape)
    if min_coherence > 0 and "coherence" not in grids:
        raise InputError("MIN_COHERENCE was given but the results folder has no coh_avg.")
    xs, ys, vals = [], [], {k: [] for k in grids if k != "mask"}
    for r0 in range(0, shape[0], STRIP):
        r1 = min(shape[0], r0 + STRIP)
        block = {k: np.array(g[r0:r1], dtype=float) for k, g in grids.items()}
        if nodata is not None:
            for a in block.values():
                a[a == nodata] = np.nan
        valid = np.isfinite(block["velocity"])
        if "mask" in block:
            valid &= np.nan_to_num(block.pop("mask")) != 0
        if min_coherence > 0:
            valid &= block["coherence"] >= min_coherence
        rr, cc = np.nonzero(valid)
        xs.append(par["corner_lon"] + cc * par["post_lon"])
        ys.append(par["corner_lat"] + (rr + r0) * par["post_lat"])
        for k in vals:
            vals[k].append(block[k][rr, cc])
        progress(r1 / shape[0])
    x = np.concatenate(xs)
    if len(x) == 0:
        raise InputError(f"'{name}' has no valid pixel (every velocity is NaN or masked).")
    cols = {k: np.concatenate(v) for k, v in vals.items()}
    hgt = cols.pop("hgt", None)
    return make_table(x, np.concatenate(ys), WGS84, [], None, extras={"hgt": hgt} if hgt is not None
                      else None, **cols)

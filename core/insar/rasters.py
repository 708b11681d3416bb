"""Single rasters from InSAR processors: velocity maps and PyRate interferograms, to points.

- A velocity raster (EGMS L3 Ortho GeoTIFF, a rate map): band 1 is the velocity, in mm/yr
  unless the band or the file says metres (m/yr, m/year: multiplied by 1000).
- A PyRate interferogram (DATA_TYPE=ORIGINAL_IFG, DATA_UNITS=RADIANS): unwrapped phase between
  FIRST_DATE and SECOND_DATE, converted as PyRate does: d = phase * WAVELENGTH_METRES / (4 pi) * 1000
  mm. It becomes a two-date series (0 at the first date) whose rate is d over the time span.
"""
import datetime as dt
import os
import re
from typing import Dict, Optional

import numpy as np

from ..dates import to_date
from ..errors import InputError
from ..points import PointTable
from ..progress import Progress, ensure
from ..raster import grid_of, open_raster, read_float, row_windows
from .layout import make_table

EGMS_L3 = re.compile(r"EGMS_L3_.*_(U|E)_\d{4}_\d{4}", re.IGNORECASE)
_TWO_DATES = re.compile(r"(?<!\d)(\d{8}|\d{6})[-_](\d{8}|\d{6})(?!\d)")
COMPONENTS = {"U": "vertical (up positive)", "E": "east-west (east positive)"}


def metadata(path: str) -> Dict[str, str]:
    """The dataset's metadata tags (PyRate writes DATA_TYPE, DATA_UNITS, FIRST_DATE, ...)."""
    ds = open_raster(path)
    tags = ds.GetMetadata() or {}
    return {k.upper(): v for k, v in tags.items()}


def egms_component(path: str) -> Optional[str]:
    """'U' or 'E' for an EGMS L3 Ortho file name, else None."""
    m = EGMS_L3.search(os.path.basename(path))
    return m.group(1).upper() if m else None


def kind(path: str) -> Optional[str]:
    """'Velocity raster', 'PyRate interferogram' or None (not recognised); refuses coherence."""
    tags = metadata(path)
    data_type = tags.get("DATA_TYPE", "").upper()
    name = os.path.basename(path)
    if "COH" in data_type:
        raise InputError(f"'{name}' is a coherence raster (DATA_TYPE={tags['DATA_TYPE']}), not "
                         "deformation: there is nothing to import as InSAR points. Give the "
                         "interferogram (…_unw.tif) or a velocity raster; to use coherence as a "
                         "covariate, sample it with 'Sample rasters at points'.")
    if data_type.endswith("IFG") or (tags.get("FIRST_DATE") and tags.get("SECOND_DATE")):
        return "PyRate interferogram"
    if egms_component(path) or "RATE" in data_type or "VEL" in data_type:
        return "Velocity raster"
    return None


def to_mm(unit: str) -> float:
    """1000 for a unit in metres (m/yr, m/year, metres per year), else 1 (mm, mm/yr or none)."""
    text = (unit or "").strip().lower()
    if not text or text.startswith(("mm", "milli")):
        return 1.0
    return 1000.0 if text.startswith(("m/", "metre", "meter")) or text == "m" else 1.0


def _pixels(path: str, nodata: Optional[float], progress: Progress, rows: int = 256):
    """(x, y, values) of every valid pixel centre of band 1, read in strips."""
    ds = open_raster(path)
    grid = grid_of(ds)
    band = ds.GetRasterBand(1)
    xs, ys, vs = [], [], []
    for w in row_windows(grid.width, grid.height, rows):
        block = read_float(band, w)
        if nodata is not None:
            block[block == nodata] = np.nan
        rr, cc = np.nonzero(np.isfinite(block))
        cx, cy = grid.centres(w)
        xs.append(cx[cc])
        ys.append(cy[rr])
        vs.append(block[rr, cc])
        progress((w[1] + w[3]) / grid.height)
    x = np.concatenate(xs)
    if len(x) == 0:
        raise InputError(f"'{os.path.basename(path)}' has no valid pixel (every value is nodata).")
    return x, np.concatenate(ys), np.concatenate(vs), grid, band.GetUnitType() or ""


def read_velocity(path: str, nodata: Optional[float] = None,
                  progress: Optional[Progress] = None) -> PointTable:
    """A velocity raster as points: velocity in mm/yr at every valid pixel centre, no dates."""
    x, y, v, grid, unit = _pixels(path, nodata, ensure(progress))
    unit = unit or metadata(path).get("DATA_UNITS", "")
    return make_table(x, y, grid.crs_wkt, [], None, velocity=v * to_mm(unit))


def ifg_dates(path: str):
    """(first, second) date of an interferogram: PyRate's tags, else YYYYMMDD-YYYYMMDD in the name."""
    tags = metadata(path)
    if tags.get("FIRST_DATE") and tags.get("SECOND_DATE"):
        return to_date(tags["FIRST_DATE"]), to_date(tags["SECOND_DATE"])
    m = _TWO_DATES.search(os.path.basename(path))
    if not m:
        raise InputError(f"'{os.path.basename(path)}' names no first and second date (tags "
                         "FIRST_DATE/SECOND_DATE or YYYYMMDD-YYYYMMDD in the file name).")
    return tuple(_short_date(s) for s in m.groups())


def _short_date(text: str) -> dt.date:
    if len(text) == 6:  # ROI_PAC's YYMMDD
        text = ("19" if int(text[:2]) > 80 else "20") + text
    return to_date(text)


def coherence_beside(path: str) -> Optional[str]:
    """The PyRate coherence raster of the same pair beside an interferogram (…_cc.tif), if any."""
    folder, name = os.path.split(os.path.abspath(path))
    m = _TWO_DATES.search(name)
    if not m:
        return None
    for other in sorted(os.listdir(folder)):
        if other != name and m.group(0) in other and re.search(r"_cc\.tiff?$|coh", other, re.IGNORECASE):
            return os.path.join(folder, other)
    return None


def read_pyrate_ifg(path: str, nodata: Optional[float] = None,
                    progress: Optional[Progress] = None) -> PointTable:
    """One unwrapped interferogram as points: a two-date LOS series in mm and its rate."""
    progress = ensure(progress)
    tags = metadata(path)
    first, second = ifg_dates(path)
    if second <= first:
        raise InputError(f"'{os.path.basename(path)}': the second date {second} is not after the "
                         f"first {first}.")
    x, y, phase, grid, _ = _pixels(path, nodata, progress.sub(0, 0.8))
    units = tags.get("DATA_UNITS", "RADIANS").upper()
    if units.startswith("RAD"):
        try:
            wavelength = float(tags["WAVELENGTH_METRES"])
        except (KeyError, ValueError):
            raise InputError(f"'{os.path.basename(path)}' is in radians but has no WAVELENGTH_METRES "
                             "tag, so the phase cannot be turned into millimetres.") from None
        disp = phase * wavelength / (4 * np.pi) * 1000.0
    elif units.startswith("MILLI"):
        disp = phase
    else:
        raise InputError(f"'{os.path.basename(path)}' has DATA_UNITS={units}; radians or millimetres "
                         "are read.")
    coherence = None
    cc = coherence_beside(path)
    if cc is not None:
        cds = open_raster(cc)
        if grid_of(cds).same_as(grid):
            col, row = grid.world_to_pixel(x, y)
            coh = read_float(cds.GetRasterBand(1))
            coherence = coh[np.floor(row).astype(int), np.floor(col).astype(int)]
    incidence = None
    if tags.get("INCIDENCE_DEGREES"):
        incidence = np.full(len(x), float(tags["INCIDENCE_DEGREES"]))
    series = np.column_stack([np.zeros(len(x)), disp])
    progress(1.0)
    return make_table(x, y, grid.crs_wkt, [first, second], series, coherence=coherence,
                      incidence=incidence)

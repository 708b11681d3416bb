"""The study's file inputs checked before any work: stacks (files or folders), coherence pairs,
track names. Every refusal names the parameter and the file."""
import dataclasses
import datetime as dt
import os
import re
from typing import List, Sequence

from osgeo import gdal

from ..dates import MONTH_DAY, dated_files, file_date, full_dates_in_name
from ..errors import InputError

gdal.UseExceptions()
RASTER_EXTENSIONS = (".tif", ".tiff", ".vrt", ".img", ".nc", ".jp2", ".asc")


@dataclasses.dataclass(frozen=True)
class Pair:
    """A coherence raster of an interferometric pair and its two dates (from its name)."""

    path: str
    reference: dt.date
    secondary: dt.date

    @property
    def tag(self) -> str:
        return f"{self.reference:%Y%m%d}_{self.secondary:%Y%m%d}"


def check_raster(path: str, name: str) -> str:
    """The path, if GDAL can open it as a raster; else InputError naming `name` and the file."""
    if not os.path.isfile(path):
        raise InputError(f"{name}: '{path}' does not exist.")
    try:
        ds = gdal.Open(path)
    except RuntimeError as e:
        raise InputError(f"{name}: '{os.path.basename(path)}' cannot be read as a raster (is the file "
                         f"truncated or corrupt?): {e}") from None
    if ds is None or ds.RasterCount < 1:
        raise InputError(f"{name}: '{os.path.basename(path)}' cannot be read as a raster (is the file "
                         "truncated or corrupt?).")
    return path


def expand_stack(values: Sequence[str], name: str, month_day: int = MONTH_DAY) -> List[str]:
    """Files and folders to the dated rasters they hold, sorted by date. A folder gives every raster
    in it whose name carries a date; a file must carry one itself. Missing, unreadable, undated and
    repeated dates are refused."""
    paths: List[str] = []
    for value in values:
        value = os.path.expanduser(str(value))
        if os.path.isdir(value):
            found = sorted(os.path.join(value, n) for n in os.listdir(value)
                           if n.lower().endswith(RASTER_EXTENSIONS) and file_date(n) is not None)
            if not found:
                raise InputError(f"{name}: the folder '{value}' holds no raster with a date in its name "
                                 "(e.g. ndvi_201907.tif or ndvi_20190716.tif).")
            paths += found
        else:
            paths.append(value)
    for p in paths:
        check_raster(p, name)
    try:
        return [p for p, _ in dated_files(paths, month_day)]
    except InputError as e:
        raise InputError(f"{name}: {e}") from None


def one_folder(paths: Sequence[str]) -> str:
    """The folder when `paths` are exactly the dated rasters of one folder, else ''."""
    folders = {os.path.dirname(os.path.abspath(p)) for p in paths}
    if len(folders) != 1:
        return ""
    folder = folders.pop()
    every = {os.path.join(folder, n) for n in os.listdir(folder)
             if n.lower().endswith(RASTER_EXTENSIONS) and file_date(n) is not None}
    return folder if every == {os.path.abspath(p) for p in paths} else ""


def coherence_pairs(values: Sequence[str], name: str) -> List[Pair]:
    """Coherence rasters (files or folders) with the pair's two dates from each name."""
    paths: List[str] = []
    for value in values:
        if os.path.isdir(value):
            paths += sorted(os.path.join(value, n) for n in os.listdir(value)
                            if n.lower().endswith(RASTER_EXTENSIONS))
        else:
            paths.append(value)
    out = []
    for p in paths:
        check_raster(p, name)
        dates = sorted(set(full_dates_in_name(p)))
        if len(dates) < 2:
            raise InputError(f"{name}: '{os.path.basename(p)}' does not name its pair's two dates. Name a "
                             "coherence raster after its pair, e.g. coherence_20190809_20190821.tif.")
        out.append(Pair(p, dates[0], dates[-1]))
    return out


def slug(name: str) -> str:
    """A name as a lower-case layer-name part (letters, digits, _)."""
    text = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    return text or "track"


def track_names(paths: Sequence[str], given: str) -> List[str]:
    """The names of the tracks: the comma-separated `given` ones, else the file names."""
    names = [n.strip() for n in given.split(",")] if given.strip() else []
    if names and len(names) != len(paths):
        raise InputError(f"TRACK_NAMES gives {len(names)} names for {len(paths)} tracks; give one name "
                         "per track, comma-separated, or leave it empty.")
    if not names:  # the layer's name for one layer of a GeoPackage, else the file's
        names = [p.split("|layername=")[1] if "|layername=" in p else
                 os.path.splitext(os.path.basename(p.split("|")[0]))[0] for p in paths]
    slugs = [slug(n) for n in names]
    if len(set(slugs)) != len(slugs):
        names = [f"{n} ({k + 1})" for k, n in enumerate(names)]
    return names


def change_years(paths: Sequence[str], summer: int, winter: int, year_a=None, year_b=None):
    """(year A, year B) for the changes summer B − summer A and summer B − winter B of a stack,
    or (None, why not) when the stack lacks one of those months."""
    from ..optical.stack import date_rasters

    rasters = date_rasters(list(paths))
    summers = sorted({y for y in range(rasters[0].start.year, rasters[-1].end.year + 1)
                      if any(r.in_month(y, summer) for r in rasters)})
    if year_b is None:
        if not summers:
            return None, f"no raster falls in month {summer} (the summer month)"
        year_b = summers[-1]
    if year_a is None:
        year_a = year_b - 1
    missing = [f"{label} {y}-{m:02d}" for label, y, m in (("summer A", year_a, summer), ("summer B", year_b, summer),
                                                           ("winter B", year_b, winter))
               if not any(r.in_month(y, m) for r in rasters)]
    if missing:
        return None, "no raster for " + ", ".join(missing)
    return (int(year_a), int(year_b)), ""


def raster_in_month(paths: Sequence[str], year: int, month: int) -> str:
    """The first raster of a stack whose period overlaps the month ('' if none)."""
    from ..optical.stack import date_rasters

    return next((r.path for r in date_rasters(list(paths)) if r.in_month(year, month)), "")


def nearest_in_time(paths: Sequence[str], day: dt.date, month_day: int = MONTH_DAY) -> str:
    """The raster of a stack dated nearest to `day`."""
    dated = dated_files(list(paths), month_day)
    return min(dated, key=lambda pd: abs((pd[1] - day).days))[0]

"""Dates in field names, file names and time axes."""
import calendar
import dataclasses
import datetime as dt
import os
import re
from typing import Iterable, List, Optional, Sequence, Tuple

import numpy as np

from .errors import InputError

_FIELD = re.compile(r"^[Dd]_?(\d{8})$|^(\d{8})$")
_FILE8 = re.compile(r"(?<!\d)(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")
_FILE6 = re.compile(r"(?<!\d)(\d{4})[-_]?(\d{2})(?!\d)")


def parse_yyyymmdd(text: str) -> dt.date:
    """Parse 'YYYYMMDD'; raise InputError naming the text if it is not a real date."""
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise InputError(f"'{text}' is not a valid YYYYMMDD date.") from None


def date_of_field(name: str) -> Optional[dt.date]:
    """The date a field name stands for ('D20190109', 'D_20190109' or '20190109'), else None.

    A name shaped like a date that is not a real date (e.g. 'D20191340') raises InputError.
    """
    m = _FIELD.match(name.strip())
    if not m:
        return None
    return parse_yyyymmdd(m.group(1) or m.group(2))


def date_fields(names: Iterable[str]) -> List[Tuple[str, dt.date]]:
    """(field name, date) for every date field, sorted by date; duplicate dates are refused."""
    found = [(n, date_of_field(n)) for n in names]
    found = [(n, d) for n, d in found if d is not None]
    found.sort(key=lambda nd: nd[1])
    for (n1, d1), (n2, d2) in zip(found, found[1:]):
        if d1 == d2:
            raise InputError(f"Fields '{n1}' and '{n2}' hold the same date {d1.isoformat()}; "
                             "keep one of them.")
    return found


def field_name(date: dt.date) -> str:
    """The output field name for a date: 'DYYYYMMDD'."""
    return "D" + date.strftime("%Y%m%d")


MONTH_FIRST, MONTH_MIDDLE = 1, 16
#: The day a month-only file name (ndvi_201907.tif) stands for. Monthly means and composites
#: (GEE monthly composites, ERA5-Land, CHIRPS) describe the whole month, so its middle is their
#: date: on the 1st, every lag against them comes out about 15 days short.
MONTH_DAY = MONTH_MIDDLE


@dataclasses.dataclass(frozen=True)
class FileDate:
    """The date in a file name; `month_only` when the name gives only the year and the month."""

    date: dt.date
    month_only: bool

    @property
    def first(self) -> dt.date:
        """The first day of the period the file stands for (the 1st of its month if month-only)."""
        return self.date.replace(day=1) if self.month_only else self.date

    @property
    def last(self) -> dt.date:
        """The last day of that period (the month's last day if month-only)."""
        if not self.month_only:
            return self.date
        return dt.date(self.date.year, self.date.month, calendar.monthrange(self.date.year, self.date.month)[1])


def file_date(path: str, month_day: int = MONTH_DAY) -> Optional[FileDate]:
    """The date in a file name: 'YYYYMMDD' (also YYYY-MM-DD), or 'YYYYMM', which stands for day
    `month_day` of the month (default the middle, MONTH_DAY). The one place that decides whether
    a name is month-only."""
    stem = os.path.splitext(os.path.basename(path))[0]
    for m in _FILE8.finditer(stem):
        try:
            return FileDate(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), False)
        except ValueError:
            continue
    for m in _FILE6.finditer(stem):
        year, month = int(m.group(1)), int(m.group(2))
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            return FileDate(dt.date(year, month, month_day), True)
    return None


def date_of_filename(path: str, month_day: int = MONTH_DAY) -> Optional[dt.date]:
    """The date in a file name (see file_date), or None."""
    found = file_date(path, month_day)
    return found.date if found else None


def full_dates_in_name(path: str) -> List[dt.date]:
    """Every full YYYYMMDD (or YYYY-MM-DD) date in a file name, in order (e.g. the two dates of an
    interferometric pair, coh_20190809_20190821.tif)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    out = []
    for m in _FILE8.finditer(stem):
        try:
            out.append(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            continue
    return out


def dated_name_key(path: str) -> Optional[str]:
    """The file name with its full YYYYMMDD date replaced by '#' (None without a full date): the
    files of one dated series share it (disp_20190109.tif and disp_20190121.tif: 'disp_#')."""
    stem = os.path.splitext(os.path.basename(path))[0]
    found = file_date(path)
    if found is None or found.month_only:
        return None
    return _FILE8.sub("#", stem)


def dated_files(paths: Sequence[str], month_day: int = MONTH_DAY) -> List[Tuple[str, dt.date]]:
    """(path, date) sorted by date; every path must carry a date and no date may repeat."""
    out = []
    for p in paths:
        d = date_of_filename(p, month_day)
        if d is None:
            raise InputError(f"No date found in the file name '{os.path.basename(p)}'. "
                             "Put the date in the name as YYYYMMDD or YYYYMM, e.g. ndvi_201907.tif.")
        out.append((p, d))
    out.sort(key=lambda pd: pd[1])
    for (p1, d1), (p2, d2) in zip(out, out[1:]):
        if d1 == d2:
            raise InputError(f"'{os.path.basename(p1)}' and '{os.path.basename(p2)}' have the same "
                             f"date {d1.isoformat()}; give each date once.")
    return out


def decimal_years(dates: Sequence[dt.date]) -> np.ndarray:
    """Dates as decimal years (2019.0 = 1 Jan 2019), using the true length of each year."""
    out = np.empty(len(dates))
    for i, d in enumerate(dates):
        start = dt.date(d.year, 1, 1).toordinal()
        length = dt.date(d.year + 1, 1, 1).toordinal() - start
        out[i] = d.year + (d.toordinal() - start) / length
    return out


def ordinal_days(dates: Sequence[dt.date]) -> np.ndarray:
    """Dates as float day numbers (proleptic Gregorian ordinal)."""
    return np.array([d.toordinal() for d in dates], dtype=float)


def to_date(value) -> dt.date:
    """A date from a date, datetime, 'YYYY-MM-DD' or 'YYYYMMDD' string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text[:19] if "T" in text else text, fmt).date()
        except ValueError:
            continue
    raise InputError(f"'{text}' is not a date; write it as YYYY-MM-DD.")

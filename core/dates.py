"""Dates in field names, file names and time axes."""
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


def date_of_filename(path: str) -> Optional[dt.date]:
    """The date in a file name: 'YYYYMMDD' (also YYYY-MM-DD) or 'YYYYMM' (the 1st of the month)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    for m in _FILE8.finditer(stem):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    for m in _FILE6.finditer(stem):
        year, month = int(m.group(1)), int(m.group(2))
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    return None


def dated_files(paths: Sequence[str]) -> List[Tuple[str, dt.date]]:
    """(path, date) sorted by date; every path must carry a date and no date may repeat."""
    out = []
    for p in paths:
        d = date_of_filename(p)
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

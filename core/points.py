"""A table of points as numpy columns: the form every core algorithm takes and returns."""
import dataclasses
import datetime as dt
from typing import Dict, List, Optional, Tuple

import numpy as np

from .dates import date_fields
from .errors import InputError


@dataclasses.dataclass
class PointTable:
    """Points with x, y and named columns.

    Numeric columns are float64 with NaN for NULL (or int64 when they hold no NULL);
    text columns are object arrays of str or None.
    """

    x: np.ndarray
    y: np.ndarray
    columns: Dict[str, np.ndarray]
    crs_wkt: str = ""

    def __post_init__(self):
        self.x = np.asarray(self.x, dtype=float)
        self.y = np.asarray(self.y, dtype=float)
        for name, col in self.columns.items():
            if len(col) != len(self.x):
                raise ValueError(f"column {name} has {len(col)} rows, expected {len(self.x)}")

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, keep: np.ndarray) -> "PointTable":
        """The rows selected by a boolean mask or an index array."""
        return PointTable(self.x[keep], self.y[keep],
                          {k: v[keep] for k, v in self.columns.items()}, self.crs_wkt)

    def date_columns(self) -> List[Tuple[str, dt.date]]:
        """(column name, date) of the series columns, sorted by date."""
        return date_fields(self.columns.keys())

    def series(self) -> Tuple[List[dt.date], np.ndarray]:
        """Dates and the (n_points, n_dates) float matrix of the series columns."""
        cols = self.date_columns()
        if not cols:
            raise InputError("The layer has no date fields. Date fields are named DYYYYMMDD, "
                             "D_YYYYMMDD or YYYYMMDD, one per acquisition.")
        mat = np.column_stack([numeric(self.columns[n], n) for n, _ in cols])
        return [d for _, d in cols], mat

def numeric(col: np.ndarray, name: str) -> np.ndarray:
    """A column as float64 (NULL as NaN); text that is not a number raises InputError.

    ±inf is no value, as NaN: read as NULL, like infinite pixels and imported values.
    """
    if col.dtype.kind in "fiub":
        out = col.astype(float)
        out[np.isinf(out)] = np.nan
        return out
    out = np.empty(len(col))
    for i, v in enumerate(col):
        if v is None or (isinstance(v, str) and v.strip() == ""):
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise InputError(f"Field '{name}' must be numeric, but row {i + 1} holds '{v}'. "
                             "Convert the field to a number first (Field calculator: to_real).") from None
    out[np.isinf(out)] = np.nan
    return out


def find_column(columns, candidates, required: Optional[str] = None) -> Optional[str]:
    """The first column whose name matches one of `candidates`, case-insensitively."""
    lower = {c.lower(): c for c in columns}
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    if required:
        raise InputError(f"No {required} field found; expected one of: {', '.join(candidates)}.")
    return None

"""GNSS station series compared with InSAR: read, project onto the LOS (or the vertical), align.

The LOS unit vector points from the ground to the satellite, so a positive LOS displacement
is a motion towards the satellite, as InSAR products give it. From the incidence angle θ and
the heading α of the satellite track (clockwise from north, right-looking radar):
    e = -sin θ cos α,  n = sin θ sin α,  u = cos θ.
"""
import csv
import dataclasses
import datetime as dt
import math
from typing import Optional, Sequence, Tuple

import numpy as np

from ..dates import to_date
from ..errors import InputError
from .fits import YEAR


@dataclasses.dataclass(frozen=True)
class Station:
    """A station's daily (or any) positions, mm, east/north/up, with optional 1-sigma errors."""

    name: str
    dates: Tuple[dt.date, ...]
    east: np.ndarray
    north: np.ndarray
    up: np.ndarray
    sigma_east: Optional[np.ndarray] = None
    sigma_north: Optional[np.ndarray] = None
    sigma_up: Optional[np.ndarray] = None


@dataclasses.dataclass(frozen=True)
class Comparison:
    """InSAR against GNSS on the InSAR dates where both exist (GNSS interpolated in time)."""

    direction: str            # "LOS" or "vertical"
    dates: Tuple[dt.date, ...]
    gnss: np.ndarray          # GNSS along the direction, offset removed, on `dates` (mm)
    insar: np.ndarray         # InSAR on `dates` (mm)
    offset_mm: float          # subtracted from the GNSS series (mean InSAR - GNSS difference)
    rms_mm: float             # RMS of InSAR - GNSS after the offset
    rate_insar: float         # linear rates over the common dates, mm/yr
    rate_gnss: float
    n: int

    @property
    def rate_difference(self) -> float:
        return self.rate_insar - self.rate_gnss

    def describe(self) -> str:
        return (f"GNSS ({self.direction}) vs InSAR on {self.n} dates: RMS difference {self.rms_mm:.2f} mm, "
                f"rates {self.rate_insar:+.2f} vs {self.rate_gnss:+.2f} mm/yr "
                f"(difference {self.rate_difference:+.2f}), offset {self.offset_mm:+.2f} mm removed")


def _column(header, *names):
    low = [h.strip().lower() for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    return None


def read_station(path: str, unit: str = "mm") -> Station:
    """A CSV with a header: date, east, north, up (any case; also e/n/u, dE/dN/dU), and optional
    sigma_east, sigma_north, sigma_up (or se/sn/su). `unit` ('mm' or 'm') is that of the values."""
    scale = {"mm": 1.0, "m": 1000.0}.get(unit)
    if scale is None:
        raise InputError(f"The GNSS unit must be 'mm' or 'm', not '{unit}'.")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if len(rows) < 3:
        raise InputError(f"'{path}' has fewer than two data rows; a GNSS series needs a header and rows.")
    header, body = rows[0], [r for r in rows[1:] if r and any(c.strip() for c in r)]
    cols = {"date": _column(header, "date", "time", "epoch"),
            "e": _column(header, "east", "e", "de", "dn_e"), "n": _column(header, "north", "n", "dn"),
            "u": _column(header, "up", "u", "du", "vertical")}
    missing = [k for k, v in cols.items() if v is None]
    if missing:
        raise InputError(f"'{path}' lacks the column(s) {', '.join(missing)}; its header must name "
                         "date, east, north and up.")
    sig = {k: _column(header, f"sigma_{n}", f"s{k}", f"sig_{n}", f"{n}_sigma")
           for k, n in (("e", "east"), ("n", "north"), ("u", "up"))}
    dates, vals, sigmas = [], [], []
    for k, r in enumerate(body, start=2):
        try:
            d = to_date(r[cols["date"]])
            v = [float(r[cols[c]]) * scale for c in "enu"]
            s = [float(r[sig[c]]) * scale if sig[c] is not None and r[sig[c]].strip() else math.nan for c in "enu"]
        except (ValueError, IndexError, TypeError):  # InputError is a ValueError
            raise InputError(f"'{path}', row {k}: expected a date (YYYY-MM-DD) and three numbers, "
                             f"got {r}.") from None
        dates.append(d)
        vals.append(v)
        sigmas.append(s)
    order = np.argsort([d.toordinal() for d in dates], kind="stable")
    v, s = np.array(vals)[order], np.array(sigmas)[order]
    have = [np.isfinite(s[:, j]).any() for j in range(3)]
    name = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return Station(name, tuple(dates[i] for i in order), v[:, 0], v[:, 1], v[:, 2],
                   *(s[:, j] if have[j] else None for j in range(3)))


def los_vector(los_east=None, los_north=None, los_up=None, incidence=None, heading=None):
    """The ground-to-satellite unit vector (e, n, u) from LOS components or incidence + heading
    (degrees); None when neither is given."""
    if all(v is not None and np.isfinite(v) for v in (los_east, los_north, los_up)):
        vec = np.array([los_east, los_north, los_up], float)
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            raise InputError("The LOS vector (los_east, los_north, los_up) is zero.")
        return vec / norm
    if incidence is not None and heading is not None and np.isfinite(incidence) and np.isfinite(heading):
        th, al = math.radians(incidence), math.radians(heading)
        return np.array([-math.sin(th) * math.cos(al), math.sin(th) * math.sin(al), math.cos(th)])
    return None


def project(station: Station, vector=None) -> Tuple[np.ndarray, Optional[np.ndarray], str]:
    """(series, sigma or None, direction): the station along `vector` (LOS), or its up component."""
    if vector is None:
        return station.up, station.sigma_up, "vertical"
    e, n, u = vector
    series = e * station.east + n * station.north + u * station.up
    sig = None
    if station.sigma_east is not None and station.sigma_north is not None and station.sigma_up is not None:
        sig = np.sqrt((e * station.sigma_east) ** 2 + (n * station.sigma_north) ** 2 + (u * station.sigma_up) ** 2)
    return series, sig, "LOS"


def _days(dates: Sequence[dt.date]) -> np.ndarray:
    return np.array([d.toordinal() for d in dates], float)


def compare(insar_dates: Sequence[dt.date], insar: np.ndarray, gnss_dates: Sequence[dt.date],
            gnss: np.ndarray, direction: str = "LOS") -> Comparison:
    """Interpolate the GNSS series to the InSAR dates inside its span, remove the mean
    difference, and report the RMS difference and both linear rates."""
    ti, tg = _days(insar_dates), _days(gnss_dates)
    y = np.asarray(insar, float)
    g = np.asarray(gnss, float)
    okg = np.isfinite(g)
    if okg.sum() < 2:
        raise InputError("The GNSS series has fewer than two values.")
    inside = (ti >= tg[okg].min()) & (ti <= tg[okg].max()) & np.isfinite(y)
    if inside.sum() < 3:
        raise InputError("The GNSS series and the InSAR series overlap on fewer than three InSAR dates.")
    gi = np.interp(ti[inside], tg[okg], g[okg])
    yi = y[inside]
    offset = float(np.mean(yi - gi))
    diff = yi - (gi + offset)
    t = (ti[inside] - ti[inside][0]) / YEAR
    rate_i = float(np.polyfit(t, yi, 1)[0])
    rate_g = float(np.polyfit(t, gi, 1)[0])
    dates = tuple(d for d, k in zip(insar_dates, inside) if k)
    return Comparison(direction, dates, gi + offset, yi, offset, float(np.sqrt(np.mean(diff ** 2))),
                      rate_i, rate_g, int(inside.sum()))

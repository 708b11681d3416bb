"""Scene sizes, the time axis and the seasonal shapes shared by the InSAR and optical parts."""
import dataclasses
import datetime as dt
from typing import Tuple

import numpy as np

from ..dates import MONTH_DAY
from ..errors import InputError
from .geometry import LARGE_EXTENT, SMALL_EXTENT

SIZES = ("small", "large")
DEFAULT_SEED = 42
T0 = dt.date(2019, 1, 1)
YEAR = 365.25
MONTHS = [dt.date(y, m, 1) for y in (2019, 2020) for m in range(1, 13)]
# A monthly raster (ndvi_YYYYMM) holds the field on the middle of its month, the day the plugin
# gives a month-only file name (core.dates.MONTH_DAY): monthly means stand for the whole month.
MONTH_VALUE_DAY = MONTH_DAY

# Farmland timing (days of year). The seasonal displacement peaks at FARM_PEAK_DOY, so the
# subsidence rate (-dU/dt) peaks a quarter year later; NDVI and soil moisture follow it.
FARM_PEAK_DOY = 90.0
LAG_NDVI_DAYS = 15.0
LAG_SM_DAYS = 30.0
RATE_PEAK_DOY = FARM_PEAK_DOY + YEAR / 4.0
# The interannual change switches on during the winter 2019/20 (raised cosine between these dates).
SWITCH = (dt.date(2019, 11, 15), dt.date(2020, 3, 15))


@dataclasses.dataclass(frozen=True)
class SceneConfig:
    """What a scene size means: extent, point density and raster resolutions."""

    size: str
    seed: int
    extent: Tuple[float, float, float, float]
    spacing: float = 56.0            # InSAR point grid (m)
    background_every: int = 1        # keep every n-th grid node (in x and y) away from the zones
    ndvi_res: float = 250.0
    sm_res: float = 1000.0
    dem_res: float = 25.0
    s2_res: float = 10.0
    slc_res: float = 25.0
    big_ndvi: bool = False           # also write the 10980 x 10980 NDVI raster (large only)
    big_ndvi_res: float = 5.0
    block_rows: int = 40             # grid rows of InSAR points generated per block

    @property
    def width(self) -> float:
        return self.extent[2] - self.extent[0]

    @property
    def height(self) -> float:
        return self.extent[3] - self.extent[1]


def make_config(size: str = "small", seed: int = DEFAULT_SEED) -> SceneConfig:
    """The configuration of a named size ('small' or 'large')."""
    if size not in SIZES:
        raise InputError(f"Unknown scene size '{size}'; use one of: {', '.join(SIZES)}.")
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise InputError(f"The seed must be a whole number, not '{seed}'.") from None
    if seed < 0:
        raise InputError("The seed must be zero or positive.")
    if size == "small":
        return SceneConfig("small", seed, SMALL_EXTENT, background_every=4)
    return SceneConfig("large", seed, LARGE_EXTENT, background_every=1, big_ndvi=True)


def years(dates) -> np.ndarray:
    """Time in years since 2019-01-01 (days / 365.25) of dates."""
    return np.array([(d - T0).days / YEAR for d in dates], float)


def doy_phase(t: np.ndarray, peak_doy: float) -> np.ndarray:
    """2*pi*(t - (peak_doy - 1)/365.25): zero on the peak day of each year."""
    return 2 * np.pi * (np.asarray(t, float) - (peak_doy - 1.0) / YEAR)


def seasonal(t: np.ndarray, amplitude, peak_doy: float) -> np.ndarray:
    """The seasonal displacement A*cos(2*pi*(t - (peak_doy-1)/365.25)) (A at its peak day)."""
    return np.multiply.outer(np.asarray(amplitude, float), np.cos(doy_phase(t, peak_doy))) \
        if np.ndim(amplitude) else amplitude * np.cos(doy_phase(t, peak_doy))


def growth_shape(t, peak_doy: float) -> np.ndarray:
    """Seasonal shape of vegetation and soil moisture: ((1 + cos)/2)^2, 1 on the peak day, 0 half a year off."""
    return ((1.0 + np.cos(doy_phase(t, peak_doy))) / 2.0) ** 2


def switch(t) -> np.ndarray:
    """0 before mid-Nov 2019, 1 after mid-Mar 2020: when the 2020 interannual change applies."""
    a, b = years([SWITCH[0]])[0], years([SWITCH[1]])[0]
    u = np.clip((np.asarray(t, float) - a) / (b - a), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)




def value_date(month: dt.date) -> dt.date:
    """The day a monthly raster of `month` holds the field of (the middle of the month)."""
    return month.replace(day=MONTH_VALUE_DAY)


T_JUL2019 = float(years([value_date(dt.date(2019, 7, 1))])[0])

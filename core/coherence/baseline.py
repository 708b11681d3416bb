"""Baseline decorrelation (Ningxia paper eqs. 2-3): the critical baseline and gamma_baseline."""
import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

S1_WAVELENGTH = 0.05546576  # m, Sentinel-1 C band (5.405 GHz)
# The defaults reproduce the paper's Sentinel-1 example: R = 900 km, theta = 44 deg, flat
# terrain and rho_r = 5 m give B_perp,c = 4.82 km (the paper: "about 5 km") and 0.979 at 100 m.
DEFAULT_SLANT_RANGE = 900_000.0
DEFAULT_INCIDENCE = 44.0
DEFAULT_RANGE_RESOLUTION = 5.0


@dataclass(frozen=True)
class Baseline:
    """The critical perpendicular baseline (m) of a geometry, and what went into it."""

    critical: float
    wavelength: float
    slant_range: float
    incidence: float
    slope: float
    range_resolution: float


def critical_baseline(wavelength: float = S1_WAVELENGTH, slant_range: float = DEFAULT_SLANT_RANGE,
                      incidence: float = DEFAULT_INCIDENCE, slope: float = 0.0,
                      range_resolution: float = DEFAULT_RANGE_RESOLUTION) -> Baseline:
    """B_perp,c = lambda * R * tan(theta - alpha) / (2 * rho_r) (eq. 3); angles in degrees."""
    for name, v in (("WAVELENGTH", wavelength), ("SLANT_RANGE", slant_range),
                    ("RANGE_RESOLUTION", range_resolution)):
        if not (v is not None and math.isfinite(v) and v > 0):
            raise InputError(f"{name} must be a positive number (got {v}).")
    if not (math.isfinite(incidence) and 0 < incidence < 90):
        raise InputError(f"INCIDENCE must be between 0 and 90 degrees (got {incidence}).")
    local = incidence - slope
    if not 0 < local < 90:
        raise InputError(f"The local incidence angle theta - alpha = {incidence:g} - {slope:g} = "
                         f"{local:g} degrees is outside (0, 90): the slope faces the radar at or "
                         "beyond the incidence angle (layover) or is hidden from it (shadow), "
                         "and there is no critical baseline.")
    crit = wavelength * slant_range * math.tan(math.radians(local)) / (2.0 * range_resolution)
    return Baseline(crit, wavelength, slant_range, incidence, slope, range_resolution)


def baseline_gamma(bperp, critical: float) -> np.ndarray:
    """gamma_baseline = 1 - |B_perp| / B_perp,c (eq. 2), clipped to [0, 1]; NaN stays NaN."""
    b = np.abs(np.asarray(bperp, dtype=float))
    with np.errstate(invalid="ignore"):
        return np.clip(1.0 - b / critical, 0.0, 1.0)

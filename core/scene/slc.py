"""Sentinel-2-like red/NIR reflectance (10 m) and a co-registered SLC pair (25 m) over a sub-area.

True coherence: gamma = (a*exp(b*NDVI25) + c) * gamma_baseline, where NDVI25 is the maximum-value
composite of the 10 m NDVI (computed from the written uint16 bands) of the S2 dates between the
SLC dates, averaged (area-weighted, as GDAL 'average') onto the 25 m grid, and
gamma_baseline = 1 - |B_perp| / B_c with B_c = lambda*R*tan(theta - alpha) / (2*rho_r),
alpha the terrain slope along the look direction. Speckle is circular Gaussian:
s1 = A*z1, s2 = A*(gamma*z1 + sqrt(1 - gamma^2)*z2)*exp(i*phi), z complex standard normal.
"""
import dataclasses
import datetime as dt
from typing import Dict, List, Tuple

import numpy as np

from ..progress import checkpoint
from .config import SceneConfig, years
from .geometry import FARMLAND, Ground
from .optical import Optical, centres, grid_for
from .rates import COH_A, COH_B, COH_C, coherence_law

SUBAREA = (567000.0, 4303000.0, 572000.0, 4308000.0)  # 5 km: 200 x 200 SLC pixels
S2_OFFSETS_DAYS = (-8, 2, 7, 17)       # S2 dates relative to the SLC reference date
WAVELENGTH = 0.05547                   # m, C band
SLANT_RANGE = 850000.0                 # m
RANGE_RESOLUTION = 3.6                 # m, slant range
PHASE = {"const_rad": 0.3, "per_km_x_rad": 0.4, "per_km_y_rad": -0.25}
PARCEL = (160.0, 120.0)                # m, farm parcel size
FALLOW_SHARE = 0.15
REFLECTANCE_NOISE = 0.002


@dataclasses.dataclass
class SlcProducts:
    s2_dates: List[dt.date]
    red: List[np.ndarray]
    nir: List[np.ndarray]
    slc1: np.ndarray
    slc2: np.ndarray
    gamma: np.ndarray
    ndvi25: np.ndarray
    grid10: object
    grid25: object
    truth: Dict


def area_weights(n_out: int, res_out: float, n_in: int, res_in: float) -> np.ndarray:
    """(n_out, n_in) matrix of overlap lengths / res_out: exact area-weighted downsampling in 1-D."""
    lo = np.arange(n_out)[:, None] * res_out
    a = np.arange(n_in)[None, :] * res_in
    return np.clip(np.minimum(lo + res_out, a + res_in) - np.maximum(lo, a), 0, None) / res_out


def ndvi_from_bands(red: np.ndarray, nir: np.ndarray) -> np.ndarray:
    """(NIR - R) / (NIR + R) of uint16 reflectance, NaN where both are 0."""
    r, n = red.astype(float), nir.astype(float)
    s = r + n
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, (n - r) / s, np.nan)


def baseline_term(bperp: float, theta_deg: float, slope_deg: np.ndarray) -> np.ndarray:
    """1 - |B_perp| / B_c with the critical baseline of a slope alpha (deg) along the look."""
    bc = WAVELENGTH * SLANT_RANGE * np.tan(np.radians(theta_deg - slope_deg)) / (2 * RANGE_RESOLUTION)
    return np.clip(1.0 - abs(bperp) / bc, 0.0, 1.0)


def make_slc(cfg: SceneConfig, ground: Ground, optical: Optical, pair: Tuple[dt.date, dt.date],
             bperp: float, theta_deg: float, crs_wkt: str) -> SlcProducts:
    """Reflectance bands, the SLC pair and the planted coherence over SUBAREA."""
    rng = np.random.default_rng([cfg.seed, 5])
    g10 = grid_for(SUBAREA, cfg.s2_res, crs_wkt)
    g25 = grid_for(SUBAREA, cfg.slc_res, crs_wkt)
    x, y = centres(g10)
    lc = ground.landcover(x, y)
    farm = lc == FARMLAND
    base = optical.ndvi_terms(x, y)[FARMLAND][0]
    px = np.floor((x - SUBAREA[0]) / PARCEL[0]).astype(int)
    py = np.floor((y - SUBAREA[1]) / PARCEL[1]).astype(int)
    npx, npy = px.max() + 1, py.max() + 1
    vigour = rng.uniform(0.7, 1.3, (npy, npx))
    vigour[rng.random((npy, npx)) < FALLOW_SHARE] = 0.1
    vig = vigour[py, px]
    s2_dates = [pair[0] + dt.timedelta(days=d) for d in S2_OFFSETS_DAYS]
    reds, nirs, ndvis = [], [], []
    for d in s2_dates:
        checkpoint()
        t = float(years([d])[0])
        pure = optical.ndvi_at(x, y, lc, t)
        ndvi = np.where(farm, base + vig * (pure - base), pure) + rng.normal(0, 0.01, x.shape)
        ndvi = np.clip(ndvi, -0.2, 0.92)
        red = 0.22 - 0.19 * np.clip((ndvi - 0.05) / 0.85, 0, 1) + rng.normal(0, REFLECTANCE_NOISE, x.shape)
        red = np.clip(red, 0.01, 0.5)
        nir = np.clip(red * (1 + ndvi) / (1 - ndvi), 0.01, 0.9)
        r16 = np.round(red * 10000).astype(np.uint16)
        n16 = np.round(nir * 10000).astype(np.uint16)
        reds.append(r16)
        nirs.append(n16)
        ndvis.append(ndvi_from_bands(r16, n16))
    checkpoint()
    between = [i for i, d in enumerate(s2_dates) if pair[0] <= d <= pair[1]]
    mvc = np.max(np.stack([ndvis[i] for i in between]), axis=0)
    wy = area_weights(g25.height, cfg.slc_res, g10.height, cfg.s2_res)
    wx = area_weights(g25.width, cfg.slc_res, g10.width, cfg.s2_res)
    ndvi25 = wy @ mvc @ wx.T
    x25, y25 = centres(g25)
    checkpoint()
    h = 1.0
    dzdx = (ground.dem(x25 + h, y25) - ground.dem(x25 - h, y25)) / (2 * h)
    slope_look = np.degrees(np.arctan(dzdx))
    law = coherence_law(ndvi25)
    bterm = baseline_term(bperp, theta_deg, slope_look)
    gamma = law * bterm
    farm25 = wy @ farm.astype(float) @ wx.T
    amp = np.sqrt(0.03 + 0.07 * farm25)
    phi = (PHASE["const_rad"] + PHASE["per_km_x_rad"] * (x25 - SUBAREA[0]) / 1000.0
           + PHASE["per_km_y_rad"] * (y25 - SUBAREA[1]) / 1000.0)
    checkpoint()
    shape = gamma.shape
    z1 = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
    z2 = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
    s1 = (amp * z1).astype(np.complex64)
    s2 = (amp * (gamma * z1 + np.sqrt(1 - gamma ** 2) * z2) * np.exp(1j * phi)).astype(np.complex64)
    truth = {
        "law": "exponential", "a": COH_A, "b": COH_B, "c": COH_C,
        "formula": "gamma = (a*exp(b*ndvi) + c) * slope_term, a*exp(b*ndvi)+c clipped to [0, 0.99]",
        "slope_term": {"formula": "1 - |bperp| / Bc, Bc = wavelength*slant_range*tan(theta - alpha)"
                                  "/(2*range_resolution), alpha = terrain slope along the look (deg)",
                       "wavelength_m": WAVELENGTH, "slant_range_m": SLANT_RANGE,
                       "range_resolution_m": RANGE_RESOLUTION, "theta_deg": round(theta_deg, 4),
                       "min": float(bterm.min()), "max": float(bterm.max())},
        "looks": 1, "bperp_m": round(float(bperp), 2),
        "reference": pair[0].isoformat(), "secondary": pair[1].isoformat(),
        "ndvi_dates": [s2_dates[i].isoformat() for i in between], "ndvi_composite": "max",
        "ndvi_resampling": "area-weighted mean of the 10 m NDVI onto the 25 m grid (GDAL 'average')",
        "ndvi25_range": [float(np.nanmin(ndvi25)), float(np.nanmax(ndvi25))],
        "gamma_range": [float(gamma.min()), float(gamma.max())],
        "phase": dict(PHASE, origin=[SUBAREA[0], SUBAREA[1]],
                      formula="phi = const + per_km_x*(x-x0)/1000 + per_km_y*(y-y0)/1000 (s2 relative to s1)"),
        "amplitude": "sqrt(0.03 + 0.07 * farmland share of the pixel)",
        "subarea": list(SUBAREA), "s2_resolution_m": cfg.s2_res, "slc_resolution_m": cfg.slc_res,
        "s2_dates": [d.isoformat() for d in s2_dates],
    }
    return SlcProducts(s2_dates, reds, nirs, s1, s2, gamma, ndvi25, g10, g25, truth)

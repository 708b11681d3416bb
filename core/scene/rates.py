"""The planted vertical deformation at any point: rate, seasonal amplitude and phase.

Farmland points (land cover 1 at the point, nearest 25 m pixel) follow the GWR relation
velocity_up = b0 + b1*dndvi + b2*dsm, with dndvi and dsm sampled bilinearly from the written
NDVI and soil-moisture rasters. Every other point gets the bisquare bowls of the other zones.
"""
import dataclasses
from typing import Dict, Tuple

import numpy as np

from ..raster import Grid
from .config import FARM_PEAK_DOY
from .geometry import FARMLAND, GRASS, ORIGIN, URBAN, WATER, Ground, bisquare

# Planted coefficient surfaces: b = const + per_km_x*(x - x0)/1000 + per_km_y*(y - y0)/1000.
GWR = {
    "b0": {"const": -2.0, "per_km_x": 0.0, "per_km_y": 0.0},
    "b1": {"const": -80.0, "per_km_x": -5.0, "per_km_y": 1.0},
    "b2": {"const": -180.0, "per_km_x": 14.0, "per_km_y": 2.0},
}
FARM_SEASONAL_BG = 3.0          # mm, seasonal amplitude of farmland away from the bowls
FARM_SEASONAL_REACH = 1.2       # the seasonal bowl reaches 1.2 zone radii
# Coherence law (Ningxia-like) used for the point-keeping draw and the SLC pair.
COH_A, COH_B, COH_C = 0.98, -1.9, 0.08
KEEP_POWER = 0.7                # P(keep) = gamma(NDVI Jul 2019) ** 0.7 (x class factor)
CLASS_KEEP = {WATER: 0.0, GRASS: 0.8, URBAN: 1.0}


def coherence_law(ndvi: np.ndarray) -> np.ndarray:
    """gamma = a*exp(b*NDVI) + c, clipped to [0, 0.99]."""
    return np.clip(COH_A * np.exp(COH_B * np.asarray(ndvi, float)) + COH_C, 0.0, 0.99)


def surface(name: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A planted coefficient surface at the points."""
    s = GWR[name]
    return s["const"] + s["per_km_x"] * (np.asarray(x) - ORIGIN[0]) / 1000.0 \
        + s["per_km_y"] * (np.asarray(y) - ORIGIN[1]) / 1000.0


def bilinear(arr: np.ndarray, grid: Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear value between pixel centres (as core.sampling 'bilinear'); clamped at the edges."""
    x0, dx, _, y0, _, dy = grid.transform
    col = (np.asarray(x, float) - x0) / dx - 0.5
    row = (np.asarray(y, float) - y0) / dy - 0.5
    c0 = np.clip(np.floor(col), 0, grid.width - 2).astype(np.int64)
    r0 = np.clip(np.floor(row), 0, grid.height - 2).astype(np.int64)
    fx = np.clip(col - c0, 0.0, 1.0)
    fy = np.clip(row - r0, 0.0, 1.0)
    a = arr.astype(float)
    return ((a[r0, c0] * (1 - fx) + a[r0, c0 + 1] * fx) * (1 - fy)
            + (a[r0 + 1, c0] * (1 - fx) + a[r0 + 1, c0 + 1] * fx) * fy)


def nearest(arr: np.ndarray, grid: Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Value of the pixel holding each point (clamped at the edges)."""
    x0, dx, _, y0, _, dy = grid.transform
    c = np.clip(np.floor((np.asarray(x) - x0) / dx), 0, grid.width - 1).astype(np.int64)
    r = np.clip(np.floor((np.asarray(y) - y0) / dy), 0, grid.height - 1).astype(np.int64)
    return arr[r, c]


@dataclasses.dataclass
class PlantedRates:
    """The written rasters the rates depend on, and the zones."""

    ground: Ground
    lc_grid: Grid
    lc: np.ndarray            # uint8 land cover
    ndvi_grid: Grid
    dndvi: np.ndarray         # float64(ndvi_202007) - float64(ndvi_201907)
    ndvi_keep: np.ndarray     # ndvi_201907, drives the coherence (point keeping) draw
    sm_grid: Grid
    dsm: np.ndarray           # float64(sm_202007) - float64(sm_201907)

    def at(self, x: np.ndarray, y: np.ndarray) -> Dict[str, np.ndarray]:
        """Planted quantities at points: up rate, seasonal amplitude/peak, lc, dndvi, dsm, gamma."""
        x, y = np.asarray(x, float), np.asarray(y, float)
        lc = nearest(self.lc, self.lc_grid, x, y)
        dn = bilinear(self.dndvi, self.ndvi_grid, x, y)
        ds = bilinear(self.dsm, self.sm_grid, x, y)
        farm = lc == FARMLAND
        rate = np.zeros(len(x))
        amp = np.zeros(len(x))
        peak = np.full(len(x), FARM_PEAK_DOY)
        for z in self.ground.zones:
            r = np.hypot(x - z.centre[0], y - z.centre[1])
            if z.kind == "farmland":
                w = bisquare(r, FARM_SEASONAL_REACH * z.radius_m)
                amp = np.where(farm, amp + (z.seasonal_amplitude_mm - FARM_SEASONAL_BG) * w, amp)
            else:
                w = np.where(farm, 0.0, bisquare(r, z.radius_m))
                rate += z.peak_rate * w
                if z.seasonal_amplitude_mm:
                    amp += z.seasonal_amplitude_mm * w
                    peak = np.where(w > 0, z.seasonal_peak_doy, peak)
        rate = np.where(farm, surface("b0", x, y) + surface("b1", x, y) * dn + surface("b2", x, y) * ds,
                        rate)
        amp = np.where(farm, amp + FARM_SEASONAL_BG, amp)
        ndvi = bilinear(self.ndvi_keep, self.ndvi_grid, x, y)
        gamma = coherence_law(ndvi)
        keep = gamma ** KEEP_POWER
        for c, f in CLASS_KEEP.items():
            keep = np.where(lc == c, keep * f, keep)
        return {"rate": rate, "amp": amp, "peak": peak, "lc": lc, "dndvi": dn, "dsm": ds,
                "gamma": gamma, "p_keep": keep}


def zone_peak(rates: PlantedRates, name: str) -> Tuple[float, float]:
    """Planted vertical rate and seasonal amplitude at a zone's centre."""
    z = rates.ground.zone(name)
    q = rates.at(np.array([z.centre[0]]), np.array([z.centre[1]]))
    return float(q["rate"][0]), float(q["amp"][0])

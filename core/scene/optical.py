"""Monthly NDVI, soil moisture and precipitation fields, built per land-cover class and mixed
by the class fractions of each pixel.

Each class c has value(t) = base_c + shape_c(t) * (amp_c + change_c * switch(t) / shape_c(Jul 2019)),
so the July 2020 - July 2019 difference of a pure pixel is change_c (the interannual change),
and winter values hardly move between the years. Farmland peaks a lag after the subsidence rate.
"""
import datetime as dt
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ..raster import Grid
from ..progress import checkpoint
from .config import (LAG_NDVI_DAYS, LAG_SM_DAYS, MONTHS, RATE_PEAK_DOY, T_JUL2019, SceneConfig,
                     growth_shape, switch, years)
from .geometry import (FARMLAND, GRASS, LANDCOVER, DESERT, MINE, SALINE, URBAN, WATER, Ground, Waves,
                       bisquare)

NDVI_PEAK_FARM = RATE_PEAK_DOY + LAG_NDVI_DAYS
SM_PEAK_FARM = RATE_PEAK_DOY + LAG_SM_DAYS
CLASSES = sorted(LANDCOVER)

# Per class: base, base texture amplitude, seasonal amplitude, peak day of year, interannual change.
NDVI_CLASSES = {
    FARMLAND: (0.18, 0.02, 0.55, NDVI_PEAK_FARM, None),
    MINE: (0.12, 0.0, 0.02, 220.0, -0.02),
    SALINE: (0.12, 0.005, 0.03, 240.0, 0.005),
    URBAN: (0.16, 0.01, 0.06, 220.0, 0.0),
    DESERT: (0.035, 0.004, 0.01, 220.0, 0.0),
    WATER: (-0.12, 0.0, 0.0, 220.0, 0.0),
    GRASS: (0.22, 0.04, 0.30, 215.0, 0.02),
}
SM_CLASSES = {
    FARMLAND: (0.12, 0.01, 0.06, SM_PEAK_FARM, None),
    MINE: (0.08, 0.0, 0.02, 235.0, 0.012),
    SALINE: (0.20, 0.01, 0.04, 250.0, 0.015),
    URBAN: (0.10, 0.0, 0.02, 235.0, 0.0),
    DESERT: (0.05, 0.005, 0.015, 235.0, 0.002),
    WATER: (0.45, 0.0, 0.0, 235.0, 0.0),
    GRASS: (0.22, 0.03, 0.06, 225.0, 0.01),
}
# Farmland interannual change under each farmland zone: constants and bowls, solved so that the GWR
# relation gives the target rates (mm/yr) at the zone centre ("peak") and away from the bowl
# ("background"); the SM bowl sits off-centre so that dndvi and dsm are not collinear.
FARM_TARGETS = {
    "P1": {"peak": -27.0, "background": -5.0, "sm_const": 0.0, "sm_bowl": 0.07, "sm_shift": (800.0, -600.0)},
    "P2": {"peak": -23.0, "background": -5.0, "sm_const": 0.0, "sm_bowl": 0.05, "sm_shift": (-900.0, -700.0)},
    "P3": {"peak": -25.0, "background": -5.0, "sm_const": 0.0, "sm_bowl": 0.04, "sm_shift": (700.0, 900.0)},
}
SM_TEXTURE_SCALE = (0.6, 1.4)
TEXTURE_CALM_M = 1000.0  # textures fade out towards the farmland zone centres
NDVI_BOWL_RADIUS = 2200.0
SM_BOWL_RADIUS = 3500.0
PRECIP_PEAK_DOY = 215.0
PRECIP_WIDTH_DAYS = 32.0
PRECIP_ANNUAL = {2019: 1.0, 2020: 1.12}


def grid_for(extent: Sequence[float], res: float, crs_wkt: str) -> Grid:
    """A north-up grid of pixel size `res` covering `extent`."""
    xmin, ymin, xmax, ymax = extent
    return Grid((xmin, res, 0.0, ymax, 0.0, -res), int(round((xmax - xmin) / res)),
                int(round((ymax - ymin) / res)), crs_wkt)


def centres(grid: Grid) -> Tuple[np.ndarray, np.ndarray]:
    """2-D arrays of pixel-centre x and y."""
    cx, cy = grid.centres()
    return np.meshgrid(cx, cy)


def class_fractions(ground: Ground, grid: Grid, sub: int) -> np.ndarray:
    """(n_classes, rows, cols) share of each land-cover class in each pixel (sub x sub samples)."""
    x0, dx, _, y0, _, dy = grid.transform
    off = (np.arange(sub) + 0.5) / sub
    xs = x0 + dx * (np.arange(grid.width)[:, None] + off[None, :]).ravel()
    ys = y0 + dy * (np.arange(grid.height)[:, None] + off[None, :]).ravel()
    out = np.zeros((len(CLASSES), grid.height, grid.width))
    step = max(1, 500_000 // (len(xs) * sub))  # rows of pixels per chunk, a cancel check each
    for r0 in range(0, grid.height, step):
        checkpoint()
        r1 = min(grid.height, r0 + step)
        X, Y = np.meshgrid(xs, ys[r0 * sub:r1 * sub])
        lc = ground.landcover(X, Y).reshape(r1 - r0, sub, grid.width, sub)
        for i, c in enumerate(CLASSES):
            out[i, r0:r1] = (lc == c).mean(axis=(1, 3))
    return out


class Optical:
    """The optical fields of one seed: NDVI, soil moisture and precipitation at any place and time."""

    def __init__(self, ground: Ground, cfg: SceneConfig):
        rng = np.random.default_rng([cfg.seed, 2])
        self.ground = ground
        self.tex_ndvi = Waves.draw(rng, [(0.025, 1200.0, 20.0), (0.025, 1600.0, 110.0)])
        self.tex_sm = Waves.draw(rng, [(0.035, 3000.0, 70.0), (0.035, 4000.0, 160.0)])
        self.farm_change = solve_farm_change(ground, self.tex_ndvi, self.tex_sm)
        self.tex_base = Waves.draw(rng, [(0.6, 2600.0, 45.0), (0.4, 900.0, 135.0)])
        self.tex_amp = Waves.draw(rng, [(0.03, 3300.0, 75.0)])
        self.tex_precip = [Waves.draw(rng, [(0.1, 9000.0, float(rng.uniform(0, 180))),
                                            (0.05, 4000.0, float(rng.uniform(0, 180)))])
                           for _ in MONTHS]
        self.precip_factor = rng.lognormal(0.0, 0.2, len(MONTHS))

    # --- farmland interannual change (the design fields behind the GWR relation) ------------
    def _patch(self, x, y, key_const, key_bowl, radius, shifted):
        out = np.zeros(np.broadcast(np.asarray(x), np.asarray(y)).shape)
        for name, p in self.farm_change.items():
            z = self.ground.zone(name)
            sx, sy = p["sm_shift"] if shifted else (0.0, 0.0)
            inside = z.region.contains(x, y)
            out += np.where(inside, p[key_const], 0.0)
            out += p[key_bowl] * bisquare(np.hypot(x - z.centre[0] - sx, y - z.centre[1] - sy), radius)
        return out

    def _calm(self, x, y) -> np.ndarray:
        """1 - bisquare(r, TEXTURE_CALM_M) around each farmland zone centre: no texture at the centre."""
        out = 1.0
        for name in self.farm_change:
            c = self.ground.zone(name).centre
            out = out - bisquare(np.hypot(x - c[0], y - c[1]), TEXTURE_CALM_M)
        return out

    def farm_dndvi(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Planted NDVI change Jul 2020 - Jul 2019 of pure farmland at (x, y)."""
        return self._patch(x, y, "ndvi_const", "ndvi_bowl", NDVI_BOWL_RADIUS, False) + \
            self.tex_ndvi(x, y) * self._calm(x, y)

    def farm_dsm(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Planted soil-moisture change Jul 2020 - Jul 2019 (m3/m3) of pure farmland at (x, y)."""
        return self._patch(x, y, "sm_const", "sm_bowl", SM_BOWL_RADIUS, True) + \
            self.tex_sm(x, y) * sm_texture_scale(x, y) * self._calm(x, y)

    # --- per-class terms ---------------------------------------------------------------------
    def _terms(self, table, x, y, farm_change):
        """{class: (base, amp, peak_doy, change)} arrays at the points."""
        tb = self.tex_base(x, y)
        terms = {}
        for c, (base, btex, amp, peak, change) in table.items():
            b = base + btex * tb
            a = amp + (self.tex_amp(x, y) * amp / 0.55 if c == FARMLAND else 0.0)
            ch = farm_change(x, y) if change is None else change
            terms[c] = (b, a, peak, ch)
        return terms

    @staticmethod
    def _mix(terms, fractions, t: float) -> np.ndarray:
        w = float(switch(t))
        out = 0.0
        for i, c in enumerate(CLASSES):
            f = fractions[i]
            if not np.any(f):
                continue
            b, a, peak, ch = terms[c]
            s = float(growth_shape(t, peak))
            sref = float(growth_shape(T_JUL2019, peak))
            out = out + f * (b + s * (a + ch * w / sref))
        return np.asarray(out, float)

    def ndvi_terms(self, x, y):
        return self._terms(NDVI_CLASSES, x, y, self.farm_dndvi)

    def sm_terms(self, x, y):
        return self._terms(SM_CLASSES, x, y, self.farm_dsm)

    def monthly(self, grid: Grid, fractions: np.ndarray, which: str) -> List[np.ndarray]:
        """float32 rasters for every month of 2019-2020 ('ndvi' or 'sm'), dated the 1st."""
        x, y = centres(grid)
        terms = self.ndvi_terms(x, y) if which == "ndvi" else self.sm_terms(x, y)
        out = []
        for t in years(MONTHS):
            v = self._mix(terms, fractions, t)
            if which == "sm":
                v = np.clip(v, 0.01, 0.5)
            out.append(v.astype(np.float32))
        return out

    def month(self, grid: Grid, fractions: np.ndarray, which: str, month: dt.date) -> np.ndarray:
        """One month's raster (float32), as monthly() computes it."""
        x, y = centres(grid)
        terms = self.ndvi_terms(x, y) if which == "ndvi" else self.sm_terms(x, y)
        v = self._mix(terms, fractions, float(years([month])[0]))
        return (np.clip(v, 0.01, 0.5) if which == "sm" else v).astype(np.float32)

    def tune_peaks(self, gndvi: Grid, f_ndvi: np.ndarray, gsm: Grid, f_sm: np.ndarray,
                   rounds: int = 3) -> None:
        """Adjust the NDVI bowls so that the rasters, sampled bilinearly, give the target peaks."""
        from .rates import bilinear, surface
        jul19, jul20 = dt.date(2019, 7, 1), dt.date(2020, 7, 1)
        dsm = (self.month(gsm, f_sm, "sm", jul20).astype(float)
               - self.month(gsm, f_sm, "sm", jul19).astype(float))
        for _ in range(rounds):
            dn = (self.month(gndvi, f_ndvi, "ndvi", jul20).astype(float)
                  - self.month(gndvi, f_ndvi, "ndvi", jul19).astype(float))
            for name, p in self.farm_change.items():
                cx, cy = self.ground.zone(name).centre
                x, y = np.array([cx]), np.array([cy])
                b0, b1, b2 = (float(surface(k, cx, cy)) for k in ("b0", "b1", "b2"))
                rate = b0 + b1 * bilinear(dn, gndvi, x, y)[0] + b2 * bilinear(dsm, gsm, x, y)[0]
                p["ndvi_bowl"] += (p["peak"] - rate) / b1

    def ndvi_at(self, x: np.ndarray, y: np.ndarray, lc: np.ndarray, t: float) -> np.ndarray:
        """NDVI of pure pixels of class lc at (x, y) and time t (years since 2019-01-01)."""
        terms = self.ndvi_terms(x, y)
        fr = np.stack([(lc == c).astype(float) for c in CLASSES])
        return self._mix(terms, fr, t)

    def precipitation(self, grid: Grid) -> List[np.ndarray]:
        """Monthly precipitation (mm/month), most of it in July to September, more in the mountains."""
        x, y = centres(grid)
        annual = 130.0 + 220.0 * self.ground.mountain_fraction(x, y)
        days = np.arange(0, 366)
        dens = 0.04 + np.exp(-0.5 * ((days + 1 - PRECIP_PEAK_DOY) / PRECIP_WIDTH_DAYS) ** 2)
        out = []
        for i, m in enumerate(MONTHS):
            start = (m - dt.date(m.year, 1, 1)).days
            nxt = dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
            share = dens[start:start + (nxt - m).days].sum() / dens[:365].sum()
            v = annual * PRECIP_ANNUAL[m.year] * share * self.precip_factor[i] * (1 + self.tex_precip[i](x, y))
            out.append(np.clip(v, 0.0, None).astype(np.float32))
        return out


def sm_texture_scale(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The SM texture is scaled by 200/|b2| (clipped to 0.6..1.4), so b2*dsm varies evenly."""
    from .rates import surface
    return np.clip(200.0 / np.abs(surface("b2", x, y)), SM_TEXTURE_SCALE[0], SM_TEXTURE_SCALE[1])


def solve_farm_change(ground: Ground, tex_ndvi: Waves, tex_sm: Waves) -> Dict[str, dict]:
    """NDVI change constant and bowl per farmland zone that give its target background and peak."""
    from .rates import surface
    out = {}
    for name, p in FARM_TARGETS.items():
        cx, cy = ground.zone(name).centre
        b0, b1, b2 = (float(surface(k, cx, cy)) for k in ("b0", "b1", "b2"))
        cs = p["sm_const"]
        ndvi_const = (p["background"] - b0 - b2 * cs) / b1
        h = float(bisquare(np.hypot(*p["sm_shift"]), SM_BOWL_RADIUS))
        ds_c = cs + p["sm_bowl"] * h  # textures are calm at the centre
        dn_c = (p["peak"] - b0 - b2 * ds_c) / b1
        out[name] = dict(p, ndvi_const=ndvi_const, ndvi_bowl=dn_c - ndvi_const)
    return out

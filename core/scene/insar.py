"""EGMS-style CSV tracks: points on a 56 m grid kept by a coherence draw, LOS rates and series.

Generated in blocks of grid rows and appended to the CSV, so a large scene never holds all its
points in memory. Per point (LOS = vertical * cos(incidence), mm and mm/yr):
  mean_velocity = (v_up + offset) * cos(theta) + e,   e ~ N(0, mean_velocity_std) cut at 2.5 std
  series(t) = f(t) - f(t1),  f(t) = (v_los + e) * (t - t1) + A cos(theta) cos(2 pi (t - (doy_peak-1)/365.25)) + n(t)
with n(t) ~ N(0, SERIES_NOISE) independent per date, t in years (days / 365.25), and the
secondary track's planted offset (constant + ramp, vertical) included in v_los.
"""
import dataclasses
from typing import Dict, List, Optional

import numpy as np

from ..atomic import atomic_output
from ..progress import Progress, ensure
from .acquisitions import SECONDARY, TRACKS, TrackSpec, incidence, swath_x
from .config import SceneConfig, doy_phase, years
from .geometry import Ground
from .rates import PlantedRates

RATE_NOISE = 0.5        # mm/yr LOS, nominal std of the rate error
SERIES_NOISE = 1.5      # mm LOS, per date
TRUNCATE = 2.5          # rate errors are cut at +-2.5 of their std
HEIGHT_NOISE = 2.0      # m
OFFSET = {"constant_mm_yr": 2.0, "ramp_x_mm_yr_per_km": 0.04, "ramp_y_mm_yr_per_km": -0.03}
COLUMNS = ["pid", "easting", "northing", "height", "incidence_angle", "los_up", "mean_velocity",
           "mean_velocity_std", "temporal_coherence"]
_FMT = ["%d", "%.2f", "%.2f", "%.1f", "%.4f", "%.6f", "%.3f", "%.3f", "%.3f"]


def offset_origin(extent) -> tuple:
    """Origin of the offset ramp: the centre of the overlap strip of the small layout."""
    return overlap_centre(extent)


def overlap_extent(specs, extent) -> List[float]:
    """[xmin, ymin, xmax, ymax] covered by both tracks."""
    a = max(swath_x(s, extent)[0] for s in specs)
    b = min(swath_x(s, extent)[1] for s in specs)
    return [a, extent[1], b, extent[3]]


def overlap_centre(extent) -> tuple:
    """Centre of the strip both tracks cover."""
    ov = overlap_extent(TRACKS, extent)
    return ((ov[0] + ov[2]) / 2.0, (ov[1] + ov[3]) / 2.0)


def planted_offset(x: np.ndarray, y: np.ndarray, origin) -> np.ndarray:
    """The secondary track's planted vertical rate offset (mm/yr) at the points."""
    return (OFFSET["constant_mm_yr"] + OFFSET["ramp_x_mm_yr_per_km"] * (np.asarray(x) - origin[0]) / 1000.0
            + OFFSET["ramp_y_mm_yr_per_km"] * (np.asarray(y) - origin[1]) / 1000.0)


@dataclasses.dataclass
class TrackStats:
    """What the generator records about the points it wrote (for truth.json)."""

    n_points: int = 0
    n_farmland: int = 0
    max_abs_up_outside_zones: float = 0.0
    zone_sum: Dict[str, float] = dataclasses.field(default_factory=dict)
    zone_n: Dict[str, int] = dataclasses.field(default_factory=dict)


MIN_SD = (1e-3, 2e-4)   # below these spreads of dndvi / dsm a region's OLS slope is null


class RegionOLS:
    """Sufficient statistics of rate against dndvi and dsm per region, over both tracks."""

    def __init__(self, names):
        self.s = {n: np.zeros((2, 2, 6)) for n in names}  # [clean|observed][dndvi|dsm][n,sx,sy,sxx,sxy,syy]

    def add(self, name, dn, ds, clean, observed):
        for i, v in enumerate((clean, observed)):
            for j, xv in enumerate((dn, ds)):
                self.s[name][i, j] += [len(v), xv.sum(), v.sum(), (xv * xv).sum(), (xv * v).sum(),
                                       (v * v).sum()]

    def result(self) -> Dict[str, dict]:
        out = {}
        for name, s in self.s.items():
            entry = {"n_points": int(s[0, 0, 0])}
            for j, var in enumerate(("dndvi", "dsm")):
                fits = []
                for i in range(2):
                    n, sx, sy, sxx, sxy, syy = s[i, j]
                    vx = sxx / n - (sx / n) ** 2 if n else 0.0
                    if n < 3 or vx < MIN_SD[j] ** 2:  # the change hardly varies: no slope to speak of
                        fits.append((None, None, None))
                        continue
                    vy, cxy = syy / n - (sy / n) ** 2, sxy / n - sx * sy / n ** 2
                    k = cxy / vx
                    fits.append((k, sy / n - k * sx / n, cxy / np.sqrt(vx * vy)))
                entry[var] = {"slope": fits[0][0], "intercept": fits[0][1], "r": fits[0][2],
                              "slope_observed": fits[1][0], "intercept_observed": fits[1][1],
                              "r_observed": fits[1][2]}
            out[name] = entry
        return out


def _truncated_normal(rng: np.random.Generator, n: int) -> np.ndarray:
    z = rng.standard_normal(n)
    bad = np.abs(z) > TRUNCATE
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > TRUNCATE
    return z


def write_track(path: str, spec: TrackSpec, dates, cfg: SceneConfig, ground: Ground,
                rates: PlantedRates, ols: RegionOLS, progress: Optional[Progress] = None) -> TrackStats:
    """Generate one track block by block and write it as an EGMS-style CSV."""
    progress = ensure(progress)
    xmin, ymin, xmax, ymax = cfg.extent
    sp = cfg.spacing
    nx, ny = int((xmax - xmin) // sp), int((ymax - ymin) // sp)
    xs = xmin + sp / 2 + sp * np.arange(nx) + spec.shift[0]
    sx0, sx1 = swath_x(spec, cfg.extent)
    cols = np.nonzero((xs >= sx0) & (xs <= sx1))[0]
    t = years(dates)
    t1 = t[0]
    origin = offset_origin(cfg.extent)
    stats = TrackStats()
    regions = [z for z in ground.zones]
    header = ",".join(COLUMNS + [d.strftime("%Y%m%d") for d in dates])
    fmt = ",".join(_FMT + ["%.2f"] * len(dates))
    be = cfg.background_every
    with atomic_output(path) as tmp, open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write(header + "\n")
        for b, j0 in enumerate(range(0, ny, cfg.block_rows)):
            progress(j0 / ny)
            rng = np.random.default_rng([cfg.seed, 3, spec.number, b])
            rows = np.arange(j0, min(ny, j0 + cfg.block_rows))
            J, I = np.meshgrid(rows, cols, indexing="ij")
            x = (xs[I]).ravel()
            y = (ymax - sp / 2 - sp * J + spec.shift[1]).ravel()
            sel = ((I % be == 0) & (J % be == 0)).ravel() | ground.dense_mask(x, y)
            x, y = x[sel], y[sel]
            q = rates.at(x, y)
            u = rng.random(len(x))
            tc = np.clip(0.55 + 0.45 * q["gamma"] + rng.normal(0, 0.03, len(x)), 0.5, 0.99)
            keep = u < q["p_keep"]
            x, y, tc = x[keep], y[keep], tc[keep]
            q = {k: v[keep] for k, v in q.items()}
            n = len(x)
            if n == 0:
                continue
            theta = incidence(spec, cfg.extent, x)
            cos = np.cos(np.radians(theta))
            off = planted_offset(x, y, origin) if spec.name == SECONDARY else np.zeros(n)
            std = RATE_NOISE * (0.6 + 1.6 * (1.0 - tc))
            err = _truncated_normal(rng, n) * std
            v_los = (q["rate"] + off) * cos
            vel = v_los + err
            phase = doy_phase(t[None, :], 1.0) - 2 * np.pi * (q["peak"][:, None] - 1.0) / 365.25
            seas = (q["amp"] * cos)[:, None] * np.cos(phase)
            f_t = vel[:, None] * (t - t1)[None, :] + seas + rng.normal(0, SERIES_NOISE, (n, len(t)))
            series = f_t - f_t[:, :1]
            height = ground.dem(x, y) + rng.normal(0, HEIGHT_NOISE, n)
            pid = spec.number * 10_000_000 + stats.n_points + 1 + np.arange(n)
            table = np.column_stack([pid, x, y, height, theta, cos, vel, std, tc, series])
            np.savetxt(f, table, fmt=fmt)
            # --- bookkeeping for truth.json ---
            stats.n_points += n
            farm = q["lc"] == 1
            stats.n_farmland += int(farm.sum())
            inside_any = np.zeros(n, bool)
            v_obs_up = vel / cos - off
            for z in regions:
                m = z.region.contains(x, y) if z.name.startswith("P") else \
                    np.hypot(x - z.centre[0], y - z.centre[1]) < z.radius_m
                inside_any |= m
                if m.any():
                    stats.zone_sum[z.name] = stats.zone_sum.get(z.name, 0.0) + float(q["rate"][m].sum())
                    stats.zone_n[z.name] = stats.zone_n.get(z.name, 0) + int(m.sum())
                    if z.name in ols.s:
                        ols.add(z.name, q["dndvi"][m], q["dsm"][m], q["rate"][m], v_obs_up[m])
            out = ~inside_any
            if out.any():
                stats.max_abs_up_outside_zones = max(stats.max_abs_up_outside_zones,
                                                     float(np.abs(vel[out] / cos[out]).max()))
    progress(1.0)
    return stats

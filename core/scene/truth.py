"""truth.json: every planted parameter, and the statistics computed from the written arrays."""
from typing import Dict

import numpy as np

from .acquisitions import REFERENCE, SECONDARY, TRACKS, swath_x
from .config import FARM_PEAK_DOY, LAG_NDVI_DAYS, LAG_SM_DAYS, MONTHS, RATE_PEAK_DOY, SceneConfig
from .geometry import CRS, ORIGIN, Ground
from .insar import (HEIGHT_NOISE, OFFSET, RATE_NOISE, SERIES_NOISE, TRUNCATE, offset_origin,
                    overlap_extent)
from .optical import (NDVI_CLASSES, NDVI_PEAK_FARM, PRECIP_PEAK_DOY, SM_CLASSES,
                      SM_PEAK_FARM)
from .rates import FARM_SEASONAL_BG, GWR, KEEP_POWER, PlantedRates, bilinear, zone_peak
from .slc import SUBAREA
from .writer import box_ring, rasterize_mask

SIGNIFICANT = 10.0
SCREEN = {"dem_max": 2000.0, "ndvi_min": 0.08, "ndvi_max": 0.95}
SCREEN_NDVI_RASTER = "ndvi/ndvi_201907.tif"


def region_layers(ground: Ground, cfg: SceneConfig) -> Dict[str, list]:
    """Layers of regions.gpkg: regions (P1..P6), screened_zones (Z7, Z8), footprints."""
    regions = [({"name": z.name, "kind": z.kind}, z.region.ring())
               for z in ground.zones if z.name.startswith("P")]
    screened = [({"name": z.name, "kind": z.kind, "removed_by": z.removed_by}, z.region.ring())
                for z in ground.zones if z.removed_by]
    ov = overlap_extent(TRACKS, cfg.extent)
    foot = [({"name": "scene"}, box_ring(cfg.extent))]
    for spec in TRACKS:
        a, b = swath_x(spec, cfg.extent)
        foot.append(({"name": spec.name}, box_ring([a, cfg.extent[1], b, cfg.extent[3]])))
    foot += [({"name": "overlap"}, box_ring(ov)), ({"name": "s2_subarea"}, box_ring(SUBAREA))]
    return {"regions": regions, "screened_zones": screened, "footprints": foot}


def _change(ground, cfg, ndvi, sm, gndvi, gsm) -> Dict[str, dict]:
    idx = {m.strftime("%Y%m"): i for i, m in enumerate(MONTHS)}
    n19, n20, nj = (ndvi[idx[k]].astype(float) for k in ("201907", "202007", "202001"))
    s19, s20, sj = (sm[idx[k]].astype(float) for k in ("201907", "202007", "202001"))
    out = {}
    items = [(z.name, z.region.ring()) for z in ground.zones if z.name.startswith("P")]
    items.append(("scene", box_ring(cfg.extent)))
    for name, ring in items:
        mn, ms = rasterize_mask(ring, gndvi), rasterize_mask(ring, gsm)
        out[name] = {
            "ndvi_interannual": float(np.mean((n20 - n19)[mn])),
            "ndvi_seasonal": float(np.mean((n20 - nj)[mn])),
            "sm_interannual": float(np.mean((s20 - s19)[ms])) if ms.any() else None,
            "sm_seasonal": float(np.mean((s20 - sj)[ms])) if ms.any() else None,
            "n_pixels_ndvi": int(mn.sum()), "n_pixels_sm": int(ms.sum()),
        }
    return out


def _screen(ground: Ground, rates: PlantedRates, ndvi, gndvi) -> dict:
    """Suggested thresholds, checked against the zones' DEM and NDVI (a bug if they fail)."""
    idx = [m.strftime("%Y%m") for m in MONTHS].index("201907")
    info = {}
    for z in ground.zones:
        if z.peak_rate is None:
            reach = z.region.radius * 0.8
        else:  # where the bowl exceeds the threshold
            reach = z.radius_m * np.sqrt(max(0.0, 1 - np.sqrt(SIGNIFICANT / 2 / abs(z.peak_rate))))
        ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        rr = np.concatenate([[0.0], np.repeat([reach / 2, reach], 24)])
        aa = np.concatenate([[0.0], np.tile(ang, 2)])
        x, y = z.centre[0] + rr * np.cos(aa), z.centre[1] + rr * np.sin(aa)
        dem = rates.ground.dem(x, y)
        nd = bilinear(ndvi[idx], gndvi, x, y)
        info[z.name] = {"dem_m": [float(dem.min()), float(dem.max())],
                        "ndvi_201907": [float(nd.min()), float(nd.max())]}
        by_dem = dem.max() > SCREEN["dem_max"]
        by_ndvi = nd.min() < SCREEN["ndvi_min"] or nd.max() > SCREEN["ndvi_max"]
        want = z.removed_by
        ok = (want == "dem" and dem.min() > SCREEN["dem_max"]) or \
             (want == "ndvi" and nd.max() < SCREEN["ndvi_min"] and dem.max() <= SCREEN["dem_max"]) or \
             (want is None and not by_dem and not by_ndvi)
        if not ok:
            raise RuntimeError(f"scene bug: screening thresholds do not separate zone {z.name}: {info[z.name]}")
    return dict(SCREEN, significant_rate_mm_yr=SIGNIFICANT, dem_raster="dem.tif",
                ndvi_raster=SCREEN_NDVI_RASTER,
                kept=[z.name for z in ground.zones if z.removed_by is None],
                removed={z.name: z.removed_by for z in ground.zones if z.removed_by},
                zones=info,
                note="|velocity_up| >= significant_rate keeps the zones; DEM <= dem_max removes those "
                     "marked 'dem'; ndvi_min <= NDVI(ndvi_raster) <= ndvi_max removes those marked 'ndvi'.")


def _zones(ground, rates, stats) -> Dict[str, dict]:
    out = {}
    for z in ground.zones:
        peak, amp = zone_peak(rates, z.name)
        n = sum(s.zone_n.get(z.name, 0) for s in stats.values())
        total = sum(s.zone_sum.get(z.name, 0.0) for s in stats.values())
        out[z.name] = {
            "kind": z.kind, "centre": list(z.centre), "radius_m": z.radius_m,
            "peak_rate_mm_yr": peak, "mean_rate_mm_yr": total / n if n else None,
            "mean_rate_by_track": {k: {"mean": s.zone_sum[z.name] / s.zone_n[z.name], "n": s.zone_n[z.name]}
                                   for k, s in stats.items() if s.zone_n.get(z.name)},
            "seasonal_amplitude_mm": amp, "seasonal_peak_doy": z.seasonal_peak_doy,
            "significant": bool(abs(peak) >= SIGNIFICANT), "removed_by": z.removed_by,
            "region": z.name if z.name.startswith("P") else None,
            "rate_model": ("GWR relation at farmland points (see gwr)" if z.peak_rate is None else
                           "bisquare bowl: peak*(1-(r/R)^2)^2 for r < radius_m, 0 beyond"),
            "mean_over": ("points inside the region polygon" if z.name.startswith("P")
                          else "points within radius_m") + ", planted noise-free vertical rate",
        }
    return out


def build_truth(cfg: SceneConfig, ground: Ground, rates: PlantedRates, track_info, stats, ols,
                ndvi, sm, gndvi, gsm, coherence: dict, landcover: Dict[int, str], farm_change: dict) -> dict:
    """The whole truth.json dictionary."""
    tracks = {}
    for spec in TRACKS:
        dates, bperp = track_info[spec.name]
        tracks[spec.name] = {
            "direction": spec.direction, "heading_deg": spec.heading_deg, "look": "right",
            "incidence_range_deg": [33.0, 45.0],
            "incidence_model": ("linear in easting across the swath, 33 deg at the "
                                + ("west" if spec.direction == "ascending" else "east") + " edge"),
            "swath_x": list(swath_x(spec, cfg.extent)), "grid_shift_m": list(spec.shift),
            "n_dates": len(dates), "first_date": dates[0].isoformat(), "last_date": dates[-1].isoformat(),
            "bperp_range_m": [float(bperp.min()), float(bperp.max())],
            "n_points": stats[spec.name].n_points, "n_farmland_points": stats[spec.name].n_farmland,
            "rate_noise_mm_yr": RATE_NOISE, "series_noise_mm": SERIES_NOISE,
            "max_abs_up_rate_outside_zones_mm_yr": stats[spec.name].max_abs_up_outside_zones,
        }
    ols_result = ols.result()
    return {
        "seed": cfg.seed, "size": cfg.size, "crs": CRS, "extent": list(cfg.extent), "scene_version": 2,
        "time": {"t": "years since 2019-01-01 = days / 365.25",
                 "monthly_raster_date": "the value of ndvi_/sm_YYYYMM is the field on the 16th, the "
                                        "middle of the month (the date core.dates gives a month-only "
                                        "file name: monthly means stand for the whole month)",
                 "precipitation": "monthly total (mm/month)"},
        "grid": {"insar_spacing_m": cfg.spacing, "background_every": cfg.background_every,
                 "dense_near_zones_m": 1000.0, "ndvi_res_m": cfg.ndvi_res, "sm_res_m": cfg.sm_res,
                 "precip_res_m": cfg.sm_res, "dem_res_m": cfg.dem_res, "landcover_res_m": cfg.dem_res},
        "tracks": tracks,
        "track_offset": dict(reference=REFERENCE, secondary=SECONDARY, **OFFSET,
                             origin=list(offset_origin(cfg.extent)),
                             overlap_extent=overlap_extent(TRACKS, cfg.extent),
                             formula="c + rx*(x-x0)/1000 + ry*(y-y0)/1000, added to the secondary's "
                                     "vertical rate; its series gets offset*(t - t_first) (vertical)"),
        "zones": _zones(ground, rates, stats),
        "lags_days": {"ndvi": LAG_NDVI_DAYS, "soil_moisture": LAG_SM_DAYS,
                      "relative_to": "the farmland subsidence rate -dU/dt of the seasonal cycle; "
                                     "positive = the variable comes later",
                      "correlation_with_up_rate": "negative (NDVI and soil moisture peak after the "
                                                  "fastest subsidence)",
                      "displacement_peak_doy": FARM_PEAK_DOY, "subsidence_rate_peak_doy": RATE_PEAK_DOY,
                      "ndvi_peak_doy": NDVI_PEAK_FARM, "soil_moisture_peak_doy": SM_PEAK_FARM,
                      "precipitation_peak_doy": PRECIP_PEAK_DOY,
                      "check": "cross-correlating the monthly means in a 2000 m circle around P1-P3 "
                               "(interpolated daily) with the subsidence rate (derivative of the "
                               "45-day smoothed mean vertical series) peaks at these lags (+-2 days); "
                               "a 2-year harmonic fit gives peaks a few days early because the "
                               "2020 season is stronger"},
        "screen": _screen(ground, rates, ndvi, gndvi),
        "change": _change(ground, cfg, ndvi, sm, gndvi, gsm),
        "gwr": {"relation": "velocity_up = b0 + b1*dndvi + b2*dsm",
                **{k: dict(v, origin=list(ORIGIN)) for k, v in GWR.items()},
                "surface_formula": "b = const + per_km_x*(x-x0)/1000 + per_km_y*(y-y0)/1000",
                "points": "farmland points: land cover 1 at the point (nearest 25 m pixel of landcover.tif)",
                "dndvi": "ndvi/ndvi_202007.tif - ndvi/ndvi_201907.tif, bilinear between pixel centres",
                "dsm": "soil_moisture/sm_202007.tif - soil_moisture/sm_201907.tif, bilinear",
                "units": {"b0": "mm/yr", "b1": "mm/yr per NDVI unit", "b2": "mm/yr per m3/m3"},
                "noise": "the tracks' rate noise only (see noise)", "kernel": "bisquare",
                "bandwidth_m": 500.0,
                "farm_change": farm_change},
        "ols": dict(ols_result, method=(
            "per region: least squares of the vertical rate on dndvi (and separately on dsm) over "
            "the points of both tracks inside the region polygon; 'slope' uses the planted "
            "noise-free rate, 'slope_observed' the written rate (mean_velocity/los_up minus the "
            "planted offset for T026)")),
        "coherence": coherence,
        "noise": {"rate_mm_yr_los": RATE_NOISE,
                  "rate_std_model": "mean_velocity_std = rate_mm_yr_los*(0.6 + 1.6*(1 - temporal_coherence))",
                  "rate_truncation_sigma": TRUNCATE, "series_mm_los": SERIES_NOISE, "height_m": HEIGHT_NOISE,
                  "temporal_coherence": 0.03, "s2_ndvi_pixel": 0.01, "s2_reflectance": 0.002,
                  "big_ndvi_pixel": 0.01,
                  "point_keep": f"P(keep) = (a*exp(b*NDVI_201907)+c)**{KEEP_POWER} x class factor "
                                "(water 0, mountain grassland 0.8)"},
        "landcover": {str(k): v for k, v in landcover.items()},
        "optical": {"ndvi_classes": {str(k): list(v[:4]) for k, v in NDVI_CLASSES.items()},
                    "sm_classes": {str(k): list(v[:4]) for k, v in SM_CLASSES.items()},
                    "class_model": "base + shape(t)*(amp + change*switch(t)/shape(16 Jul 2019)), "
                                   "shape = ((1+cos(2 pi (t - (peak-1)/365.25)))/2)^2",
                    "pixel": "class values mixed by the share of each class in the pixel",
                    "columns": ["base", "base_texture", "seasonal_amplitude", "peak_doy"],
                    "farm_seasonal_deformation_background_mm": FARM_SEASONAL_BG},
    }

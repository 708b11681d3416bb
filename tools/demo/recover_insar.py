"""Recovered InSAR parameters: tracks, noise, the track offset, the zones and the screening."""
import numpy as np
from scipy.optimize import curve_fit
from scipy.spatial import cKDTree

from .checks import Missing, attempt, need, need_result, pick

TRUNCATED_SD = 0.9546  # sd of a standard normal cut at ±2.5 sd (the scene's rate noise)
NEAR_CENTRE = 150.0    # m: points averaged at a zone centre (seasonal fit)


def check_tracks(c, o) -> None:
    t = o.truth
    for track, tt in t["tracks"].items():
        sec = f"tracks.{track}"
        imp = attempt(need_result, o, f"import_{track}", "the study (import)")
        c.equal(sec, "n_points", tt["n_points"], pick(imp, "N_POINTS"), "importpoints N_POINTS")
        c.equal(sec, "n_dates", tt["n_dates"], pick(imp, "N_DATES"), "importpoints N_DATES")
        dates = pick(imp, "DATES")
        c.equal(sec, "first_date", tt["first_date"], dates if isinstance(dates, Missing) else dates[0],
                "first DYYYYMMDD field of the imported layer")
        c.equal(sec, "last_date", tt["last_date"], dates if isinstance(dates, Missing) else dates[-1],
                "last DYYYYMMDD field of the imported layer")
        los = attempt(_layer, o, f"{track.lower()}_los", ["incidence", "velocity", "coherence"], "the study")
        inc = los if isinstance(los, Missing) else los.columns["incidence"]
        for i, end in enumerate(("min", "max")):
            c.number(sec, f"incidence_range_deg ({end})", tt["incidence_range_deg"][i],
                     inc if isinstance(inc, Missing) else float([np.nanmin, np.nanmax][i](inc)),
                     abs_tol=0.5, unit="deg", how="incidence of the imported points")
        for i, end in enumerate(("west", "east")):
            c.number(sec, f"swath_x ({end})", tt["swath_x"][i],
                     los if isinstance(los, Missing) else float([np.min, np.max][i](los.x)),
                     abs_tol=250.0, unit="m", how="easting of the outermost imported point (points "
                                                  "are 224 m apart away from the zones)")
        net = attempt(_rows, o, f"network_{track.lower()}", "the demo's network step")
        for i, end in enumerate(("min", "max")):
            val = net
            if not isinstance(net, Missing):
                b = [r["bperp_reference"] for r in net] + [r["bperp_secondary"] for r in net]
                val = float([min, max][i](b))
            c.number(sec, f"bperp_range_m ({end})", tt["bperp_range_m"][i], val, abs_tol=0.01, unit="m",
                     how="perpendicular baselines of the sbasnetwork pairs")
        farm = attempt(_farmland_count, o, los)
        c.equal(sec, "n_farmland_points", tt["n_farmland_points"], farm,
                "imported points on land cover 1 (nearest pixel of landcover.tif)")
        c.number(sec, "rate_noise_mm_yr", tt["rate_noise_mm_yr"], attempt(_rate_noise, o, track, los),
                 rel_tol=0.1, how="sd of the LOS rate at stable points (outside every zone, not farmland; "
                                  "T026 minus the spliced offset) over the std model (0.6 + 1.6(1 − coherence)),"
                                  " corrected for the ±2.5 sd cut")
        c.number(sec, "series_noise_mm", tt["series_noise_mm"], attempt(_series_noise, o, track),
                 rel_tol=0.1, how="seasonalfit fit_rmse at stable points, to LOS (× cos θ) and "
                                  "degrees of freedom (× √(n/(n − 4))), median")
        c.number(sec, "max_abs_up_rate_outside_zones_mm_yr", tt["max_abs_up_rate_outside_zones_mm_yr"],
                 attempt(_max_outside, o, track), abs_tol=0.5, unit="mm/yr",
                 how="largest |vertical rate| outside every zone (offset included)")
        for key in ("direction", "heading_deg", "look", "incidence_model"):
            c.info(sec, key, tt[key], "acquisition geometry: not in an EGMS file, so no step estimates it")
        if track == t["track_offset"]["secondary"]:
            ref = t["track_offset"]["reference"]
            planted = np.subtract(tt["grid_shift_m"], t["tracks"][ref]["grid_shift_m"])
            shift = attempt(_grid_shift, o, ref, track, t["grid"]["insar_spacing_m"])
            for i, axis in enumerate("xy"):
                c.number(sec, f"grid_shift_m ({axis}, relative to {ref})", float(planted[i]),
                         pick(shift, i), abs_tol=1.0, unit="m", how="median offset of the point grids")


def _layer(o, name, columns, step):
    need(o, name, step=step)
    return o.points(name, columns)


def _rows(o, name, step):
    need(o, name, step=step)
    return o.rows(name)


def _landcover(o, x, y):
    from insar_fusion.core.sampling import sample
    return sample(o.scene_file("landcover.tif"), x, y, method="nearest")[:, 0]


def _farmland_count(o, los):
    if isinstance(los, Missing):
        raise los
    return int(np.sum(_landcover(o, los.x, los.y) == 1))


def _stable(o, x, y):
    """Points where the planted rate is 0: outside every zone (+300 m) and not on farmland."""
    far = np.ones(len(x), bool)
    for name, z in o.truth["zones"].items():
        far &= ~o.in_zone(name, x, y)
        far &= np.hypot(x - z["centre"][0], y - z["centre"][1]) > z["radius_m"] + 300.0
    return far & (_landcover(o, x, y) != 1)


def _rate_noise(o, track, los):
    if isinstance(los, Missing):
        raise los
    e = los.columns["velocity"].astype(float)
    if track == o.truth["track_offset"]["secondary"]:  # the offset splicetracks removed, back to LOS
        off = _layer(o, f"{track.lower()}_spliced", ["offset"], "the study's splice").columns["offset"]
        cos = np.cos(np.radians(los.columns["incidence"]))
        e = e - off * cos
    stable = _stable(o, los.x, los.y)
    factor = 0.6 + 1.6 * (1.0 - los.columns["coherence"])
    return float(np.std(e[stable] / factor[stable]) / TRUNCATED_SD)


def _series_noise(o, track):
    s = _layer(o, f"seasonal_{track.lower()}", ["fit_rmse", "incidence"], "the study")
    n = o.truth["tracks"][track]["n_dates"]
    stable = _stable(o, s.x, s.y)
    los = s.columns["fit_rmse"] * np.cos(np.radians(s.columns["incidence"])) * np.sqrt(n / (n - 4.0))
    return float(np.nanmedian(los[stable]))


def _max_outside(o, track):
    up = _layer(o, f"{track.lower()}_vertical", ["velocity"], "the study")
    inside = np.zeros(len(up), bool)
    for name in o.truth["zones"]:
        inside |= o.in_zone(name, up.x, up.y)
    return float(np.nanmax(np.abs(up.columns["velocity"][~inside])))


def _grid_shift(o, ref, sec, spacing):
    a = _layer(o, f"{ref.lower()}_los", ["velocity"], "the study")
    b = _layer(o, f"{sec.lower()}_los", ["velocity"], "the study")
    half = spacing / 2.0
    return [float(np.median((v - w[0] + half) % spacing - half)) for v, w in ((b.x, a.x), (b.y, a.y))]


# --- the track offset --------------------------------------------------------------------------
def check_offset(c, o) -> None:
    t = o.truth["track_offset"]
    sec = "track_offset"
    res = attempt(need_result, o, "splice", "the study (splice)")
    x0, y0 = t["origin"]
    at_origin = res if isinstance(res, Missing) else float(o.splice_fit().at(x0, y0))
    c.number(sec, "constant_mm_yr", t["constant_mm_yr"], at_origin, abs_tol=0.15, unit="mm/yr",
             how="splicetracks plane (CORRECTION 1) evaluated at the planted origin")
    c.number(sec, "ramp_x_mm_yr_per_km", t["ramp_x_mm_yr_per_km"], pick(res, "PLANE_B"), abs_tol=0.02,
             unit="mm/yr/km", how="splicetracks PLANE_B")
    c.number(sec, "ramp_y_mm_yr_per_km", t["ramp_y_mm_yr_per_km"], pick(res, "PLANE_C"), abs_tol=0.02,
             unit="mm/yr/km", how="splicetracks PLANE_C")
    pairs = attempt(_layer, o, f"overlap_pairs_{t['secondary'].lower()}", ["residual"], "the study's splice")
    for i, key in enumerate(("xmin", "ymin", "xmax", "ymax")):
        val = pairs
        if not isinstance(pairs, Missing):
            val = float([pairs.x.min(), pairs.y.min(), pairs.x.max(), pairs.y.max()][i])
        c.number(sec, f"overlap_extent ({key})", t["overlap_extent"][i], val, abs_tol=250.0, unit="m",
                 how="extent of the matched overlap pairs")
    c.info(sec, "reference / secondary", f"{t['reference']} / {t['secondary']}",
           "a choice of the demo (the order of TRACKS, tools/demo/steps.py)")
    c.info(sec, "origin", t["origin"], "the point the planted plane is written about (used to compare)")


# --- zones --------------------------------------------------------------------------------------
def _both_tracks_up(o):
    """Vertical rates of both tracks, the secondary as splicetracks corrected it: (x, y, v, track)."""
    xs, ys, vs, ts = [], [], [], []
    for track in o.truth["tracks"]:
        name = f"{track.lower()}_spliced" if track == o.truth["track_offset"]["secondary"] else \
            f"{track.lower()}_vertical"
        up = _layer(o, name, ["velocity"], "the study's tracks and splice")
        v = up.columns["velocity"].astype(float)
        xs.append(up.x)
        ys.append(up.y)
        vs.append(v)
        ts.append(np.full(len(up), track))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(vs), np.concatenate(ts)


def _bowl(xy, peak, radius, x0, y0):
    r = np.hypot(xy[0] - x0, xy[1] - y0)
    return np.where(r < radius, peak * np.clip(1 - (r / radius) ** 2, 0, None) ** 2, 0.0)


def _fit_bowl(x, y, v, z):
    cx, cy = z["centre"]
    sel = np.hypot(x - cx, y - cy) < 1.5 * z["radius_m"]
    p0 = [float(np.percentile(v[sel], 1 if z["peak_rate_mm_yr"] < 0 else 99)), z["radius_m"] * 1.1,
          cx + 50.0, cy - 50.0]
    p, _ = curve_fit(_bowl, (x[sel], y[sel]), v[sel], p0=p0, maxfev=20000)
    return {"peak": float(p[0]), "radius": float(p[1]), "dx": float(p[2] - cx), "dy": float(p[3] - cy)}


def _quad_centre(x, y, v, z, radius=300.0):
    cx, cy = z["centre"]
    s = np.hypot(x - cx, y - cy) < radius
    dx, dy = (x[s] - cx) / 1000.0, (y[s] - cy) / 1000.0
    design = np.column_stack([np.ones(s.sum()), dx, dy, dx * dx, dx * dy, dy * dy])
    return float(np.linalg.lstsq(design, v[s], rcond=None)[0][0])


def check_zones(c, o) -> None:
    t = o.truth
    both = attempt(_both_tracks_up, o)
    kept = attempt(_layer, o, "significant", ["velocity"], "the study")
    for name, z in t["zones"].items():
        sec = f"zones.{name}"
        bowl = z["kind"] != "farmland"
        if bowl:
            fit = attempt(_fit_bowl_both, both, z)
            c.number(sec, "peak_rate_mm_yr", z["peak_rate_mm_yr"], pick(fit, "peak"), abs_tol=0.5,
                     unit="mm/yr", how="bisquare bowl fitted (peak, radius, centre) to both tracks' rates")
            c.number(sec, "radius_m", z["radius_m"], pick(fit, "radius"), rel_tol=0.02, how="the same fit")
            dist = fit if isinstance(fit, Missing) else float(np.hypot(fit["dx"], fit["dy"]))
            c.number(sec, "centre (distance from planted)", 0.0, dist, abs_tol=20.0, unit="m",
                     how=f"the same fit; planted {z['centre']}")
        else:
            peak = attempt(_quad_centre_both, both, z)
            c.number(sec, "peak_rate_mm_yr", z["peak_rate_mm_yr"], peak, abs_tol=1.0, unit="mm/yr",
                     how="quadratic surface fitted to the rates within 300 m, at the centre")
            c.info(sec, "centre, radius_m", [z["centre"], z["radius_m"]],
                   "farmland: the rate follows the GWR relation, not a bowl; the zone is its region polygon")
        mean = attempt(_zone_mean, o, name, both)
        c.number(sec, "mean_rate_mm_yr", z["mean_rate_mm_yr"], pick(mean, "all"), abs_tol=0.1, unit="mm/yr",
                 how="mean vertical rate of both tracks' points in the zone (T026 minus the spliced offset)")
        for track, mt in z["mean_rate_by_track"].items():
            c.number(sec, f"mean_rate_by_track.{track}.mean", mt["mean"], pick(mean, track), abs_tol=0.1,
                     unit="mm/yr", how=f"mean over the {track} points in the zone")
            c.equal(sec, f"mean_rate_by_track.{track}.n", mt["n"], pick(mean, track + "_n"),
                    f"{track} points in the zone")
        season = attempt(_zone_season, o, z)
        c.number(sec, "seasonal_amplitude_mm", z["seasonal_amplitude_mm"], pick(season, "amplitude"),
                 abs_tol=1.0, unit="mm", how=f"median seasonalfit amplitude within {NEAR_CENTRE:g} m of the "
                                             "centre (the track with more points there)")
        if z["seasonal_amplitude_mm"] >= 3.0:
            c.number(sec, "seasonal_peak_doy", z["seasonal_peak_doy"], pick(season, "doy"), abs_tol=5.0,
                     unit="days", how="median seasonalfit peak day, same points")
        else:
            c.info(sec, "seasonal_peak_doy", z["seasonal_peak_doy"], "no seasonal cycle planted here")
        c.equal(sec, "significant", z["significant"],
                both if isinstance(both, Missing) else bool(abs(_extreme(both, z)) >= 10.0),
                "|rate| at the zone centre ≥ 10 mm/yr")
        c.equal(sec, "removed_by", z["removed_by"], attempt(_removed_by, o, name, z, kept, both),
                "null when screening kept the zone; else the range its significant points fall outside")


def _fit_bowl_both(both, z):
    return _fit_bowl(*_unpack(both)[:3], z)


def _quad_centre_both(both, z):
    return _quad_centre(*_unpack(both)[:3], z)


def _unpack(both):
    if isinstance(both, Missing):
        raise both
    return both


def _extreme(both, z):
    x, y, v, _ = both
    near = np.hypot(x - z["centre"][0], y - z["centre"][1]) < NEAR_CENTRE
    return float(np.median(v[near]))


def _zone_mean(o, name, both):
    x, y, v, track = _unpack(both)
    inside = o.in_zone(name, x, y)
    out = {"all": float(np.mean(v[inside]))}
    for t in np.unique(track):
        s = inside & (track == t)
        out[str(t)] = float(np.mean(v[s])) if s.any() else None
        out[str(t) + "_n"] = int(s.sum())
    return out


def _zone_season(o, z):
    best = None
    for track in o.truth["tracks"]:
        s = _layer(o, f"seasonal_{track.lower()}", ["seasonal_amplitude", "seasonal_peak_doy"], "the study")
        near = np.hypot(s.x - z["centre"][0], s.y - z["centre"][1]) < NEAR_CENTRE
        if best is None or near.sum() > best[1].sum():
            best = (s, near)
    s, near = best
    if near.sum() < 3:
        raise Missing("not recovered: fewer than 3 points near the centre")
    return {"amplitude": float(np.median(s.columns["seasonal_amplitude"][near])),
            "doy": float(np.median(s.columns["seasonal_peak_doy"][near]))}


def _removed_by(o, name, z, kept, both):
    if isinstance(kept, Missing):
        raise kept
    near = np.hypot(kept.x - z["centre"][0], kept.y - z["centre"][1]) < z["radius_m"]
    if near.sum() >= 10:
        return None
    x, y, v, _ = _unpack(both)
    s = o.in_zone(name, x, y) & (np.abs(v) >= 10.0)
    if not s.any():
        return "rate"
    from insar_fusion.core.sampling import sample
    scr = o.truth["screen"]
    dem = sample(o.scene_file(scr["dem_raster"]), x[s], y[s], method="nearest")[:, 0]
    ndvi = sample(o.scene_file(scr["ndvi_raster"]), x[s], y[s], method="nearest")[:, 0]
    if np.all(dem > scr["dem_max"]):
        return "dem"
    if np.all((ndvi < scr["ndvi_min"]) | (ndvi > scr["ndvi_max"])):
        return "ndvi"
    return "other"


def check_screen(c, o) -> None:
    s = o.truth["screen"]
    kept = attempt(_layer, o, "significant", ["velocity"], "the study")
    found = kept
    if not isinstance(kept, Missing):
        found = sorted(n for n, z in o.truth["zones"].items()
                       if (np.hypot(kept.x - z["centre"][0], kept.y - z["centre"][1]) < z["radius_m"]).sum() >= 10)
    c.equal("screen", "kept", sorted(s["kept"]), found, "zones with ≥ 10 points after screen")
    extra = found
    if not isinstance(kept, Missing):
        inside = np.zeros(len(kept), bool)
        for name in s["kept"]:
            z = o.truth["zones"][name]
            inside |= o.in_zone(name, kept.x, kept.y)
            inside |= np.hypot(kept.x - z["centre"][0], kept.y - z["centre"][1]) < 1.3 * z["radius_m"]
        extra = int((~inside).sum())
    c.equal("screen", "kept points outside the kept zones", 0, extra, "points screen kept elsewhere")
    for key in ("dem_max", "ndvi_min", "ndvi_max", "significant_rate_mm_yr", "dem_raster", "ndvi_raster"):
        c.info("screen", key, s[key], "a screening parameter the demo uses (the scene's suggestion)")


def nearest_spacing(points) -> float:
    d, _ = cKDTree(np.column_stack([points.x, points.y])).query(np.column_stack([points.x, points.y]), k=2)
    return float(np.median(d[:, 1]))

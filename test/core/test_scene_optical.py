"""Optical rasters, DEM and the regression truth: region changes, seasonality, lags, GWR, OLS."""
import numpy as np
import pytest
from scipy.spatial import cKDTree

import scenetest as st

MONTHS = [f"{y}{m:02d}" for y in (2019, 2020) for m in range(1, 13)]
# the scene's monthly rasters hold the field on the 16th, the middle of the month (docs/scene.md)
MONTH_DATES = [__import__("datetime").date(int(m[:4]), int(m[4:]), 16) for m in MONTHS]


@pytest.fixture(scope="module")
def t(scene):
    return st.truth(scene)


@pytest.fixture(scope="module")
def rings(scene):
    return st.regions(scene)


def _july_changes(scene):
    """(July 2020 - July 2019 NDVI, its grid), and the same for soil moisture."""
    out = []
    for kind, prefix in (("ndvi", "ndvi"), ("soil_moisture", "sm")):
        a19, grid = st.raster(scene, f"{kind}/{prefix}_201907.tif")
        a20, _ = st.raster(scene, f"{kind}/{prefix}_202007.tif")
        out.append((a20 - a19, grid))
    return out


def _vertical_points(scene, t, keep):
    """x, y and the planted vertical rate of both tracks' points where keep(easting, northing)."""
    xs, ys, vs = [], [], []
    for name in ("T128", "T026"):
        tr = st.track(scene, name)
        m = keep(tr["easting"], tr["northing"])
        xs.append(tr["easting"][m])
        ys.append(tr["northing"][m])
        vs.append(st.vertical_rate(t, name, tr)[m])
    return tuple(map(np.concatenate, (xs, ys, vs)))


def _stack(scene, kind, prefix):
    arrs = [st.raster(scene, f"{kind}/{prefix}_{m}.tif") for m in MONTHS]
    return np.stack([a for a, _ in arrs]), arrs[0][1]


@pytest.mark.parametrize("region", ["P1", "P2", "P3", "P4", "P5", "P6"])
def test_region_mean_ndvi_and_sm_changes_match_truth(scene, t, rings, region):
    expected = t["change"][region]
    for prefix, kind, key in (("ndvi", "ndvi", "ndvi"), ("sm", "soil_moisture", "sm")):
        jul19, gt = st.raster(scene, f"{kind}/{prefix}_201907.tif")
        jul20, _ = st.raster(scene, f"{kind}/{prefix}_202007.tif")
        jan20, _ = st.raster(scene, f"{kind}/{prefix}_202001.tif")
        X, Y = st.pixel_centres(jul19, gt)
        m = st.inside(rings[region], X, Y)
        assert m.sum() == expected[f"n_pixels_{key}"]
        assert np.mean((jul20 - jul19)[m]) == pytest.approx(expected[f"{key}_interannual"], abs=2e-6)
        assert np.mean((jul20 - jan20)[m]) == pytest.approx(expected[f"{key}_seasonal"], abs=2e-6)
    if region in ("P1", "P2", "P3"):  # farmland greens up and gets wetter from 2019 to 2020
        assert expected["ndvi_interannual"] > 0.02 and expected["sm_interannual"] > 0.005
        assert expected["ndvi_seasonal"] > 0.4


def test_ndvi_is_high_on_summer_farmland_and_low_in_desert_and_winter(scene, t):
    ndvi, gt = _stack(scene, "ndvi", "ndvi")
    for zone in ("P1", "P2", "P3"):
        c = t["zones"][zone]["centre"]
        v = st.bilinear(ndvi, gt, [c[0]], [c[1]])
        assert v.shape  # noqa
        series = np.array([st.bilinear(a, gt, [c[0]], [c[1]])[0] for a in ndvi])
        assert series[6] > 0.6 and series[18] > 0.6  # July
        assert series[0] < 0.3 and series[12] < 0.3  # January
    c = t["zones"]["Z8"]["centre"]
    desert = np.array([st.bilinear(a, gt, [c[0]], [c[1]])[0] for a in ndvi])
    assert desert.max() < t["screen"]["ndvi_min"]


def test_soil_moisture_and_precipitation_units_and_seasons(scene, t):
    sm, _ = _stack(scene, "soil_moisture", "sm")
    pr, _ = _stack(scene, "precipitation", "precip")
    assert 0.01 <= sm.min() and sm.max() <= 0.5  # m3/m3
    monthly = pr.mean(axis=(1, 2))
    for year in (0, 12):
        assert np.argmax(monthly[year:year + 12]) + 1 in (7, 8, 9)
        assert monthly[year + 6:year + 9].sum() > 0.5 * monthly[year:year + 12].sum()
    assert 80 < monthly[:12].sum() < 400  # mm/yr, an arid basin


def test_dem_rises_into_mountains_in_the_south(scene, t):
    dem, gt = st.raster(scene, "dem.tif")
    assert dem[-40:].mean() > 2800 and dem[:400].max() < 1700
    z7 = t["zones"]["Z7"]["centre"]
    assert st.nearest(dem, gt, [z7[0]], [z7[1]])[0] > t["screen"]["dem_max"]


@pytest.mark.parametrize("zone", ["P1", "P2", "P3"])
def test_cross_correlation_of_site_means_peaks_at_the_planted_lags(scene, t, zone):
    """Monthly NDVI / SM means in a 2000 m circle against the subsidence rate of the mean series."""
    name = "T026" if zone == "P3" else "T128"
    tr = st.track(scene, name)
    c = t["zones"][zone]["centre"]
    m = np.hypot(tr["easting"] - c[0], tr["northing"] - c[1]) < 2000.0
    disp = (tr["series"][m] / tr["los_up"][m][:, None]).mean(axis=0)
    day = np.array([d.toordinal() for d in tr["dates"]], float)
    grid = np.arange(day[0], day[-1] + 1)
    smooth = np.convolve(np.interp(grid, day, disp), np.ones(45) / 45, mode="same")
    rate = -np.gradient(smooth)  # subsidence rate, mm/day
    for kind, prefix, key in (("ndvi", "ndvi", "ndvi"), ("soil_moisture", "sm", "soil_moisture")):
        stack, gt = _stack(scene, kind, prefix)
        X, Y = st.pixel_centres(stack[0], gt)
        v = stack[:, np.hypot(X - c[0], Y - c[1]) < 2000.0].mean(axis=1)
        daily = np.interp(grid, [d.toordinal() for d in MONTH_DATES], v)
        core = slice(60, len(grid) - 60)
        lags = np.arange(-90, 91)
        r = [np.corrcoef(rate[core], np.roll(daily, -k)[core])[0, 1] for k in lags]
        assert lags[int(np.argmax(r))] == pytest.approx(t["lags_days"][key], abs=3), (zone, key)
        assert max(r) > 0.8


def test_gwr_at_500_m_on_farmland_points_recovers_the_planted_surfaces(scene, t):
    """A local bisquare regression written here (numpy), at 700 farmland points of both tracks."""
    lc, glc = st.raster(scene, "landcover.tif")
    x, y, v = _vertical_points(scene, t, lambda e, n: st.nearest(lc, glc, e, n) == 1)
    (dn_map, gn), (ds_map, gs) = _july_changes(scene)
    dn = st.bilinear(dn_map, gn, x, y)
    ds = st.bilinear(ds_map, gs, x, y)
    assert len(x) > 5000 and np.isfinite(dn).all() and np.isfinite(ds).all()
    tree = cKDTree(np.column_stack([x, y]))
    idx = np.random.default_rng(1).choice(len(x), 700, replace=False)
    h = t["gwr"]["bandwidth_m"]
    est = []
    for i in idx:
        nb = np.array(tree.query_ball_point([x[i], y[i]], h))
        w = np.sqrt((1 - (np.hypot(x[nb] - x[i], y[nb] - y[i]) / h) ** 2) ** 2)
        A = np.column_stack([np.ones(len(nb)), dn[nb], ds[nb]])
        est.append(np.linalg.lstsq(A * w[:, None], v[nb] * w, rcond=None)[0])
    est = np.array(est)

    def planted(k):
        g = t["gwr"][k]
        return (g["const"] + g["per_km_x"] * (x[idx] - g["origin"][0]) / 1000
                + g["per_km_y"] * (y[idx] - g["origin"][1]) / 1000)
    assert np.corrcoef(est[:, 1], planted("b1"))[0, 1] > 0.93
    assert np.corrcoef(est[:, 2], planted("b2"))[0, 1] > 0.93
    assert np.median(est[:, 0] - planted("b0")) == pytest.approx(0.0, abs=1.0)
    # the relation holds point by point, with only the rate noise left over
    fit = planted("b0") + planted("b1") * dn[idx] + planted("b2") * ds[idx]
    assert np.std(v[idx] - fit) < 1.5 * t["noise"]["rate_mm_yr_los"] / np.cos(np.radians(45)) * 1.5


@pytest.mark.parametrize("region", ["P1", "P2", "P3"])
def test_ols_slopes_per_region_match_truth(scene, t, rings, region):
    x, y, v = _vertical_points(scene, t, lambda e, n: st.inside(rings[region], e, n))
    (dn_map, gn), (ds_map, gs) = _july_changes(scene)
    truth = t["ols"][region]
    assert len(v) == truth["n_points"]
    for key, arr, g in (("dndvi", dn_map, gn), ("dsm", ds_map, gs)):
        k, a = np.polyfit(st.bilinear(arr, g, x, y), v, 1)
        assert k == pytest.approx(truth[key]["slope_observed"], rel=2e-3), key
        assert k == pytest.approx(truth[key]["slope"], rel=0.1), key
        assert truth[key]["slope"] < 0  # more greening / wetting, faster subsidence

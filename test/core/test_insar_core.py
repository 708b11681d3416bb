"""core/insar against outside references: statsmodels, OGR/GEOS, numpy, brute force."""
import datetime as dt

import numpy as np
import pytest
from osgeo import ogr

from insar_fusion.core.errors import InputError
from insar_fusion.core.insar import layout, network, screen, seasonal, splice


# --- splice -------------------------------------------------------------------------------------
@pytest.mark.parametrize("plane", [False, True], ids=["constant", "plane"])
def test_huber_fit_matches_statsmodels_rlm(plane):
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(1)
    n = 400
    x, y = rng.uniform(-3, 3, n), rng.uniform(-2, 2, n)
    design = np.column_stack([np.ones(n), x, y]) if plane else np.ones((n, 1))
    d = design @ (np.array([4.0, 0.7, -0.3]) if plane else np.array([4.0])) + rng.normal(0, 2, n)
    d[:20] += 40.0  # gross outliers
    ours = splice.huber_fit(design, d)
    ref = sm.RLM(d, design, M=sm.robust.norms.HuberT(t=1.345)).fit(scale_est="mad", conv="coefs", tol=1e-12)
    np.testing.assert_allclose(ours, ref.params, rtol=0, atol=1e-6)
    assert abs(ours[0] - 4.0) < 0.5  # the outliers barely move it


def test_match_pairs_is_one_to_one_nearest_within_distance():
    rng = np.random.default_rng(2)
    xr, yr = rng.uniform(0, 1000, 300), rng.uniform(0, 1000, 300)
    xs, ys = rng.uniform(0, 1000, 300), rng.uniform(0, 1000, 300)
    p = splice.match_pairs(xr, yr, xs, ys, 40.0)
    d = np.hypot(xs[:, None] - xr[None, :], ys[:, None] - yr[None, :])
    nearest = d.argmin(axis=1)
    # brute force: each secondary -> nearest reference within 40 m; each reference keeps its closest
    best = {}
    for s in range(len(xs)):
        r = nearest[s]
        if d[s, r] <= 40.0 and (r not in best or d[s, r] < d[best[r], r]):
            best[r] = s
    assert sorted(zip(p.ref.tolist(), p.sec.tolist())) == sorted(best.items())
    np.testing.assert_allclose(p.distance, d[p.sec, p.ref])


def test_estimate_offset_refuses_fewer_than_ten_pairs():
    with pytest.raises(InputError, match="Only 9 matched pairs"):
        splice.estimate_offset(np.arange(9.0), np.arange(9.0), np.zeros(9), np.ones(9))


def test_resample_series_is_linear_interpolation_and_null_outside():
    src = [dt.date(2019, 1, 1) + dt.timedelta(days=12 * k) for k in range(6)]
    dst = [dt.date(2018, 12, 28)] + [dt.date(2019, 1, 7) + dt.timedelta(days=12 * k) for k in range(5)]
    rng = np.random.default_rng(3)
    series = rng.normal(0, 5, (4, 6))
    series[1, 2] = np.nan
    out = splice.resample_series(src, series, dst)
    ts = np.array([d.toordinal() for d in src], float)
    td = np.array([d.toordinal() for d in dst], float)
    assert np.isnan(out[:, 0]).all()
    for i in (0, 2, 3):
        np.testing.assert_allclose(out[i, 1:], np.interp(td[1:], ts, series[i]), rtol=1e-9)
    assert np.isnan(out[1, 2]) and np.isnan(out[1, 3])  # either side of the NULL
    assert np.isfinite(out[1, 1]) and np.isfinite(out[1, 4])


# --- screening ----------------------------------------------------------------------------------
def test_points_in_polygons_agree_with_ogr_including_holes_and_multipolygons():
    wkt = ("MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(2 2,5 2,5 5,2 5,2 2)),"
           "((20 0,30 5,20 10,15 5,20 0)))")
    geom = ogr.CreateGeometryFromWkt(wkt)
    polys = []
    for k in range(geom.GetGeometryCount()):
        poly = geom.GetGeometryRef(k)
        polys.append([np.array(poly.GetGeometryRef(r).GetPoints())[:, :2] for r in range(poly.GetGeometryCount())])
    rng = np.random.default_rng(4)
    x, y = rng.uniform(-2, 32, 3000), rng.uniform(-2, 12, 3000)
    got = screen.points_in_polygons(x, y, polys)
    ref = np.array([geom.Contains(ogr.CreateGeometryFromWkt(f"POINT({a} {b})")) for a, b in zip(x, y)])
    assert (got == ref).all() and ref.sum() > 300


def test_screen_counts_each_point_against_the_first_failed_criterion():
    v = np.array([-20, 5, 15, -12, np.nan, 30])
    area = np.array([True, True, False, True, True, True])
    dem = np.array([100, 100, 100, 900, 100, np.nan])
    r = screen.screen(v, 10.0, area, dem, (None, 500.0))
    assert r.keep.tolist() == [True, False, False, False, False, False]
    assert r.removed == {"rate": 2, "area": 1, "dem": 2}


# --- seasonal -----------------------------------------------------------------------------------
def test_seasonal_fit_handles_a_hundred_thousand_points_with_random_nulls():
    rng = np.random.default_rng(5)
    dates = [dt.date(2019, 1, 1) + dt.timedelta(days=12 * k) for k in range(40)]
    t = np.array([d.year + (d - dt.date(d.year, 1, 1)).days / (dt.date(d.year + 1, 1, 1) - dt.date(d.year, 1, 1)).days
                  for d in dates])
    n = 100_000
    v, a, b = rng.normal(0, 10, n), rng.normal(0, 8, n), rng.normal(0, 8, n)
    y = v[:, None] * t + a[:, None] * np.sin(2 * np.pi * t) + b[:, None] * np.cos(2 * np.pi * t)
    y[rng.random(y.shape) < 0.3] = np.nan
    f = seasonal.fit(dates, y)
    np.testing.assert_allclose(f.trend, v, atol=1e-6)
    np.testing.assert_allclose(f.sin, a, atol=1e-6)


def test_seasonal_fit_refuses_a_series_shorter_than_half_a_year():
    dates = [dt.date(2019, 1, 1) + dt.timedelta(days=12 * k) for k in range(10)]
    with pytest.raises(InputError, match="half a year"):
        seasonal.fit(dates, np.zeros((2, 10)))


# --- network and layout -------------------------------------------------------------------------
def test_network_gap_is_the_interval_no_pair_spans():
    dates = ["2019-01-01", "2019-01-13", "2019-01-25", "2019-03-14", "2019-03-26"]
    net = network.build(dates, [0, 10, 20, 30, 40], 24, 100)
    assert net.n_pairs == 4 and not net.connected and net.n_components == 2
    assert net.gaps == [(dt.date(2019, 1, 25), dt.date(2019, 3, 14))]


def test_rate_from_series_matches_polyfit_with_nulls():
    rng = np.random.default_rng(6)
    dates = [dt.date(2019, 1, 1) + dt.timedelta(days=17 * k) for k in range(20)]
    series = rng.normal(0, 5, (30, 20))
    series[rng.random(series.shape) < 0.25] = np.nan
    series[0, 1:] = np.nan
    got = layout.rate_from_series(dates, series)
    t = np.array([d.year + (d - dt.date(d.year, 1, 1)).days / 365.0 for d in dates])
    assert np.isnan(got[0])
    for i in range(1, 30):
        ok = np.isfinite(series[i])
        assert got[i] == pytest.approx(np.polyfit(t[ok], series[i, ok], 1)[0], rel=1e-9)

"""Pearson r / p-values against scipy, and the lag estimator against known (sub-sample) shifts."""
import math

import numpy as np
import pytest
from scipy import stats as sps

from insar_fusion.core.timeseries.stats import (correlation_matrix, correlations, cross_correlation,
                                                estimate_lag, pearson, refine_peak)

STEP = 365.25 / 12


@pytest.mark.parametrize("n,noise", [(6, 1.0), (24, 0.5), (60, 2.0), (200, 5.0)])
def test_pearson_matches_scipy_pearsonr(n, noise):
    rng = np.random.default_rng(n)
    a = rng.normal(size=n)
    b = 0.7 * a + rng.normal(scale=noise, size=n)
    r, p, m = pearson(a, b)
    ref = sps.pearsonr(a, b)
    assert m == n
    assert r == pytest.approx(ref[0], abs=1e-12)
    assert p == pytest.approx(ref[1], rel=1e-9, abs=1e-300)


def test_pearson_uses_only_common_finite_samples():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=30), rng.normal(size=30)
    a[[2, 7]] = np.nan
    b[[7, 11, 19]] = np.nan
    keep = np.isfinite(a) & np.isfinite(b)
    r, p, n = pearson(a, b)
    ref = sps.pearsonr(a[keep], b[keep])
    assert n == 26
    assert (r, p) == pytest.approx((ref[0], ref[1]), rel=1e-9)


def test_pearson_of_too_few_or_constant_samples_is_nan():
    assert math.isnan(pearson([1, 2, 3], [3, 1, 2])[0])
    assert math.isnan(pearson(np.ones(10), np.arange(10.0))[0])


def test_correlations_cover_every_pair_and_fill_a_symmetric_matrix():
    rng = np.random.default_rng(2)
    series = {k: rng.normal(size=40) for k in "abcd"}
    pairs = correlations(series)
    assert [(c.variable_a, c.variable_b) for c in pairs] == [
        ("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]
    mat = correlation_matrix(list("abcd"), pairs)
    assert np.allclose(mat, np.corrcoef(np.vstack(list(series.values()))), atol=1e-12)


def test_cross_correlation_peaks_at_the_integer_shift_of_a_delayed_copy():
    rng = np.random.default_rng(3)
    x = rng.normal(size=80)
    y = np.r_[np.zeros(4), x[:-4]]  # y(t) = x(t - 4): y lags x by 4
    shifts, r = cross_correlation(x, y, 6)
    assert shifts[np.argmax(r)] == 4
    assert r[np.argmax(r)] == pytest.approx(1.0, abs=1e-12)


def test_parabolic_refinement_finds_the_vertex_of_a_parabola():
    k = np.arange(7.0)
    values = 1.0 - 0.1 * (k - 3.3) ** 2
    delta, height = refine_peak(values, 3)
    assert delta == pytest.approx(0.3, abs=1e-12)
    assert height == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("shift_months", [0.0, 0.25, 0.5, 1.0, 1.5, -0.7, 2.2])
@pytest.mark.parametrize("method", ["parabolic", "spline"])
def test_lag_of_a_shifted_annual_sinusoid_is_recovered_within_two_days(shift_months, method):
    t = np.arange(24.0)
    rate = np.sin(2 * np.pi * t / 12)
    variable = 0.4 * np.sin(2 * np.pi * (t - shift_months) / 12) + 3.0
    lag = estimate_lag(rate, variable, 3, STEP, "v", method)
    assert lag.lag_days == pytest.approx(shift_months * STEP, abs=2.0)
    assert lag.r_at_lag > 0.99 and not lag.at_limit


def test_half_a_month_on_monthly_samples_is_resolved_not_rounded():
    t = np.arange(24.0)
    rate = np.cos(2 * np.pi * t / 12)
    half = estimate_lag(rate, np.cos(2 * np.pi * (t - 0.5) / 12), 3, STEP).lag_days
    assert 13.0 < half < 17.5  # neither 0 nor 30 days


def test_a_negative_relation_keeps_the_lag_and_reports_a_negative_r():
    t = np.arange(36.0)
    rate = np.sin(2 * np.pi * t / 12)
    variable = -2.0 * np.sin(2 * np.pi * (t - 1.0) / 12)  # rises when the ground sinks faster
    lag = estimate_lag(rate, variable, 3, STEP, "ndvi")
    assert lag.lag_days == pytest.approx(STEP, abs=1.0)
    assert lag.r_at_lag < -0.99
    assert lag.r_with_rate == pytest.approx(sps.pearsonr(rate, variable)[0], abs=1e-12)


def test_a_lead_gives_a_negative_lag():
    t = np.arange(30.0)
    rate = np.sin(2 * np.pi * t / 12)
    lag = estimate_lag(rate, np.sin(2 * np.pi * (t + 1.5) / 12), 3, STEP)
    assert lag.lag_days == pytest.approx(-1.5 * STEP, abs=1.0)


def test_a_peak_at_the_window_edge_is_flagged():
    rng = np.random.default_rng(4)
    x = rng.normal(size=60)
    y = np.r_[np.zeros(5), x[:-5]]
    assert estimate_lag(x, y, 2, STEP).at_limit
    assert not estimate_lag(x, y, 6, STEP).at_limit

"""Properties of the core that hold for any input (hypothesis), each against an outside reference:
the closed formula computed here with numpy, ordinary least squares, or the input itself."""
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from insar_fusion.core.coherence.estimator import coherence
from insar_fusion.core.insar.los import los_to_vertical, vertical_to_los
from insar_fusion.core.optical.composite import composite_window, reduce_stack
from insar_fusion.core.optical.ndvi import ndvi
from insar_fusion.core.points import PointTable
from insar_fusion.core.regression.gwr import fit as gwr_fit
from insar_fusion.core.timeseries.stats import estimate_lag

FAST = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
DATES = ("D20190105", "D20190117", "D20190129")


# --- LOS and vertical ----------------------------------------------------------------------------
@FAST
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(
    arrays(float, n, elements=st.floats(0.5, 79.5)), arrays(float, (n, 4), elements=finite))))
def test_los_to_vertical_is_los_over_cos_and_vertical_to_los_undoes_it(data):
    theta, values = data
    n = len(theta)
    cols = {"velocity": values[:, 0], "velocity_std": np.abs(values[:, 1])}
    cols.update({d: values[:, 2 + (k % 2)] for k, d in enumerate(DATES)})
    los = PointTable(np.zeros(n), np.zeros(n), cols, "EPSG:32647")
    cos = np.cos(np.radians(theta))
    up = los_to_vertical(los, cos)
    np.testing.assert_allclose(up.columns["velocity"], cols["velocity"] / cos, rtol=1e-12)
    np.testing.assert_allclose(up.columns["D20190129"], cols["D20190129"] / cos, rtol=1e-12)
    assert np.all(up.columns["velocity_std"] >= 0)
    back = vertical_to_los(up, cos)
    for name in cols:
        np.testing.assert_allclose(back.columns[name], cols[name], rtol=1e-12, atol=1e-9)


# --- maximum value composite ---------------------------------------------------------------------
pixel = st.one_of(st.floats(-1, 1, width=32), st.just(float("nan")))


class _Source:
    """Stands in for a raster band: read(window) returns the array's window."""

    def __init__(self, array):
        self.array = array

    def read(self, window):
        xoff, yoff, xs, ys = window
        return self.array[yoff:yoff + ys, xoff:xoff + xs].astype(np.float32)


@FAST
@given(st.integers(1, 6).flatmap(lambda k: st.lists(arrays(np.float32, (5, 7), elements=pixel),
                                                    min_size=k, max_size=k)))
def test_mvc_is_at_least_every_input_and_one_of_them(stack):
    for mvc in (reduce_stack(stack, "max"), composite_window([_Source(a) for a in stack], (0, 0, 7, 5), "max")):
        data = np.stack(stack)
        valid = np.isfinite(data)
        assert np.array_equal(np.isfinite(mvc), valid.any(axis=0))  # NaN only where every input is
        for a in stack:
            ok = np.isfinite(a)
            assert np.all(mvc[ok] >= a[ok])
        hit = (data == mvc[None]) & valid
        assert np.all(hit.any(axis=0)[valid.any(axis=0)])  # the max is one of the inputs' values


# --- NDVI ----------------------------------------------------------------------------------------
band = st.one_of(st.floats(-2e4, 6e4, width=32), st.sampled_from([0.0, float("nan"), float("inf"),
                                                                 float("-inf")]))


@FAST
@given(arrays(np.float32, 64, elements=band), arrays(np.float32, 64, elements=band),
       st.sampled_from([1.0, 1e-4, 2.5e-4]), st.sampled_from([0.0, -0.1, 0.05]))
def test_ndvi_is_nan_or_within_minus_one_and_one(red, nir, scale, offset):
    v = ndvi(red, nir, scale, offset)
    ok = np.isfinite(v)
    assert np.all((v[ok] >= -1) & (v[ok] <= 1))
    assert not np.isinf(v).any()
    r = red.astype(np.float64) * scale + offset
    n = nir.astype(np.float64) * scale + offset
    with np.errstate(all="ignore"):
        expect = np.clip((n - r) / (n + r), -1, 1)
    sane = (n + r > 1e-6) & np.isfinite(n) & np.isfinite(r)  # away from float32 cancellation
    np.testing.assert_allclose(v[sane], expect[sane], atol=5e-4)


# --- coherence -----------------------------------------------------------------------------------
def _complex(shape, seed):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(np.complex64)


@FAST
@given(st.integers(0, 10_000), st.integers(1, 5), st.integers(1, 5), st.integers(8, 24))
def test_coherence_of_an_image_with_itself_is_one(seed, wy, wx, size):
    s = _complex((size, size + 3), seed)
    np.testing.assert_allclose(coherence(s, s, wy, wx), 1.0, atol=2e-6)


@FAST
@given(st.integers(0, 10_000), st.integers(1, 5), st.integers(1, 5),
       st.floats(-50, 50), st.floats(-3, 3), st.floats(-3, 3))
def test_coherence_does_not_change_under_a_common_phase_screen(seed, wy, wx, c, kx, ky):
    s1, s2 = _complex((16, 20), seed), _complex((16, 20), seed + 1)
    s2 = (0.7 * s1 + 0.3 * s2).astype(np.complex64)
    yy, xx = np.mgrid[0:16, 0:20]
    screen = np.exp(1j * (c + kx * xx + ky * yy ** 1.5 / 10)).astype(np.complex64)
    before = coherence(s1, s2, wy, wx)
    after = coherence(s1 * screen, s2 * screen, wy, wx)
    np.testing.assert_allclose(after, before, atol=5e-5)
    # and it is the windowed |sum s1 s2*| / sqrt(sum|s1|^2 sum|s2|^2) at an inner pixel
    r, q = 8, 10
    y0, x0 = r - (wy - 1) // 2, q - (wx - 1) // 2
    a, b = s1[y0:y0 + wy, x0:x0 + wx].astype(complex), s2[y0:y0 + wy, x0:x0 + wx].astype(complex)
    ref = abs(np.sum(a * np.conj(b))) / math.sqrt(np.sum(abs(a) ** 2) * np.sum(abs(b) ** 2))
    assert abs(before[r, q] - ref) < 5e-5


# --- GWR with a huge bandwidth is OLS --------------------------------------------------------------
@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(12, 60), st.sampled_from(["box", "bisquare", "gaussian"]))
def test_gwr_with_a_bandwidth_far_beyond_the_points_is_ols(seed, n, kernel):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    expl = rng.normal(size=(n, 2))
    dep = 1.5 + expl @ np.array([2.0, -0.7]) + rng.normal(0, 0.5, n)
    X = np.column_stack([np.ones(n), expl])
    beta = np.linalg.lstsq(X, dep, rcond=None)[0]  # ordinary least squares, by numpy
    h = 1e7 if kernel == "box" else 1e12  # box: every point within h; others: weights 1 - O(1e-10)
    res = gwr_fit(x, y, dep, expl, h, kernel, exact=kernel == "gaussian")
    np.testing.assert_allclose(res.params, np.broadcast_to(beta, res.params.shape), rtol=1e-6, atol=1e-6)
    rss = float(np.sum((dep - X @ beta) ** 2))
    assert math.isclose(res.rss, rss, rel_tol=1e-6)


# --- zero lag on identical series ------------------------------------------------------------------
@FAST
@given(st.integers(0, 10_000), st.integers(16, 60), st.integers(1, 8), st.floats(5.0, 31.0))
def test_a_series_has_zero_lag_behind_itself(seed, n, max_shift, step):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    s = np.sin(2 * np.pi * t / rng.uniform(6, 24)) + rng.normal(0, 0.3, n)
    lag = estimate_lag(s, s.copy(), max_shift, step)
    assert abs(lag.lag_days) < 1e-9
    assert math.isclose(lag.r_at_lag, 1.0, abs_tol=1e-9)
    assert math.isclose(lag.r_with_rate, 1.0, abs_tol=1e-9)

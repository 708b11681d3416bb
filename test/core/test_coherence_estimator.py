"""The coherence estimator against theory (Touzi et al. 1999), brute force, and its invariances."""
import numpy as np
import pytest
from scipy import integrate

import cohsim
from insar_fusion.core.coherence.estimator import coherence, coherence_from_interferogram
from insar_fusion.core.errors import InputError


def brute_force(s1, s2, wy, wx):
    """Per-pixel loops over the window (truncated at the edges); pixels with no data in either
    image (0 or NaN) are left out, and a centre without data is NaN."""
    s1 = np.asarray(s1, np.complex128)
    s2 = np.asarray(s2, np.complex128)
    ok = np.isfinite(s1) & np.isfinite(s2) & (s1 != 0) & (s2 != 0)
    s1, s2 = np.where(ok, s1, 0), np.where(ok, s2, 0)
    h, w = s1.shape
    top, left = (wy - 1) // 2, (wx - 1) // 2
    out = np.full((h, w), np.nan)
    for i in range(h):
        for j in range(w):
            if not ok[i, j]:
                continue
            a = s1[max(0, i - top):i - top + wy, max(0, j - left):j - left + wx]
            b = s2[max(0, i - top):i - top + wy, max(0, j - left):j - left + wx]
            out[i, j] = abs(np.sum(a * np.conj(b))) / np.sqrt(np.sum(abs(a) ** 2) * np.sum(abs(b) ** 2))
    return out


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(7)
    g = np.linspace(0.1, 0.95, 61)[None, :] * np.ones((45, 1))
    return cohsim.slc_pair(g, (45, 61), rng, 3.0, 0.5)


@pytest.mark.parametrize("wy,wx", [(5, 5), (3, 7), (4, 6), (1, 1), (1, 5), (9, 2)])
def test_estimator_equals_brute_force_window_sums(pair, wy, wx):
    got = coherence(*pair, wy, wx)
    np.testing.assert_allclose(got, brute_force(*pair, wy, wx), atol=2e-6)
    assert got.dtype == np.float32


@pytest.mark.parametrize("tile", [(7, 13), (1, 61), (45, 1), (16, 16)])
@pytest.mark.parametrize("wy,wx", [(5, 5), (4, 7)])
def test_tiled_result_equals_whole_array_bit_for_bit(pair, tile, wy, wx):
    whole = coherence(*pair, wy, wx, tile=(45, 61))
    np.testing.assert_array_equal(coherence(*pair, wy, wx, tile=tile), whole)
    np.testing.assert_array_equal(coherence(*pair, wy, wx, tile=tile, threads=2), whole)


def test_no_data_is_left_out_of_every_window_and_is_nan_itself(pair):
    s1, s2 = pair[0].copy(), pair[1].copy()
    s1[10:14, 20:30] = 0            # zero fill in one image only
    s2[30, 5:9] = np.nan            # NaN in the other
    s1[0:3, :] = 0                  # a zero-filled border
    got = coherence(s1, s2, 5, 5, tile=(8, 16))
    ref = brute_force(s1, s2, 5, 5)
    assert np.isnan(got[10:14, 20:30]).all() and np.isnan(got[30, 5:9]).all()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, atol=2e-6)


def test_identical_images_have_coherence_one(pair):
    got = coherence(pair[0], pair[0], 5, 5)
    assert np.all(got >= 1 - 1e-6) and np.all(got <= 1)


def test_a_common_phase_screen_leaves_coherence_unchanged(pair):
    y, x = np.mgrid[0:45, 0:61]
    screen = np.exp(1j * (0.3 * x + 0.02 * y ** 2 + np.sin(x / 3.0))).astype(np.complex64)
    np.testing.assert_allclose(coherence(pair[0] * screen, pair[1] * screen, 5, 5),
                               coherence(*pair, 5, 5), atol=2e-6)


def test_scaling_the_images_leaves_coherence_unchanged(pair):
    base = coherence(*pair, 5, 5)
    for scale in (1e-18, 1e-6, 1e6, 1e15):
        np.testing.assert_allclose(coherence(pair[0] * scale, pair[1] * 3.0, 5, 5), base, atol=2e-6)


def test_interferogram_and_amplitudes_give_the_slc_coherence(pair):
    s1, s2 = pair
    got = coherence_from_interferogram(s1 * np.conj(s2), np.abs(s1), np.abs(s2), 3, 7)
    np.testing.assert_allclose(got, brute_force(s1, s2, 3, 7), atol=2e-6)


def test_window_larger_than_the_array_is_refused(pair):
    with pytest.raises(InputError, match="larger than the raster"):
        coherence(*pair, 5, 62)


def _independent_estimates(gamma, w, rng, blocks=100):
    """Estimates at the centres of non-overlapping w x w windows (L = w*w independent looks)."""
    n = blocks * w
    s1, s2 = cohsim.slc_pair(gamma, (n, n), rng)
    est = coherence(s1, s2, w, w)
    return est[w // 2::w, w // 2::w].ravel()


def test_touzi_expectation_used_below_agrees_with_its_closed_form():
    for L in (9, 25):
        for g in (0.2, 0.5, 0.8, 0.95):
            total, _ = integrate.quad(lambda d: cohsim.coherence_pdf(d, g, L), 0, 1, limit=200)
            assert total == pytest.approx(1.0, abs=1e-9)
            assert cohsim.touzi_mean_integral(g, L) == pytest.approx(cohsim.touzi_mean_series(g, L),
                                                                      abs=1e-10)


@pytest.mark.parametrize("w", [3, 5])
@pytest.mark.parametrize("gamma", [0.2, 0.5, 0.8, 0.95])
def test_mean_estimate_matches_the_touzi_expectation(gamma, w):
    rng = np.random.default_rng(int(gamma * 100) + w)
    est = _independent_estimates(gamma, w, rng, blocks=120 if w == 3 else 80)
    expected = cohsim.touzi_mean_integral(gamma, w * w)
    se = est.std(ddof=1) / np.sqrt(est.size)
    assert abs(est.mean() - expected) < 4 * se + 1e-5, (est.mean(), expected, se)
    if expected - gamma > 10 * se:  # the bias is real and the estimator shows it
        assert est.mean() - gamma > 5 * se


def test_estimate_converges_to_gamma_as_the_window_grows():
    rng = np.random.default_rng(3)
    gamma = 0.5
    bias = []
    for w in (3, 5, 9, 21):
        est = _independent_estimates(gamma, w, rng, blocks=600 // w)
        se = est.std(ddof=1) / np.sqrt(est.size)
        assert abs(est.mean() - cohsim.touzi_mean_integral(gamma, w * w)) < 4 * se + 1e-5
        bias.append(est.mean() - gamma)
    assert bias[0] > bias[1] > bias[2] > 0
    assert abs(bias[3]) < 0.006

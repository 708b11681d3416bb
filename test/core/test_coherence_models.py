"""NDVI-coherence models: PICP/PINAW by hand, OLS intervals against statsmodels, the
delta-method intervals against Monte Carlo coverage, the best-model rule, window statistics."""
import numpy as np
import pytest
import statsmodels.api as sm

from insar_fusion.core.coherence.models import (ModelFit, best_model, fit_model, fit_models,
                                                picp, pinaw)
from insar_fusion.core.coherence.samples import window_stats
from insar_fusion.core.errors import InputError


def test_picp_and_pinaw_on_a_hand_checked_example():
    y = [1, 2, 3, 4, 5]
    lo = [0.5, 2.5, 2.0, 3.5, 4.0]
    hi = [1.5, 3.0, 4.0, 4.5, 4.8]
    # inside: 1 yes, 2 no (below 2.5), 3 yes, 4 yes, 5 no (above 4.8) -> 3/5
    assert picp(y, lo, hi) == pytest.approx(0.6)
    # widths 1, 0.5, 2, 1, 0.8 -> mean 1.06; range of y = 4 -> 0.265
    assert pinaw(y, lo, hi) == pytest.approx(0.265)
    assert picp([2.0], [2.0], [2.0]) == 1.0  # the bounds belong to the interval


@pytest.mark.parametrize("model", ["linear", "logarithmic"])
def test_linear_and_log_fits_and_intervals_match_statsmodels_ols(model):
    rng = np.random.default_rng(5)
    x = rng.uniform(0.2, 0.9, 80)
    y = 0.8 - 0.5 * x + rng.normal(0, 0.04, 80)
    fit = fit_model(model, x, y, confidence=0.99)
    feat = x if model == "linear" else np.log(x)
    ols = sm.OLS(y, sm.add_constant(feat)).fit()
    np.testing.assert_allclose(fit.params[:2], ols.params, rtol=1e-10)
    np.testing.assert_allclose(fit.se[:2], ols.bse, rtol=1e-8)
    assert fit.r2 == pytest.approx(ols.rsquared, rel=1e-10)
    assert fit.rmse == pytest.approx(np.sqrt(ols.ssr / 80), rel=1e-10)
    new = np.array([0.25, 0.5, 0.85])
    frame = ols.get_prediction(sm.add_constant(new if model == "linear" else np.log(new))
                               ).summary_frame(alpha=0.01)
    lo, hi = fit.interval(new)
    np.testing.assert_allclose(lo, frame["obs_ci_lower"], rtol=1e-9)
    np.testing.assert_allclose(hi, frame["obs_ci_upper"], rtol=1e-9)
    lo_s, hi_s = fit.interval(x)
    assert fit.picp == pytest.approx(np.mean((y >= lo_s) & (y <= hi_s)))
    assert fit.pinaw == pytest.approx(np.mean(hi_s - lo_s) / np.ptp(y))


def test_exponential_fit_recovers_noise_free_parameters():
    x = np.linspace(0.15, 0.85, 40)
    for offset, truth in ((True, (0.9, -4.0, 0.25)), (False, (1.1, -2.5, 0.0))):
        y = truth[0] * np.exp(truth[1] * x) + truth[2]
        fit = fit_model("exponential", x, y + 1e-9 * np.sin(40 * x), exp_offset=offset)
        np.testing.assert_allclose(fit.params, truth, atol=1e-6)
        assert fit.k == (3 if offset else 2)


def test_exponential_delta_method_intervals_cover_new_observations_at_the_nominal_rate():
    """Monte Carlo: data from a planted law, a fresh observation at x0 per replicate."""
    rng = np.random.default_rng(11)
    a, b, c, sd = 0.9, -4.0, 0.25, 0.03
    x = np.linspace(0.15, 0.85, 60)
    x0 = np.array([0.2, 0.5, 0.8])
    hits, slopes, ses = [], [], []
    for _ in range(300):
        y = a * np.exp(b * x) + c + rng.normal(0, sd, x.size)
        fit = fit_model("exponential", x, y, confidence=0.90)
        lo, hi = fit.interval(x0)
        new = a * np.exp(b * x0) + c + rng.normal(0, sd, x0.size)
        hits.append((new >= lo) & (new <= hi))
        slopes.append(fit.params[1])
        ses.append(fit.se[1])
    coverage = np.mean(hits, axis=0)
    tol = 4 * np.sqrt(0.9 * 0.1 / 300)
    assert np.all(np.abs(coverage - 0.90) < tol), coverage
    # the standard error of b agrees with the spread of b over the replicates
    assert 0.8 < np.median(ses) / np.std(slopes) < 1.25


def _fit(model, rmse, r2, picp_, pinaw_, k=2):
    return ModelFit(model, (1.0, -1.0, float("nan")), (0.1, 0.1, float("nan")), 50, k, rmse,
                    0.99, rmse, r2, picp_, pinaw_, np.eye(k))


def test_best_model_is_best_on_all_four_criteria():
    fits = [_fit("linear", 0.0755, 0.8207, 0.9936, 0.3908),
            _fit("exponential", 0.0627, 0.8767, 0.9952, 0.3249, k=3),
            _fit("logarithmic", 0.0641, 0.8711, 0.9936, 0.3316)]
    assert best_model(fits)[0] == "exponential"  # the paper's Table 2


def test_best_model_tie_rules():
    # exponential wins RMSE and R2, linear wins PICP and PINAW: 2 firsts each.
    # rank sums: exponential 1+1+3+3 = 8, linear 3+3+1+1 = 8, log 2+2+2+2 = 8 -> lowest RMSE.
    fits = [_fit("exponential", 0.060, 0.90, 0.980, 0.40, k=3),
            _fit("logarithmic", 0.061, 0.89, 0.985, 0.35),
            _fit("linear", 0.070, 0.85, 0.990, 0.30)]
    name, reason = best_model(fits)
    assert name == "exponential" and "tie" in reason
    # values equal to 4 significant digits share the first place
    fits = [_fit("exponential", 0.062701, 0.88, 0.99, 0.30, k=3),
            _fit("linear", 0.062704, 0.88, 0.99, 0.30)]
    name, reason = best_model(fits)
    assert name == "exponential"  # all four tied; RMSE (unrounded) decides
    fits = [_fit("exponential", 0.0627, 0.88, 0.99, 0.30, k=3), _fit("linear", 0.0627, 0.88, 0.99, 0.30)]
    assert best_model(fits)[0] == "linear"  # exactly equal: the fewer parameters


def test_log_model_excludes_nonpositive_ndvi_with_a_count():
    rng = np.random.default_rng(2)
    x = np.r_[rng.uniform(0.1, 0.9, 50), [-0.1, 0.0, -0.3]]
    y = 0.9 - 0.6 * np.clip(x, 0, 1) + rng.normal(0, 0.02, x.size)
    fs = fit_models(x, y, ["linear", "logarithmic"])
    assert fs.excluded_nonpositive == 3
    assert all(f.n == 50 for f in fs.fits)
    with pytest.raises(InputError, match="NDVI <= 0"):
        fit_models([-0.2, -0.1, 0.0, -0.5], [0.5, 0.4, 0.3, 0.6], ["logarithmic"])


def test_window_statistics_match_numpy_per_window():
    rng = np.random.default_rng(4)
    n = 6
    ndvi = rng.uniform(0.0, 0.9, (n, 5 * n))
    coh = np.clip(0.9 - 0.7 * ndvi + rng.normal(0, 0.05, ndvi.shape), 0, 1)
    coh[0, 0:3] = np.nan
    cnt, mn, mc, r = window_stats(ndvi, coh, n, 0.2)
    for k in range(5):
        a, b = ndvi[:, k * n:(k + 1) * n].ravel(), coh[:, k * n:(k + 1) * n].ravel()
        ok = np.isfinite(a) & np.isfinite(b) & (a >= 0.2) & (b >= 0.2)
        assert cnt[k] == ok.sum()
        assert mn[k] == pytest.approx(a[ok].mean())
        assert mc[k] == pytest.approx(b[ok].mean())
        assert r[k] == pytest.approx(np.corrcoef(a[ok], b[ok])[0, 1])

"""Model fits against outside references: statsmodels OLS (parameters, standard errors, R²),
closed forms (a noise-free series gives back its parameters exactly), and for the non-linear
models statsmodels OLS on the linearised model at the optimum (the Gauss-Newton standard errors)."""
import datetime as dt

import numpy as np
import pytest
import statsmodels.api as sm

from insar_fusion.core.errors import InputError
from insar_fusion.core.timeseries import fits

DATES = [dt.date(2019, 1, 3) + dt.timedelta(days=int(d)) for d in
         np.cumsum(np.r_[0, np.random.default_rng(5).integers(6, 40, 89)])]  # irregular gaps
T = fits.years_since(DATES, DATES[0])


def _design(model):
    return fits.MODELS[model].design(T)


@pytest.mark.parametrize("model", ["linear", "quadratic", "cubic", "annual", "annual+semiannual"])
def test_linear_models_match_statsmodels_ols(model):
    rng = np.random.default_rng(1)
    x = _design(model)
    truth = rng.normal(0, 5, x.shape[1])
    y = x @ truth + rng.normal(0, 1.5, len(T))
    y[[4, 17]] = np.nan  # gaps are left out
    ok = np.isfinite(y)
    ref = sm.OLS(y[ok], x[ok]).fit()
    got = fits.fit(model, DATES, y)
    assert np.allclose(got.params, ref.params, rtol=1e-8, atol=1e-9)
    assert np.allclose(got.stderr, ref.bse, rtol=1e-8)
    assert got.r2 == pytest.approx(ref.rsquared, rel=1e-10)
    assert got.rmse == pytest.approx(np.sqrt(ref.ssr / ref.nobs), rel=1e-10)
    assert got.n == ref.nobs
    assert np.allclose(got.residuals[ok], ref.resid, atol=1e-9)
    assert np.isnan(got.fitted[4]) and np.isnan(got.residuals[17])


def test_noise_free_linear_and_seasonal_series_give_back_rate_and_amplitude():
    rate, amp, peak = -12.0, 4.0, 0.55  # mm/yr, mm, fraction of a year
    y = 3.0 + rate * T + amp * np.cos(2 * np.pi * (T - peak))
    f = fits.fit("annual", DATES, y)
    assert f.param("b") == pytest.approx(rate, abs=1e-9)
    assert np.hypot(f.param("cos1"), f.param("sin1")) == pytest.approx(amp, abs=1e-9)
    assert f.r2 == pytest.approx(1.0) and f.rmse == pytest.approx(0.0, abs=1e-9)
    assert fits.fit("linear", DATES, 3.0 + rate * T).param("b") == pytest.approx(rate, abs=1e-12)


@pytest.mark.parametrize("model,truth", [("exponential", (2.0, -35.0, 0.8)), ("logarithmic", (1.0, -9.0, 0.3))])
def test_nonlinear_models_recover_planted_parameters_and_their_errors_match_linearised_ols(model, truth):
    m = fits.MODELS[model]
    exact = m.value(T, np.array(truth))
    f0 = fits.fit(model, DATES, exact)
    assert np.allclose(f0.params, truth, rtol=1e-5)
    rng = np.random.default_rng(2)
    y = exact + rng.normal(0, 1.0, len(T))
    f = fits.fit(model, DATES, y)
    # the standard errors are OLS's on the tangent plane at the optimum: regress the residuals
    # on the Jacobian (numerical, central differences) with statsmodels
    h = 1e-6 * np.maximum(np.abs(f.params), 1e-3)
    jac = np.column_stack([(m.value(T, f.params + np.eye(3)[k] * h[k]) - m.value(T, f.params - np.eye(3)[k] * h[k]))
                           / (2 * h[k]) for k in range(3)])
    ref = sm.OLS(y - m.value(T, f.params), jac).fit()
    assert np.allclose(ref.params, 0.0, atol=1e-4 * np.abs(f.params).max())  # an optimum
    assert np.allclose(f.stderr, ref.bse, rtol=1e-3)
    assert f.r2 == pytest.approx(1 - ref.ssr / ((y - y.mean()) ** 2).sum(), rel=1e-6)


def test_too_short_a_series_and_an_unknown_model_are_refused_clearly():
    with pytest.raises(InputError, match="needs more than 4"):
        fits.fit("cubic", DATES[:4], np.arange(4.0))
    with pytest.raises(InputError, match="Unknown model"):
        fits.fit("spline", DATES, T)


def test_ambiguity_of_sentinel1_is_half_its_wavelength():
    assert fits.ambiguity_mm(55.465763) == pytest.approx(27.73, abs=0.01)

"""Per-group linear regression against closed forms (scipy.stats.linregress, t intervals) and
planted slopes; the three Fig. 9 charts draw what they claim."""
import numpy as np
import pytest
from scipy import stats

from insar_fusion.core.regression.charts import qq_plot, residual_plot, scatter_fit
from insar_fusion.core.regression.ols import bands, fit_line, group_labels, regress
from insar_fusion.core.regression.ols_report import write_report


def line_data(n=250, slope=-80.0, intercept=-5.0, sd=2.0, seed=2):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.1, 0.05, n)
    return x, intercept + slope * x + rng.normal(0, sd, n)


def test_fit_matches_linregress_and_hand_formulas():
    x, y = line_data()
    f = fit_line(x, y, 0.9)
    ref = stats.linregress(x, y)
    assert f.slope == pytest.approx(ref.slope, rel=1e-12)
    assert f.intercept == pytest.approx(ref.intercept, rel=1e-12)
    assert f.r == pytest.approx(ref.rvalue, rel=1e-12)
    assert f.r2 == pytest.approx(ref.rvalue ** 2, rel=1e-12)
    assert f.p_value == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-300)
    assert f.slope_se == pytest.approx(ref.stderr, rel=1e-10)
    assert f.intercept_se == pytest.approx(ref.intercept_stderr, rel=1e-10)
    resid = y - (ref.intercept + ref.slope * x)
    assert f.rmse == pytest.approx(np.sqrt(np.mean(resid ** 2)), rel=1e-12)  # eq. 9: over n
    t = stats.t.ppf(0.95, len(x) - 2)
    assert f.slope_ci == pytest.approx((ref.slope - t * ref.stderr, ref.slope + t * ref.stderr), rel=1e-9)
    assert f.n == len(x)


def test_bands_are_the_textbook_mean_and_prediction_intervals():
    x, y = line_data(60)
    f = fit_line(x, y, 0.95)
    x0 = np.array([0.0, 0.1, 0.3])
    b = bands(f, x0)
    n, xm = len(x), x.mean()
    s = np.sqrt(np.sum(f.residuals ** 2) / (n - 2))
    sxx = np.sum((x - xm) ** 2)
    t = stats.t.ppf(0.975, n - 2)
    yhat = f.intercept + f.slope * x0
    half_mean = t * s * np.sqrt(1 / n + (x0 - xm) ** 2 / sxx)
    half_obs = t * s * np.sqrt(1 + 1 / n + (x0 - xm) ** 2 / sxx)
    np.testing.assert_allclose(b["mean"], yhat, rtol=1e-12)
    np.testing.assert_allclose(b["mean_high"] - yhat, half_mean, rtol=1e-9)
    np.testing.assert_allclose(yhat - b["obs_low"], half_obs, rtol=1e-9)


def test_fit_and_bands_match_statsmodels_ols():
    import statsmodels.api as sm

    x, y = line_data(80, sd=3.0)
    f = fit_line(x, y, 0.9)
    res = sm.OLS(y, sm.add_constant(x)).fit()
    np.testing.assert_allclose([f.intercept, f.slope], res.params, rtol=1e-11)
    np.testing.assert_allclose([f.intercept_se, f.slope_se], res.bse, rtol=1e-10)
    ci = res.conf_int(alpha=0.1)
    np.testing.assert_allclose([f.intercept_ci, f.slope_ci], ci, rtol=1e-10)
    assert f.p_value == pytest.approx(res.pvalues[1], rel=1e-8, abs=1e-300)
    assert f.r2 == pytest.approx(res.rsquared, rel=1e-12)
    x0 = np.array([-0.1, 0.05, 0.4])
    frame = res.get_prediction(sm.add_constant(x0, has_constant="add")).summary_frame(alpha=0.1)
    b = bands(f, x0)
    for ours, theirs in (("mean", "mean"), ("mean_low", "mean_ci_lower"), ("mean_high", "mean_ci_upper"),
                         ("obs_low", "obs_ci_lower"), ("obs_high", "obs_ci_upper")):
        np.testing.assert_allclose(b[ours], frame[theirs].to_numpy(), rtol=1e-10)


def test_qq_plot_draws_what_statsmodels_qqplot_draws():
    from matplotlib.figure import Figure
    from statsmodels.graphics.gofplots import qqplot

    x, y = line_data(90)
    f = fit_line(x, y)
    ours = qq_plot(f).axes[0].lines
    theirs = qqplot(np.sort(f.residuals), line="q", ax=Figure().add_subplot()).axes[0].lines
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.get_xdata(), b.get_xdata(), rtol=1e-10)
        np.testing.assert_allclose(a.get_ydata(), b.get_ydata(), rtol=1e-10, atol=1e-12)


def test_planted_slopes_per_group_lie_in_their_intervals():
    rng = np.random.default_rng(8)
    planted = {"P1": -120.0, "P2": -45.0, "P10": 15.0}
    groups = np.repeat(list(planted), 400).astype(object)
    ndvi = rng.normal(0.08, 0.05, len(groups))
    rate = np.array([planted[g] for g in groups]) * ndvi - 8 + rng.normal(0, 3, len(groups))
    fits = regress(rate, {"dndvi": ndvi}, groups, 0.99, "velocity")
    assert [f.group for f in fits] == ["P1", "P2", "P10"]  # natural order
    for f in fits:
        assert f.slope_ci[0] < planted[f.group] < f.slope_ci[1]
        assert f.n == 400 and f.dependent == "velocity" and f.explanatory == "dndvi"


def test_too_few_points_or_a_constant_variable_give_null_statistics():
    f = fit_line([1.0, 2.0], [3.0, 4.0])
    assert f.n == 2 and np.isnan(f.slope) and np.isnan(f.p_value)
    g = fit_line([1.0, 1.0, 1.0, np.nan], [3.0, 4.0, 5.0, 6.0])
    assert g.n == 3 and np.isnan(g.slope)


def test_group_labels_skip_nulls_and_name_numeric_groups_plainly():
    names, labels = group_labels(np.array([2.0, 1.0, np.nan, 10.0, 2.0]))
    assert names == ["1", "2", "10"]
    assert labels[2] is None and labels[0] == "2"


def test_charts_draw_the_fit_the_bands_the_residuals_and_the_quantiles():
    x, y = line_data(120)
    f = fit_line(x, y, 0.95, "P1", "velocity", "dndvi")
    fig = scatter_fit(f, "mm/yr")
    ax = fig.axes[0]
    assert len(ax.collections[0].get_offsets()) == 120       # the points
    assert len(ax.collections) == 3                           # points + two bands
    line = ax.lines[0].get_ydata()
    assert line[0] == pytest.approx(f.intercept + f.slope * x.min())
    res = residual_plot(f).axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(res[:, 1], f.residuals)
    np.testing.assert_allclose(res[:, 0], f.predicted)
    qq = qq_plot(f).axes[0].lines[0]
    np.testing.assert_allclose(np.sort(qq.get_ydata()), np.sort(f.residuals))
    n = len(f.residuals)
    theo = stats.norm.ppf(np.arange(1, n + 1) / (n + 1))  # plotting positions i / (n + 1)
    np.testing.assert_allclose(np.sort(qq.get_xdata()), theo, rtol=1e-10)


def test_report_has_three_figures_per_fit_and_the_summary(tmp_path):
    x, y = line_data(80)
    fits = regress(y, {"dndvi": x, "dsm": x ** 2}, np.array(["A"] * 40 + ["B"] * 40, dtype=object))
    out = write_report(str(tmp_path / "r.html"), fits, "Report")
    text = open(out, encoding="utf-8").read()
    assert text.count("<img") == 3 * len(fits) == 12
    assert "QQ plot" in text and "B — y on dsm" in text

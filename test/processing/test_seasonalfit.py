"""insarfusion:seasonalfit recovers planted trend, amplitude and phase (closed form)."""
import datetime as dt
import os

import numpy as np
import pytest
from qgis.core import QgsProcessingException

import iftest
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import read_points, write_points


def _dates(n=61, start=dt.date(2019, 1, 4), step=12):
    return [start + dt.timedelta(days=step * k) for k in range(n)]


def _years(dates):
    return np.array([d.year + (d - dt.date(d.year, 1, 1)).days / (dt.date(d.year + 1, 1, 1) - dt.date(d.year, 1, 1)).days
                     for d in dates])


def _plant(n, rng):
    """Trend (mm/yr), amplitude (mm), peak day of year and offset per point."""
    return rng.normal(-15, 10, n), rng.uniform(2, 30, n), rng.uniform(1, 365, n), rng.normal(0, 5, n)


def _model(t, v, amp, peak, a):
    """Closed form: a + v*(t - 2020) + amp * cos(2*pi*(t - t_peak)), peak at day `peak`."""
    tp = (peak - 1.0) / 365.25
    return a[:, None] + v[:, None] * (t[None, :] - 2020.0) + \
        amp[:, None] * np.cos(2 * np.pi * (t[None, :] - tp[:, None]))


def _layer(tmp_path, dates, series, name="series.gpkg"):
    n = series.shape[0]
    cols = {"pid": np.arange(n, dtype=np.int64), "velocity": np.zeros(n)}
    for j, d in enumerate(dates):
        cols["D" + d.strftime("%Y%m%d")] = series[:, j]
    rng = np.random.default_rng(0)
    path = str(tmp_path / name)
    write_points(path, PointTable(rng.uniform(4e5, 4.1e5, n), rng.uniform(4.3e6, 4.31e6, n), cols, "EPSG:32647"))
    return path


def _swings_brute_force(v, amp, peak, years=4.0, steps=200001):
    """Largest fall and rise between consecutive turning points of v*t + seasonal, sampled densely."""
    t = np.linspace(2019.0, 2019.0 + years, steps)
    d = _model(t, np.array([v]), np.array([amp]), np.array([peak]), np.zeros(1))[0]
    slope = np.sign(np.diff(d))
    turns = np.flatnonzero(slope[1:] != slope[:-1]) + 1
    if len(turns) < 2:
        return (v, 0.0) if v < 0 else (0.0, v)
    steps_ = np.diff(d[turns])
    return float(steps_.min()), float(steps_.max())


def test_noise_free_series_returns_the_planted_parameters(run_alg, tmp_path):
    rng = np.random.default_rng(12)
    dates = _dates()
    t = _years(dates)
    v, amp, peak, a = _plant(300, rng)
    series = _model(t, v, amp, peak, a)
    series[rng.random(series.shape) < 0.15] = np.nan  # each point its own NULL pattern
    series[0, :] = np.nan
    series[0, :4] = 1.0  # too few dates: NULL outputs
    out = str(tmp_path / "fit.gpkg")
    res, _ = run_alg("seasonalfit", {"INPUT": _layer(tmp_path, dates, series), "OUTPUT": out})
    got = read_points(out)
    assert res["N_FITTED"] == 299 and res["N_SKIPPED"] == 1
    assert np.isnan(got.columns["trend"][0]) and np.isnan(got.columns["seasonal_amplitude"][0])
    sl = slice(1, None)
    np.testing.assert_allclose(got.columns["trend"][sl], v[sl], atol=1e-8)
    np.testing.assert_allclose(got.columns["seasonal_amplitude"][sl], amp[sl], atol=1e-8)
    doy_err = np.abs((got.columns["seasonal_peak_doy"][sl] - peak[sl] + 182.625) % 365.25 - 182.625)
    assert doy_err.max() < 1e-6
    assert np.nanmax(got.columns["fit_rmse"]) < 1e-8
    for i in range(1, 40):
        fall, rise = _swings_brute_force(v[i], amp[i], peak[i])
        assert got.columns["max_seasonal_subsidence"][i] == pytest.approx(fall, abs=1e-3)
        assert got.columns["max_seasonal_uplift"][i] == pytest.approx(rise, abs=1e-3)


def test_without_trend_the_swings_are_twice_the_amplitude(run_alg, tmp_path):
    dates = _dates(40)
    t = _years(dates)
    series = _model(t, np.zeros(2), np.array([10.0, 35.0]), np.array([200.0, 20.0]), np.zeros(2))
    out = str(tmp_path / "fit.gpkg")
    run_alg("seasonalfit", {"INPUT": _layer(tmp_path, dates, series), "OUTPUT": out})
    got = read_points(out)
    np.testing.assert_allclose(got.columns["max_seasonal_subsidence"], [-20.0, -70.0], atol=1e-8)
    np.testing.assert_allclose(got.columns["max_seasonal_uplift"], [20.0, 70.0], atol=1e-8)
    np.testing.assert_allclose(got.columns["seasonal_peak_doy"], [200.0, 20.0], atol=1e-6)


def test_noisy_fit_matches_per_point_least_squares(run_alg, tmp_path):
    rng = np.random.default_rng(3)
    dates = _dates(50)
    t = _years(dates)
    v, amp, peak, a = _plant(60, rng)
    series = _model(t, v, amp, peak, a) + rng.normal(0, 3.0, (60, len(dates)))
    series[rng.random(series.shape) < 0.2] = np.nan
    out = str(tmp_path / "fit.gpkg")
    run_alg("seasonalfit", {"INPUT": _layer(tmp_path, dates, series), "OUTPUT": out, "STYLE": 1})
    got = read_points(out)
    for i in range(60):
        ok = np.isfinite(series[i])
        g = np.column_stack([np.ones(ok.sum()), t[ok], np.sin(2 * np.pi * t[ok]), np.cos(2 * np.pi * t[ok])])
        coef, *_ = np.linalg.lstsq(g, series[i, ok], rcond=None)
        resid = series[i, ok] - g @ coef
        assert got.columns["trend"][i] == pytest.approx(coef[1], abs=1e-7)
        assert got.columns["seasonal_amplitude"][i] == pytest.approx(np.hypot(coef[2], coef[3]), abs=1e-7)
        assert got.columns["fit_rmse"][i] == pytest.approx(np.sqrt(np.mean(resid ** 2)), abs=1e-7)
    from qgis.core import QgsVectorLayer
    layer = QgsVectorLayer(out, "fit", "ogr")
    assert layer.renderer().classAttribute() == "trend"


def test_layers_without_enough_dates_are_refused(run_alg, tmp_path):
    few = _layer(tmp_path, _dates(4), np.zeros((3, 4)), "few.gpkg")
    before = iftest.sha256(few)
    out = str(tmp_path / "fit.gpkg")
    with pytest.raises(QgsProcessingException, match="at least 5 dates"):
        run_alg("seasonalfit", {"INPUT": few, "OUTPUT": out})
    assert not os.path.exists(out) and iftest.sha256(few) == before
    none = str(tmp_path / "none.gpkg")
    write_points(none, PointTable(np.array([4e5]), np.array([4.3e6]), {"velocity": np.array([1.0])}, "EPSG:32647"))
    with pytest.raises(QgsProcessingException, match="no date fields"):
        run_alg("seasonalfit", {"INPUT": none, "OUTPUT": out})
    assert not os.path.exists(out)


def test_shapefile_output_too_small_for_the_new_fields_is_refused(run_alg, tmp_path):
    dates = _dates(245, step=3)
    src = _layer(tmp_path, dates, np.zeros((3, 245)), "wide.gpkg")
    out = str(tmp_path / "fit.shp")
    with pytest.raises(QgsProcessingException, match="Shapefile holds at most 250.*GeoPackage"):
        run_alg("seasonalfit", {"INPUT": src, "OUTPUT": out})
    assert not os.path.exists(out)

"""The monthly base, interpolation, moving average and the rate in mm/month."""
import datetime as dt

import numpy as np
import pytest

from insar_fusion.core.errors import InputError
from insar_fusion.core.timeseries.monthly import (FIRST, MIDDLE, MONTH_DAYS, month_base, rate_per_month,
                                                  smooth, stack_dates, to_base)


def test_month_base_holds_the_chosen_day_of_each_covered_month():
    first = month_base(dt.date(2019, 1, 20), dt.date(2019, 5, 16), FIRST)
    assert first == [dt.date(2019, m, 1) for m in (2, 3, 4, 5)]
    base = month_base(dt.date(2019, 1, 20), dt.date(2019, 5, 16))
    assert base == [dt.date(2019, m, 16) for m in (2, 3, 4, 5)] == month_base(
        dt.date(2019, 1, 20), dt.date(2019, 5, 16), MIDDLE)
    assert len(month_base(dt.date(2019, 1, 1), dt.date(2020, 12, 31))) == 24
    assert len(month_base(dt.date(2019, 1, 1), dt.date(2020, 12, 31), FIRST)) == 24


def test_month_only_file_names_stand_for_the_chosen_day_and_full_dates_are_kept():
    paths = ["/d/ndvi_201902.tif", "/d/ndvi_20190305.tif", "/d/ndvi_2019-01.tif"]
    assert [d for _, d in stack_dates(paths, FIRST)] == [dt.date(2019, 1, 1), dt.date(2019, 2, 1),
                                                         dt.date(2019, 3, 5)]
    assert [d for _, d in stack_dates(paths)] == [dt.date(2019, 1, 16), dt.date(2019, 2, 16),
                                                  dt.date(2019, 3, 5)]
    assert stack_dates(["/d/ndvi_20190401.tif"], MIDDLE)[0][1] == dt.date(2019, 4, 1)
    with pytest.raises(InputError, match="No date found"):
        stack_dates(["/d/ndvi_latest.tif"])


def test_to_base_interpolates_linearly_and_never_extrapolates():
    dates = [dt.date(2019, 1, 1), dt.date(2019, 1, 31), dt.date(2019, 3, 2)]
    base = [dt.date(2018, 12, 16), dt.date(2019, 1, 16), dt.date(2019, 2, 15), dt.date(2019, 3, 16)]
    got = to_base(dates, np.array([0.0, 30.0, np.nan]), base)
    assert np.isnan(got[0]) and np.isnan(got[2]) and np.isnan(got[3])
    assert got[1] == pytest.approx(15.0)


def test_smooth_is_a_centred_moving_average_with_no_partial_windows():
    v = np.array([1.0, 2.0, 6.0, 4.0, 5.0, np.nan, 7.0])
    got = smooth(v, 3)
    assert np.isnan(got[0])
    assert got[1:4] == pytest.approx([3.0, 4.0, 5.0])
    assert np.isnan(got[4]) and np.isnan(got[5]) and np.isnan(got[6])
    assert np.array_equal(smooth(v, 1), v, equal_nan=True)
    with pytest.raises(InputError, match="at least 1"):
        smooth(v, 0)


def test_rate_of_a_trend_and_a_sinusoid_matches_the_analytic_derivative():
    base = month_base(dt.date(2019, 1, 1), dt.date(2021, 12, 31))
    t = np.array([d.toordinal() for d in base], float)
    disp = -0.1 * t + 5.0 * np.sin(2 * np.pi * t / 365.25)
    got = rate_per_month(base, disp)
    w = 2 * np.pi / 365.25
    damping = np.sin(MONTH_DAYS * w) / (MONTH_DAYS * w)  # central differences over +-1 month
    exact = (-0.1 + 5.0 * w * damping * np.cos(w * t)) * MONTH_DAYS
    assert np.isnan(got[0]) and np.isnan(got[-1])
    assert np.allclose(got[1:-1], exact[1:-1], atol=0.01 * 5.0 * w * MONTH_DAYS)


def test_rate_of_a_linear_series_is_exact_on_uneven_months():
    base = month_base(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    t = np.array([d.toordinal() for d in base], float)
    got = rate_per_month(base, 2.0 * t / MONTH_DAYS)  # 2 mm per mean month
    assert np.allclose(got[1:-1], 2.0, rtol=1e-12)

import numpy as np
import pytest

from insar_fusion.core.errors import InputError
from insar_fusion.core.insar.los import los_to_vertical, up_factor_from_incidence, vertical_to_los
from insar_fusion.core.points import PointTable


def _table(n=5):
    rng = np.random.default_rng(1)
    cols = {"pid": np.arange(n), "velocity": rng.normal(-10, 5, n), "velocity_std": np.full(n, 2.0),
            "D20190101": np.zeros(n), "D20190113": rng.normal(0, 3, n)}
    return PointTable(np.arange(n) * 56.0, np.zeros(n), cols, "EPSG:32647")


def test_vertical_is_los_over_cos_incidence_for_rate_std_and_series():
    t = _table()
    theta = np.array([30.0, 35, 40, 45, 33])
    out = los_to_vertical(t, up_factor_from_incidence(theta))
    c = np.cos(np.radians(theta))
    for name in ("velocity", "velocity_std", "D20190113"):
        np.testing.assert_allclose(out.columns[name], t.columns[name] / c)
    np.testing.assert_array_equal(out.columns["pid"], t.columns["pid"])


def test_at_zero_incidence_limit_vertical_equals_los():
    t = _table()
    out = los_to_vertical(t, np.ones(len(t)))
    np.testing.assert_allclose(out.columns["velocity"], t.columns["velocity"])


def test_vertical_to_los_undoes_los_to_vertical():
    t = _table()
    f = up_factor_from_incidence(np.full(len(t), 39.0))
    back = vertical_to_los(los_to_vertical(t, f), f)
    np.testing.assert_allclose(back.columns["D20190113"], t.columns["D20190113"])


@pytest.mark.parametrize("theta", [0.0, -5.0, 80.0, 85.0])
def test_incidence_outside_0_80_is_refused(theta):
    with pytest.raises(InputError, match=r"outside \(0°, 80°\)"):
        up_factor_from_incidence(np.array([35.0, theta]))


def test_missing_incidence_gives_nan_not_zero():
    f = up_factor_from_incidence(np.array([np.nan, 30.0]))
    out = los_to_vertical(_table(2), f)
    assert np.isnan(out.columns["velocity"][0]) and np.isfinite(out.columns["velocity"][1])

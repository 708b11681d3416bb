"""Baseline decorrelation (Ningxia eqs. 2-3) against the paper's Sentinel-1 example."""
import math

import numpy as np
import pytest

from insar_fusion.core.coherence.baseline import S1_WAVELENGTH, baseline_gamma, critical_baseline
from insar_fusion.core.errors import InputError


def test_paper_sentinel1_example_gives_about_5_km_and_098_at_100_m():
    geom = critical_baseline()  # defaults: R 900 km, theta 44 deg, flat, rho_r 5 m
    by_hand = 0.05546576 * 900e3 * math.tan(math.radians(44.0)) / (2 * 5.0)
    assert geom.critical == pytest.approx(by_hand, rel=1e-12)
    assert geom.critical == pytest.approx(5000, rel=0.05)           # "about 5 km"
    assert float(baseline_gamma(100.0, geom.critical)) == pytest.approx(0.98, abs=0.005)
    assert S1_WAVELENGTH == pytest.approx(299792458 / 5.405e9, rel=1e-6)


def test_gamma_is_one_minus_ratio_clipped_to_0_1_and_sign_free():
    g = baseline_gamma([0.0, 250.0, -250.0, 1000.0, 5000.0, np.nan], 1000.0)
    np.testing.assert_allclose(g, [1.0, 0.75, 0.75, 0.0, 0.0, np.nan])


def test_slope_towards_the_radar_shortens_the_critical_baseline():
    flat = critical_baseline(slope=0.0).critical
    steep = critical_baseline(slope=20.0).critical
    assert steep == pytest.approx(flat * math.tan(math.radians(24)) / math.tan(math.radians(44)))


def test_layover_and_bad_numbers_are_refused():
    with pytest.raises(InputError, match="layover"):
        critical_baseline(incidence=30.0, slope=35.0)
    with pytest.raises(InputError, match="RANGE_RESOLUTION must be a positive"):
        critical_baseline(range_resolution=0.0)

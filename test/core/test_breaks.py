"""Round class breaks: every edge a multiple of a 1-2-2.5-5 step, covering the data."""
import numpy as np
import pytest

from insar_fusion.core.breaks import class_label, nice_step, round_breaks, round_limits


@pytest.mark.parametrize("raw,step", [(0.7, 1.0), (1.3, 2.0), (2.1, 2.5), (3.0, 5.0), (7.83, 10.0),
                                      (0.031, 0.05), (260.0, 500.0), (5.0, 5.0)])
def test_nice_step(raw, step):
    assert nice_step(raw) == pytest.approx(step)


def test_diverging_breaks_are_round_symmetric_and_cover_the_limit():
    edges = round_breaks(-7.83, 7.83, 9, diverging=True)  # the issue's −7.83 … −2.61 classes
    assert len(edges) == 10 and np.allclose(edges, -edges[::-1])
    assert edges[-1] >= 7.83
    step = edges[1] - edges[0]
    assert step == pytest.approx(2.0) and np.allclose(np.round(edges / (step / 2)), edges / (step / 2))


def test_sequential_breaks_cover_the_range_with_a_round_step():
    for lo, hi, k in ((0.13, 0.91, 7), (-3.2, 47.0, 5), (1001.0, 1003.3, 6)):
        e = round_breaks(lo, hi, k)
        step = e[1] - e[0]
        assert len(e) == k + 1 and e[0] <= lo and e[-1] >= hi
        assert nice_step(step) == pytest.approx(step)
        assert np.allclose(e / step, np.round(e / step))


def test_labels_carry_the_unit():
    assert class_label(-8.0, -6.0, "mm/yr") == "−8 to −6 mm/yr"
    assert class_label(-1.0, 1.0) == "−1 to 1"


@pytest.mark.parametrize("lo, hi, want", [
    (-3.480065, 3.480065, (-3.5, 3.5)),  # a decomposed velocity raster's 98th percentile
    (10.3, 108.2, (10.0, 110.0)),
    (0.0123, 0.0456, (0.012, 0.046)),
    (-2.0, 5.0, (-2.0, 5.0)),            # already round: kept
    (0.0, 0.0, (0.0, 0.0)),
])
def test_ramp_limits_round_outwards_to_two_significant_digits(lo, hi, want):
    got = round_limits(lo, hi)
    assert got == pytest.approx(want, abs=1e-12)
    assert got[0] <= lo and got[1] >= hi

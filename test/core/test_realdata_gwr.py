"""GWR on the real house-price data of ../shared/realdata against the published results:
FastGWR/mgwr for Zillow (Li et al. 2019) and GWmodel for London (Gollini et al. 2015)."""
import numpy as np
import pytest

import realdata as rd
from insar_fusion.core.regression.gwr import fit

ZILLOW = ("nbaths", "nbeds", "area", "age")
LONDON = ("FLOORSZ", "UNEMPLOY", "PROF")


def table(relative):
    return np.genfromtxt(rd.path(relative), delimiter=",", names=True)


def zillow():
    z = table("gwr-zillow-fastgwr/zillow_5k.csv")
    return z["utmX"], z["utmY"], z["value"], np.column_stack([z[n] for n in ZILLOW])


def london():
    d = table("gwr-londonhp-gwmodel/londonhp100.csv")
    return d["x"], d["y"], d["PURCHASE"], np.column_stack([d[n] for n in LONDON])


def test_zillow_adaptive_bisquare_121_matches_fastgwr_and_mgwr():
    r = fit(*zillow(), 0.0, "bisquare", 121, names=ZILLOW)
    assert r.aicc == pytest.approx(61867.18296256346, rel=1e-10)
    assert r.tr_s == pytest.approx(528.2622212380004, rel=1e-10)
    assert r.r2 == pytest.approx(0.7741417970962883, rel=1e-10)
    np.testing.assert_allclose(r.params[0], [-77.847200, -7.207957, 11.062545, 0.090687, 0.157855],
                               atol=1e-6)
    np.testing.assert_allclose(r.params[1], [91.200690, 3.714871, -31.688964, 0.153827, -1.974029],
                               atol=1e-6)
    np.testing.assert_allclose(r.residual[:5], [17.952168, 87.133387, 37.481355, -79.108110,
                                                -188.088409], atol=1e-6)
    # mgwr's standard errors use sigma^2 = RSS / (n - tr S); the plugin's, GWR4's
    # RSS / (n - 2 tr S + tr S'S): rescaled, they agree
    scale = np.sqrt((r.rss / (r.n - r.tr_s)) / r.sigma2)
    np.testing.assert_allclose(r.se[0] * scale, [111.053450, 35.571519, 25.893463, 0.060610, 1.221988],
                               rtol=1e-6, atol=1e-6)  # published to 6 decimals


def test_zillow_fixed_gaussian_1495_matches_fastgwr_and_mgwr():
    r = fit(*zillow(), 1495.04, "gaussian", 0, names=ZILLOW)
    assert r.aicc == pytest.approx(61011.90437602184, rel=1e-10)
    assert r.r2 == pytest.approx(0.8443763943519637, rel=1e-10)


@pytest.mark.parametrize("bandwidth, k, aic, aicc, r2, adj_r2", [
    (0.0, 36, 2436.60445730413, 2448.27206524754, 0.708010632044736, 0.674975341723766),
    (5000.0, 0, 2437.649574267587, 2447.676281164379, 0.701466295457, 0.673691594464),
])
def test_london_gaussian_matches_gwmodel(bandwidth, k, aic, aicc, r2, adj_r2):
    r = fit(*london(), bandwidth, "gaussian", k, exact=True, names=LONDON)
    n = r.n
    assert r.aicc == pytest.approx(aicc, rel=1e-9)
    assert r.r2 == pytest.approx(r2, rel=1e-7)
    # GWmodel's AIC counts tr S (GWR4's classic AIC counts tr S + 1), and its adjusted R^2 uses
    # edf = n - 2 tr S + tr S'S: both computed from the plugin's RSS and traces
    assert n * np.log(r.rss / n) + n * np.log(2 * np.pi) + n + r.tr_s == pytest.approx(aic, rel=1e-9)
    edf = n - 2 * r.tr_s + r.tr_sts
    assert 1 - (1 - r.r2) * (n - 1) / (edf - 1) == pytest.approx(adj_r2, rel=1e-7)

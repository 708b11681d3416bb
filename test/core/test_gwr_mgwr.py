"""GWR against mgwr 2.2.1 (GWR(..., fixed=True, sigma2_v1=False)) at a 500 m bandwidth on
~56 m-spaced points, and against closed forms (OLS) where GWR must reduce to them."""
import numpy as np
import pytest

from insar_fusion.core.regression.gwr import fit

mgwr_gwr = pytest.importorskip("mgwr.gwr")


def synthetic(n_side=45, keep=0.7, seed=5):
    """A random 70 % of a 56 m grid, with coefficient surfaces planted on two regressors."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(n_side) * 56.0, np.arange(n_side) * 56.0)
    pick = rng.random(gx.size) < keep
    x = gx.ravel()[pick] + 431000.0 + rng.uniform(-3, 3, pick.sum())
    y = gy.ravel()[pick] + 4290000.0 + rng.uniform(-3, 3, pick.sum())
    n = len(x)
    dndvi, dsm = rng.normal(0.05, 0.08, n), rng.normal(0.01, 0.02, n)
    u, v = (x - x.mean()) / 1000.0, (y - y.mean()) / 1000.0
    b0, b1, b2 = -20 + 3 * u, -60 + 25 * np.sin(v), 150 + 80 * u * v
    velocity = b0 + b1 * dndvi + b2 * dsm + rng.normal(0, 0.8, n)
    return x, y, velocity, np.column_stack([dndvi, dsm]), np.column_stack([b0, b1, b2])


@pytest.fixture(scope="module")
def data():
    return synthetic()


@pytest.mark.parametrize("kernel", ["bisquare", "gaussian", "exponential"])
def test_estimates_and_diagnostics_agree_with_mgwr(data, kernel):
    x, y, vel, X, _ = data
    ours = fit(x, y, vel, X, 500.0, kernel)
    peer = mgwr_gwr.GWR(np.column_stack([x, y]), vel[:, None], X, bw=500.0, fixed=True,
                        kernel=kernel, sigma2_v1=False).fit()
    assert ours.n_undersupported == 0
    np.testing.assert_allclose(ours.params, peer.params, rtol=1e-8)
    np.testing.assert_allclose(ours.se, peer.bse, rtol=1e-8)
    np.testing.assert_allclose(ours.tvalues, peer.tvalues, rtol=1e-8)
    np.testing.assert_allclose(ours.predicted, peer.predy[:, 0], rtol=1e-10)
    np.testing.assert_allclose(ours.influence, peer.influ[:, 0], rtol=1e-8)
    np.testing.assert_allclose(ours.std_residual, peer.std_res[:, 0], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ours.cooks_d, peer.cooksD[:, 0], rtol=1e-7, atol=1e-14)
    np.testing.assert_allclose(ours.local_r2, peer.localR2[:, 0], rtol=1e-8)
    for mine, theirs in ((ours.tr_s, peer.tr_S), (ours.tr_sts, peer.tr_STS), (ours.rss, peer.resid_ss),
                         (ours.sigma2, peer.sigma2), (ours.enp, peer.ENP), (ours.aicc, peer.aicc),
                         (ours.aic, peer.aic), (ours.r2, peer.R2), (ours.adj_r2, peer.adj_R2)):
        assert mine == pytest.approx(theirs, rel=1e-9)


@pytest.mark.parametrize("kernel", ["gaussian", "exponential"])
def test_truncated_kernel_equals_the_exact_one(data, kernel):
    x, y, vel, X, _ = data
    cut = fit(x, y, vel, X, 120.0, kernel)
    exact = fit(x, y, vel, X, 120.0, kernel, exact=True)
    assert cut.n_neighbours.mean() < exact.n_neighbours.mean() == len(x)
    np.testing.assert_allclose(cut.params, exact.params, rtol=1e-9)
    np.testing.assert_allclose(cut.local_r2, exact.local_r2, rtol=1e-9)


def _ols(X, y):
    A = np.column_stack([np.ones(len(y)), X])
    beta = np.linalg.lstsq(A, y, rcond=None)[0]
    resid = y - A @ beta
    sigma2 = resid @ resid / (len(y) - A.shape[1])
    se = np.sqrt(sigma2 * np.diag(np.linalg.inv(A.T @ A)))
    return beta, se, resid


@pytest.mark.parametrize("kernel", ["bisquare", "box"])
def test_a_bandwidth_wider_than_the_data_gives_ordinary_least_squares(data, kernel):
    x, y, vel, X, _ = data
    r = fit(x, y, vel, X, 1e12, kernel)
    beta, se, resid = _ols(X, vel)
    np.testing.assert_allclose(r.params, np.broadcast_to(beta, r.params.shape), rtol=1e-9)
    np.testing.assert_allclose(r.se, np.broadcast_to(se, r.se.shape), rtol=1e-6)
    np.testing.assert_allclose(r.residual, resid, rtol=1e-8, atol=1e-9)
    assert r.tr_s == pytest.approx(3.0, rel=1e-6) and r.tr_sts == pytest.approx(3.0, rel=1e-6)
    assert r.r2 == pytest.approx(1 - resid @ resid / np.sum((vel - vel.mean()) ** 2), rel=1e-9)


def test_planted_coefficient_surfaces_are_recovered(data):
    x, y, vel, X, truth = data
    r = fit(x, y, vel, X, 500.0, "bisquare")
    for j in range(3):
        corr = np.corrcoef(r.params[:, j], truth[:, j])[0, 1]
        assert corr > 0.9, (j, corr)
    assert 0.9 < r.r2 < 1.0

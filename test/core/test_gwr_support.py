"""Points GWR cannot fit get NULL, not garbage; NULL inputs are left out; the neighbour
index, condition numbers, cancelling and bad arguments behave as documented."""
import numpy as np
import pytest
from scipy.spatial import cKDTree

from insar_fusion.core.errors import Cancelled, InputError
from insar_fusion.core.progress import Progress
from insar_fusion.core.regression.gwr import COND_LIMIT, FITTED, MISSING, UNDERSUPPORTED, fit
from insar_fusion.core.regression.neighbours import StripIndex, strip_order


def cloud(n=900, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 3000, n) + 500000.0
    y = rng.uniform(0, 3000, n) + 4300000.0
    X = rng.normal(size=(n, 2))
    dep = 1.0 + X @ np.array([2.0, -1.0]) + rng.normal(0, 0.1, n)
    return x, y, dep, X


def test_isolated_and_collinear_points_are_undersupported_not_filled():
    x, y, dep, X = cloud()
    # two far-away points: each has only itself within 500 m (fewer than 3 neighbours)
    x = np.r_[x, 600000.0, 610000.0]
    y = np.r_[y, 4300000.0, 4300000.0]
    dep, X = np.r_[dep, 1.0, 2.0], np.r_[X, [[0.1, 0.2], [0.3, 0.4]]]
    # a tight cluster far away whose first regressor is constant: a singular local design
    k = 12
    rng = np.random.default_rng(2)
    x = np.r_[x, 700000.0 + rng.uniform(0, 50, k)]
    y = np.r_[y, 4300000.0 + rng.uniform(0, 50, k)]
    X = np.r_[X, np.column_stack([np.full(k, 0.7), rng.normal(size=k)])]
    dep = np.r_[dep, rng.normal(size=k)]
    r = fit(x, y, dep, X, 500.0, "bisquare")
    bad = np.zeros(len(x), bool)
    bad[-(k + 2):] = True
    assert r.n_undersupported == k + 2
    assert np.all(r.status[bad] == UNDERSUPPORTED) and np.all(r.status[~bad] == FITTED)
    for arr in (r.params, r.se, r.tvalues):
        assert np.all(np.isnan(arr[bad])) and np.all(np.isfinite(arr[~bad]))
    for arr in (r.predicted, r.residual, r.local_r2, r.influence, r.cooks_d, r.std_residual):
        assert np.all(np.isnan(arr[bad])) and np.all(np.isfinite(arr[~bad]))
    assert list(r.n_neighbours[-(k + 2):-k]) == [1, 1]
    assert np.all(r.n_neighbours[-k:] == k) and np.all(r.cond_number[-k:] > COND_LIMIT)
    assert r.n == len(x) - k - 2


def test_points_with_null_values_are_left_out_entirely():
    x, y, dep, X = cloud()
    dep_nan, X_nan = dep.copy(), X.copy()
    dep_nan[5], X_nan[9, 1] = np.nan, np.nan
    with_nulls = fit(x, y, dep_nan, X_nan, 600.0, "bisquare")
    keep = np.ones(len(x), bool)
    keep[[5, 9]] = False
    without = fit(x[keep], y[keep], dep[keep], X[keep], 600.0, "bisquare")
    assert with_nulls.n_missing == 2 and list(with_nulls.status[[5, 9]]) == [MISSING, MISSING]
    assert np.all(np.isnan(with_nulls.params[[5, 9]]))
    np.testing.assert_allclose(with_nulls.params[keep], without.params, rtol=1e-12)
    assert with_nulls.aicc == pytest.approx(without.aicc, rel=1e-12)


def test_condition_number_is_that_of_the_weighted_design_with_unit_columns():
    x, y, dep, X = cloud(300)
    h = 800.0
    r = fit(x, y, dep, X, h, "bisquare")
    A = np.column_stack([np.ones(len(x)), X])
    for i in (0, 17, 123):
        d = np.hypot(x - x[i], y - y[i])
        w = np.where(d < h, (1 - (d / h) ** 2) ** 2, 0.0)
        Z = A * np.sqrt(w)[:, None]
        Z = Z / np.linalg.norm(Z, axis=0)
        s = np.linalg.svd(Z, compute_uv=False)
        assert r.cond_number[i] == pytest.approx(s[0] / s[-1], rel=1e-8)
        assert r.n_neighbours[i] == np.sum(w > 0)


def test_adaptive_bandwidth_is_the_distance_to_the_kth_point():
    x, y, dep, X = cloud(400)
    r = fit(x, y, dep, X, 0.0, "bisquare", neighbours=30)
    # the bandwidth is 1.0000001 x the k-th distance (GWR4, mgwr): the k nearest points, the
    # point itself included, carry weight
    assert np.all(r.n_neighbours == 30)
    d = np.sort(np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]), axis=1)[:, 29]
    assert r.bandwidth == pytest.approx(np.median(d) * 1.0000001, rel=1e-9)


@pytest.mark.parametrize("kwargs, words", [
    ({"bandwidth": 0.0}, "positive distance"),
    ({"bandwidth": 500.0, "neighbours": 2}, "between 3"),
    ({"bandwidth": 500.0, "kernel": "tricube"}, "Unknown kernel"),
    ({"bandwidth": 1.0}, "increase the bandwidth"),
])
def test_bad_arguments_are_refused_with_a_message(kwargs, words):
    x, y, dep, X = cloud(100)
    with pytest.raises(InputError, match=words):
        fit(x, y, dep, X, **kwargs)


def test_cancel_stops_the_fit():
    x, y, dep, X = cloud(2000)
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        fit(x, y, dep, X, 500.0, progress=Progress(cancelled=cancelled))


@pytest.mark.parametrize("strict", [False, True])
def test_strip_index_finds_the_same_pairs_as_a_kd_tree(strict):
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 5000, 3000), rng.uniform(0, 3000, 3000)
    x[:50] = x[0]  # duplicates and ties
    y[:50] = y[0]
    order = strip_order(x, y, 130.0)
    x, y = x[order], y[order]
    radius = rng.uniform(100, 700, len(x))
    idx = StripIndex(x, y, 130.0)
    tree = cKDTree(np.column_stack([x, y]))
    seen = 0
    for b in idx.batches(radius, max_pairs=20000, prune=True, strict=strict):
        for i in range(b.stop - b.start):
            q = b.start + i
            ref = set(tree.query_ball_point([x[q], y[q]], radius[q]))
            if strict:
                ref = {j for j in ref if np.hypot(x[j] - x[q], y[j] - y[q]) < radius[q]}
            got = b.cols[b.indptr[i]:b.indptr[i + 1]]
            assert set(got.tolist()) == ref and len(got) == len(ref)
            seen += 1
    assert seen == len(x)

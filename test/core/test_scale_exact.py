"""Exact sums and BLAS-free small matrices: what makes tiles and workers give the same bits."""
import math

import numpy as np

from insar_fusion.core import smallmat
from insar_fusion.core.scale.exactsum import ExactSum, exact_sum


def test_exact_sum_is_correctly_rounded_and_independent_of_the_split():
    rng = np.random.default_rng(1)
    v = rng.standard_normal(200_001) * rng.choice([1e-12, 1.0, 1e12], 200_001)
    total = exact_sum(v)
    assert total == math.fsum(v.tolist())
    parts = ExactSum()
    for chunk in np.array_split(rng.permutation(v), 13):
        parts.merge(ExactSum(chunk))
    assert parts.value() == total
    assert exact_sum([1e308, 1e308, -1e308]) == 1e308  # no overflow in the middle
    assert exact_sum([5e-324, 5e-324]) == 1e-323
    assert exact_sum([]) == 0.0


def test_small_matrix_eigenvalues_match_lapack_and_ignore_the_rest_of_the_stack():
    rng = np.random.default_rng(0)
    for p in (2, 3, 4, 6):
        A = rng.standard_normal((3000, p, p))
        A = A @ A.transpose(0, 2, 1)
        A[0] = np.diag(np.arange(1.0, p + 1))
        mine, ref = smallmat.eigvalsh(A), np.linalg.eigvalsh(A)
        assert np.max(np.abs(mine - ref) / np.abs(ref).max(axis=1, keepdims=True)) < 1e-13
        split = np.concatenate([smallmat.eigvalsh(A[:7]), smallmat.eigvalsh(A[7:])])
        assert np.array_equal(split, mine)
        b = rng.standard_normal((3000, p))
        B = A + np.eye(p)
        x = smallmat.spd_solve(B, b)
        assert np.allclose(np.einsum("bij,bj->bi", B, x), b, rtol=1e-10, atol=1e-10)

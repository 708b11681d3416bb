"""Stacks of small matrices (B, p, p) in plain numpy: inverse, solve and eigenvalues.

BLAS and LAPACK (numpy.linalg, @) give results that depend on their thread count and on the
size of the call, so the same point could get other bits in QGIS (threaded BLAS) than on a
Dask worker (one BLAS thread), or in a tile than in the whole set. These routines use only
elementwise operations and einsum (no BLAS), over a fixed number of steps per matrix, so each
matrix's result depends on that matrix alone.
"""
import numpy as np


def cholesky(A: np.ndarray) -> np.ndarray:
    """Lower Cholesky factors of a stack of symmetric positive definite matrices."""
    p = A.shape[1]
    L = np.zeros_like(A)
    for j in range(p):
        L[:, j, j] = np.sqrt(A[:, j, j] - np.einsum("bk,bk->b", L[:, j, :j], L[:, j, :j]))
        for i in range(j + 1, p):
            L[:, i, j] = (A[:, i, j] - np.einsum("bk,bk->b", L[:, i, :j], L[:, j, :j])) / L[:, j, j]
    return L


def spd_inverse(A: np.ndarray) -> np.ndarray:
    """Inverses of a stack (B, p, p) of symmetric positive definite matrices (batched Cholesky)."""
    p = A.shape[1]
    L = cholesky(A)
    Li = np.zeros_like(A)
    for i in range(p):
        Li[:, i, i] = 1.0 / L[:, i, i]
        for j in range(i):
            Li[:, i, j] = -np.einsum("bk,bk->b", L[:, i, j:i], Li[:, j:i, j]) / L[:, i, i]
    return np.einsum("bki,bkj->bij", Li, Li)


def spd_solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x with A x = b for a stack of SPD matrices A (B, p, p) and right-hand sides b (B, p)."""
    p = A.shape[1]
    L = cholesky(A)
    z = np.zeros_like(b)
    for i in range(p):
        z[:, i] = (b[:, i] - np.einsum("bk,bk->b", L[:, i, :i], z[:, :i])) / L[:, i, i]
    x = np.zeros_like(b)
    for i in range(p - 1, -1, -1):
        x[:, i] = (z[:, i] - np.einsum("bk,bk->b", L[:, i + 1:, i], x[:, i + 1:])) / L[:, i, i]
    return x


MAX_SWEEPS = 30


def eigvalsh(A: np.ndarray) -> np.ndarray:
    """Eigenvalues (ascending) of a stack of symmetric matrices, by cyclic Jacobi rotations.

    Each matrix is swept until its own off-diagonal part is below 1e-18 of its diagonal (or
    MAX_SWEEPS), so its result does not depend on the other matrices of the stack.
    """
    M = np.array(np.transpose(np.asarray(A, float), (1, 2, 0)), order="C")  # (p, p, B)
    p, B = M.shape[0], M.shape[2]
    out = np.empty((B, p))
    active = np.arange(B)
    pairs = [(i, j) for i in range(p - 1) for j in range(i + 1, p)]
    for sweep in range(MAX_SWEEPS + 1):
        off = sum(M[i, j] * M[i, j] for i, j in pairs) if pairs else np.zeros(M.shape[2])
        dia = sum(M[i, i] * M[i, i] for i in range(p))
        done = (off <= 1e-36 * dia) | (sweep == MAX_SWEEPS)
        if done.any():
            out[active[done]] = np.stack([M[i, i][done] for i in range(p)], axis=1)
            active, M = active[~done], M[:, :, ~done]
        if active.size == 0:
            break
        for i, j in pairs:
            _rotate(M, i, j, p)
    return np.sort(out, axis=1)


def _rotate(M: np.ndarray, i: int, j: int, p: int) -> None:
    """One Jacobi rotation zeroing M[i, j] of every matrix (Numerical Recipes' update)."""
    aij = M[i, j].copy()
    nz = aij != 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        theta = (M[j, j] - M[i, i]) / (2.0 * aij)
        t = np.sign(theta) / (np.abs(theta) + np.sqrt(theta * theta + 1.0))
    t = np.where(theta == 0.0, 1.0, t)
    t = np.where(nz & np.isfinite(t), t, 0.0)
    c = 1.0 / np.sqrt(t * t + 1.0)
    s = t * c
    tau = s / (1.0 + c)
    ta = t * aij
    M[i, i] -= ta
    M[j, j] += ta
    M[i, j] = 0.0
    M[j, i] = 0.0
    for k in range(p):
        if k == i or k == j:
            continue
        g, h = M[k, i].copy(), M[k, j].copy()
        M[k, i] = g - s * (h + g * tau)
        M[k, j] = h + s * (g - h * tau)
        M[i, k] = M[k, i]
        M[j, k] = M[k, j]

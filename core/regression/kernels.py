"""GWR kernels w = K(d / h) and how far each reaches before its weight is negligible."""
import math

import numpy as np

from ..errors import InputError

KERNELS = ("bisquare", "gaussian", "exponential", "box")
# Gaussian and exponential weights below this are dropped (unless exact): the dropped share
# of the total weight is then below 3e-11, far under the 1e-8 agreement asked of the estimates.
NEGLIGIBLE_WEIGHT = 1e-12


def check_kernel(kernel: str) -> str:
    """The kernel name in lower case, or InputError."""
    k = str(kernel).lower()
    if k not in KERNELS:
        raise InputError(f"Unknown kernel '{kernel}'; use one of {', '.join(KERNELS)}.")
    return k


def reach(kernel: str, exact: bool = False) -> float:
    """The distance, in bandwidths, beyond which weights are zero or negligible (inf if exact)."""
    if kernel in ("bisquare", "box"):
        return 1.0
    if exact:
        return math.inf
    if kernel == "gaussian":  # exp(-u^2/2) = eps
        return math.sqrt(-2.0 * math.log(NEGLIGIBLE_WEIGHT))
    return -math.log(NEGLIGIBLE_WEIGHT)  # exponential: exp(-u) = eps


def weights(kernel: str, u2: np.ndarray, exact: bool = False) -> np.ndarray:
    """Kernel weights from u2 = (d / h)^2, zero beyond the reach; u2 is overwritten."""
    if kernel == "bisquare":  # (1 - u^2)^2 for d < h, else 0
        w = np.subtract(1.0, u2, out=u2)
        np.maximum(w, 0.0, out=w)
        w *= w
        return w
    if kernel == "box":  # 1 for d <= h, else 0
        return (u2 <= 1.0).astype(float)
    if kernel == "gaussian":
        w = np.exp(np.multiply(u2, -0.5, out=u2), out=u2)
    else:
        w = np.exp(np.negative(np.sqrt(u2, out=u2), out=u2), out=u2)
    if not exact:
        w[w < NEGLIGIBLE_WEIGHT] = 0.0
    return w

"""Round class breaks for graduated map styles: 1, 2, 2.5 or 5 times a power of ten."""
import math

import numpy as np

STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_step(raw: float) -> float:
    """The smallest round step (1, 2, 2.5, 5 × 10^k) at least `raw`."""
    if not raw > 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(s * power for s in STEPS if s * power >= raw * (1 - 1e-12))


def round_breaks(lo: float, hi: float, classes: int, diverging: bool = False) -> np.ndarray:
    """`classes` + 1 round edges covering [lo, hi]; diverging: symmetric about 0, with 0 at the
    middle edge (even classes) or inside the middle class (odd classes)."""
    if diverging:
        m = max(abs(lo), abs(hi)) or 1.0
        step = nice_step(2.0 * m / classes)
        return (np.arange(classes + 1) - classes / 2.0) * step
    if hi <= lo:
        hi = lo + 1.0
    step = nice_step((hi - lo) / classes)
    start = math.floor(lo / step) * step
    while start + classes * step < hi:  # rounding the start down can leave the top short
        step = nice_step(step * 1.0001)
        start = math.floor(lo / step) * step
    return start + np.arange(classes + 1) * step


def round_limits(lo: float, hi: float) -> tuple:
    """(lo, hi) rounded outwards to two significant digits of the larger |limit|, for the end
    labels of a continuous ramp (3.480065 becomes 3.5)."""
    big = max(abs(lo), abs(hi))
    if not big > 0 or not math.isfinite(big):
        return lo, hi
    step = 10.0 ** (math.floor(math.log10(big)) - 1)
    return (float(round(math.floor(lo / step + 1e-9) * step, 12)),
            float(round(math.ceil(hi / step - 1e-9) * step, 12)))


def class_label(a: float, b: float, unit: str = "") -> str:
    text = f"{_num(a)} to {_num(b)}"
    return f"{text} {unit}" if unit else text


def _num(v: float) -> str:
    v = 0.0 if abs(v) < 1e-12 else v
    return f"{v:g}".replace("-", "−")

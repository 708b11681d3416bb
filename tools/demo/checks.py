"""Planted against recovered: one row per planted parameter, with its tolerance and pass/fail.

Every recovered value comes from the demo's outputs (results.gpkg, the rasters, the algorithms'
results), never from the generator. Statuses: pass, FAIL, n/a (the step that recovers it did not
run), info (an input or a description that no step estimates; the row says why).
"""
import dataclasses
import math
from typing import Callable, List, Optional

PASS, FAIL, NA, INFO = "pass", "FAIL", "n/a", "info"


@dataclasses.dataclass
class Check:
    section: str
    parameter: str
    planted: object
    recovered: object
    tolerance: str
    status: str
    how: str = ""

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class Missing(Exception):
    """The outputs a check needs are not there (its step failed or did not run)."""


class Broken(Missing):
    """Computing the recovered value failed (shown as FAIL with the error)."""


class Checks:
    """Collects the rows; each `add_*` decides the status from the tolerance."""

    def __init__(self):
        self.rows: List[Check] = []

    def _add(self, section, parameter, planted, recovered, tolerance, ok, how):
        if isinstance(recovered, Broken):
            status, recovered = FAIL, str(recovered)
        elif isinstance(recovered, Missing):
            status, recovered = NA, str(recovered)
        else:
            status = PASS if ok else FAIL
        self.rows.append(Check(section, parameter, _clean(planted), _clean(recovered), tolerance, status, how))

    def number(self, section: str, parameter: str, planted: float, recovered, abs_tol: float = None,
               rel_tol: float = None, how: str = "", unit: str = "") -> None:
        """|recovered − planted| ≤ abs_tol (or ≤ rel_tol·|planted|)."""
        if abs_tol is not None:
            tol, text = abs_tol, f"± {abs_tol:g}{(' ' + unit) if unit else ''}"
        else:
            tol, text = rel_tol * abs(planted), f"± {100 * rel_tol:g} %"
        ok = False
        if not isinstance(recovered, Missing):
            ok = recovered is not None and _finite(recovered) and abs(float(recovered) - planted) <= tol + 1e-12
        self._add(section, parameter, planted, recovered, text, ok, how)

    def equal(self, section: str, parameter: str, planted, recovered, how: str = "") -> None:
        ok = not isinstance(recovered, Missing) and recovered == planted
        self._add(section, parameter, planted, recovered, "exact", ok, how)

    def condition(self, section: str, parameter: str, planted, recovered, ok: bool, tolerance: str,
                  how: str = "") -> None:
        """A custom test (e.g. within a confidence interval); `ok` is its outcome."""
        self._add(section, parameter, planted, recovered, tolerance, bool(ok) and
                  not isinstance(recovered, Missing), how)

    def info(self, section: str, parameter: str, planted, why: str) -> None:
        self.rows.append(Check(section, parameter, _clean(planted), "", "", INFO, why))

    def summary(self) -> dict:
        count = {s: sum(1 for r in self.rows if r.status == s) for s in (PASS, FAIL, NA, INFO)}
        return {"checked": count[PASS] + count[FAIL], "passed": count[PASS], "failed": count[FAIL],
                "unavailable": count[NA], "info": count[INFO]}


def attempt(fn: Callable, *args):
    """fn(*args), or a Missing carrying the reason when its inputs are not there."""
    try:
        return fn(*args)
    except Missing as e:
        return e
    except Exception as e:  # noqa: BLE001 (a check that cannot be computed is a failure, shown)
        return Broken(f"error: {type(e).__name__}: {e}")


def pick(value, key):
    """value[key], passing a Missing through."""
    if isinstance(value, Missing):
        return value
    return value[key]


def _finite(v) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _clean(v):
    """JSON-friendly: numpy scalars to Python, NaN to None, tuples to lists, rounding long floats."""
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not math.isfinite(f):
        return None
    if float(f).is_integer() and abs(f) < 1e15 and not isinstance(v, float):
        return int(f)
    return float(f"{f:.6g}")


def need(outputs, *layers: str, step: Optional[str] = None) -> None:
    """Raise Missing unless every layer is in results.gpkg."""
    missing = [n for n in layers if n not in outputs.layers]
    if missing:
        raise Missing(f"not recovered: {', '.join(missing)} missing" + (f" ({step} did not run)" if step else ""))


def need_result(outputs, key: str, step: str) -> dict:
    if key not in outputs.results:
        raise Missing(f"not recovered: {step} did not run")
    return outputs.results[key]

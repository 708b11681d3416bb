"""Python's garbage collector during a run.

A full collection scans every object in the interpreter, QGIS's and every plugin's included:
in a long session it takes 0.1-0.2 s of CPU in one piece, and no cancel check can happen
inside it. While a run lasts, the objects that existed before it are frozen (gc.freeze), so
each pass scans only what the run made; they are unfrozen when the last run ends.
"""
import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_LOCK = threading.Lock()
_STATE = {"runs": 0, "froze": False}  # runs in progress (nested child algorithms, other threads)


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    with _LOCK:
        if _STATE["runs"] == 0 and not gc.get_freeze_count():
            gc.freeze()
            _STATE["froze"] = True
        _STATE["runs"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _STATE["runs"] -= 1
            if _STATE["runs"] == 0 and _STATE["froze"]:
                _STATE["froze"] = False
                gc.unfreeze()

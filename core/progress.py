"""Progress and cancellation as plain callables, so core code never sees QGIS feedback.

Besides the Progress handed down explicitly, the run that a thread is working for is known
(`running`), so code deep below without a Progress of its own, a file reader or a chart being
drawn, can still obey Cancel between two pieces of work with `checkpoint()`.
"""
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from .errors import Cancelled


def _never() -> bool:
    return False


def _ignore(_fraction: float) -> None:
    return None


@dataclass
class Progress:
    """Reports a fraction in [0, 1] and raises Cancelled when asked to stop.

    `start` and `span` map this object's 0..1 onto a slice of a parent's range,
    so a multi-step run can hand each step its own Progress.
    """

    report: Callable[[float], None] = _ignore
    cancelled: Callable[[], bool] = _never
    start: float = 0.0
    span: float = 1.0

    def __call__(self, fraction: float) -> None:
        self.check()
        f = min(max(float(fraction), 0.0), 1.0)
        self.report(self.start + self.span * f)

    def check(self) -> None:
        """Raise Cancelled if the user asked to stop."""
        if self.cancelled():
            raise Cancelled()

    def sub(self, start: float, end: float) -> "Progress":
        """A child Progress covering [start, end] of this one."""
        return Progress(self.report, self.cancelled,
                        self.start + self.span * start, self.span * (end - start))


def ensure(progress: Optional[Progress]) -> Progress:
    """Return progress, or a silent one that never cancels."""
    return progress if progress is not None else Progress()


_RUNNING: ContextVar[Optional[Progress]] = ContextVar("insar_fusion_running", default=None)


@contextmanager
def running(progress: Progress) -> Iterator[Progress]:
    """Make `progress` the run this thread works for, for checkpoint() (contexts nest)."""
    token = _RUNNING.set(progress)
    try:
        yield progress
    finally:
        _RUNNING.reset(token)


def checkpoint() -> None:
    """Raise Cancelled if the run this thread works for was cancelled; nothing outside a run."""
    progress = _RUNNING.get()
    if progress is not None:
        progress.check()


CELLS_PER_CHECK = 200_000  # values handled between two cancel checks in a chunked loop


def row_chunks(n_rows: int, n_cols: int, cells: int = CELLS_PER_CHECK) -> Iterator[slice]:
    """Slices of rows holding about `cells` values each, with a cancel check before each slice."""
    step = max(1, cells // max(n_cols, 1))
    for start in range(0, n_rows, step):
        checkpoint()
        yield slice(start, min(start + step, n_rows))

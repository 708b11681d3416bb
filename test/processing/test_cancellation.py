"""Cancelling every algorithm mid-run: it stops at once, and leaves no output and its inputs intact.

Times are the CPU seconds of the thread that runs the algorithm (time.thread_time), not wall-clock
seconds and not the whole process's CPU: the load other programs put on the machine does not
count, nor do OpenBLAS's helper threads, which spin after a call and would double a stretch on
two cores. What is measured is the work the plugin still does before it looks at Cancel again.

LIMIT is the promise to the user (Cancel obeyed within a second); bench/bench_cancel.py measures
the longest stretch of every algorithm against the 0.2 s target, five times below it. A single
call into QGIS that Python cannot interrupt (cancelling.QGIS_CALLS: a print layout page of the
study) is held to its own, much higher bound: its time grows with the data the map draws.
"""
import os
import threading
import time

import pytest
from qgis.core import QgsProcessingException

import cancelling
import iftest
import matrix
from examples import EXAMPLES

LIMIT = 1.0  # thread CPU seconds between the cancel and the end of the run
QGIS_CALL_LIMIT = 5.0  # one uninterruptible QGIS call (cancelling.QGIS_CALLS): 7x its measured 0.67 s
MID = 30.0   # cancel at the first progress report at or past this percentage


def _names():
    from insar_fusion.processing.provider import algorithm_classes
    return [c.NAME for c in algorithm_classes()[0]]


@pytest.fixture(scope="session")
def big(hardening_big):
    return hardening_big


@pytest.fixture(scope="session")
def small(hardening_data):
    return hardening_data


def _params(name, big, small, out):
    spec = cancelling.CANCEL[name]
    if isinstance(spec, tuple):  # quick: cancelled on its usual example
        return EXAMPLES[name][0].params(small, out), [small.folder]
    return spec(big, out), [big.folder]


class _CancelAt:
    """Cancels the feedback at the first progress report at or past `at` percent."""

    def __init__(self, feedback, at):
        self.feedback, self.at = feedback, at
        self.value = self.cpu = None
        feedback.progressChanged.connect(self)

    def __call__(self, value):
        if self.value is None and (value >= self.at or (self.at > 99 and value > 0)) and value < 100:
            self.value, self.cpu = value, time.thread_time()
            self.feedback.cancel()


def test_every_algorithm_has_a_cancellation_case(provider):
    missing = sorted({a.name() for a in provider.algorithms()} - set(cancelling.CANCEL))
    assert not missing, f"add these algorithms to test/support/cancelling.py: {missing}"


@pytest.mark.parametrize("name", _names())
def test_cancel_mid_run_stops_within_a_second_and_leaves_nothing(name, big, small, provider, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    params, watched = _params(name, big, small, out)
    before = matrix.snapshot(watched)
    feedback = iftest.LogFeedback.create()
    trigger = _CancelAt(feedback, MID)
    with pytest.raises(QgsProcessingException, match="cancelled"):
        iftest.run_alg(name, params, feedback=feedback)
    spent = time.thread_time() - trigger.cpu
    assert trigger.value is not None and trigger.value < 100, "no progress report to cancel at"
    assert max(feedback.progress_values) <= trigger.value, "the run went on after the cancel"
    assert spent < LIMIT, f"{spent:.2f} CPU s after the cancel"
    assert os.listdir(out) == [], f"left behind: {os.listdir(out)}"
    assert matrix.snapshot(watched) == before, "an input changed"
    assert "Traceback" not in feedback.text()


@pytest.mark.parametrize("name", [n for n in _names() if not isinstance(cancelling.CANCEL.get(n), tuple)])
def test_no_stretch_of_work_without_a_cancel_check_lasts_a_second(name, big, small, provider, tmp_path):
    """Uncancelled, on inputs that keep it busy: the longest stretch between two cancel checks,
    or from the start to the first or from the last to the end, bounds how long a cancel pressed
    at any moment takes to be obeyed."""
    params, _ = _params(name, big, small, tmp_path)
    feedback = iftest.LogFeedback.create()
    watch = cancelling.Stretches(feedback)
    iftest.run_alg(name, params, feedback=feedback)
    watch.finish()
    longest, start, end = watch.longest()
    assert watch.count >= 2, f"only {watch.count} cancel checks in the whole run"
    assert longest < LIMIT, f"{longest:.2f} CPU s without a cancel check, from {start} to {end}"
    call, start, end = watch.longest(qgis_calls=True)
    assert call < QGIS_CALL_LIMIT, f"{call:.2f} CPU s in one QGIS call, from {start} to {end}"


def test_cancel_from_another_thread_stops_the_run(big, provider, tmp_path):
    """The Processing dialog cancels from the GUI thread while the algorithm runs in a worker."""
    out = tmp_path / "out"
    out.mkdir()
    params = cancelling.CANCEL["sitetimeseries"](big, out)
    feedback = iftest.LogFeedback.create()
    at = {}

    clock = time.pthread_getcpuclockid(threading.main_thread().ident)  # the thread running the algorithm

    def cancel():
        at["cpu"] = time.clock_gettime(clock)
        feedback.cancel()

    timer = threading.Timer(0.8, cancel)
    timer.start()
    try:
        with pytest.raises(QgsProcessingException, match="cancelled"):
            iftest.run_alg("sitetimeseries", params, feedback=feedback)
    finally:
        timer.cancel()
    assert "cpu" in at, "the run ended before the cancel"
    assert time.clock_gettime(clock) - at["cpu"] < LIMIT
    assert os.listdir(out) == []

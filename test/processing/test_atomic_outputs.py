"""Every output of every algorithm is written atomically: a run that fails while writing (the disk
fills up at the first, a middle or the last output file) leaves nothing behind, not even the outputs already finished,
and says what went wrong in plain words.

Every file writer of the plugin goes through core.atomic.atomic_output (GeoTIFF, GeoPackage,
CSV and other tables, HTML, PNG); here it is wrapped so that its k-th use fails as a full disk
would, after the writer has written its temporary file and before the move into place.
"""
import contextlib
import errno
import os
import sys

import pytest

import matrix
from examples import EXAMPLES

from insar_fusion.core import atomic

REAL = atomic.atomic_output


def _names():
    from insar_fusion.processing.provider import algorithm_classes
    return [c.NAME for c in algorithm_classes()[0]]


@pytest.fixture(scope="module")
def data(hardening_data):
    return hardening_data


class _Disk:
    """Replaces atomic_output wherever the plugin imported it; counts uses, fails the k-th."""

    def __init__(self, monkeypatch, fail_at=None):
        self.calls, self.fail_at = 0, fail_at
        real = REAL

        @contextlib.contextmanager
        def wrapped(path):
            self.calls += 1
            index = self.calls  # outputs may be open together: fail the k-th one opened
            with real(path) as tmp:
                yield tmp
                if index == self.fail_at:
                    raise OSError(errno.ENOSPC, "No space left on device", path)

        for name, module in list(sys.modules.items()):
            if name.startswith("insar_fusion.") and name != "insar_fusion.core.atomic" and \
                    getattr(module, "atomic_output", None) is real:
                monkeypatch.setattr(module, "atomic_output", wrapped)


def _run(name, data, out, monkeypatch, fail_at=None):
    ex = EXAMPLES[name][0]
    params = ex.params(data, out)
    disk = _Disk(monkeypatch, fail_at)
    outcome = matrix.run(name, params, [data.folder], out)
    return outcome, disk


@pytest.mark.parametrize("name", _names())
def test_a_disk_that_fills_up_at_any_output_leaves_nothing(name, data, provider, tmp_path, monkeypatch):
    out = tmp_path / "valid"
    out.mkdir()
    with monkeypatch.context() as m:
        valid, disk = _run(name, data, out, m)
    assert valid.ok, matrix.describe(valid)
    writes = disk.calls
    assert writes >= 1, "no output went through atomic_output"
    for k in sorted({1, (writes + 1) // 2, writes}):  # the first, a middle and the last output
        with monkeypatch.context() as m:
            out = tmp_path / f"fail_{k}"
            out.mkdir()
            outcome, _ = _run(name, data, out, m, fail_at=k)
            assert not outcome.ok, f"write {k} of {writes} failed but the run succeeded"
            assert "No space left on device" in outcome.message, outcome.message
            assert not outcome.problems(), f"write {k} of {writes}: " + "; ".join(outcome.problems())
            assert os.listdir(out) == [], f"write {k} of {writes} left {os.listdir(out)}"

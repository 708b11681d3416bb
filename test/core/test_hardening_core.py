"""The hardening helpers of the core, each on a case built here: truncated CSV files, GDAL read
failures, infinite values, empty output folders, and a crash while walking an HDF5 file."""
import os

import numpy as np
import pytest

from insar_fusion.core import atomic
from insar_fusion.core.errors import InputError
from insar_fusion.core.inputs import csv_truncation, read_failure
from insar_fusion.core.insar import h5probe
from insar_fusion.core.points import numeric


@pytest.mark.parametrize("text, truncated", [
    ("date,bperp\n2019-01-05,18.4\n2019-01-17,1.6\n", False),
    ("date,bperp\n2019-01-05,18.4\n2019-01-17,1.6", False),   # no final newline, but complete
    ("date,bperp\n2019-01-05,18.4\n2019-0", True),             # cut inside the first field
    ("a;b;c\n1;2;3\n4;5", True),                               # semicolons, one field short
    ('a,b\n"x,y",2\n"x,', True),                               # quoted comma does not count
    ("a,b\n", False),
])
def test_a_csv_ending_inside_a_row_is_named_truncated(tmp_path, text, truncated):
    path = tmp_path / "t.csv"
    path.write_text(text)
    message = csv_truncation(str(path))
    assert (message is not None) == truncated
    if truncated:
        assert "truncated" in message and "t.csv" in message


def test_an_empty_csv_is_named(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    assert "empty" in csv_truncation(str(tmp_path / "e.csv"))


def test_gdal_read_failures_become_messages_and_other_errors_do_not():
    msg = read_failure("/data/x/dem.tif, band 1: IReadBlock failed at X offset 1, Y offset 2: TIFFReadEncodedTile() failed.")
    assert "'dem.tif'" in msg and "truncated or corrupt" in msg
    assert read_failure("Access window out of range in RasterIO().") is None
    assert read_failure("") is None


def test_infinite_values_read_as_no_value_like_null():
    got = numeric(np.array([1.0, np.inf, -np.inf, np.nan]), "v")
    assert got[0] == 1.0 and np.isnan(got[1:]).all()
    text = numeric(np.array(["2.5", "inf", "-Infinity", None], dtype=object), "v")
    assert text[0] == 2.5 and np.isnan(text[1:]).all()
    with pytest.raises(InputError, match="must be numeric"):
        numeric(np.array(["abc"], dtype=object), "v")


def test_remove_outputs_removes_an_empty_output_folder_and_keeps_a_full_one(tmp_path):
    empty, full = tmp_path / "empty", tmp_path / "full"
    empty.mkdir()
    full.mkdir()
    (full / "keep.txt").write_text("x")
    atomic.remove_outputs([str(empty), str(full)])
    assert not empty.exists() and (full / "keep.txt").exists()


def test_a_crash_while_walking_an_hdf5_file_refuses_it(tmp_path, monkeypatch):
    path = tmp_path / "x.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    monkeypatch.setattr(h5probe, "_WALK", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    monkeypatch.setattr(h5probe, "_checked", {})
    with pytest.raises(InputError, match="crashed reading its structure"):
        h5probe.check(str(path))


def test_a_sound_hdf5_file_passes_the_walk(tmp_path):
    import h5py
    path = tmp_path / "ok.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("timeseries", data=np.zeros((3, 4, 5), np.float32))
    h5probe._checked.clear()
    h5probe.check(str(path))  # no exception
    assert os.path.exists(path)

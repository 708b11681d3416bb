import os

import numpy as np
import pytest

from insar_fusion.core.errors import InputError
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import read_points, write_points


def _table(n=300, ndates=4):
    rng = np.random.default_rng(7)
    cols = {"pid": np.arange(n, dtype=np.int64), "velocity": rng.normal(size=n),
            "label": np.array([f"p{i}" if i % 3 else None for i in range(n)], dtype=object)}
    cols["velocity"][5] = np.nan
    for j in range(ndates):
        cols[f"D201901{j + 1:02d}"] = rng.normal(size=n)
    return PointTable(rng.uniform(4e5, 4.3e5, n), rng.uniform(4.3e6, 4.33e6, n), cols, "EPSG:32647")


@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".geojson"])
def test_round_trip_keeps_coordinates_values_and_nulls(tmp_path, ext):
    t = _table()
    path = str(tmp_path / f"pts{ext}")
    write_points(path, t)
    r = read_points(path)
    np.testing.assert_allclose(r.x, t.x, rtol=0, atol=1e-6)
    np.testing.assert_allclose(r.y, t.y, rtol=0, atol=1e-6)
    assert np.isnan(r.columns["velocity"][5])
    np.testing.assert_allclose(r.columns["D20190102"], t.columns["D20190102"])
    assert r.columns["label"][0] is None and r.columns["label"][1] == "p1"
    assert list(r.columns["pid"][:3]) == [0, 1, 2]


def test_shapefile_with_more_than_250_fields_is_refused_and_nothing_is_written(tmp_path):
    t = _table(n=10, ndates=260)
    path = str(tmp_path / "many.shp")
    with pytest.raises(InputError, match="GeoPackage"):
        write_points(path, t)
    assert os.listdir(tmp_path) == []


def test_failed_write_leaves_existing_file_untouched(tmp_path):
    path = str(tmp_path / "keep.gpkg")
    write_points(path, _table(10))
    before = open(path, "rb").read()
    bad = _table(10)
    bad.columns["velocity"] = np.array([object()] * 10, dtype=object)  # unwritable values
    with pytest.raises(Exception):
        write_points(path, bad)
    assert open(path, "rb").read() == before
    assert sorted(os.listdir(tmp_path)) == ["keep.gpkg"]

"""The bulk-packed GeoPackage spatial index answers like a brute-force search, survives edits
through GDAL, and falls back to GDAL's own index when the packed tree is rejected."""
import sqlite3

import numpy as np
import pytest
from osgeo import ogr

from insar_fusion.core import gpkg_bulk
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import write_points


def _points(n, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(4.0e5, 4.2e5, n)
    y = rng.uniform(4.30e6, 4.32e6, n)
    x[7] = np.nan  # a point without geometry is not indexed
    y[7] = np.nan
    return PointTable(x, y, {"pid": np.arange(n, dtype=np.int64)}, "EPSG:32647")


def _filtered_pids(path, rect):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    lyr.SetSpatialFilterRect(*rect)
    return sorted(f.GetField("pid") for f in lyr)


def _brute(table, rect):
    x0, y0, x1, y1 = rect
    inside = (table.x >= x0) & (table.x <= x1) & (table.y >= y0) & (table.y <= y1)
    return sorted(table.columns["pid"][inside].tolist())


def _rtree_ok(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT rtreecheck('rtree_pts_geom')").fetchone()[0], \
            con.execute("SELECT count(*) FROM rtree_pts_geom").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("n", [1000, 2601, 20000])
def test_packed_index_finds_exactly_the_points_in_a_rectangle(tmp_path, n):
    table = _points(n)
    path = str(tmp_path / "pts.gpkg")
    write_points(path, table)
    assert _rtree_ok(path) == ("ok", n - 1)
    ds = ogr.Open(path)
    assert ds.ExecuteSQL("SELECT HasSpatialIndex('pts', 'geom')").GetNextFeature().GetField(0) == 1
    ds = None
    rng = np.random.default_rng(n)
    for _ in range(20):
        x0, y0 = rng.uniform(4.0e5, 4.2e5), rng.uniform(4.30e6, 4.32e6)
        w = rng.uniform(50, 8000)
        rect = (x0, y0, x0 + w, y0 + w)
        assert _filtered_pids(path, rect) == _brute(table, rect)


def _stored_count(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT feature_count FROM gpkg_ogr_contents").fetchone()[0]
    finally:
        con.close()


def test_gdal_edits_after_a_packed_write_keep_the_index_and_count_valid(tmp_path):
    table = _points(3000)
    path = str(tmp_path / "pts.gpkg")
    write_points(path, table)
    assert _stored_count(path) == 3000
    ds = ogr.Open(path, 1)
    lyr = ds.GetLayer(0)
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField("pid", 99999)
    f.SetGeometry(ogr.CreateGeometryFromWkt("POINT (410000.5 4310000.5)"))
    lyr.CreateFeature(f)
    lyr.CreateFeature(ogr.Feature(lyr.GetLayerDefn()))
    lyr.DeleteFeature(1)
    g = lyr.GetFeature(2)
    g.SetGeometry(ogr.CreateGeometryFromWkt("POINT (419999 4319999)"))
    lyr.SetFeature(g)
    ds = None
    assert _stored_count(path) == 3001  # the feature-count triggers are back
    assert _rtree_ok(path) == ("ok", 3000 - 1)
    assert 99999 in _filtered_pids(path, (409999, 4309999, 410001, 4310001))
    assert 1 in _filtered_pids(path, (419998, 4319998, 420000, 4320000))
    assert 0 not in _filtered_pids(path, (4.0e5, 4.3e6, 4.2e5, 4.32e6))


def test_a_rejected_packed_tree_falls_back_to_gdal_index(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated rtreecheck failure")

    monkeypatch.setattr(gpkg_bulk, "fill_point_rtree", broken)
    table = _points(2000)
    path = str(tmp_path / "pts.gpkg")
    write_points(path, table)
    assert _rtree_ok(path)[0] == "ok"
    rect = (4.05e5, 4.305e6, 4.1e5, 4.31e6)
    assert _filtered_pids(path, rect) == _brute(table, rect)

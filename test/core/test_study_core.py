"""The study's QGIS-free pieces: its input checks, the regions of the points (against OGR's own
point-in-polygon), the merge of the tracks, the change years, the circular mean of peak days."""
import datetime as dt
import os

import numpy as np
import pytest
from osgeo import ogr, osr

from insar_fusion.core.errors import InputError
from insar_fusion.core.points import PointTable
from insar_fusion.core.study import inputs, layers, summaries
from insar_fusion.core.vector_io import read_points, write_points
from tiff import write_tiff

CRS = "EPSG:32633"


def _stack(folder, names):
    os.makedirs(folder, exist_ok=True)
    for n in names:
        write_tiff(os.path.join(folder, n), np.zeros((3, 3), np.float32), (0, 10, 0, 30, 0, -10), CRS)
    return str(folder)


def test_a_folder_gives_its_dated_rasters_in_date_order_and_files_are_checked(tmp_path):
    folder = _stack(tmp_path / "ndvi", ["ndvi_202002.tif", "ndvi_201912.tif", "ndvi_20200105.tif"])
    (tmp_path / "ndvi" / "readme.txt").write_text("not a raster")
    got = inputs.expand_stack([folder], "NDVI")
    assert [os.path.basename(p) for p in got] == ["ndvi_201912.tif", "ndvi_20200105.tif", "ndvi_202002.tif"]
    with pytest.raises(InputError, match=r"NDVI: '.*nothing.tif' does not exist"):
        inputs.expand_stack([str(tmp_path / "nothing.tif")], "NDVI")
    bad = tmp_path / "ndvi_202003.tif"
    bad.write_bytes(b"\0" * 100)
    with pytest.raises(InputError, match=r"NDVI: 'ndvi_202003.tif' cannot be read as a raster"):
        inputs.expand_stack([str(bad)], "NDVI")
    _stack(tmp_path / "b", ["sm_202001.tif", "sm_2020-01.tif"])
    with pytest.raises(InputError, match=r"SOIL_MOISTURE: .*same date 2020-01-16"):
        inputs.expand_stack([str(tmp_path / "b")], "SOIL_MOISTURE")
    with pytest.raises(InputError, match=r"holds no raster with a date"):
        inputs.expand_stack([_stack(tmp_path / "c", ["dem.tif"])], "PRECIPITATION")


def test_coherence_rasters_name_their_pair(tmp_path):
    folder = _stack(tmp_path / "coh", ["coh_20190821_20190809.tif"])
    (pair,) = inputs.coherence_pairs([folder], "COHERENCE")
    assert (pair.reference, pair.secondary, pair.tag) == (dt.date(2019, 8, 9), dt.date(2019, 8, 21),
                                                           "20190809_20190821")
    one = _stack(tmp_path / "one", ["coh_20190809.tif"])
    with pytest.raises(InputError, match=r"does not name its pair's two dates.*coherence_20190809_20190821"):
        inputs.coherence_pairs([os.path.join(one, "coh_20190809.tif")], "COHERENCE")


def test_change_years_need_both_summers_and_the_winter(tmp_path):
    folder = _stack(tmp_path / "n", [f"ndvi_{y}{m:02d}.tif" for y in (2019, 2020, 2021) for m in (1, 7)])
    paths = inputs.expand_stack([folder], "NDVI")
    assert inputs.change_years(paths, 7, 1) == ((2020, 2021), "")
    assert inputs.change_years(paths, 7, 1, year_b=2020) == ((2019, 2020), "")
    years, why = inputs.change_years(paths, 8, 1)
    assert years is None and "month 8" in why
    years, why = inputs.change_years(paths[1:], 7, 1, year_a=2018, year_b=2019)
    assert years is None and why == "no raster for summer A 2018-07, winter B 2019-01"


def test_track_names_come_from_the_files_or_the_parameter():
    paths = ["/d/T128_egms.csv", "/d/study.gpkg|layername=t026"]
    assert inputs.track_names(paths, "") == ["T128_egms", "t026"]
    assert inputs.track_names(paths, "A, B") == ["A", "B"]
    assert inputs.track_names(["/a/x.csv", "/b/x.csv"], "") == ["x (1)", "x (2)"]
    with pytest.raises(InputError, match="TRACK_NAMES gives 1 names for 2 tracks"):
        inputs.track_names(paths, "A")


def _polygons(path):
    srs = osr.SpatialReference()
    srs.SetFromUserInput(CRS)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("regions", srs, ogr.wkbUnknown)
    lyr.CreateField(ogr.FieldDefn("zone", ogr.OFTString))
    shapes = {"ring": "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0), (30 30, 70 30, 70 70, 30 70, 30 30))",
              "two parts": "MULTIPOLYGON (((150 0, 200 0, 200 50, 150 50, 150 0)), ((150 60, 200 60, 175 100, 150 60)))",
              None: "POLYGON ((210 0, 260 0, 260 40, 210 0))"}
    geoms = {}
    for name, wkt in shapes.items():
        f = ogr.Feature(lyr.GetLayerDefn())
        if name:
            f.SetField("zone", name)
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
        geoms[name or f"feature {f.GetFID()}"] = ogr.CreateGeometryFromWkt(wkt)
    ds = None
    return geoms


def test_each_point_gets_the_region_ogr_finds_it_in(tmp_path):
    geoms = _polygons(str(tmp_path / "regions.gpkg"))
    rng = np.random.default_rng(4)
    x, y = rng.uniform(-10, 270, 3000), rng.uniform(-10, 110, 3000)
    pts = str(tmp_path / "pts.gpkg")
    write_points(pts, PointTable(x, y, {"pid": np.arange(3000), "velocity": x / 10}, CRS))
    out = str(tmp_path / "joined.gpkg")
    n = layers.assign_regions(pts, str(tmp_path / "regions.gpkg"), "zone", out, inside_only=False)
    t = read_points(out)
    assert n == 3000 and len(t) == 3000
    expected = []
    for xi, yi in zip(t.x, t.y):
        p = ogr.CreateGeometryFromWkt(f"POINT ({xi} {yi})")
        expected.append(next((name for name, g in geoms.items() if g.Contains(p)), None))
    assert list(t.columns["region_zone"]) == expected
    assert {"ring", "two parts", "feature 3"} <= set(expected) and None in expected  # holes and outside
    inside = layers.assign_regions(pts, str(tmp_path / "regions.gpkg"), "zone", str(tmp_path / "in.gpkg"), True)
    assert inside == sum(e is not None for e in expected)


def test_the_tracks_merge_with_their_names_and_rates(tmp_path):
    a, b = str(tmp_path / "a.gpkg"), str(tmp_path / "b.gpkg")
    write_points(a, PointTable([0, 1], [0, 1], {"pid": np.array(["a1", "a2"], dtype=object),
                                               "velocity": np.array([-3.0, np.nan])}, CRS))
    write_points(b, PointTable([5], [5], {"pid": np.array([7]), "velocity": np.array([2.5]),
                                         "D20200101": np.array([0.0])}, CRS))
    assert layers.merge_tracks([(a, "A"), (b, "B")], str(tmp_path / "all.gpkg")) == 3
    t = read_points(str(tmp_path / "all.gpkg"))
    assert list(t.columns["track"]) == ["A", "A", "B"] and list(t.columns["pid"]) == ["a1", "a2", "7"]
    np.testing.assert_array_equal(t.columns["velocity"], [-3.0, np.nan, 2.5])


def test_the_peak_day_is_a_circular_mean():
    # day 360 is 6.25 days before day 1 (a 365.25-day circle), day 10 is 9 days after: mean 1.375 after
    assert summaries.circular_mean_doy(np.array([360.0, 10.0]), np.ones(2)) == pytest.approx(2.375)
    assert summaries.circular_mean_doy(np.array([100.0, 200.0]), np.array([1.0, 0.0])) == pytest.approx(100.0)
    assert np.isnan(summaries.circular_mean_doy(np.array([1.0, 183.625]), np.ones(2)))

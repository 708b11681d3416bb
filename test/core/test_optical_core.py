"""core/optical without QGIS: NDVI, reducers, running statistics, dates and strip sizes."""
import datetime as dt
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

import optical_data as od
from insar_fusion.core.errors import Cancelled, InputError
from insar_fusion.core.optical.composite import reduce_stack
from insar_fusion.core.optical.ndvi import ndvi, ndvi_raster
from insar_fusion.core.optical.stack import DatedRaster, date_raster, in_window, windows_for
from insar_fusion.core.optical.summary import _Acc
from insar_fusion.core.progress import Progress
from insar_fusion.core.raster import Grid

floats = st.one_of(st.floats(-0.25, 1.25, width=32), st.just(np.nan), st.just(0.0))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, (7, 5), elements=floats), arrays(np.float32, (7, 5), elements=floats))
def test_ndvi_equals_the_formula_in_float64_within_float32_rounding(red, nir):
    got = ndvi(red, nir)
    r, n = red.astype(float), nir.astype(float)
    with np.errstate(all="ignore"):
        want = np.clip((n - r) / (n + r), -1, 1)
    want[~((n + r) > 0)] = np.nan
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    # float32 division of float32 operands: relative error of the ratio is a few ulp of its terms
    tol = 4 * np.finfo(np.float32).eps * (np.abs(n) + np.abs(r))[ok] / (n + r)[ok] + 1e-7
    assert np.all(np.abs(got[ok] - want[ok]) <= tol)
    assert got.dtype == np.float32


def test_ndvi_of_a_zero_sum_is_nodata_not_zero():
    assert np.isnan(ndvi(np.array([0.0]), np.array([0.0]))[0])


@pytest.mark.parametrize("method,func", [("max", np.nanmax), ("mean", np.nanmean),
                                         ("median", np.nanmedian)])
def test_reduce_stack_matches_numpy_nan_functions(method, func):
    rng = np.random.default_rng(0)
    stack = rng.normal(size=(6, 9, 11)).astype(np.float32)
    stack[rng.random(stack.shape) < 0.3] = np.nan
    stack[:, 0, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = func(stack.astype(float), axis=0)
    got = reduce_stack(list(stack), method)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(want)], want[~np.isnan(want)], atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(arrays(np.float64, st.integers(0, 30), elements=st.floats(-1e3, 1e3)), min_size=1,
                max_size=6))
def test_running_statistics_equal_numpy_over_the_concatenated_chunks(chunks):
    acc = _Acc()
    for c in chunks:
        acc.add(c)
    allv = np.concatenate(chunks)
    mean, std, n = acc.result()
    assert n == allv.size
    if n:
        assert mean == pytest.approx(allv.mean(), abs=1e-9)
        assert std == pytest.approx(allv.std(), abs=1e-7)
    else:
        assert np.isnan(mean) and np.isnan(std)


def test_dates_come_from_day_names_month_names_and_metadata(tmp_path):
    a = np.zeros((2, 2), np.float32)
    day = date_raster(od.write(tmp_path / "S2A_20190709T040549_ndvi.tif", a))
    month = date_raster(od.write(tmp_path / "ndvi_201902.tif", a))
    meta = date_raster(od.write(tmp_path / "x.tif", a, metadata={"DATE_ACQUIRED": "2019-03-04"}))
    assert (day.start, day.end) == (dt.date(2019, 7, 9), dt.date(2019, 7, 9))
    assert (month.start, month.end) == (dt.date(2019, 2, 1), dt.date(2019, 2, 28))
    assert (meta.start, meta.source) == (dt.date(2019, 3, 4), "DATE_ACQUIRED")
    with pytest.raises(InputError, match="No date found for 'plain.tif'"):
        date_raster(od.write(tmp_path / "plain.tif", a))


def test_window_includes_both_edges_and_nothing_outside():
    days = [dt.date(2019, 6, 30), dt.date(2019, 7, 1), dt.date(2019, 7, 31), dt.date(2019, 8, 1)]
    rasters = [DatedRaster(f"{d}.tif", d, d, "file name") for d in days]
    got = in_window(rasters, dt.date(2019, 7, 1), dt.date(2019, 7, 31))
    assert [r.start for r in got] == days[1:3]
    with pytest.raises(InputError, match="No dated input falls between"):
        in_window(rasters, dt.date(2019, 7, 2), dt.date(2019, 7, 30))


@pytest.mark.parametrize("width,height,arrays", [(10980, 10980, 6), (300, 1000, 80), (7, 3, 1)])
def test_windows_cover_the_grid_once_and_fit_the_memory_budget(width, height, arrays):
    import insar_fusion.core.optical.stack as stack
    grid = Grid((0, 10, 0, 0, 0, -10), width, height)
    seen = np.zeros((height, width), np.uint8)
    ends = []
    for (xo, yo, xs, ys), strip_done in windows_for(grid, arrays):
        seen[yo:yo + ys, xo:xo + xs] += 1
        assert ys <= 256 and (yo % 256 == 0)  # strips follow the output's 256-row blocks
        assert xs * ys * arrays <= stack.STRIP_PIXELS or xs <= 256  # 16 MB of float32, or one block
        if strip_done:
            ends.append(yo + ys)
            assert xo + xs == width
    assert (seen == 1).all()
    assert ends[-1] == height and len(ends) == -(-height // 256)


def test_cancel_inside_the_ndvi_loop_raises_and_leaves_no_file(tmp_path):
    red = np.full((1000, 50), 100, np.uint16)
    nir = np.full((1000, 50), 400, np.uint16)
    rp, np_ = od.write(tmp_path / "r.tif", red), od.write(tmp_path / "n.tif", nir)
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    import insar_fusion.core.optical.stack as stack
    old, stack.STRIP_PIXELS = stack.STRIP_PIXELS, 500  # windows of one 256-row block
    try:
        with pytest.raises(Cancelled):
            ndvi_raster(rp, 1, np_, 1, str(tmp_path / "o.tif"), progress=Progress(cancelled=cancelled))
    finally:
        stack.STRIP_PIXELS = old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.tif", "r.tif"]


def test_gdal_cache_holds_about_one_row_of_blocks_not_the_raster(tmp_path, monkeypatch):
    from osgeo import gdal
    import insar_fusion.core.optical.stack as stack
    h, w = 2048, 3000
    rng = np.random.default_rng(1)
    red = rng.integers(1, 3000, (h, w)).astype(np.uint16)
    nir = rng.integers(1, 5000, (h, w)).astype(np.uint16)
    rp = od.write(tmp_path / "r.tif", red, dtype=gdal.GDT_UInt16, tiled=True)
    np_ = od.write(tmp_path / "n.tif", nir, dtype=gdal.GDT_UInt16, tiled=True)
    seen = []
    read = stack.Source.read

    def spy(self, window):
        seen.append(gdal.GetCacheUsed())
        return read(self, window)

    monkeypatch.setattr(stack.Source, "read", spy)
    ndvi_raster(rp, 1, np_, 1, str(tmp_path / "o.tif"))
    whole = h * w * (2 + 2 + 4)  # both inputs and the output, if nothing were ever released
    one_row = 256 * w * (2 + 2 + 4)
    assert max(seen) <= 2 * one_row < whole / 3


def test_cancel_during_pair_composites_removes_the_pairs_already_written(tmp_path):
    from insar_fusion.core.optical.composite import pair_composites
    from insar_fusion.core.optical.stack import date_rasters
    paths = [od.write(tmp_path / f"ndvi_201901{d:02d}.tif", np.full((40, 40), 0.1 * k, np.float32))
             for k, d in enumerate((1, 13, 25))]
    target = od.write(tmp_path / "coh.tif", np.zeros((16, 16), np.float32), pixel=25.0)
    pairs = [(dt.date(2019, 1, 1), dt.date(2019, 1, 13)), (dt.date(2019, 1, 13), dt.date(2019, 1, 25))]
    reports = []

    def cancelled():
        return len(reports) > 0 and reports[-1] > 0.6  # well into the second pair

    folder = tmp_path / "out"
    with pytest.raises(Cancelled):
        pair_composites(date_rasters(paths), pairs, target, str(folder),
                        progress=Progress(reports.append, cancelled))
    assert [p.name for p in folder.iterdir()] == []

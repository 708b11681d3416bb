"""Tile by tile on a real distributed.LocalCluster of 2 worker processes on loopback: every
output field and global figure equals the in-process result, bit for bit; Cancel stops the
workers and leaves nothing behind. (test/processing/test_scale.py goes through processing.run.)"""
import os
import sys

import numpy as np
import pytest

distributed = pytest.importorskip(
    "distributed", reason="python3-distributed is not installed: the cluster tests need a LocalCluster")

import bursts  # noqa: E402  (test/support)
from insar_fusion.core.errors import Cancelled, InputError  # noqa: E402
from insar_fusion.core.insar import seasonal  # noqa: E402
from insar_fusion.core.insar.los import los_to_vertical, up_factor_from_incidence  # noqa: E402
from insar_fusion.core.points import PointTable, numeric  # noqa: E402
from insar_fusion.core.progress import Progress  # noqa: E402
from insar_fusion.core.regression import gwr  # noqa: E402
from insar_fusion.core.sampling import sample  # noqa: E402
from insar_fusion.core.scale import cluster, partition, points, tileset  # noqa: E402
from insar_fusion.core.scale.engine import InProcess, tasks_running  # noqa: E402
from insar_fusion.core.scale.gwr_tiles import fit_layer  # noqa: E402
from insar_fusion.core.scale.gwr_tileset import fit_tileset  # noqa: E402
from insar_fusion.core.scale.outputs import GpkgAppender, TileFolder  # noqa: E402
from insar_fusion.core.vector_io import read_points  # noqa: E402

UTM = "EPSG:32647"
FIELDS = ("trend", "seasonal_amplitude", "seasonal_peak_doy", "max_seasonal_subsidence",
          "max_seasonal_uplift", "fit_rmse")


@pytest.fixture(scope="module")
def engine():
    eng = cluster.engine_for("local:2")
    assert eng.workers == 2
    pids = set(eng.client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids, "the workers must be processes of their own"
    yield eng
    cluster.shutdown()
    assert cluster.running() == []


def _same(a, b):
    """Every array field and number of two results, bit for bit (NaN equal to NaN)."""
    diff = []
    for f in a.__dataclass_fields__:
        va, vb = getattr(a, f), getattr(b, f)
        if isinstance(va, np.ndarray):
            ok = np.array_equal(va, vb, equal_nan=va.dtype.kind == "f")
        else:
            ok = va == vb or (va != va and vb != vb)
        if not ok:
            diff.append(f)
    return diff


def _data(n=6000, seed=3):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 12000, n), rng.uniform(0, 6000, n)
    x[:500] = np.round(x[:500], -2)  # gridded points: ties in x
    x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
    dep = 1 + 2 * x1 * np.sin(x / 3000) - x2 + 0.3 * rng.standard_normal(n)
    dep[5], x[7] = np.nan, np.nan  # a NULL value and a point without coordinates
    return x, y, dep, np.column_stack([x1, x2])


@pytest.mark.parametrize("kw", [dict(bandwidth=600.0), dict(bandwidth=250.0, kernel="gaussian"),
                                dict(neighbours=40)],
                         ids=["fixed-bisquare", "fixed-gaussian", "adaptive-bisquare"])
def test_gwr_on_a_localcluster_is_bit_identical_to_one_fit(engine, kw):
    x, y, dep, expl = _data()
    ref = gwr.fit(x, y, dep, expl, **kw)
    tiled = fit_layer(x, y, dep, expl, tile_size=2000.0, engine=engine, **kw)
    assert _same(ref, tiled) == []
    assert ref.n == 5998 and ref.n_missing == 2 and np.isfinite(ref.aicc)


def test_point_steps_on_a_localcluster_are_bit_identical(engine, tmp_path):
    import datetime as dt
    rng = np.random.default_rng(5)
    n, nd = 5000, 30
    x, y = rng.uniform(4e5, 4.1e5, n), rng.uniform(2.9e6, 2.905e6, n)
    dates = [dt.date(2019, 1, 1) + dt.timedelta(days=12 * k) for k in range(nd)]
    series = rng.standard_normal((n, nd)) + np.arange(nd)[None, :] * 0.2
    series[rng.random(series.shape) < 0.1] = np.nan
    cols = {"velocity": rng.normal(-5, 8, n), "velocity_std": np.full(n, 1.0),
            "incidence": rng.uniform(30, 45, n)}
    cols.update({f"D{d:%Y%m%d}": series[:, k] for k, d in enumerate(dates)})
    table = PointTable(x, y, cols, UTM)
    tif = str(tmp_path / "r.tif")
    from osgeo import gdal, osr
    ds = gdal.GetDriverByName("GTiff").Create(tif, 220, 120, 2, gdal.GDT_Float32)
    ds.SetGeoTransform((3.999e5, 50.0, 0, 2.9051e6, 0, -50.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    ds.SetProjection(srs.ExportToWkt())
    ds.WriteRaster(0, 0, 220, 120, rng.standard_normal((2, 120, 220)).astype(np.float32).tobytes())
    ds = None
    sources = points.memory_sources(table, 2500.0)[1]
    assert len(sources) > 4

    def tiled(step):
        return points.assemble(list(points.run(step, engine, sources)), n, table)

    up, _ = tiled(points.LosStep("field", "incidence"))
    ref = los_to_vertical(table, up_factor_from_incidence(table.columns["incidence"]))
    for name in ref.columns:
        assert np.array_equal(up.columns[name], ref.columns[name], equal_nan=True), name
    fit, infos = tiled(points.SeasonalStep(FIELDS))
    r = seasonal.fit(dates, series)
    fall, rise = r.swings()
    for name, want in zip(FIELDS, (r.trend, r.amplitude, r.peak_doy, fall, rise, r.fit_rmse)):
        assert np.array_equal(fit.columns[name], want, equal_nan=True), name
    assert sum(i["fitted"] for i in infos) == int(np.isfinite(r.trend).sum())
    sampled, _ = tiled(points.SampleStep(((tif, ("b1", "b2")),), "bilinear", UTM))
    want = sample(tif, x, y, UTM, method="bilinear")
    assert np.array_equal(np.column_stack([sampled.columns["b1"], sampled.columns["b2"]]), want,
                          equal_nan=True)
    assert np.isfinite(want).mean() > 0.9
    kept, infos = tiled(points.ScreenStep(10.0, None, (tif, -0.5, 5.0), None, UTM))
    from insar_fusion.core.insar.screen import screen
    want = screen(table.columns["velocity"], 10.0, dem=sample(tif, x, y, UTM, [1])[:, 0],
                  dem_range=(-0.5, 5.0))
    assert np.array_equal(kept.x, x[want.keep]) and np.array_equal(kept.columns["velocity"],
                                                                    table.columns["velocity"][want.keep])
    total = {}
    for i in infos:
        for k, v in i["removed"].items():
            total[k] = total.get(k, 0) + v
    assert total == want.removed and 0 < want.n_kept < n


@pytest.fixture(scope="module")
def burst_folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("bursts")
    bursts.write_bursts(str(root / "csv"), n_per_burst=1500)
    bursts.write_bursts(str(root / "gpkg"), n_per_burst=1500, gpkg=True)
    return root


def test_partition_and_gwr_of_a_tile_set_equal_in_process_and_on_the_cluster(engine, burst_folders, tmp_path):
    runs = {}
    for name, eng in (("here", InProcess()), ("cluster", engine)):
        s = partition.partition(str(burst_folders / "csv"), str(tmp_path / name / "set.vrt"), eng,
                                5000.0, UTM)
        assert s["n_points"] == 6000 and s["n_bursts"] == 4
        ts = tileset.TileSet.open(s["vrt"])
        sets = [ts.read(t) for t in ts.ids]
        g = partition.partition(str(burst_folders / "gpkg"), str(tmp_path / name / "setg.vrt"), eng, 4000.0)
        tg = tileset.TileSet.open(g["vrt"])
        app = GpkgAppender(str(tmp_path / name / "gwr.gpkg"))
        summary = None
        for kind, table, _ in fit_tileset(tg, "velocity", ["ndvi", "sm"], 1200.0, "bisquare", 0, False,
                                          eng, None, tg.field_names):
            if kind == "tile":
                app.append(table)
            else:
                summary = table
        app.finish()
        runs[name] = (sets, summary, read_points(str(tmp_path / name / "gwr.gpkg")), tg)
    (sa, ga, oa, tg), (sb, gb, ob, _) = runs["here"], runs["cluster"]
    for ta, tb in zip(sa, sb):
        assert all(np.array_equal(ta.columns[c], tb.columns[c], equal_nan=ta.columns[c].dtype.kind == "f")
                   for c in ta.columns)
    assert ga == gb
    assert list(oa.columns) == list(ob.columns)
    for c in oa.columns:
        assert np.array_equal(oa.columns[c], ob.columns[c], equal_nan=oa.columns[c].dtype.kind == "f"), c
    # and the tile set's GWR is gwr.fit over the same points in the set's order, bit for bit
    whole = tileset.concat([tg.read(t) for t in tg.ids])
    ref = gwr.fit(whole.x, whole.y, numeric(whole.columns["velocity"], "velocity"),
                  np.column_stack([whole.columns["ndvi"], whole.columns["sm"]]), 1200.0)
    assert np.array_equal(oa.columns["coef_ndvi"], ref.params[:, 1], equal_nan=True)
    assert np.array_equal(oa.columns["local_r2"], ref.local_r2, equal_nan=True)
    for key in ("rss", "tr_s", "tr_sts", "sigma2", "aicc", "r2", "weighted_mean_local_r2"):
        assert ga[key] == getattr(ref, key), key


def test_adaptive_gwr_of_a_tile_set_equals_in_process_on_the_cluster(engine, burst_folders, tmp_path):
    out = {}
    for name, eng in (("here", InProcess()), ("cluster", engine)):
        g = partition.partition(str(burst_folders / "gpkg"), str(tmp_path / name / "s.vrt"), InProcess(), 5000.0)
        tg = tileset.TileSet.open(g["vrt"])
        folder = TileFolder(str(tmp_path / name / "gwr.vrt"))
        entries, summary = [], None
        for kind, table, entry in fit_tileset(tg, "velocity", ["ndvi", "sm"], 0, "bisquare", 25, False,
                                              eng, folder.sink(), ["pid"]):
            if kind == "tile":
                entries.append(entry)
            else:
                summary = table
        vrt = folder.finish(tg.grid, tg.crs_wkt, [], entries)
        out[name] = (summary, read_points(vrt))
    (ga, oa), (gb, ob) = out["here"], out["cluster"]
    assert ga == gb and len(oa) == 6000
    for c in oa.columns:
        assert np.array_equal(oa.columns[c], ob.columns[c], equal_nan=oa.columns[c].dtype.kind == "f"), c


def test_cancel_stops_the_workers_and_leaves_no_output(engine, burst_folders, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    state = {"reports": 0}

    def report(_f):
        state["reports"] += 1

    cancel = Progress(report, lambda: state["reports"] >= 3)
    with pytest.raises(Cancelled):
        partition.partition(str(burst_folders / "csv"), str(out / "set.vrt"), engine, 2000.0, UTM, cancel)
    assert tasks_running(engine.client) == 0, "tasks still running after the cancel"
    assert os.listdir(out) == [], os.listdir(out)
    x, y, dep, expl = _data(3000)
    with pytest.raises(Cancelled):
        fit_layer(x, y, dep, expl, 600.0, engine=engine, tile_size=1500.0,
                  scratch=str(out), progress=Progress(report, lambda: state["reports"] >= 8))
    assert os.listdir(out) == [], os.listdir(out)


def test_a_task_that_sees_the_cancel_event_stops_itself(engine):
    """The cancel reaches a task already running on a worker, not only those not started."""
    from insar_fusion.core.scale import engine as eng_mod
    state = {"n": 0}

    def cancelled():
        state["n"] += 1
        return state["n"] > 2

    with pytest.raises(Cancelled):
        list(engine.run([(bursts.slow_task, (3.0,)), (bursts.slow_task, (3.0,))],
                        Progress(cancelled=cancelled)))
    assert tasks_running(engine.client) == 0
    assert eng_mod.SETTLE > 1


def test_a_cancelled_run_returns_only_once_no_task_of_it_still_works(engine, tmp_path):
    """Dask cannot stop a running thread, and the scheduler forgets a cancelled key at once: a
    task past its last check still writes. The run must wait for it, or the caller's cleanup of
    its scratch folder races the write ('Directory not empty')."""
    started = tmp_path / "started"
    with pytest.raises(Cancelled):
        list(engine.run([(bursts.stubborn_task, (str(tmp_path), 1.5))],
                        Progress(cancelled=started.exists)))
    assert (tmp_path / "written").exists(), "the run came back while its task still worked"
    assert tasks_running(engine.client) == 0


@pytest.mark.parametrize("setting, want", [("", ("", None)), ("local", ("local", 2)),
                                           ("LOCAL:3", ("local", 3)),
                                           ("tcp://127.0.0.1:8786", ("tcp", "tcp://127.0.0.1:8786"))])
def test_scheduler_setting_is_parsed(setting, want):
    assert cluster.parse(setting) == want


@pytest.mark.parametrize("setting", ["remote", "tcp://host", "http://h:1"])
def test_a_bad_scheduler_setting_is_refused_with_the_forms_it_takes(setting):
    with pytest.raises(InputError, match="local or local:N"):
        cluster.parse(setting)
    with pytest.raises(InputError, match="give 1 to 256"):
        cluster.parse("local:0")


def test_without_distributed_the_message_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(InputError, match="python3-distributed"):
        cluster.client_for("local:7")
    assert isinstance(cluster.engine_for(""), InProcess)

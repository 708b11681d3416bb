"""Tile by tile through processing.run: with the Dask scheduler set to a 2-worker LocalCluster,
every output field and result equals the in-process run's, bit for bit; the folder output opens
as one layer; Cancel stops the cluster's tasks and leaves no output; without distributed, asking
for a cluster names the package to install."""
import os
import sys

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

import iftest
from insar_fusion import settings
from insar_fusion.core.vector_io import read_points

pytest.importorskip("distributed", reason="python3-distributed is not installed: no LocalCluster to run on")


@pytest.fixture(scope="module")
def on_cluster():
    """Run with the scheduler set to 'local:2' (one LocalCluster for the module), then clear it."""
    from insar_fusion.core.scale import cluster

    def use(setting):
        settings.set_text("dask_scheduler", setting)

    yield use
    settings.set_text("dask_scheduler", "")
    cluster.shutdown()


def _tables_equal(a, b):
    a, b = read_points(a), read_points(b)
    assert len(a) == len(b) and list(a.columns) == list(b.columns)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    for c in a.columns:
        kind = a.columns[c].dtype.kind
        assert np.array_equal(a.columns[c], b.columns[c], equal_nan=kind == "f"), c
    return a


def _twice(on_cluster, alg, params, tmp_path, extra=None):
    """The run in-process and on the cluster; (results in-process, results on the cluster)."""
    runs = []
    for setting in ("", "local:2"):
        on_cluster(setting)
        p = dict(params, OUTPUT=str(tmp_path / f"{alg}_{'c' if setting else 'i'}.gpkg"), **(extra or {}))
        runs.append(iftest.run_alg(alg, p)[0])
    on_cluster("")
    return runs


def test_gwr_on_the_cluster_equals_in_process(provider, hardening_data, on_cluster, tmp_path):
    d = hardening_data
    here, there = _twice(on_cluster, "gwr", {"INPUT": d.gwr, "DEPENDENT": "velocity",
                                             "EXPLANATORY": ["dndvi", "dsm"], "BANDWIDTH": 1500.0},
                         tmp_path, {"TILE_SIZE": 800.0})
    out = _tables_equal(here["OUTPUT"], there["OUTPUT"])
    assert np.isfinite(out.columns["local_r2"]).sum() > 100
    for key in ("R2", "ADJ_R2", "AICC", "AIC", "ENP", "SIGMA2", "RSS", "TR_S", "TR_STS",
                "WEIGHTED_MEAN_LOCAL_R2", "N_UNDERSUPPORTED", "BANDWIDTH"):
        assert here[key] == there[key], key


@pytest.mark.parametrize("alg, params", [
    ("lostovertical", lambda d: {"INPUT": d.pts}),
    ("seasonalfit", lambda d: {"INPUT": d.pts}),
    ("samplerasters", lambda d: {"INPUT": d.pts, "RASTERS": [d.dem, d.ndvi_month("201907")], "METHOD": 1}),
    ("screen", lambda d: {"INPUT": d.pts, "THRESHOLD": 5.0, "DEM": d.dem, "DEM_MAX": 5000.0,
                          "STUDY_AREA": d.regions}),
])
def test_point_algorithms_on_the_cluster_equal_in_process(provider, hardening_data, on_cluster, tmp_path,
                                                          alg, params):
    here, there = _twice(on_cluster, alg, params(hardening_data), tmp_path, {"TILE_SIZE": 500.0})
    _tables_equal(here["OUTPUT"], there["OUTPUT"])
    assert {k: v for k, v in here.items() if k != "OUTPUT"} == {k: v for k, v in there.items() if k != "OUTPUT"}


def test_folder_output_is_a_tile_set_that_opens_as_one_layer(provider, hardening_data, on_cluster, tmp_path):
    d = hardening_data
    on_cluster("local:2")
    try:
        res, _ = iftest.run_alg("seasonalfit", {"INPUT": d.pts, "OUTPUT": str(tmp_path / "fit.gpkg"),
                                                "OUTPUT_MODE": 1, "TILE_SIZE": 500.0})
        single, _ = iftest.run_alg("seasonalfit", {"INPUT": res["OUTPUT"], "OUTPUT": str(tmp_path / "again.gpkg")})
    finally:
        on_cluster("")
    vrt = res["OUTPUT"]
    assert vrt.endswith("fit.vrt") and os.path.isfile(vrt) and os.path.isfile(str(tmp_path / "fit.qml"))
    assert not os.path.exists(tmp_path / "fit.gpkg")
    tiles = os.listdir(tmp_path / "fit_tiles")
    assert len(tiles) > 2 and all(t.endswith(".gpkg") for t in tiles)
    layer = QgsVectorLayer(vrt, "fit", "ogr")
    n = len(read_points(d.pts))
    assert layer.isValid() and layer.featureCount() == n
    assert "seasonal_amplitude" in layer.fields().names()
    assert res["N_FITTED"] == single["N_FITTED"] and len(read_points(single["OUTPUT"])) == n  # a tile set in


def test_cancel_on_the_cluster_stops_and_leaves_no_output(provider, hardening_big, on_cluster, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    feedback = iftest.LogFeedback.create()
    state = {}

    def at(value):
        if value >= 30 and "cancelled" not in state:
            state["cancelled"] = value
            feedback.cancel()
    feedback.progressChanged.connect(at)
    on_cluster("local:2")
    try:
        with pytest.raises(QgsProcessingException, match="cancelled"):
            iftest.run_alg("gwr", {"INPUT": hardening_big.gwr, "DEPENDENT": "velocity",
                                   "EXPLANATORY": ["dndvi", "dsm"], "BANDWIDTH": 800.0, "TILE_SIZE": 1000.0,
                                   "OUTPUT_MODE": 1, "OUTPUT": str(out / "gwr.gpkg")}, feedback=feedback)
        from insar_fusion.core.scale import cluster, engine
        assert engine.tasks_running(cluster.client_for("local:2")) == 0, "tasks still work after the cancel"
    finally:
        on_cluster("")
    assert "cancelled" in state and max(feedback.progress_values) <= state["cancelled"] + 1e-9
    assert os.listdir(out) == [], os.listdir(out)


def test_asking_for_a_cluster_without_distributed_names_the_package(provider, hardening_data, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)
    settings.set_text("dask_scheduler", "local:2")
    try:
        with pytest.raises(QgsProcessingException, match="python3-distributed"):
            iftest.run_alg("lostovertical", {"INPUT": hardening_data.pts, "OUTPUT": str(tmp_path / "up.gpkg")})
    finally:
        settings.set_text("dask_scheduler", "")
    assert os.listdir(tmp_path) == []
    res, _ = iftest.run_alg("lostovertical", {"INPUT": hardening_data.pts, "OUTPUT": str(tmp_path / "up.gpkg")})
    assert os.path.isfile(res["OUTPUT"])  # in-process works without it

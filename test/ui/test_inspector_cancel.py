"""The inspector's background task is cancelled, and stops, when the dock closes or the plugin
unloads while it runs (a long indexing read, feature by feature through a filtered layer)."""
import time

import numpy as np
import pytest
from qgis.core import QgsApplication, QgsPointXY, QgsTask, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication

import iftest
import insar_fusion
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import write_points
from insar_fusion.ui.inspector import sources as src
from insar_fusion.ui.inspector.dock import InspectorDock

N = 150_000
X0, Y0 = 500000.0, 4300000.0


@pytest.fixture(scope="module")
def insar(tmp_path_factory):
    """A layer that takes seconds to index: many points, read one by one (filtered layer)."""
    rng = np.random.default_rng(2)
    cols = {"pid": np.arange(N, dtype=np.int64)}
    for d in ("D20190105", "D20190117", "D20190129", "D20190210", "D20190222", "D20190306"):
        cols[d] = rng.normal(0, 5, N)
    path = str(tmp_path_factory.mktemp("insp_cancel") / "insar.gpkg")
    write_points(path, PointTable(X0 + rng.uniform(0, 2e4, N), Y0 + rng.uniform(0, 2e4, N), cols,
                                  "EPSG:32647"))
    return path


def _layer(project, path):
    layer = QgsVectorLayer(path, "insar", "ogr")
    layer.setSubsetString('"pid" >= 0')  # not a plain file: indexed feature by feature
    assert layer.isValid()
    project.addMapLayer(layer)
    return layer


def _running_index_task(dock, layer):
    dock.set_sources(src.Sources(layer.id(), [], 1000.0, 3))
    dock.pick(QgsPointXY(X0 + 1e4, Y0 + 1e4))
    task = dock.index_task
    assert task is not None
    end = time.time() + 20
    while task.status() != QgsTask.TaskStatus.Running and time.time() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    assert task.status() == QgsTask.TaskStatus.Running
    time.sleep(0.2)  # well inside the read
    assert task.status() == QgsTask.TaskStatus.Running, "the indexing ended before it could be cancelled"
    return task


def _stopped(task) -> bool:
    task.waitForFinished(10000)
    return task.status() == QgsTask.TaskStatus.Terminated


def test_closing_the_dock_cancels_and_stops_the_running_index_task(insar, qgis_iface, qgis_new_project):
    layer = _layer(qgis_new_project, insar)
    dock = InspectorDock(qgis_iface)
    try:
        task = _running_index_task(dock, layer)
        dock.close()
        assert task.isCanceled()
        assert _stopped(task), "the task ran to its end instead of stopping"
        assert not dock.busy() and dock.store is None
    finally:
        dock.shutdown()
        dock.deleteLater()
        QgsApplication.taskManager().cancelAll()


def test_unloading_the_plugin_cancels_and_stops_the_running_index_task(insar, qgis_iface, qgis_new_project,
                                                                        qgis_processing):
    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("insarfusion")
    if existing is not None:
        registry.removeProvider(existing)
    layer = _layer(qgis_new_project, insar)
    plugin = insar_fusion.classFactory(qgis_iface)
    plugin.initProcessing()
    plugin.initGui()
    try:
        task = _running_index_task(plugin.inspector(), layer)
        plugin.unload()
        assert task.isCanceled()
        assert _stopped(task), "the task ran to its end instead of stopping"
        assert plugin.docks == []
    finally:
        QgsApplication.taskManager().cancelAll()
        iftest.ensure_provider()  # later tests expect the session provider

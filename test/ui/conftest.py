"""Fixtures of the inspector tests: a synthetic InSAR layer with three stacks, and the dock on it."""
import os

import numpy as np
import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsRasterLayer, QgsRectangle, QgsVectorLayer

import tsdata as T
from inspector_kit import CENTRE, R, wait


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("insp")
    x, y, pid, dates, mat = T.insar_points(CENTRE, R, n_inside=60, n_outside=60)
    pid = pid + 1000
    rmse = np.full(len(x), 1.5)  # mm: the points' uncertainty, for the error bars
    insar = T.write_insar(str(folder / "insar.gpkg"), x, y, pid, dates, mat, {"rmse": rmse})
    ndvi = T.write_stack(str(folder / "ndvi"), "ndvi", T.ndvi_of)
    sm = T.write_stack(str(folder / "sm"), "sm", T.sm_of, pixel=1000.0, size=(12, 12))
    pr = T.write_stack(str(folder / "pr"), "precip", lambda t: 20 + 8 * np.sin(0.9 * np.floor(t / 30.4) ** 1.7),
                       pixel=1000.0, size=(12, 12), count=6)
    return dict(folder=folder, insar=insar, x=x, y=y, pid=pid, dates=dates, mat=mat, ndvi=ndvi, sm=sm, pr=pr)


@pytest.fixture
def setup(files, qgis_iface, qgis_new_project, qgis_canvas):
    from insar_fusion.ui.inspector import sources as src
    from insar_fusion.ui.inspector.dock import InspectorDock

    project = qgis_new_project
    layer = QgsVectorLayer(files["insar"], "insar", "ogr")
    assert layer.isValid()
    project.addMapLayer(layer)
    pr_layers = [QgsRasterLayer(p, os.path.basename(p)) for p in files["pr"]]
    project.addMapLayers(pr_layers)
    qgis_canvas.resize(600, 600)
    qgis_canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:32647"))
    qgis_canvas.setExtent(QgsRectangle(CENTRE[0] - 6000, CENTRE[1] - 6000, CENTRE[0] + 6000, CENTRE[1] + 6000))
    dock = InspectorDock(qgis_iface)
    dock.set_sources(src.Sources(layer.id(), [
        src.StackSource("ndvi", "folder", os.path.dirname(files["ndvi"][0])),
        src.StackSource("soil_moisture", "pattern", os.path.join(os.path.dirname(files["sm"][0]), "sm_*.tif")),
        src.StackSource("precipitation", "layers", [l.id() for l in pr_layers])], R, 3))
    dock.activate_pick()
    wait(dock)
    yield dock, layer, qgis_canvas
    dock.shutdown()
    dock.deleteLater()

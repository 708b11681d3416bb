"""The inspector dock and its map tools, driven by simulated canvas clicks and keys (offscreen)."""
import csv

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import (QgsApplication, QgsFeatureRequest, QgsPointXY,
                       QgsProject, QgsWkbTypes)
from qgis.PyQt.QtCore import QEvent, Qt
from qgis.PyQt.QtGui import QKeyEvent
from scipy import stats as sps

import tsdata as T
from inspector_kit import CENTRE, R, click, event, wait
from insar_fusion.ui.inspector import sources as src
from insar_fusion.ui.inspector.dock import MAX_COMPARE

_wait, _event, _click = wait, event, click


def _brute_stack(paths, cx, cy):
    out = []
    for p in paths:
        ds = gdal.Open(p)
        arr = ds.ReadAsArray().astype(float)
        x0, dx, _, y0, _, dy = ds.GetGeoTransform()
        cols, rows = np.meshgrid(np.arange(ds.RasterXSize) + 0.5, np.arange(ds.RasterYSize) + 0.5)
        inside = (x0 + dx * cols - cx) ** 2 + (y0 + dy * rows - cy) ** 2 <= R ** 2
        out.append(arr[inside & np.isfinite(arr)].mean())
    return np.array(out)


def _nearest_pid(files, mp):
    return files["pid"][int(np.argmin((files["x"] - mp.x()) ** 2 + (files["y"] - mp.y()) ** 2))]


def _line(row, prefix):
    """(label, y values) of the first drawn curve of a row whose label starts with `prefix`."""
    label = next(k for k in row if k.startswith(prefix))
    return label, np.asarray(row[label][1], float)


def test_click_picks_the_nearest_point_and_charts_its_data(setup, files):
    dock, layer, canvas = setup
    x, y, mat = files["x"], files["y"], files["mat"]
    target = 7
    mp = _click(dock, canvas, x[target] + 15.0, y[target] - 10.0)
    near = int(np.argmin((x - mp.x()) ** 2 + (y - mp.y()) ** 2))
    assert near == target
    assert len(dock.analyses) == 1
    a = dock.analyses[0]
    assert a.data.point_id == files["pid"][target]
    cx, cy = x[target], y[target]
    inside = (x - cx) ** 2 + (y - cy) ** 2 <= R ** 2
    axes = dock.view.series_view.series()
    assert list(axes) == ["deformation", "rate", "ndvi", "soil_moisture", "precipitation"]
    label, mean = _line(axes["deformation"], f"#{files['pid'][target]} circle mean")
    assert np.allclose(mean, mat[inside].mean(axis=0), atol=1e-4)
    assert f"(n={inside.sum()})" in label
    _, point = _line(axes["deformation"], f"#{files['pid'][target]} point")
    assert np.allclose(point, mat[target], atol=1e-4)
    assert np.allclose(_line(axes["ndvi"], "#")[1], _brute_stack(files["ndvi"], cx, cy), rtol=1e-6)
    assert np.allclose(_line(axes["soil_moisture"], "#")[1], _brute_stack(files["sm"], cx, cy), rtol=1e-6)
    assert np.allclose(_line(axes["precipitation"], "#")[1], _brute_stack(files["pr"], cx, cy), rtol=1e-6)
    assert np.allclose(_line(axes["rate"], "#")[1], a.monthly["rate"], equal_nan=True)
    # the map shows the point and the radius circle
    assert len(dock.marks.bands) == 2
    circle = dock.marks.bands[0].asGeometry()
    assert circle.area() == pytest.approx(np.pi * R ** 2, rel=0.01)
    assert circle.centroid().asPoint().distance(QgsPointXY(cx, cy)) < 1.0


def test_correlations_and_lags_beside_the_charts(setup, files):
    dock, _, canvas = setup
    _click(dock, canvas, *CENTRE)
    a = dock.analyses[0]
    ok = np.isfinite(a.monthly["rate"]) & np.isfinite(a.monthly["ndvi"])
    r = sps.pearsonr(a.monthly["rate"][ok], a.monthly["ndvi"][ok])[0]
    assert a.correlation("rate", "ndvi").r == pytest.approx(r, abs=1e-12)
    assert r < -0.85
    dock.view.setCurrentWidget(dock.view.heat_canvas)  # the heatmaps are drawn when shown
    heat = next(ax for ax in dock.view.heat_figure.axes if ax.get_label() == "correlation")
    assert f"{r:.2f}" in [t.get_text() for t in heat.texts]
    assert a.lag("ndvi").lag_days == pytest.approx(15.0, abs=5.0)
    assert a.lag("soil_moisture").lag_days == pytest.approx(30.0, abs=5.0)
    text = dock.view.lags.toPlainText()
    assert f"NDVI: {a.lag('ndvi').lag_days:+.1f} d" in text


def test_shift_click_adds_a_series_and_escape_clears(setup, files):
    dock, _, canvas = setup
    x, y = files["x"], files["y"]
    first = _nearest_pid(files, _click(dock, canvas, x[3], y[3]))
    second = _nearest_pid(files, _click(dock, canvas, x[70], y[70], Qt.KeyboardModifier.ShiftModifier))
    assert first != second
    assert [a.data.point_id for a in dock.analyses] == [first, second]
    means = [k for k in dock.view.series_view.series()["deformation"] if "circle mean" in k]
    assert len(means) == 2 and len(dock.marks.bands) == 4
    third = _nearest_pid(files, _click(dock, canvas, x[80], y[80]))  # a plain click starts over
    assert [a.data.point_id for a in dock.analyses] == [third]
    picked = [_nearest_pid(files, _click(dock, canvas, x[k], y[k], Qt.KeyboardModifier.ShiftModifier))
              for k in range(90, 90 + MAX_COMPARE + 2)]
    assert len(dock.analyses) == MAX_COMPARE
    assert dock.analyses[-1].data.point_id == picked[-1]
    dock.pick_tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier))
    assert dock.analyses == [] and dock.marks.bands == []
    assert dock.view.series_rows() == []
    assert "Cleared" in dock.status.text() and str(third) not in dock.status.text()


def test_charts_share_their_date_axis(setup, files):
    dock, _, canvas = setup
    _click(dock, canvas, *CENTRE)
    plots = dock.view.series_view.plots
    plots["precipitation"].setXRange(1.55e9, 1.56e9, padding=0)
    for plot in plots.values():
        lo, hi = plot.getViewBox().viewRange()[0]
        assert (lo, hi) == pytest.approx((1.55e9, 1.56e9))


def test_export_png_svg_and_csv(setup, files, tmp_path):
    dock, _, canvas = setup
    pid = _nearest_pid(files, _click(dock, canvas, files["x"][2], files["y"][2]))
    png = dock.export("png", str(tmp_path / "c.png"))
    svg = dock.export("svg", str(tmp_path / "c.svg"))
    out = dock.export("csv", str(tmp_path / "c.csv"))
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in open(svg, encoding="utf-8").read(2000)
    with open(out) as f:
        rows = list(csv.DictReader(f))
    got = [float(r["value"]) for r in rows if r["series"] == f"point_{pid}"]
    assert np.allclose(got, files["mat"][list(files["pid"]).index(pid)], rtol=1e-5)


def test_memory_layer_is_indexed_feature_by_feature_with_the_same_answer(setup, files):
    dock, layer, canvas = setup
    memory = layer.materialize(QgsFeatureRequest())
    QgsProject.instance().addMapLayer(memory)
    s = dock.sources
    dock.set_sources(src.Sources(memory.id(), s.stacks[:1], R, 3))
    pid = _nearest_pid(files, _click(dock, canvas, files["x"][9], files["y"][9]))
    assert dock.store_layer_id == memory.id()
    assert dock.analyses[0].data.point_id == pid
    assert np.allclose(dock.analyses[0].data.point, files["mat"][list(files["pid"]).index(pid)], atol=1e-4)


def test_a_radius_edit_keeps_the_open_stacks_and_a_stack_change_drops_them(setup, files):
    dock, _, canvas = setup
    _click(dock, canvas, *CENTRE)
    readers = dock.readers
    assert readers is not None and len(readers) == 3
    dock.sources_box.radius.setValue(R / 2)  # as if typed: `edited` is emitted
    dock.sources_box.smoothing.setValue(5)
    assert dock.sources.radius == R / 2 and dock.sources.smoothing == 5
    assert dock.readers is readers
    _click(dock, canvas, *CENTRE)
    assert dock.readers is readers
    assert dock.analyses[0].data.radius == R / 2
    dock.sources_box.remove_stack()  # nothing selected: the last stack goes
    assert dock.readers is None
    _click(dock, canvas, *CENTRE)
    assert [r.label for r in dock.readers] == ["ndvi", "soil_moisture"]
    assert [s.label for s in dock.analyses[0].data.stacks] == ["ndvi", "soil_moisture"]


def test_sources_persist_through_project_write_and_read(setup, files, tmp_path):
    dock, layer, canvas = setup
    before = dock.sources.to_json()
    layer_id = layer.id()
    project = QgsProject.instance()
    path = str(tmp_path / "p.qgz")
    assert project.write(path)
    project.clear()
    assert dock.sources.insar_layer_id == "" and dock.sources.stacks == []
    assert project.read(path)
    assert dock.sources.to_json() == before
    assert dock.sources.insar_layer_id == layer_id
    assert dock.insar_layer().source() == files["insar"]
    assert [s.kind for s in dock.sources.stacks] == ["folder", "pattern", "layers"]
    assert dock.sources_box.stack_table.rowCount() == 3 and dock.sources_box.radius.value() == R
    pid = _nearest_pid(files, _click(dock, canvas, *CENTRE))  # the restored inspector works
    assert [a.data.point_id for a in dock.analyses] == [pid]
    assert [s.label for s in dock.analyses[0].data.stacks] == ["ndvi", "soil_moisture", "precipitation"]


def _draw(canvas, tool, points, button_last=Qt.MouseButton.RightButton):
    for x, y in points:
        tool.canvasReleaseEvent(_event(canvas, x, y))


@pytest.fixture
def algorithms(qgis_processing):
    prov, added = T.ensure_provider()
    yield prov
    if added:
        QgsApplication.processingRegistry().removeProvider(prov)


def test_draw_study_area_adds_the_clicked_polygon_as_a_temporary_layer(setup, files, tmp_path, algorithms):
    dock, _, canvas = setup
    project = QgsProject.instance()
    project.setFileName(str(tmp_path / "study.qgz"))
    dock.activate_study_area()
    tool = dock.study_tool
    assert canvas.mapTool() is tool
    pts = [(401000.0, 4311000.0), (409000.0, 4311500.0), (999.0, 999.0), (408000.0, 4319000.0),
           (402000.0, 4318000.0)]
    events = [_event(canvas, *p) for p in pts]
    for e in events[:3]:
        tool.canvasReleaseEvent(e)
    tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier))  # drop the stray one
    for e in events[3:]:
        tool.canvasReleaseEvent(e)
    saved = []
    dock.study_area_saved.connect(saved.append)
    tool.canvasReleaseEvent(_event(canvas, 0, 0, Qt.MouseButton.RightButton))
    assert len(saved) == 1
    layer = saved[0]
    assert project.mapLayer(layer.id()) is layer
    assert layer.providerType() == "memory"  # nothing written beside the project unasked
    assert not list(tmp_path.glob("*.gpkg"))
    feats = list(layer.getFeatures())
    assert len(feats) == 1 and feats[0].geometry().type() == QgsWkbTypes.GeometryType.PolygonGeometry
    assert layer.fields().names() == ["name"] and feats[0]["name"] == layer.name() == "Study area 1"
    ring = feats[0].geometry().asPolygon()[0]
    expected = [events[i].mapPoint() for i in (0, 1, 3, 4)]
    assert len(ring) == 5 and ring[0] == ring[-1]
    for got, want in zip(ring[:4], expected):
        assert got.distance(want) < 1e-6
    # the saved layer is a STUDY_AREA for insarfusion:screen: it keeps exactly the points inside
    import iftest
    from qgis.core import QgsGeometry
    from insar_fusion.core.vector_io import read_points

    out = str(tmp_path / "screened.gpkg")
    iftest.run_alg("screen", {"INPUT": files["insar"], "THRESHOLD": 0.0, "STUDY_AREA": layer.id(),
                              "OUTPUT": out})
    polygon = feats[0].geometry()
    inside = [files["pid"][k] for k in range(len(files["x"]))
              if polygon.contains(QgsGeometry.fromPointXY(QgsPointXY(files["x"][k], files["y"][k])))]
    kept = read_points(out, columns=["pid"]).columns["pid"]
    assert 0 < len(inside) < len(files["x"])
    assert sorted(kept.tolist()) == sorted(inside)
    # Esc aborts: no second layer
    for e in events[:2]:
        tool.canvasReleaseEvent(e)
    tool.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier))
    tool.canvasReleaseEvent(_event(canvas, 0, 0, Qt.MouseButton.RightButton))
    assert len(saved) == 1 and tool.vertices == []


def test_closing_the_dock_cancels_its_tasks(setup, files):
    dock, layer, canvas = setup
    dock.store = None
    dock.store_layer_id = None
    dock.pick(QgsPointXY(*CENTRE))
    task = dock.index_task
    assert task is not None and dock.busy()
    dock.close()
    assert task.done is None  # whatever the thread does now, the dock no longer hears of it
    assert task.isCanceled() or task.status() in (task.Complete, task.Terminated)
    assert not dock.busy() and dock.index_task is None and dock.store is None
    QgsApplication.taskManager().cancelAll()

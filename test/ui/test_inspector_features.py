"""The inspector's features of issue 17, each driven through the dock and checked against the
layer's own numbers (brute force over the planted matrix) or a closed form."""
import csv
import datetime as dt

import numpy as np
import pytest
from matplotlib.path import Path
from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QAbstractScrollArea

from inspector_kit import CENTRE, R, click, event, wait
from insar_fusion.core.timeseries import fits
from insar_fusion.ui.inspector import sources as src
from insar_fusion.ui.inspector.dock import MAX_COMPARE
from insar_fusion.ui.inspector.views import seconds


def _circle_rows(files, row, radius=R):
    x, y = files["x"], files["y"]
    return (x - x[row]) ** 2 + (y - y[row]) ** 2 <= radius ** 2


def _nearest(files, x, y):
    return int(np.argmin((files["x"] - x) ** 2 + (files["y"] - y) ** 2))


def _mean(files, mask):
    return files["mat"][mask].mean(axis=0)


def test_reference_point_makes_every_series_relative_and_is_kept_in_the_project(setup, files, tmp_path):
    dock, _, canvas = setup
    x, y = files["x"], files["y"]
    site, ref = 5, 75  # one inside the planted circle, one outside it
    click(dock, canvas, x[site] + 3, y[site])
    dock.activate_pick("reference")
    dock.pick_tool.canvasReleaseEvent(event(canvas, x[ref] + 3, y[ref]))
    wait(dock)
    want = _mean(files, _circle_rows(files, site)) - _mean(files, _circle_rows(files, ref))
    got = dock.analyses[0].data.circle.mean
    assert np.allclose(got, want, atol=1e-4)
    assert np.allclose(dock.analyses[0].data.point, files["mat"][site] - _mean(files, _circle_rows(files, ref)),
                       atol=1e-4)
    assert "reference point" in dock.view.series_view.header.text()
    assert len(dock.marks.reference_bands) == 1
    # kept in the project
    path = str(tmp_path / "ref.qgz")
    assert QgsProject.instance().write(path)
    QgsProject.instance().clear()
    assert dock.reference is None
    assert QgsProject.instance().read(path)
    assert dock.reference is not None and dock.reference.kind == "point"
    # one click resets it
    click(dock, canvas, x[site] + 3, y[site])
    dock.set_reference(None)
    assert np.allclose(dock.analyses[0].data.circle.mean, _mean(files, _circle_rows(files, site)), atol=1e-4)
    assert dock.marks.reference_bands == []


def _draw_polygon(dock, canvas, ring, shift=False):
    tool = dock.polygon_tool
    for px, py in ring:
        tool.canvasReleaseEvent(event(canvas, px, py))
    mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    tool.canvasReleaseEvent(event(canvas, 0, 0, Qt.MouseButton.RightButton, mods))
    wait(dock)


def test_polygon_selection_shows_the_mean_and_std_of_its_points_and_their_count(setup, files):
    dock, _, canvas = setup
    ring = [(CENTRE[0] - 1500, CENTRE[1] - 1200), (CENTRE[0] + 1400, CENTRE[1] - 1500),
            (CENTRE[0] + 1200, CENTRE[1] + 1300), (CENTRE[0] - 1300, CENTRE[1] + 900)]
    dock.draw_polygon("site")
    _draw_polygon(dock, canvas, ring)
    # the ring as the canvas saw it (pixel-rounded), then brute force over every point
    pts = [event(canvas, *p).mapPoint() for p in ring]
    inside = Path([(p.x(), p.y()) for p in pts]).contains_points(np.column_stack([files["x"], files["y"]]))
    a = dock.analyses[0]
    assert a.data.circle.n_points == inside.sum() > 10
    assert np.allclose(a.data.circle.mean, _mean(files, inside), atol=1e-4)
    assert np.allclose(a.data.circle.spread, files["mat"][inside].std(axis=0, ddof=1), atol=1e-4)
    assert "polygon" in a.site and len(dock.marks.bands) == 1
    assert len(a.data.stacks) == 3 and np.isfinite(a.data.stacks[0].values).all()
    click(dock, canvas, files["x"][3], files["y"][3], Qt.KeyboardModifier.ShiftModifier)  # and compare
    assert len(dock.analyses) == 2 and dock.shapes[0].kind == "polygon"


def test_model_fit_shows_parameters_residuals_and_is_exported(setup, files, tmp_path):
    dock, _, canvas = setup
    click(dock, canvas, *CENTRE)
    dock.model_combo.setCurrentIndex(dock.model_combo.findData("linear"))
    a = dock.analyses[0]
    t = fits.years_since(a.data.circle.dates, a.data.circle.dates[0])
    slope, intercept = np.polyfit(t, a.data.circle.mean, 1)
    rows = dock.view.series_view.series()
    assert "residuals" in rows
    (label, (_, fitted)), = [(k, v) for k, v in rows["deformation"].items() if "linear fit" in k]
    assert np.allclose(fitted, intercept + slope * t, atol=1e-6)
    (_, (_, resid)), = rows["residuals"].items()
    assert np.allclose(resid, a.data.circle.mean - fitted, atol=1e-6)
    text = dock.view.lags.toPlainText()
    assert f"b = {slope:.4g}" in text and "R² =" in text and "RMSE" in text
    out = dock.export("csv", str(tmp_path / "fit.csv"))
    with open(out) as f:
        got = [float(r["value"]) for r in csv.DictReader(f) if r["series"] == "fit_linear"]
    assert np.allclose(got, intercept + slope * t, rtol=1e-5)
    for model in fits.MODELS:  # every model can be chosen and drawn
        dock.model_combo.setCurrentIndex(dock.model_combo.findData(model))
        assert any("fit" in k for k in dock.view.series_view.series()["deformation"])


def test_ambiguity_replicas_and_uncertainty(setup, files):
    dock, _, canvas = setup
    click(dock, canvas, files["x"][4], files["y"][4])
    dock.replicas.setChecked(True)
    mean = dock.analyses[0].data.circle.mean
    replicas = [v for k, v in dock.view.series_view.series()["deformation"].items() if "replica" in k]
    half = 55.465763 / 2
    assert len(replicas) == 2
    assert sorted(float(np.nanmean(v[1] - mean)) for v in replicas) == pytest.approx([-half, half])
    # the picked point carries its rmse (1.5 mm) as error bars, and the circle its ±1 std band
    assert dock.analyses[0].data.point_sigma == pytest.approx(1.5)
    pool = dock.view.series_view.pool["deformation"]
    assert any(b.isVisible() for b in pool["bars"]) and any(b[2].isVisible() for b in pool["band"])
    dock.uncertainty.setChecked(False)
    assert not any(b.isVisible() for b in pool["bars"]) and not any(b[2].isVisible() for b in pool["band"])


def test_gnss_station_is_projected_overlaid_and_compared(setup, files, tmp_path):
    dock, _, canvas = setup
    click(dock, canvas, *CENTRE)
    a = dock.analyses[0]
    dates = a.data.circle.dates
    days = np.array([(d - dates[0]).days for d in dates], float)
    every = np.arange(days[0], days[-1] + 1)
    up = np.interp(every, days, a.data.circle.mean) - 40.0  # the same motion, another datum
    path = tmp_path / "STA.csv"
    with open(path, "w") as f:
        f.write("date,east,north,up\n")
        for d, u in zip(every, up):
            f.write(f"{(dates[0] + dt.timedelta(days=int(d))).isoformat()},0,0,{u:.4f}\n")
    dock.load_gnss(str(path))
    (label, (_, g)), = [(k, v) for k, v in dock.view.series_view.series()["deformation"].items() if "GNSS" in k]
    assert "vertical" in label  # the test layer has no LOS fields: the up component is used
    assert np.allclose(g, a.data.circle.mean, atol=1e-3)  # the 40 mm offset is removed
    assert "RMS difference 0.00 mm" in dock.view.lags.toPlainText()


def test_saved_selections_are_listed_kept_and_exported_as_one_long_csv(setup, files, tmp_path):
    dock, _, canvas = setup
    x, y = files["x"], files["y"]
    click(dock, canvas, x[2], y[2])
    click(dock, canvas, x[70], y[70], Qt.KeyboardModifier.ShiftModifier)
    farm = [a.data.point_id for a in dock.analyses]
    tab = dock.selections_tab
    tab.save_current("farm")
    click(dock, canvas, x[90], y[90])
    town = [a.data.point_id for a in dock.analyses]
    tab.save_current("town")
    assert tab.list.count() == 2
    path = str(tmp_path / "sel.qgz")
    assert QgsProject.instance().write(path)
    QgsProject.instance().clear()
    assert tab.list.count() == 0
    assert QgsProject.instance().read(path)
    assert [s.name for s in tab.selections] == ["farm", "town"]
    click(dock, canvas, x[5], y[5])  # index the restored layer
    out = tab.export("csv", str(tmp_path / "all.csv"))
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["selection", "point", "date", "value", "variable", "unit"]
    assert {r["selection"] for r in rows} == {"farm", "town"}
    pid = farm[1]
    got = [float(r["value"]) for r in rows if r["selection"] == "farm" and r["variable"] == f"point_{pid}"]
    assert np.allclose(got, files["mat"][list(files["pid"]).index(pid)], rtol=1e-5)
    png = tab.export("png", str(tmp_path / "farm.png"), tab.selections[:1])
    assert open(png, "rb").read(4) == b"\x89PNG"
    tab.list.setCurrentRow(1)
    tab.show_selected()
    assert [a.data.point_id for a in dock.analyses] == town


def test_a_click_far_from_every_point_picks_nothing(setup, files):
    dock, _, canvas = setup
    click(dock, canvas, CENTRE[0] + 5800, CENTRE[1] + 5800)  # the canvas corner: no point near
    assert dock.analyses == []
    assert "No InSAR point near the click" in dock.status.text()


def test_the_source_list_offers_only_layers_with_dates_and_a_dateless_layer_clears(setup, files):
    dock, _, canvas = setup
    click(dock, canvas, *CENTRE)
    plain = QgsVectorLayer("Point?crs=EPSG:32647&field=name:string", "no dates", "memory")
    QgsProject.instance().addMapLayer(plain)
    dock.sources_box.refresh_layers()
    assert plain in dock.sources_box.layer_combo.exceptedLayerList()
    dock.set_sources(src.Sources(plain.id(), [], R, 3))
    assert dock.analyses == [] and dock.view.series_rows() == []


def test_the_dock_never_asks_for_more_height_than_a_small_screen_has(setup, files):
    dock, _, canvas = setup
    for k in range(MAX_COMPARE):
        click(dock, canvas, files["x"][k], files["y"][k], Qt.KeyboardModifier.ShiftModifier)
    assert len(dock.analyses) == MAX_COMPARE
    dock.sources_box.setCollapsed(False)
    assert dock.minimumSizeHint().height() <= 420  # a 768 px screen, less QGIS's bars
    assert isinstance(dock.view.lags, QAbstractScrollArea)
    assert dock.sources_box.maximumHeight() <= 360
    # and it fits a narrow dock: every row of controls is narrower than 430 px
    assert dock.widget().widget().minimumSizeHint().width() <= 430


def test_the_map_can_show_the_rates_relative_to_the_reference_without_touching_the_layer(setup, files):
    from qgis.core import QgsExpression, QgsExpressionContext, QgsExpressionContextUtils
    from insar_fusion.processing.styles import rate_style

    dock, layer, canvas = setup
    rate_style("velocity")(layer)
    before = [f["velocity"] for f in layer.getFeatures()]
    click(dock, canvas, *CENTRE)
    assert not dock.map_referenced(True)  # no reference yet: nothing to map relative to
    dock.activate_pick("reference")
    dock.pick_tool.canvasReleaseEvent(event(canvas, files["x"][75] + 3, files["y"][75]))
    wait(dock)
    dock.map_action.setChecked(True)
    expression = layer.renderer().classAttribute()
    assert dock.map_action.isChecked() and expression.startswith('"velocity" - (')
    ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    feat = next(layer.getFeatures())
    ctx.setFeature(feat)
    # velocity is -30 everywhere in the test layer: relative to the reference it is 0
    assert QgsExpression(expression).evaluate(ctx) == pytest.approx(0.0, abs=1e-9)
    assert [f["velocity"] for f in layer.getFeatures()] == before  # the data are untouched
    dock.map_action.setChecked(False)
    assert layer.renderer().classAttribute() == "velocity"


def test_a_circle_of_one_point_keeps_the_date_axis_on_its_dates(setup, files):
    """One point in the circle has no spread: its empty ±1 std band stretched the axis to 1970."""
    dock, layer, canvas = setup
    dock.set_sources(src.Sources(layer.id(), [], 1.0, 3))  # a 1 m circle: the point itself
    wait(dock)
    click(dock, canvas, files["x"][7], files["y"][7])
    assert [a.data.circle.n_points for a in dock.analyses] == [1]
    first, last = seconds([files["dates"][0], files["dates"][-1]])
    lo, hi = dock.view.series_view.plots["deformation"].getViewBox().viewRange()[0]
    span = last - first
    assert first - 0.1 * span < lo <= first and last <= hi < last + 0.1 * span, (lo, hi, first, last)
    assert "shaded" not in dock.view.series_view.header.text()  # no band drawn, none in the key

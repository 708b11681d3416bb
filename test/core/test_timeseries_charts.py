"""The charts show the analysis' own numbers; tables and the report carry every site."""
import csv
import datetime as dt

import numpy as np
import pytest
from matplotlib import dates as mdates
from osgeo import ogr
from scipy import stats as sps

import tsdata as T
from insar_fusion.core.timeseries import charts, tables
from insar_fusion.core.timeseries.report import write_report
from insar_fusion.core.timeseries.site import SiteData, analyse
from insar_fusion.core.timeseries.stacks import StackReader
from insar_fusion.core.timeseries.store import PointStore

CENTRE = (405000.0, 4315000.0)


@pytest.fixture(scope="module")
def analyses(tmp_path_factory):
    folder = tmp_path_factory.mktemp("charts")
    x, y, pid, dates, mat = T.insar_points(CENTRE, 2000.0)
    store = PointStore(x, y, pid, dates, mat, T.CRS)
    ndvi = StackReader("ndvi", T.write_stack(str(folder / "n"), "ndvi", T.ndvi_of))
    sm = StackReader("soil_moisture", T.write_stack(str(folder / "s"), "sm", T.sm_of))
    out = []
    for k, (cx, cy) in enumerate([CENTRE, (CENTRE[0] + 300, CENTRE[1])]):
        row, _ = store.nearest(cx, cy)
        data = SiteData(f"S{k}", cx, cy, 2000.0, store.circle(cx, cy, 2000.0),
                        (ndvi.circle_means(cx, cy, 2000.0), sm.circle_means(cx, cy, 2000.0)),
                        int(store.ids[row]), store.point_series(row))
        out.append(analyse(data, 3))
    return out


def _axes(fig):
    return {ax.get_label(): ax for ax in fig.axes if ax.get_label()}


def _line(ax, label):
    return next(l for l in ax.get_lines() if l.get_label() == label)


def test_panel_rows_share_one_date_axis_and_plot_the_analysis_values(analyses):
    fig = charts.timeseries_panel(analyses)
    axes = _axes(fig)
    assert list(axes) == ["deformation", "rate", "ndvi", "soil_moisture"]
    a = analyses[0]
    mean = _line(axes["deformation"], f"S0 circle mean (n={a.data.circle.n_points})")
    assert np.allclose(mean.get_ydata(), a.data.circle.mean, equal_nan=True)
    assert [mdates.num2date(v).date() for v in mdates.date2num(mean.get_xdata())] == \
        list(a.data.circle.dates)
    point = _line(axes["deformation"], f"S0 point {a.data.point_id}")
    assert np.allclose(point.get_ydata(), a.data.point, equal_nan=True)
    assert np.allclose(_line(axes["rate"], "S0 rate").get_ydata(), a.monthly["rate"], equal_nan=True)
    assert np.allclose(_line(axes["ndvi"], "S1 NDVI").get_ydata(), analyses[1].data.stacks[0].values)
    axes["ndvi"].set_xlim(mdates.date2num(dt.date(2019, 6, 1)), mdates.date2num(dt.date(2019, 9, 1)))
    assert axes["deformation"].get_xlim() == axes["ndvi"].get_xlim()  # zooming one moves all


def test_heatmap_annotations_are_the_pearson_r_of_the_monthly_series(analyses):
    a = analyses[0]
    ax = _axes(charts.correlation_heatmap(a))["correlation"]
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    names = list(a.variables)
    i, j = names.index("rate"), names.index("soil_moisture")
    ok = np.isfinite(a.monthly["rate"]) & np.isfinite(a.monthly["soil_moisture"])
    r = sps.pearsonr(a.monthly["rate"][ok], a.monthly["soil_moisture"][ok])[0]
    assert texts[(i, j)] == texts[(j, i)] == f"{r:.2f}"
    assert texts[(0, 0)] == "1.00"


def test_scatter_fit_lines_are_the_least_squares_lines(analyses):
    a = analyses[0]
    ax = _axes(charts.rate_scatters(a))["ndvi"]
    x, rate = a.monthly["ndvi"], a.monthly["rate"]
    ok = np.isfinite(x) & np.isfinite(rate)
    fit = sps.linregress(x[ok], rate[ok])
    line = ax.get_lines()[0]
    xs, ys = line.get_xdata(), line.get_ydata()
    assert np.allclose(ys, fit.slope * xs + fit.intercept)
    assert np.allclose(np.sort(ax.collections[0].get_offsets()[:, 1]), np.sort(rate[ok]))


def test_lag_text_and_export_figure_name_every_stack(analyses):
    a = analyses[0]
    text = charts.lag_text(a)
    assert a.lag("ndvi").lag_days == pytest.approx(15.0, abs=5.0)  # planted
    assert f"NDVI: {a.lag('ndvi').lag_days:+.1f} d" in text
    assert f"Soil moisture: {a.lag('soil_moisture').lag_days:+.1f} d" in text
    fig = charts.inspector_figure(analyses)
    assert {"deformation", "rate", "ndvi", "soil_moisture", "correlation"} <= set(_axes(fig))


def test_tables_hold_every_finite_value_pair_and_lag(analyses, tmp_path):
    rows = tables.series_rows(analyses)
    a = analyses[0]
    got = {r[1]: r[3] for r in rows if r[0] == "S0" and r[2] == "rate"}
    assert [got[d] for d in a.base if d in got] == pytest.approx(
        [v for v in a.monthly["rate"] if np.isfinite(v)])
    path = tables.write_rows(str(tmp_path / "series.gpkg"), tables.SERIES_FIELDS, rows)
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    assert lyr.GetFeatureCount() == len(rows)
    assert lyr.GetGeomType() == ogr.wkbNone
    f = lyr.GetNextFeature()
    assert f.GetFieldType("date") == ogr.OFTDate and f.GetField("site") == "S0"
    corr = tables.correlation_rows(analyses)
    assert len(corr) == 2 * 6  # 4 variables: 6 pairs per site
    lags = tables.lag_rows(analyses)
    assert [(r[0], r[1]) for r in lags] == [("S0", "ndvi"), ("S0", "soil_moisture"),
                                           ("S1", "ndvi"), ("S1", "soil_moisture")]
    csv_path = tables.write_rows(str(tmp_path / "lags.csv"), tables.LAG_FIELDS, lags)
    with open(csv_path) as f:
        back = list(csv.DictReader(f))
    assert float(back[0]["lag_days"]) == pytest.approx(lags[0][3])


def test_series_csv_holds_the_point_circle_and_stack_values(analyses, tmp_path):
    path = tables.series_csv(str(tmp_path / "x.csv"), analyses)
    with open(path) as f:
        rows = list(csv.DictReader(f))
    a = analyses[1]
    point = [float(r["value"]) for r in rows if r["site"] == "S1" and r["series"] == f"point_{a.data.point_id}"]
    assert np.allclose(point, a.data.point[np.isfinite(a.data.point)], rtol=1e-5)
    ndvi = [float(r["value"]) for r in rows if r["site"] == "S1" and r["series"] == "ndvi"]
    assert np.allclose(ndvi, a.data.stacks[0].values, rtol=1e-5)


def test_report_has_a_section_with_three_charts_per_site(analyses, tmp_path):
    path = write_report(str(tmp_path / "r.html"), analyses)
    text = open(path, encoding="utf-8").read()
    assert text.count("<h2>Site ") == 2
    assert text.count("<img") == 6
    assert "positive = the variable comes after the rate" in text


def test_redrawing_on_the_same_figure_shows_only_the_new_data(analyses):
    from matplotlib.figure import Figure

    fig = Figure()
    charts.timeseries_panel(analyses, fig=fig)
    one = analyses[1]
    charts.timeseries_panel([one], fig=fig)
    axes = _axes(fig)
    assert list(axes) == ["deformation", "rate", "ndvi", "soil_moisture"]
    means = [l for l in axes["deformation"].get_lines() if "circle mean" in l.get_label()]
    assert len(means) == 1 and np.allclose(means[0].get_ydata(), one.data.circle.mean)
    lo, hi = axes["deformation"].get_ylim()
    band_lo = np.nanmin(one.data.circle.mean - one.data.circle.spread)
    assert lo <= band_lo and hi >= np.nanmax(one.data.circle.mean + one.data.circle.spread)
    assert [l.get_label() for l in axes["rate"].get_lines()] == ["S1 rate", "_zero"]
    heat = charts.correlation_heatmap(analyses[0], fig=Figure())
    charts.correlation_heatmap(one, fig=heat)
    ax = _axes(heat)["correlation"]
    assert len(ax.texts) == len(one.variables) ** 2 and ax.get_title().endswith("S1")
    r = one.correlation("rate", "ndvi").r
    i, j = one.variables.index("rate"), one.variables.index("ndvi")
    assert ax.images[0].get_array()[i, j] == pytest.approx(r)

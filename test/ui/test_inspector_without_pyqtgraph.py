"""A QGIS without PyQtGraph still has the inspector: the series are drawn with matplotlib."""
import numpy as np

from inspector_kit import CENTRE, click


def test_the_matplotlib_series_view_shows_the_same_curves(setup, files, monkeypatch):
    from insar_fusion.ui.inspector import views

    dock, _, canvas = setup
    click(dock, canvas, *CENTRE)
    drawn = dock.view.series_view.series()
    fallback = views.MatplotlibSeriesView()
    fallback.show(dock.analyses)
    got = fallback.series()
    assert list(got) == list(drawn)
    for row in drawn:
        for label, (x, y) in drawn[row].items():
            assert np.allclose(got[row][label][1], y, equal_nan=True)
    assert [ax.get_label() for ax in fallback.figure.axes if ax.get_label()] == list(drawn)
    monkeypatch.setattr(views, "pg", None)
    assert isinstance(views.ChartsView().series_view, views.MatplotlibSeriesView)

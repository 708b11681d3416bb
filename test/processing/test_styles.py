"""processing.styles.graduated: classes from the layer's values, read once per output."""
import numpy as np
import pytest
from qgis.core import QgsVectorLayer

from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import write_points
from insar_fusion.processing import styles


def _layer(tmp_path, name, values):
    n = len(values)
    path = str(tmp_path / f"{name}.gpkg")
    write_points(path, PointTable(np.arange(n) * 10.0, np.arange(n) * 5.0,
                                  {"other": np.ones(n), "velocity": np.asarray(values, float)},
                                  "EPSG:32633"))
    layer = QgsVectorLayer(path, name, "ogr")
    assert layer.isValid()
    return layer


def _ranges(layer):
    return [(r.lowerValue(), r.upperValue(), r.label()) for r in layer.renderer().ranges()]


@pytest.mark.parametrize("kwargs", [dict(ramp="RdBu", classes=9, diverging=True),
                                    dict(ramp="Viridis", classes=7),
                                    dict(ramp="Viridis", classes=5, limits=(0.0, 1.0))])
def test_classes_read_from_the_layer_equal_those_from_the_values(qgis_app, tmp_path, kwargs):
    rng = np.random.default_rng(3)
    values = rng.normal(0.0, 12.0, 200)
    values[[5, 17]] = np.nan  # NULL in the file: left out
    layer = _layer(tmp_path, "a", values)
    styles.graduated("velocity", **kwargs)(layer)
    read = _ranges(layer)
    styles.graduated("velocity", values=values, **kwargs)(layer)
    assert read == _ranges(layer)
    assert read[0][0] <= np.nanmin(values) and read[-1][1] >= np.nanmax(values)


def test_the_second_apply_to_the_same_output_does_not_read_it_again(qgis_app, tmp_path, monkeypatch):
    calls = []
    real = styles._values
    monkeypatch.setattr(styles, "_values", lambda layer, field: calls.append(layer.source()) or
                        real(layer, field))
    first = _layer(tmp_path, "first", np.linspace(-30, 30, 50))
    style = styles.rate_style("velocity")
    style(first)
    expected = _ranges(first)
    again = QgsVectorLayer(first.source(), "loaded", "ogr")  # as QGIS loads the output
    style(again)
    assert _ranges(again) == expected and len(calls) == 1
    other = _layer(tmp_path, "other", np.linspace(-3, 3, 50))
    style(other)  # other data: read, other classes
    assert len(calls) == 2 and _ranges(other) != expected
    fresh = _layer(tmp_path, "fresh", np.linspace(-3, 3, 50))
    styles.rate_style("velocity")(fresh)
    assert _ranges(other) == _ranges(fresh)

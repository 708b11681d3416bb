"""Algorithms take their defaults from the settings dialog's thresholds (QgsSettings)."""
import pytest

from insar_fusion import settings

BACKED = [("screen", "THRESHOLD", "significant_rate", 12.5),
          ("gwr", "BANDWIDTH", "gwr_bandwidth", 750.0),
          ("sitetimeseries", "RADIUS", "site_radius", 1500.0),
          ("predictcoherence", "NDVI_LIMIT", "ndvi_limit", 0.35),
          ("masklowcoherence", "NDVI_LIMIT", "ndvi_limit", 0.35),
          ("study", "RATE_THRESHOLD", "significant_rate", 12.5),
          ("study", "BANDWIDTH", "gwr_bandwidth", 750.0),
          ("study", "RADIUS", "site_radius", 1500.0)]


@pytest.mark.parametrize("alg_id,param,key,new", BACKED)
def test_parameter_default_follows_the_setting_after_a_refresh(provider, alg_id, param, key, new):
    settings.reset()
    try:
        alg = provider.algorithm(alg_id)
        assert alg is not None, alg_id
        assert alg.parameterDefinition(param).defaultValue() == pytest.approx(settings.DEFAULTS[key])
        settings.set_value(key, new)
        provider.refreshAlgorithms()
        alg = provider.algorithm(alg_id)
        assert alg.parameterDefinition(param).defaultValue() == pytest.approx(new)
    finally:
        settings.reset()
        provider.refreshAlgorithms()


@pytest.mark.parametrize("alg_id,param,key,new", BACKED)
def test_help_text_names_the_current_setting(provider, alg_id, param, key, new):
    settings.reset()
    try:
        settings.set_value(key, new)
        provider.refreshAlgorithms()
        text = provider.algorithm(alg_id).shortHelpString()
        assert f"now {new:g}" in text and "{setting:" not in text
    finally:
        settings.reset()
        provider.refreshAlgorithms()


def test_gwr_dependent_variable_prefers_velocity(provider):
    assert provider.algorithm("gwr").parameterDefinition("DEPENDENT").defaultValue() == "velocity"


def test_rate_legend_classes_are_round_and_carry_units(qgis_app):
    import numpy as np
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    from insar_fusion.processing.styles import rate_style

    layer = QgsVectorLayer("Point?crs=EPSG:32647&field=velocity:double", "rates", "memory")
    feats = []
    for k, v in enumerate(np.linspace(-7.83, 5.2, 60)):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(k, k)))
        f.setAttribute("velocity", float(v))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    rate_style("velocity")(layer)
    ranges = layer.renderer().ranges()
    labels = [r.label() for r in ranges]
    assert all(label.endswith(" mm/yr") for label in labels)
    inner = [r.upperValue() for r in ranges[:-1]]  # the outer edges stretch to the data's extremes
    assert all(float(v) == round(float(v)) for v in inner), inner  # step 2 mm/yr: −7 … 7
    assert labels[0].startswith("−9 to −7")

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

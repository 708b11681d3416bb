"""Default thresholds. QGIS settings override them; see settings.py at the plugin root."""

DEFAULTS = {
    "significant_rate": 10.0,   # mm/yr, Heihe paper section 3.3
    "gwr_bandwidth": 500.0,     # m, fixed bisquare
    "site_radius": 2000.0,      # m, circle around a time-series site
    "ndvi_limit": 0.4,          # NDVI above which DInSAR is unreliable (Ningxia paper)
    "radar_wavelength": 55.465763,  # mm, Sentinel-1 C band (5.405 GHz): ambiguity replicas at ±λ/2
}

"""Time series at a site: circle means, a common monthly base, correlations, lags and charts."""

"""QGIS Processing front end: the provider and one thin algorithm per analysis step."""

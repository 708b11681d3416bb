"""The `make demo` pipeline: runner, steps, results GeoPackage, QGIS project, report."""

"""The whole study's own pieces that need no QGIS: its record, summaries and the HTML report."""

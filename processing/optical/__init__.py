"""Optical indices: NDVI, composites, seasonal and interannual change, summaries per region."""

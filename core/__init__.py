"""The science of InSAR Fusion: numpy, scipy, statsmodels and GDAL only.

Nothing in this package imports qgis or Qt, so every formula can be tested on
plain arrays without a QGIS installation.
"""

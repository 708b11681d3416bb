"""InSAR Fusion: fuse InSAR ground deformation with NDVI, soil moisture and precipitation in QGIS."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """Return the plugin; QGIS calls this when it loads the plugin."""
    from .plugin import InsarFusionPlugin

    return InsarFusionPlugin(iface)

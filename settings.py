"""The plugin's thresholds, kept in QgsSettings; algorithms take their defaults from here."""
from qgis.core import QgsSettings

from .core.defaults import DEFAULTS

PREFIX = "insar_fusion/"

LABELS = {
    "significant_rate": ("Significant-rate threshold", "mm/yr",
                         "Points with |rate| at or above this are kept by 'Screen significant deformation'."),
    "gwr_bandwidth": ("GWR bandwidth", "m", "Fixed kernel bandwidth for geographically weighted regression."),
    "site_radius": ("Site radius", "m", "Radius of the circle averaged around a time-series site."),
    "ndvi_limit": ("NDVI usability limit", "",
                   "Above this NDVI, C-band InSAR decorrelates and points are flagged unreliable."),
    "radar_wavelength": ("Radar wavelength", "mm",
                         "The inspector's ambiguity replicas are drawn at ± half of it (Sentinel-1: "
                         "55.47 mm, so ± 27.7 mm; ALOS-2 L band: 229 mm; TerraSAR-X: 31 mm)."),
}


# Text settings (not numbers): the Dask scheduler, '' = run in this process.
TEXT_DEFAULTS = {"dask_scheduler": ""}
TEXT_LABELS = {
    "dask_scheduler": ("Dask scheduler",
                       "Where tile-by-tile work runs: empty = in this QGIS process (the default); "
                       "local or local:N = N worker processes on this machine (started on first use, "
                       "closed when the plugin unloads); tcp://host:port = the scheduler of a running "
                       "Dask cluster. Needs the Python package 'distributed'."),
}


def text_value(key: str) -> str:
    """The stored text of a text setting, or its default."""
    raw = QgsSettings().value(PREFIX + key, TEXT_DEFAULTS[key])
    return "" if raw is None else str(raw).strip()


def set_text(key: str, val: str) -> None:
    if key not in TEXT_DEFAULTS:
        raise KeyError(key)
    QgsSettings().setValue(PREFIX + key, str(val or "").strip())


def scheduler() -> str:
    """The Dask scheduler setting (insar_fusion/dask_scheduler): '', 'local[:N]' or an address."""
    return text_value("dask_scheduler")


def value(key: str) -> float:
    """The stored value of a setting, or its default."""
    raw = QgsSettings().value(PREFIX + key, DEFAULTS[key])
    try:
        return float(raw)
    except (TypeError, ValueError):
        return float(DEFAULTS[key])


def set_value(key: str, val: float) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    QgsSettings().setValue(PREFIX + key, float(val))


def reset() -> None:
    """Forget every stored value so the defaults apply again."""
    s = QgsSettings()
    for key in list(DEFAULTS) + list(TEXT_DEFAULTS):
        s.remove(PREFIX + key)

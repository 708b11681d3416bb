"""The study's layer styles by key (Published.style): rates, seasonal amplitude, GWR, regions, sites."""
from qgis.core import (QgsCategorizedSymbolRenderer, QgsFillSymbol, QgsHillshadeRenderer, QgsMarkerSymbol,
                       QgsPalLayerSettings, QgsRendererCategory, QgsSingleSymbolRenderer, QgsTextFormat,
                       QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtGui import QFont

from ..styles import graduated

#: colours of named regions and sites, in the order of their sorted names (ColorBrewer Dark2)
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")


def colours(names) -> dict:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(names))}


def styled_field(key: str) -> str:
    """The field a graduated style key colours by ('' for the other styles)."""
    fixed = {"rate": "velocity", "seasonal": "seasonal_amplitude", "residual": "residual",
             "local_r2": "local_r2", "samples": "coherence_mean"}
    if key in fixed:
        return fixed[key]
    if key.startswith(("coef:", "change:")):
        return key.partition(":")[2]
    return ""


def values(gpkg: str, layer: str, key: str):
    """The styled field's values, read in bulk (QGIS would read them feature by feature), or None."""
    from ...core.points import numeric
    from ...core.vector_io import read_points

    field = styled_field(key)
    if not field:
        return None
    try:
        t = read_points(gpkg, layer, [field])
    except Exception:  # noqa: BLE001 (a table without geometry: QGIS reads it itself)
        return None
    return numeric(t.columns[field], field)


def style(key: str, values=None):
    """The style function (QgsVectorLayer -> None) of a style key; `values`: the styled field's."""
    if key == "rate":
        return graduated("velocity", ramp="RdBu", classes=9, diverging=True, values=values)
    if key == "seasonal":
        return graduated("seasonal_amplitude", ramp="Viridis", classes=7, values=values)
    if key == "residual":
        return graduated("residual", ramp="RdBu", classes=7, diverging=True, values=values)
    if key == "local_r2":
        return graduated("local_r2", ramp="Viridis", classes=5, limits=(0.0, 1.0), values=values)
    if key.startswith("coef:"):
        return graduated(key[5:], ramp="RdBu", classes=9, diverging=True, values=values)
    if key.startswith("change:"):
        return graduated(key[7:], ramp="BrBG", classes=7, diverging=True, values=values)
    if key == "samples":
        return graduated("coherence_mean", ramp="Viridis", limits=(0.0, 1.0), values=values)
    if key == "reliability":
        from ..coherence.common import reliability_style
        return reliability_style("velocity")
    if key.startswith("regions"):  # "regions:<name field>"
        field = key.partition(":")[2] or "name"
        return lambda layer: regions_style(layer, field)
    if key == "outline":
        return outline_style
    if key.startswith("sites"):  # "sites:<name field>"
        field = key.partition(":")[2] or "name"
        return lambda layer: sites_style(layer, field)
    raise KeyError(f"no style '{key}'")


def _names(layer, field="name"):
    idx = layer.fields().indexOf(field)
    if idx < 0:
        return []
    return sorted({str(f.attribute(idx)) for f in layer.getFeatures()})


def regions_style(layer, field: str = "name") -> None:
    """Regions: coloured outlines, no fill, labelled by name."""
    names = _names(layer, field)
    if not names:
        outline_style(layer)
        return
    cats = []
    for name, colour in colours(names).items():
        sym = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": colour, "outline_width": "0.6"})
        cats.append(QgsRendererCategory(name, sym, name))
    layer.setRenderer(QgsCategorizedSymbolRenderer(field, cats))
    label(layer, field)


def outline_style(layer) -> None:
    sym = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "#333333", "outline_width": "0.5",
                                      "outline_style": "dash"})
    layer.setRenderer(QgsSingleSymbolRenderer(sym))


def sites_style(layer, field: str = "name") -> None:
    """Time-series sites: a star in the colour of their region (or site) name."""
    names = _names(layer, field)
    if not names:
        layer.setRenderer(QgsSingleSymbolRenderer(QgsMarkerSymbol.createSimple(
            {"name": "star", "color": "#000000", "size": "5"})))
        return
    cats = [QgsRendererCategory(n, QgsMarkerSymbol.createSimple({"name": "star", "color": c, "size": "5",
                                                                  "outline_color": "black"}), n)
            for n, c in colours(names).items()]
    layer.setRenderer(QgsCategorizedSymbolRenderer(field, cats))


def label(layer, field: str) -> None:
    settings = QgsPalLayerSettings()
    settings.fieldName = field
    fmt = QgsTextFormat()
    fmt.setFont(QFont("DejaVu Sans", 10, QFont.Weight.Bold))
    fmt.setSize(10)
    buffer = fmt.buffer()
    buffer.setEnabled(True)
    buffer.setSize(1.0)
    settings.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def hillshade(layer) -> None:
    renderer = QgsHillshadeRenderer(layer.dataProvider(), 1, 315.0, 45.0)
    renderer.setZFactor(2.0)
    renderer.setOpacity(0.6)
    layer.setRenderer(renderer)

"""Helpers shared by the coherence algorithms: raster paths, attribute tables, output styles."""

from qgis.core import (QgsMarkerSymbol, QgsPalettedRasterRenderer, QgsRuleBasedRenderer, QgsSymbol)
from qgis.PyQt.QtGui import QColor

from ...core.errors import InputError
from ..styles import rate_style


def raster_path(alg, parameters, name, context, required=False) -> str:
    """The file behind a raster parameter ('' when an optional one is not set)."""
    layer = alg.parameterAsRasterLayer(parameters, name, context)
    if layer is None:
        if required:
            raise InputError(f"No raster was given as {name}.")
        return ""
    if not layer.isValid():
        raise InputError(f"The raster given as {name} is not valid (missing or corrupt file?).")
    return layer.source()


def read_rows(alg, parameters, name, context) -> list:
    """Attribute rows (dicts, NULL -> None) of a table or layer parameter."""
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        return []
    names = [f.name() for f in source.fields()]
    rows = []
    for feat in source.getFeatures():
        vals = feat.attributes()
        rows.append({n: (None if v is None or (hasattr(v, "isNull") and v.isNull()) else v)
                     for n, v in zip(names, vals)})
    return rows


def usable_style(layer):
    """The usable mask: 1 usable (green), 0 not usable (orange)."""
    classes = [QgsPalettedRasterRenderer.Class(1, QColor("#1a9641"), "usable for InSAR"),
               QgsPalettedRasterRenderer.Class(0, QColor("#fdae61"), "not usable (vegetation / "
                                                                    "low coherence)")]
    layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, classes))


def reliability_style(velocity_field: str = "velocity"):
    """Reliable points in the rate colours; unreliable ones in the same colours but faded crosses.

    Deformation in dense vegetation stays visible, marked as not to be trusted.
    """
    rates = rate_style(velocity_field)

    def apply(layer):
        if layer.fields().indexOf(velocity_field) < 0:
            _reliable_categories(layer)
            return
        rates(layer)
        base = QgsRuleBasedRenderer.convertFromRenderer(layer.renderer())
        root = QgsRuleBasedRenderer.Rule(None)
        for child in base.rootRule().children():
            for flag, faded in (("1", False), ("0", True)):
                rule = child.clone()
                rule.setFilterExpression(f"({child.filterExpression()}) AND \"reliable\" = {flag}")
                sym = rule.symbol()
                if faded and isinstance(sym, QgsMarkerSymbol):
                    sym.symbolLayer(0).setShape(sym.symbolLayer(0).Cross2)
                    sym.symbolLayer(0).setStrokeColor(sym.color())
                    sym.setOpacity(0.45)
                rule.setLabel(f"{child.label()} ({'reliable' if flag == '1' else 'unreliable'})")
                root.appendChild(rule)
        unknown = QgsRuleBasedRenderer.Rule(QgsSymbol.defaultSymbol(layer.geometryType()),
                                            filterExp="\"reliable\" IS NULL",
                                            label="no raster value")
        unknown.symbol().setColor(QColor("#9e9e9e"))
        root.appendChild(unknown)
        layer.setRenderer(QgsRuleBasedRenderer(root))

    apply.field, apply.prime = velocity_field, rates.prime  # the writer hands over the rates
    return apply


def _reliable_categories(layer):
    root = QgsRuleBasedRenderer.Rule(None)
    for expr, colour, label in (("\"reliable\" = 1", "#1a9641", "reliable"),
                                ("\"reliable\" = 0", "#d7191c", "unreliable"),
                                ("\"reliable\" IS NULL", "#9e9e9e", "no raster value")):
        sym = QgsSymbol.defaultSymbol(layer.geometryType())
        sym.setColor(QColor(colour))
        root.appendChild(QgsRuleBasedRenderer.Rule(sym, filterExp=expr, label=label))
    layer.setRenderer(QgsRuleBasedRenderer(root))

"""Layer styles built from the data: diverging ramps centred on zero, sequential ramps, masks."""
import numpy as np
from qgis.core import (QgsClassificationRange, QgsGradientColorRamp, QgsGraduatedSymbolRenderer,
                       QgsMarkerSymbol, QgsRendererRange, QgsStyle, QgsSymbol)
from qgis.PyQt.QtGui import QColor


def _values(layer, field):
    idx = layer.fields().indexOf(field)
    if idx < 0:
        return np.empty(0)
    vals = []
    for f in layer.getFeatures():
        v = f.attribute(idx)
        if v is not None and not (hasattr(v, "isNull") and v.isNull()):
            try:
                vals.append(float(v))
            except (TypeError, ValueError):
                pass
    arr = np.asarray(vals, float)
    return arr[np.isfinite(arr)]


def _ramp(name, invert=False):
    ramp = QgsStyle.defaultStyle().colorRamp(name)
    if ramp is None:
        ramp = QgsGradientColorRamp(QColor("#2166ac"), QColor("#b2182b"))
    if invert:
        ramp.invert()
    return ramp


def _symbol(geometry_type, size):
    sym = QgsSymbol.defaultSymbol(geometry_type)
    if isinstance(sym, QgsMarkerSymbol):
        sym.setSize(size)
        sym.symbolLayer(0).setStrokeStyle(0)  # no outline: dense point clouds stay readable
    return sym


def graduated(field, ramp="Spectral", classes=7, diverging=False, invert=False, size=1.6,
              limits=None, values=None):
    """A style function: graduated colours on `field`.

    diverging=True centres the classes on zero with symmetric limits (98th percentile of |v|),
    which is what a deformation-rate map needs. Red is subsidence (negative) with RdBu.
    `values` (optional) are the field's values when the caller has them already: reading them
    back feature by feature costs seconds on a million points.
    """
    given = None
    if values is not None:
        given = np.asarray(values, float)
        given = given[np.isfinite(given)]

    def apply(layer):
        vals = given if given is not None else _values(layer, field)
        if limits is not None:
            lo, hi = limits
        elif vals.size == 0:
            lo, hi = -1.0, 1.0
        elif diverging:
            m = float(np.percentile(np.abs(vals), 98)) or 1.0
            lo, hi = -m, m
        else:
            lo, hi = float(np.percentile(vals, 2)), float(np.percentile(vals, 98))
            if hi <= lo:
                hi = lo + 1.0
        edges = np.linspace(lo, hi, classes + 1)
        color_ramp = _ramp(ramp, invert)
        ranges = []
        for i in range(classes):
            a, b = edges[i], edges[i + 1]
            a_out = min(a, float(vals.min())) if i == 0 and vals.size else a
            b_out = max(b, float(vals.max())) if i == classes - 1 and vals.size else b
            sym = _symbol(layer.geometryType(), size)
            sym.setColor(color_ramp.color(i / max(classes - 1, 1)))
            label = f"{a:.3g} – {b:.3g}"
            ranges.append(QgsRendererRange(QgsClassificationRange(label, a_out, b_out), sym))
        renderer = QgsGraduatedSymbolRenderer(field, ranges)
        renderer.setSourceColorRamp(color_ramp)
        layer.setRenderer(renderer)

    return apply


def rate_style(field="velocity"):
    """Deformation rate: red (subsidence) to blue (uplift), centred on 0."""
    return graduated(field, ramp="RdBu", classes=9, diverging=True)

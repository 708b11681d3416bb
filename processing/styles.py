"""Layer styles built from the data: diverging ramps centred on zero, sequential ramps, masks."""
import numpy as np
from qgis.core import (QgsClassificationRange, QgsFeatureRequest, QgsGradientColorRamp,
                       QgsGraduatedSymbolRenderer, QgsMarkerSymbol, QgsRendererRange, QgsStyle, QgsSymbol)
from qgis.PyQt.QtGui import QColor

from ..core.breaks import class_label, round_breaks, round_limits


def _values(layer, field):
    """The finite values of `field` (NULL and text skipped), read without geometry or other fields."""
    idx = layer.fields().indexOf(field)
    if idx < 0:
        return np.empty(0)
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry).setSubsetOfAttributes([idx])
    vals = []
    for f in layer.getFeatures(request):
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
              limits=None, values=None, unit=""):
    """A style function: graduated colours on `field`.

    diverging=True centres the classes on zero with symmetric limits (98th percentile of |v|),
    which is what a deformation-rate map needs. Red is subsidence (negative) with RdBu.
    `values` (optional) are the field's values when the caller has them already: reading them
    back feature by feature costs seconds on a million points.
    """
    def breaks(vals):
        """(lo, hi) of the classes and the data's (min, max), None when it has no value."""
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
        return lo, hi, (float(vals.min()), float(vals.max())) if vals.size else None

    given = []  # the breaks of values handed over, by the caller or by prime()
    read = {}  # data key -> breaks: the output is styled on writing and again when QGIS loads it

    def prime(vals) -> None:
        """Take the field's values from whoever holds them (the writer), instead of reading them back."""
        vals = np.asarray(vals, float)
        given[:] = [breaks(vals[np.isfinite(vals)])]

    if values is not None:
        prime(values)

    def apply(layer):
        found = given[0] if given else None
        if found is None:
            key = (layer.providerType(), layer.source(), layer.subsetString(), layer.featureCount())
            if key not in read:
                read.clear()
                read[key] = breaks(_values(layer, field))
            found = read[key]
        lo, hi, extremes = found
        # round breaks (1, 2, 2.5, 5 × 10^k) when the limits come from the data; given limits stay
        edges = np.linspace(lo, hi, classes + 1) if limits is not None else \
            round_breaks(lo, hi, classes, diverging)
        color_ramp = _ramp(ramp, invert)
        ranges = []
        for i in range(classes):
            a, b = edges[i], edges[i + 1]
            a_out = min(a, extremes[0]) if i == 0 and extremes else a
            b_out = max(b, extremes[1]) if i == classes - 1 and extremes else b
            sym = _symbol(layer.geometryType(), size)
            sym.setColor(color_ramp.color(i / max(classes - 1, 1)))
            label = class_label(a, b, unit)
            ranges.append(QgsRendererRange(QgsClassificationRange(label, a_out, b_out), sym))
        renderer = QgsGraduatedSymbolRenderer(field, ranges)
        renderer.setSourceColorRamp(color_ramp)
        layer.setRenderer(renderer)

    apply.field, apply.prime = field, prime
    return apply


def rate_style(field="velocity"):
    """Deformation rate: red (subsidence) to blue (uplift), centred on 0."""
    return graduated(field, ramp="RdBu", classes=9, diverging=True, unit="mm/yr")


# --- rasters --------------------------------------------------------------------------------
def _raster_sample(layer, tiles=8, size=32):
    """Finite values of band 1 from tiles x tiles small full-resolution windows spread over it.

    Small windows keep the read (and GDAL's block cache) small: a downsampled read of the whole
    extent would decode every block of a large raster.
    """
    from qgis.core import Qgis, QgsRectangle
    provider = layer.dataProvider()
    ext, w, h = layer.extent(), layer.width(), layer.height()
    if w <= 0 or h <= 0:
        return np.empty(0)
    px, py = ext.width() / w, ext.height() / h
    bw, bh = min(size, w), min(size, h)
    dtypes = {Qgis.DataType.Float32: np.float32, Qgis.DataType.Float64: np.float64, Qgis.DataType.Int16: np.int16,
              Qgis.DataType.UInt16: np.uint16, Qgis.DataType.Int32: np.int32, Qgis.DataType.UInt32: np.uint32, Qgis.DataType.Byte: np.uint8}
    parts = []
    for cy in sorted({int(v) for v in np.linspace(0, h - bh, tiles)}):
        for cx in sorted({int(v) for v in np.linspace(0, w - bw, tiles)}):
            rect = QgsRectangle(ext.xMinimum() + cx * px, ext.yMaximum() - (cy + bh) * py,
                                ext.xMinimum() + (cx + bw) * px, ext.yMaximum() - cy * py)
            block = provider.block(1, rect, bw, bh)
            dtype = dtypes.get(block.dataType())
            if dtype is None:
                return np.empty(0)
            vals = np.frombuffer(bytes(block.data()), dtype=dtype).astype(float)
            if provider.sourceHasNoDataValue(1):
                vals = vals[vals != provider.sourceNoDataValue(1)]
            parts.append(vals[np.isfinite(vals)])
    return np.concatenate(parts) if parts else np.empty(0)


def _raster_abs_limit(layer, q=98.0):
    """The q-th percentile of |value| of band 1 (None if the raster has no values)."""
    vals = np.abs(_raster_sample(layer))
    return float(np.percentile(vals, q)) if vals.size else None


def raster_ramp(ramp="Greens", limits=None, diverging=False, invert=False, stops=11):
    """A style function for single-band rasters: a continuous colour ramp (pseudocolour).

    limits=(lo, hi) fixes the range; diverging=True centres it on 0 with symmetric limits
    (98th percentile of |v| unless limits are given). Values beyond the limits take the end colours.
    """
    from qgis.core import QgsColorRampShader, QgsRasterShader, QgsSingleBandPseudoColorRenderer

    def apply(layer):
        if limits is not None:
            lo, hi = limits
        elif diverging:
            m = _raster_abs_limit(layer) or 1.0
            lo, hi = -m, m
        else:
            vals = _raster_sample(layer)
            lo, hi = (float(np.percentile(vals, 2)), float(np.percentile(vals, 98))) if vals.size \
                else (0.0, 1.0)
            hi = hi if hi > lo else lo + 1.0
        if limits is None:
            lo, hi = round_limits(lo, hi)  # the legend's end labels: 3.5, not 3.480065
        color_ramp = _ramp(ramp, invert)
        items = []
        for i in range(stops):
            f = i / (stops - 1)
            v = lo + f * (hi - lo)
            items.append(QgsColorRampShader.ColorRampItem(v, color_ramp.color(f), f"{v:.3g}"))
        crs = QgsColorRampShader(lo, hi)
        crs.setColorRampType(QgsColorRampShader.Type.Interpolated)
        crs.setClip(False)
        crs.setColorRampItemList(items)
        crs.setSourceColorRamp(color_ramp.clone())
        shader = QgsRasterShader()
        shader.setRasterShaderFunction(crs)
        renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader)
        renderer.setClassificationMin(lo)
        renderer.setClassificationMax(hi)
        layer.setRenderer(renderer)

    return apply


def ndvi_raster_style():
    """NDVI: a green ramp from bare ground (0) to dense vegetation (1)."""
    return raster_ramp("Greens", limits=(0.0, 1.0))


def change_raster_style(limit=None, ramp="BrBG"):
    """A change raster: brown (loss) to green (gain), centred on 0, symmetric limits."""
    return raster_ramp(ramp, limits=(-limit, limit) if limit else None, diverging=True)


def save_raster_style(path, style):
    """Apply `style` to the raster at `path` and save it as the .qml sidecar QGIS loads with it."""
    import os
    from qgis.core import QgsRasterLayer
    aux = path + ".aux.xml"
    had_aux = os.path.exists(aux)
    layer = QgsRasterLayer(path, os.path.basename(path), "gdal")
    if not layer.isValid():
        return ""
    style(layer)
    qml = os.path.splitext(path)[0] + ".qml"
    layer.saveNamedStyle(qml)
    del layer
    if not had_aux and os.path.exists(aux):  # statistics QGIS cached while styling: not ours to leave
        os.remove(aux)
    return qml


def style_raster_output(alg, context, path: str, style) -> None:
    """Save a .qml sidecar next to an output raster and style the layer QGIS loads at the end."""
    import os
    from .layers import attach_style
    if path and os.path.exists(path):
        save_raster_style(path, style)
    attach_style(alg, context, path, style)

"""Between QGIS layers and core PointTables: fast file reads, atomic writes, styled outputs."""
import os
import re

import numpy as np
from qgis.core import (QgsFeatureRequest, QgsProcessingFeatureSourceDefinition,
                       QgsProcessingLayerPostProcessorInterface, QgsProviderRegistry, QgsVectorLayer,
                       QgsWkbTypes)

from ..core.errors import InputError
from ..core.progress import checkpoint
from ..core.points import PointTable
from ..core.vector_io import read_points, write_points

_OGR_DEST = re.compile(r"^ogr:dbname='(?P<path>[^']+)'\s+table=\"(?P<table>[^\"]+)\"")


def read_point_table(alg, parameters, name, context, fields=None, allow_empty=False) -> PointTable:
    """The point layer behind parameter `name` as a PointTable.

    A plain GeoPackage/Shapefile/CSV layer (no selection, filter or feature limit) is read in
    bulk with OGR; anything else is read feature by feature.
    """
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    value = parameters.get(name)
    selected = isinstance(value, QgsProcessingFeatureSourceDefinition) and value.selectedFeaturesOnly
    if layer is not None and not layer.isValid():
        raise InputError(f"The layer given as {name} is not valid (missing or corrupt file?).")
    table = None
    if layer is not None and layer.providerType() == "ogr" and not layer.subsetString() and not selected:
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path = parts.get("path", "")
        if os.path.splitext(path)[1].lower() in (".gpkg", ".shp", ".geojson", ".fgb", ".sqlite"):
            _require_points(layer.wkbType(), name)
            table = read_points(path, parts.get("layerName") or None, fields)
    if table is None:
        source = alg.parameterAsSource(parameters, name, context)
        if source is None:
            raise InputError(f"No layer was given as {name}.")
        _require_points(source.wkbType(), name)
        table = _read_features(source, fields)
    if len(table) == 0 and not allow_empty:
        raise InputError(f"The layer given as {name} has no features.")
    return table


def read_layer(layer, label: str, fields=None) -> PointTable:
    """A point layer given in a list of layers as a PointTable (plain files read in bulk)."""
    if layer is None or not layer.isValid():
        raise InputError(f"{label} is not a valid layer (missing or corrupt file?).")
    if not isinstance(layer, QgsVectorLayer):
        raise InputError(f"{label} ('{layer.name()}') is not a vector layer.")
    _require_points(layer.wkbType(), label)
    table = None
    if layer.providerType() == "ogr" and not layer.subsetString():
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path = parts.get("path", "")
        if os.path.splitext(path)[1].lower() in (".gpkg", ".shp", ".geojson", ".fgb", ".sqlite"):
            table = read_points(path, parts.get("layerName") or None, fields)
    if table is None:
        table = _read_features(layer, fields)
    if len(table) == 0:
        raise InputError(f"{label} ('{layer.name()}') has no features.")
    return table


def _require_points(wkb_type, name):
    if QgsWkbTypes.geometryType(wkb_type) != QgsWkbTypes.GeometryType.PointGeometry:
        raise InputError(f"{name} must be a point layer.")


def _read_features(source, fields=None) -> PointTable:
    all_fields = source.fields()
    names = [f.name() for f in all_fields] if fields is None else list(fields)
    missing = [n for n in names if all_fields.indexOf(n) < 0]
    if missing:
        raise InputError(f"Fields not found: {', '.join(missing)}.")
    idx = [all_fields.indexOf(n) for n in names]
    request = QgsFeatureRequest().setSubsetOfAttributes(idx)
    xs, ys, rows = [], [], []
    for k, feat in enumerate(source.getFeatures(request)):
        if k % 5000 == 0:
            checkpoint()
        geom = feat.geometry()
        if geom.isNull() or geom.isEmpty():
            xs.append(np.nan)
            ys.append(np.nan)
        else:
            pt = geom.asPoint() if not geom.isMultipart() else geom.centroid().asPoint()
            xs.append(pt.x())
            ys.append(pt.y())
        attrs = feat.attributes()
        rows.append([attrs[i] for i in idx])
    columns = {}
    for j, n in enumerate(names):
        columns[n] = _column([r[j] for r in rows], all_fields.at(idx[j]).isNumeric())
    return PointTable(np.array(xs, float), np.array(ys, float), columns, source.sourceCrs().toWkt())


def _column(values, numeric):
    vals = [None if (v is None or (hasattr(v, "isNull") and v.isNull())) else v for v in values]
    if numeric:
        if all(v is not None and float(v).is_integer() for v in vals) and vals and \
                all(isinstance(v, int) for v in vals):
            return np.array(vals, dtype=np.int64)
        return np.array([np.nan if v is None else float(v) for v in vals], dtype=float)
    return np.array([None if v is None else str(v) for v in vals], dtype=object)


def write_point_table(alg, name, table: PointTable, context, style=None, layer_name=None,
                      progress=None) -> str:
    """Write `table` to the destination `name` and style the layer QGIS loads from it.

    `style` is a callable(QgsVectorLayer) applied when the layer is loaded into the project
    and saved as the GeoPackage's default style, so the file is styled wherever it is opened.
    """
    dest = alg.dest(name)
    field = getattr(style, "field", None)
    if field in table.columns and table.columns[field].dtype.kind in "fiu":
        style.prime(table.columns[field])  # the classes from the values at hand, not read back
    m = _OGR_DEST.match(dest)
    if m:  # "save to GeoPackage layer": add a layer to an existing file
        from osgeo import gdal
        import tempfile
        from qgis.core import QgsProcessingUtils
        with tempfile.TemporaryDirectory(dir=QgsProcessingUtils.tempFolder()) as tmpdir:
            tmp = write_points(os.path.join(tmpdir, "layer.gpkg"), table, m.group("table"), progress)
            gdal.VectorTranslate(m.group("path"), tmp, accessMode="overwrite", layerName=m.group("table"))
        path = layer_path(dest)
    else:
        write_points(dest, table, layer_name, progress)
        path = dest
        _report_renamed_fields(dest, list(table.columns), context)
    if style is not None:
        if progress is not None:
            progress(1.0)
        save_default_style(path, style)
        if progress is not None:
            progress(1.0)
        attach_style(alg, context, dest, style)
    return dest


def _report_renamed_fields(path: str, names, context) -> None:
    """A Shapefile keeps 10 characters of a field name: say which fields were renamed."""
    if not path.lower().endswith(".shp") or all(len(n) <= 10 for n in names):
        return
    from osgeo import ogr
    ds = ogr.Open(path)
    defn = ds.GetLayer(0).GetLayerDefn()
    written = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    ds = None
    renamed = [f"{a} -> {b}" for a, b in zip(names, written) if a != b]
    feedback = context.feedback()
    if renamed and feedback is not None:
        feedback.pushWarning("A Shapefile keeps 10 characters of a field name, so these fields were "
                             f"renamed: {', '.join(renamed)}. Other algorithms look for the full "
                             "names: save as a GeoPackage (.gpkg) to keep them.")


def layer_path(dest: str) -> str:
    """The file (and layer) a vector destination writes: 'file.gpkg|layername=t' for a 'save to
    GeoPackage layer' ogr: URI, the destination itself otherwise."""
    m = _OGR_DEST.match(dest)
    return m.group("path") + "|layername=" + m.group("table") if m else dest


def save_default_style(path: str, style, name: str = "default",
                       description: str = "InSAR Fusion style", default: bool = True) -> None:
    """Apply `style` to the layer at `path` and store it in the GeoPackage (nothing for other
    formats): as the layer's default style, or with default=False as an extra named style."""
    if not path.split("|")[0].lower().endswith(".gpkg"):
        return
    layer = QgsVectorLayer(path, "styled", "ogr")
    if layer.isValid():
        style(layer)
        layer.saveStyleToDatabase(name, description, default, "")


class _StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    def __init__(self, style):
        super().__init__()
        self.style = style

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if layer is not None and layer.isValid():
            self.style(layer)
            layer.triggerRepaint()


def attach_style(alg, context, dest, style) -> None:
    """Style a destination layer when QGIS loads it at the end of the run."""
    if context.willLoadLayerOnCompletion(dest):
        pp = _StylePostProcessor(style)
        alg._post_processors.append(pp)  # keep a reference: QGIS does not own it
        context.layerToLoadOnCompletionDetails(dest).setPostProcessor(pp)

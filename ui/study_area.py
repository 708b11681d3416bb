"""A drawn study area: a temporary polygon layer in the project, written only where the user says."""
import os

from qgis.core import QgsFeature, QgsGeometry, QgsVectorFileWriter, QgsVectorLayer


def save_study_area(project, vertices, crs, name: str = "") -> QgsVectorLayer:
    """Add the polygon to the project as a temporary (memory) layer; nothing is written to disk
    until the user keeps it (Layer > Make Permanent), which asks where."""
    taken = {layer.name() for layer in project.mapLayers().values()}
    if not name:
        k = 1
        while f"Study area {k}" in taken:
            k += 1
        name = f"Study area {k}"
    # the field in the URI: QgsField(name, QVariant.Type) is deprecated in 3.38 and gone with Qt6
    layer = QgsVectorLayer(f"Polygon?crs={crs.authid() or crs.toWkt()}&field=name:string", name, "memory")
    feat = QgsFeature(layer.fields())
    ring = list(vertices) + [vertices[0]]
    feat.setGeometry(QgsGeometry.fromPolygonXY([ring]))
    feat.setAttribute("name", name)
    layer.dataProvider().addFeatures([feat])
    layer.updateExtents()
    layer.renderer().symbol().setOpacity(0.35)
    project.addMapLayer(layer)
    return layer


def write_study_area(layer: QgsVectorLayer, path: str, transform_context) -> str:
    """Write a study-area layer to a GeoPackage the user chose (a layer of its own name)."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer.name().replace(" ", "_").lower()
    options.actionOnExistingFile = (QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer
                                    if os.path.exists(path) else
                                    QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteFile)
    error = QgsVectorFileWriter.writeAsVectorFormatV3(layer, path, transform_context, options)
    if error[0] != QgsVectorFileWriter.WriterError.NoError:
        raise RuntimeError(f"Could not save the study area to {path}: {error[1]}")
    return path
